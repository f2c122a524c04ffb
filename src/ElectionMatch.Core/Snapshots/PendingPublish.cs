using System.Text.Json;

namespace ElectionMatch.Snapshots;

/// <summary>
/// What a run's files after its publish are written from, stored in the publish transaction beside the snapshot
/// (<see cref="SnapshotLog.RecordPublish"/>): the manifest as far as the publish knows it (all but when it was written
/// and the previous link of the chain, which are settled when it is written), the trained model's file and the matcher's
/// summary lines. A run killed after its commit is finished from these, without matching again (docs/design.md, "Crash safety").
/// </summary>
/// <param name="Manifest">The manifest with <see cref="SnapshotManifest.CreatedAtUtc"/> at its default and no previous link.</param>
/// <param name="ModelParametersJson">The <c>.model.json</c> file's text, when the matcher trained a model.</param>
/// <param name="Summary">The matcher's lines a run prints after publishing (<see cref="Matching.MatchResult.Summary"/>).</param>
public sealed record PendingPublish(SnapshotManifest Manifest, string? ModelParametersJson, IReadOnlyList<string> Summary)
{
    /// <summary><see cref="Summary"/> as the log stores it.</summary>
    public string SummaryJson => JsonSerializer.Serialize(Summary);

    /// <summary>The manifest to write now: its creation time and the chain's previous link filled in.</summary>
    public SnapshotManifest ManifestAt(DateTimeOffset createdAtUtc, string? previousManifestSha256) =>
        Manifest with { CreatedAtUtc = createdAtUtc, PreviousManifestSha256 = previousManifestSha256 };

    /// <summary>Reads back what <see cref="SnapshotLog.RecordPublish"/> stored.</summary>
    public static PendingPublish Read(string manifestJson, string? modelParametersJson, string? summaryJson) =>
        new(SnapshotManifest.FromJson(manifestJson), modelParametersJson, summaryJson is null ? [] : JsonSerializer.Deserialize<List<string>>(summaryJson) ?? []);
}
