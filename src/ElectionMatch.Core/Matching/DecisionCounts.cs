using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>The manifest's counts of a run's output: rows, links, and rows and links per deciding tier.</summary>
internal static class DecisionCounts
{
    /// <param name="matched">The output's boolean column that says a row was linked.</param>
    /// <param name="tiers">Values of the output's <c>decided_by</c> column to count.</param>
    public static void Add(DuckDbWarehouse warehouse, string output, string matched, IEnumerable<string> tiers, IDictionary<string, long> counts)
    {
        counts["output_rows"] = warehouse.Scalar<long>($"select count(*) from {output}");
        counts["matched"] = warehouse.Scalar<long>($"select count(*) from {output} where {Sql.Identifier(matched)}");
        foreach (var tier in tiers)
        {
            counts["decided_by_" + tier] = warehouse.Scalar<long>($"select count(*) from {output} where decided_by = {Sql.Literal(tier)}");
            counts["matched_by_" + tier] = warehouse.Scalar<long>($"select count(*) from {output} where decided_by = {Sql.Literal(tier)} and {Sql.Identifier(matched)}");
        }
    }
}
