namespace ElectionMatch.Dbt;

/// <summary>
/// The directory a command's relative paths are read against and its diagnostics name files relative to: the process's
/// working directory, unless the caller set another for the calls it makes (<see cref="In{T}"/>). An in-process caller
/// that runs commands side by side, as the CLI tests do, cannot change the process's own, which all threads share.
/// </summary>
public static class WorkingDirectory
{
    private static readonly AsyncLocal<string?> Override = new();

    public static string Current => Override.Value ?? Environment.CurrentDirectory;

    /// <summary>
    /// The full path of <paramref name="path"/>, read relative to <see cref="Current"/> when it is relative, a leading
    /// <c>~</c> being the home directory (<see cref="ExpandHome"/>).
    /// </summary>
    public static string Full(string path) => Path.GetFullPath(ExpandHome(path), Current);

    /// <summary>
    /// <paramref name="path"/> with a leading <c>~</c>, alone or before a separator, read as the home directory, as a shell
    /// reads it. A shell expands it only at a word's start: <c>--profiles-dir=~/.dbt</c>, <c>-p:ElectionMatchProfilesDirectory=~/.dbt</c>
    /// and a quoted <c>"~/.dbt"</c> arrive as written. Never a folder named "~"; <c>~user</c> is left as it is.
    /// </summary>
    public static string ExpandHome(string path)
    {
        if (path != "~" && !path.StartsWith("~/", StringComparison.Ordinal) && !path.StartsWith("~\\", StringComparison.Ordinal))
        {
            return path;
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? path : Path.Join(home, path[1..].TrimStart('/', '\\'));
    }

    /// <summary>Runs <paramref name="body"/> with <paramref name="directory"/> as its working directory.</summary>
    public static T In<T>(string directory, Func<T> body)
    {
        var before = Override.Value;
        Override.Value = Path.GetFullPath(directory);
        try
        {
            return body();
        }
        finally
        {
            Override.Value = before;
        }
    }
}
