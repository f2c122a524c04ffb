using ElectionMatch.Diagnostics;

namespace ElectionMatch.Dbt;

/// <summary>
/// A file a model's SQL reads by its path (<see cref="ModelFileReads"/>): <paramref name="Path"/> as written in the SQL,
/// null when the call's argument is not a string literal (a column, an expression, a path built by Jinja), which
/// cannot be known without running it.
/// </summary>
internal sealed record FileRead(string? Path, SourceSpan At);
