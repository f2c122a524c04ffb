using ElectionMatch.Operations;

namespace ElectionMatch.Build;

/// <summary>
/// The files a generate or check result depends on that the targets' globs over the project cannot know:
/// the profiles.yml in use, the warehouse file and the files behind external sources. The targets keep
/// this list between builds so that a changed warehouse makes the next build do its work again.
/// </summary>
internal static class ProjectDependencies
{
    public static IEnumerable<string> Of(ProjectContext context)
    {
        yield return context.Target.ProfilesFile;
        yield return context.Target.DatabasePath;
        foreach (var table in context.Sources.Tables)
        {
            if (table.ExternalLocation is { } location && IsPlainFile(location))
            {
                yield return context.Project.Resolve(location);
            }
        }
    }

    /// <summary>
    /// The folders whose ref()s check reads (dbt_project.yml's <c>model-paths</c>, <c>test-paths</c>, <c>analysis-paths</c>
    /// and <c>snapshot-paths</c>), full paths: the targets glob their SQL and YAML as they glob <c>models/</c>, so a model,
    /// test, analysis or snapshot added or edited in any of them is seen.
    /// </summary>
    public static IEnumerable<string> ModelDirectories(ProjectContext context) =>
        context.Project.ReferencingPaths.Select(p => Path.TrimEndingDirectorySeparator(context.Project.Resolve(p)));

    // Function calls (read_parquet(...)), URLs and globs name no single local file to watch.
    private static bool IsPlainFile(string location) =>
        !location.Contains('(', StringComparison.Ordinal) && !location.Contains("://", StringComparison.Ordinal) && !location.Contains('*', StringComparison.Ordinal);
}
