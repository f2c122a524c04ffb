using ElectionMatch.Diagnostics;

namespace ElectionMatch.Settings;

/// <summary>A matcher role (such as <c>first_name</c>) mapped to an input column, with where the mapping is written.</summary>
public sealed record ColumnMapping(string Role, string Column, SourceSpan At);
