namespace ElectionMatch.Dbt;

/// <summary>How a file is named in diagnostics: relative to the working directory when inside it, so terminals and IDEs can open it.</summary>
internal static class DisplayPath
{
    public static string For(string path)
    {
        var full = WorkingDirectory.Full(path);
        var relative = Path.GetRelativePath(WorkingDirectory.Current, full);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? full : relative;
    }
}
