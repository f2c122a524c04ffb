namespace ElectionMatch.Diagnostics;

/// <summary>A position in a user file (1-based line and column); line 0 means the whole file.</summary>
public readonly record struct SourceSpan(string File, int Line, int Column)
{
    public static SourceSpan WholeFile(string file) => new(file, 0, 0);

    public static readonly SourceSpan None = new("", 0, 0);
}
