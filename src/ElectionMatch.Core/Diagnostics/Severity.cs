namespace ElectionMatch.Diagnostics;

public enum Severity
{
    Warning,
    Error,
}
