namespace ElectionMatch.Diagnostics;

/// <summary>Stops an operation with one or more diagnostics the user can act on.</summary>
public sealed class DiagnosticException : Exception
{
    public DiagnosticException(Diagnostic diagnostic)
        : this([diagnostic])
    {
    }

    public DiagnosticException(IReadOnlyList<Diagnostic> diagnostics)
        : base(diagnostics.Count == 0 ? "failed" : diagnostics[0].ToString())
    {
        Diagnostics = diagnostics;
    }

    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    public static DiagnosticException At(string code, SourceSpan at, string message) =>
        new(Diagnostic.Error(code, at, message));
}
