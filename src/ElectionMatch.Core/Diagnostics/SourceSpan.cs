namespace ElectionMatch.Diagnostics;

/// <summary>A position in a user file (1-based line and column); line 0 means no line at all.</summary>
public readonly record struct SourceSpan(string File, int Line, int Column)
{
    /// <summary>
    /// A text file as a whole (too big, does not parse, edited): its first line. MSBuild prints <c>file(1,1): error</c>,
    /// which the CI problem matcher (setup-dotnet's) turns into an annotation; with no line it prints <c>file : error</c>, which it skips.
    /// </summary>
    public static SourceSpan TextFile(string file) => new(file, 1, 1);

    /// <summary>
    /// A path with no line that could mean anything: a missing file, a directory, the binary warehouse. Used only where
    /// no setting or entry names the path (otherwise that line is the place to report).
    /// </summary>
    public static SourceSpan PathOnly(string file) => new(file, 0, 0);

    public static readonly SourceSpan None = new("", 0, 0);
}
