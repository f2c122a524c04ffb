namespace ElectionMatch.Matching;

/// <summary>A column of a published snapshot, documented in the generated staging YAML.</summary>
/// <param name="NotNull">Every row has a value, so the staging YAML declares a not_null test.</param>
/// <param name="Unique">No two rows share a non-null value, so the staging YAML declares a unique test.</param>
/// <param name="Range">Inclusive bounds, declared as a dbt_utils.accepted_range test.</param>
public sealed record OutputColumn(string Name, string Description, bool NotNull = false, bool Unique = false, (int Min, int Max)? Range = null);
