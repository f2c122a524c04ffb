namespace ElectionMatch.Matching;

/// <summary>A column of a published snapshot, documented in the generated staging YAML.</summary>
/// <param name="NotNull">Every row has a value, so the staging YAML declares a not_null test.</param>
/// <param name="Unique">No two rows share a non-null value, so the staging YAML declares a unique test.</param>
/// <param name="Range">Inclusive bounds, declared as a dbt_utils.accepted_range test.</param>
public sealed record OutputColumn(string Name, string Description, bool NotNull = false, bool Unique = false, (int Min, int Max)? Range = null)
{
    /// <summary>
    /// The input column whose values the snapshot publishes as read, and so with its type (a results row's race id): when
    /// the snapshot's type of the column changes, its input's is why (EM0619). Null for a column the match computes or
    /// casts (a name, a confidence), whose type does not follow the input's.
    /// </summary>
    public InputColumnRole? From { get; init; }
}
