using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Build;

/// <summary>
/// The files a generate or check result depends on that the targets' globs over the project cannot know:
/// the profiles.yml in use, the warehouse file and its write-ahead log, dbt's manifest.json and the files behind
/// external sources; the globs of external sources; and the folders whose files check reads. The targets keep these
/// lists between builds so that a changed warehouse makes the next build do its work again.
/// </summary>
internal static class ProjectDependencies
{
    /// <summary>
    /// Full paths, whether the file exists or not: the targets drop the missing ones from the inputs, so a file that
    /// appears (dbt writes manifest.json, DuckDB leaves a .wal) or goes changes the input list and voids the stamps.
    /// </summary>
    public static IEnumerable<string> Of(ProjectContext context)
    {
        yield return context.Target.ProfilesFile;
        yield return context.Target.DatabasePath;
        // A change committed and not yet checkpointed is only in the .wal (the warehouse file keeps its time), and check reads it.
        yield return context.Target.DatabasePath + ".wal";
        // EM0109 reads the dbt version that wrote it.
        yield return context.Project.ManifestJsonPath;
        yield return context.Project.Resolve(context.Settings.Snapshots.SourcesFile);
        foreach (var table in context.Sources.Tables)
        {
            if (table.ExternalLocation is { } location && IsLocal(location) && !DuckDbWarehouse.IsGlob(location))
            {
                yield return context.Project.Resolve(location);
            }
        }
    }

    /// <summary>
    /// The globs of external sources (<c>data/hs/*.csv</c>), full patterns. Their files are not in <see cref="Of"/>: the
    /// targets keep the patterns and list their files on every build (<see cref="ListGlobFiles"/>), so a file added to a
    /// glob changes the input list although the last run never saw it.
    /// </summary>
    public static IEnumerable<string> ExternalGlobs(ProjectContext context) =>
        context.Sources.Tables
            .Select(t => t.ExternalLocation)
            .OfType<string>()
            .Where(l => IsLocal(l) && DuckDbWarehouse.IsGlob(l))
            .Select(context.Project.Resolve)
            .Distinct(StringComparer.Ordinal);

    /// <summary>
    /// The folders whose files check reads, full paths: dbt_project.yml's <c>model-paths</c>, <c>test-paths</c>,
    /// <c>analysis-paths</c> and <c>snapshot-paths</c> (their ref()s), its <c>seed-paths</c> (a seed's name is a name a
    /// ref() may read, as a Python model's is), and electionmatch.yml's staging folder, manifest folder and zip code model
    /// folder, which may lie outside <c>models/</c> and <c>electionmatch/</c>. The targets glob their SQL, YAML, JSON,
    /// Python and CSV, so a file added, edited or deleted in any of them is seen. The export folder is not one: check
    /// never reads the parquet copies.
    /// </summary>
    public static IEnumerable<string> WatchedDirectories(ProjectContext context)
    {
        var snapshots = context.Settings.Snapshots;
        IEnumerable<string> folders = [.. context.Project.ReferencingPaths, .. context.Project.SeedPaths, snapshots.StagingDirectory, snapshots.ManifestDirectory];
        if (context.Settings.ZipCodes is { } zipCodes)
        {
            folders = folders.Append(zipCodes.ModelDirectory);
        }

        return folders.Select(p => Path.TrimEndingDirectorySeparator(context.Project.Resolve(p))).Distinct(StringComparer.Ordinal);
    }

    // Function calls (read_parquet(...)) and URLs name no local file to watch.
    private static bool IsLocal(string location) =>
        !location.Contains('(', StringComparison.Ordinal) && !location.Contains("://", StringComparison.Ordinal);
}
