using ElectionMatch.Diagnostics;

namespace ElectionMatch.Settings;

/// <summary>
/// <c>keep_columns:</c> of a match's left input: the input row's columns published after the match's own, either
/// those listed (<see cref="Listed"/>, each with where it is written) or, with <see cref="All"/>, every column of the
/// relation not published already under the same name.
/// </summary>
public sealed record KeptColumns(bool All, IReadOnlyList<ColumnMapping> Listed, SourceSpan At)
{
    /// <summary>The setting's word for every column of the relation.</summary>
    public const string AllWord = "all";

    public const string Key = "keep_columns";

    /// <summary>
    /// The columns kept of a relation with <paramref name="columns"/>, as it names them: those listed, in the order
    /// listed, or every column not named as one of <paramref name="published"/> (names compared without regard to case,
    /// as DuckDB's binder compares them), in the relation's order. A listed column the relation lacks is left out: the
    /// run refuses it first (EM0023).
    /// </summary>
    public IReadOnlyList<string> Of(IReadOnlyList<Warehouse.ColumnInfo> columns, IEnumerable<string> published)
    {
        var own = published.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return All
            ? columns.Select(c => c.Name).Where(n => !own.Contains(n)).ToList()
            : Listed.Select(k => columns.FirstOrDefault(c => c.Name.Equals(k.Column, StringComparison.OrdinalIgnoreCase))?.Name).OfType<string>().ToList();
    }
}
