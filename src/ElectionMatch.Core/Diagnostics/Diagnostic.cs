namespace ElectionMatch.Diagnostics;

/// <summary>One finding, printed in the canonical MSBuild form so IDEs and CI annotate it.</summary>
public sealed record Diagnostic(string Code, Severity Severity, string File, int Line, int Column, string Message)
{
    public static Diagnostic Error(string code, SourceSpan at, string message) =>
        new(code, Severity.Error, at.File, at.Line, at.Column, message);

    public static Diagnostic Warning(string code, SourceSpan at, string message) =>
        new(code, Severity.Warning, at.File, at.Line, at.Column, message);

    public bool IsError => Severity == Severity.Error;

    /// <summary><c>path(line,col): error EM0001: message</c>; a diagnostic without a file prints the tool name instead. Credentials are masked.</summary>
    public override string ToString()
    {
        var where = string.IsNullOrEmpty(File) ? "electionmatch" : Line > 0 ? $"{File}({Line},{Math.Max(Column, 1)})" : File;
        var kind = Severity == Severity.Error ? "error" : "warning";
        return Secrets.Redact($"{where}: {kind} {Code}: {Message}");
    }
}
