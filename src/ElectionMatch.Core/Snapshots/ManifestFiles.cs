using System.Text.Json;
using ElectionMatch.Operations;

namespace ElectionMatch.Snapshots;

/// <summary>The manifests of one match in the manifest directory, each with its text and hash, parsed where it parses.</summary>
internal static class ManifestFiles
{
    public static IReadOnlyList<ManifestFile> Of(ProjectContext context, string match)
    {
        var directory = context.Project.Resolve(context.Settings.Snapshots.ManifestDirectory);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        // <match>_YYYYMMDD.json only: not the .model.json beside it, nor a temporary file a killed write left.
        return Directory.EnumerateFiles(directory, match + "_*.json")
            .Where(f => SnapshotName.TryParse(Path.GetFileNameWithoutExtension(f), match) is not null)
            .Order(StringComparer.Ordinal)
            .Select(Read)
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
            return new ManifestFile(path, text, null, e.Message);
        }
    }
}

/// <param name="Manifest">Null when the text does not parse as a manifest; <paramref name="Error"/> says why.</param>
internal sealed record ManifestFile(string Path, string Text, SnapshotManifest? Manifest, string? Error)
{
    public string Sha256 => SnapshotManifest.Sha256(Text);

    public string Snapshot => System.IO.Path.GetFileNameWithoutExtension(Path);
}
