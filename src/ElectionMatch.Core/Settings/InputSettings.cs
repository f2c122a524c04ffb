using ElectionMatch.Diagnostics;

namespace ElectionMatch.Settings;

/// <summary>One side of a match: the relation it reads, its id column and the column for each role the matcher needs.</summary>
public sealed record InputSettings(
    string Relation,
    SourceSpan RelationAt,
    string Id,
    SourceSpan IdAt,
    IReadOnlyDictionary<string, ColumnMapping> Columns)
{
    public string? Column(string role) => Columns.TryGetValue(role, out var mapping) ? mapping.Column : null;

    /// <summary><c>keep_columns:</c>, the input row's columns published as they are after the match's own; null when unset.</summary>
    public KeptColumns? Keep { get; init; }
}
