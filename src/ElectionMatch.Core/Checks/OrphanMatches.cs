using System.Text.RegularExpressions;
using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Generation;
using ElectionMatch.Operations;
using ElectionMatch.Snapshots;

namespace ElectionMatch.Checks;

/// <summary>
/// The matches whose snapshots the project still holds although electionmatch.yml no longer defines them (renamed or
/// removed), found from what only ElectionMatch writes: a sources entry it generated, a staging file with its header,
/// a manifest. check and verify check their snapshots as a defined match's; without this, renaming a match stopped
/// every check of its old snapshots. The warehouse alone names none: a retired match's tables may stay there.
/// </summary>
internal static partial class OrphanMatches
{
    public static IReadOnlyList<OrphanMatch> Find(ProjectContext context)
    {
        var snapshots = context.Settings.Snapshots;
        var found = new Dictionary<string, OrphanMatch>(StringComparer.Ordinal);
        void Add(string match, SourceSpan at, string evidence)
        {
            if (!context.Settings.Matches.ContainsKey(match))
            {
                found.TryAdd(match, new OrphanMatch(match, at, evidence, context.RetireCommand(match)));
            }
        }

        foreach (var entry in context.Sources.TablesOf(snapshots.SourceName).Where(t => t.IsGenerated))
        {
            if (SnapshotName.TryParse(entry.Name) is { } name)
            {
                Add(name.Match, entry.At, $"this sources entry, of its snapshot '{entry.Name}',");
            }
        }

        var prefix = $"stg_{snapshots.SourceName}__";
        foreach (var file in FilesIn(context.Project.Resolve(snapshots.StagingDirectory), prefix + "*").Where(f => Path.GetExtension(f) is ".sql" or ".yml"))
        {
            // A dated staging model names its snapshot; a stable one, stg_<source>__<match>, its match. Only a file of a
            // match electionmatch.yml does not define is read, to tell whether ElectionMatch wrote it.
            var model = Path.GetFileNameWithoutExtension(file)[prefix.Length..];
            var match = SnapshotName.TryParse(model)?.Match ?? model;
            if (MatchName().IsMatch(match) && !context.Settings.Matches.ContainsKey(match) && GeneratedFile.Inspect(File.ReadAllText(file)).IsGenerated)
            {
                Add(match, SourceSpan.TextFile(DisplayPath.For(file)), "this generated file");
            }
        }

        foreach (var file in FilesIn(context.Project.Resolve(snapshots.ManifestDirectory), "*.json"))
        {
            if (SnapshotName.TryParse(Path.GetFileNameWithoutExtension(file)) is { } name)
            {
                Add(name.Match, SourceSpan.TextFile(DisplayPath.For(file)), "this manifest");
            }
        }

        return [.. found.Values.OrderBy(o => o.Name, StringComparer.Ordinal)];
    }

    private static IEnumerable<string> FilesIn(string directory, string pattern) =>
        Directory.Exists(directory) ? Directory.EnumerateFiles(directory, pattern).Order(StringComparer.Ordinal) : [];

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex MatchName();
}

/// <summary>A match electionmatch.yml does not define whose snapshots the project holds.</summary>
/// <param name="At">Where it was first found: a sources entry, else a generated staging file, else a manifest.</param>
/// <param name="Evidence">What is at <paramref name="At"/>, in words.</param>
/// <param name="RetireCommand">The prune that retires it (<see cref="ProjectContext.RetireCommand"/>).</param>
internal sealed record OrphanMatch(string Name, SourceSpan At, string Evidence, string RetireCommand)
{
    /// <summary>EM0113, said once by check and by verify: what is found there is checked, but no command maintains it.</summary>
    public Diagnostic Warning => Diagnostic.Warning(Codes.MatchNotConfigured, At,
        $"match '{Name}' is not in electionmatch.yml, but {Evidence} belongs to it (was the match renamed or removed?); its snapshots and files are still checked, "
        + $"but `run` and `generate` no longer maintain them: add '{Name}' back under matches:, or retire it: move every downstream ref() of its staging models elsewhere (check reports each, EM0105; prune refuses while one is left: dbt fails on a ref() of a deleted model), then `{RetireCommand}` prunes all its snapshots (manifests kept under pruned/, tables dropped, the snapshot log marked, so the name can be used again) and deletes its stable model");
}
