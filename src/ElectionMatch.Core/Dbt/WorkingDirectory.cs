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

    /// <summary>The full path of <paramref name="path"/>, read relative to <see cref="Current"/> when it is relative.</summary>
    public static string Full(string path) => Path.GetFullPath(path, Current);

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
