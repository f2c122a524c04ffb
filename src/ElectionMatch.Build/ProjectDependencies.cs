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

    // Function calls (read_parquet(...)), URLs and globs name no single local file to watch.
    private static bool IsPlainFile(string location) =>
        !location.Contains('(', StringComparison.Ordinal) && !location.Contains("://", StringComparison.Ordinal) && !location.Contains('*', StringComparison.Ordinal);
}
