using System.Text.Json;
using ElectionMatch.Operations;

namespace ElectionMatch.Snapshots;

/// <summary>The manifests of one match in the manifest directory, each with its text and hash, parsed where it parses.</summary>
internal static class ManifestFiles
{
    public static IReadOnlyList<ManifestFile> Of(ProjectContext context, string match) =>
        In(context.Project.Resolve(context.Settings.Snapshots.ManifestDirectory), match);

    /// <summary>The manifest of one snapshot in the manifest directory; null when there is none.</summary>
    public static ManifestFile? At(ProjectContext context, SnapshotName name) =>
        File.Exists(context.ManifestPath(name)) ? Read(context.ManifestPath(name)) : null;

    /// <summary>
    /// The manifests of a match's pruned snapshots (<see cref="ProjectContext.PrunedManifestDirectory"/>): no longer any
    /// snapshot's, but links of the chain, each verified by its hash as a manifest in place is.
    /// </summary>
    /// <remarks>
    /// A date pruned, published again and pruned again has two: the last publication's under the snapshot's name, and the
    /// earlier one's under its hash's (<see cref="ProjectContext.EarlierPrunedPath"/>, <see cref="ManifestFile.IsEarlier"/>).
    /// </remarks>
    public static IReadOnlyList<ManifestFile> Pruned(ProjectContext context, string match) => In(context.PrunedManifestDirectory, match, earlier: true);

    /// <summary>
    /// The snapshots of a match that <c>prune</c> retired, by table name: their manifest is under <c>pruned/</c> and not in
    /// the manifest directory (a date pruned and then published again is a snapshot like any other).
    /// </summary>
    public static IReadOnlySet<string> PrunedSnapshots(ProjectContext context, string match)
    {
        var present = Of(context, match).Select(f => f.Snapshot).ToHashSet(StringComparer.Ordinal);
        return Pruned(context, match).Select(f => f.Snapshot).Where(s => !present.Contains(s)).ToHashSet(StringComparer.Ordinal);
    }

    private static IReadOnlyList<ManifestFile> In(string directory, string match, bool earlier = false)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        // <match>_YYYYMMDD.json only: not the .model.json beside it, nor a temporary file a killed write left.
        return Directory.EnumerateFiles(directory, match + "_*.json")
            .Where(f => SnapshotName.TryParse(ManifestFile.SnapshotOf(f, out var isEarlier), match) is not null && (earlier || !isEarlier))
            .Order(StringComparer.Ordinal)
            .Select(Read)
            .ToList();
    }

    /// <summary>
    /// The links of a match's chain, in publication order (<see cref="SnapshotManifest.CreatedAtUtc"/>): the manifests
    /// that parse, less one written by a run the snapshot log shows interrupted (its snapshot's newest log row never
    /// completed, and the file is not one a completed run wrote). The run that repairs the snapshot replaces that file,
    /// so a manifest linked to it would name a hash no manifest has; until the repair, the snapshot is not in the chain.
    /// <paramref name="files"/> holds the pruned manifests too (<see cref="Pruned"/>): they were published, and a later one names them.
    /// </summary>
    public static IReadOnlyList<ManifestFile> Chain(IEnumerable<ManifestFile> files, SnapshotLog log, string match)
    {
        var interrupted = log.Latest(match).Where(r => !r.IsComplete).Select(r => r.Snapshot).ToHashSet(StringComparer.Ordinal);
        var completed = log.ManifestHashes(match);
        return files
            .Where(f => f.Manifest is not null && (!interrupted.Contains(f.Snapshot) || completed.Contains(f.Sha256)))
            .OrderBy(f => f.Manifest!.CreatedAtUtc)
            .ToList();
    }

    private static ManifestFile Read(string path)
    {
        var text = File.ReadAllText(path);
        try
        {
            return new ManifestFile(path, text, SnapshotManifest.FromJson(text), null);
        }
        catch (JsonException e)
        {
            // System.Text.Json counts lines from 0; a manifest that parses but lacks a field has no line.
            return new ManifestFile(path, text, null, e.Message) { ErrorLine = e.LineNumber is { } line ? (int)line + 1 : null };
        }
    }
}

/// <param name="Manifest">Null when the text does not parse as a manifest; <paramref name="Error"/> says why.</param>
internal sealed record ManifestFile(string Path, string Text, SnapshotManifest? Manifest, string? Error)
{
    /// <summary>The 1-based line where the text stopped parsing, when the parser says.</summary>
    public int? ErrorLine { get; init; }

    public string Sha256 => SnapshotManifest.FileSha256(Text);

    public string Snapshot => SnapshotOf(Path, out _);

    /// <summary>An earlier publication's pruned manifest, named <c>&lt;snapshot&gt;.&lt;12 hex digits&gt;.json</c> (<see cref="ManifestFiles.Pruned"/>).</summary>
    public bool IsEarlier
    {
        get
        {
            SnapshotOf(Path, out var earlier);
            return earlier;
        }
    }

    /// <summary>The snapshot a manifest file is of, by its name, without the hash an earlier publication's name carries.</summary>
    public static string SnapshotOf(string path, out bool earlier)
    {
        var name = System.IO.Path.GetFileNameWithoutExtension(path);
        var suffix = System.Text.RegularExpressions.Regex.Match(name, @"^(?<snapshot>.+)\.[0-9a-f]{12}$");
        earlier = suffix.Success;
        return earlier ? suffix.Groups["snapshot"].Value : name;
    }
}
