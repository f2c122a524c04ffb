using System.Globalization;
using ElectionMatch.Dbt;
using ElectionMatch.Operations;

namespace ElectionMatch.Snapshots;

/// <summary>
/// A publication the warehouse's snapshot log completed whose manifest is not in this checkout. In a warehouse the team
/// shares it is most likely a teammate's run on a branch not merged into this one yet; otherwise a run whose files were
/// never committed, or were deleted. The log records no branch or commit, so a message gives both readings and the git
/// command that tells them apart, and never advises `prune` alone, which would retire a teammate's snapshot.
/// </summary>
/// <param name="ManifestPath">As messages show it (<see cref="DisplayPath"/>), so the git command works where they print.</param>
internal sealed record UnmergedPublication(SnapshotName Name, string RunId, DateTimeOffset? CreatedAtUtc, string ManifestSha256, string ManifestPath, bool LogHoldsManifest)
{
    /// <summary>The snapshot's newest publication, when the log completed it, prune did not retire it and its manifest is not here; otherwise null.</summary>
    public static UnmergedPublication? Find(ProjectContext context, SnapshotLog log, SnapshotName name) =>
        Of(context, log.Latest(name.Match).LastOrDefault(r => r.Snapshot == name.Table), name);

    public static UnmergedPublication? Of(ProjectContext context, PublishRecord? record, SnapshotName name) =>
        record is { IsComplete: true, IsPruned: false } && !File.Exists(context.ManifestPath(name))
            ? new UnmergedPublication(name, record.RunId, record.ParsedManifest()?.CreatedAtUtc, record.ManifestSha256!, DisplayPath.For(context.ManifestPath(name)), record.ManifestJson is not null)
            : null;

    /// <summary>Which run published it, and when: <c>run 3f… (2026-11-20 14:02 UTC)</c>.</summary>
    public string Run => $"run {RunId}" + (CreatedAtUtc is { } at ? " (" + at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC)" : "");

    /// <summary>The two readings of a publication whose manifest is not here.</summary>
    public const string Readings =
        "in a warehouse the team shares, most likely a teammate's run on a branch not merged into this one yet; otherwise a run whose files were never committed, or were deleted since";

    /// <summary>How to tell the readings apart, and what to do in each.</summary>
    public string WhatToDo(ProjectContext context) =>
        $"`git log --all --oneline -- {ManifestPath}` (after `git fetch`) tells them apart: a commit listed there has the manifest, so merge or pull its branch (once it is merged, for a teammate's pull request) or restore the file from that commit; do not prune a teammate's snapshot, which would retire it from the shared warehouse"
        + (LogHoldsManifest ? $". Only if no branch has it and the snapshot is abandoned, retire it: `{context.PruneCommand(Name, orphaned: true)}` writes the log's copy of the manifest under pruned/ and removes the rest" : "");
}
