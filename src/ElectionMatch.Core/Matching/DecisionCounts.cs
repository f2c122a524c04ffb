using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>The manifest's counts of a run's output: rows, links, and rows and links per deciding tier.</summary>
internal static class DecisionCounts
{
    /// <param name="matched">The output's boolean column that says a row was linked.</param>
    /// <param name="tiers">Values of the output's <c>decided_by</c> column to count; a tier no row reached counts 0.</param>
    public static void Add(DuckDbWarehouse warehouse, string output, string matched, IEnumerable<string> tiers, IDictionary<string, long> counts)
    {
        // One pass over the output for every figure.
        var byTier = warehouse.Query(
            $"select decided_by, count(*), count(*) filter (where {Sql.Identifier(matched)}) from {output} group by decided_by",
            r => (Tier: r.IsDBNull(0) ? "" : r.GetString(0), Rows: r.GetInt64(1), Matched: r.GetInt64(2)));
        counts["output_rows"] = byTier.Sum(t => t.Rows);
        counts["matched"] = byTier.Sum(t => t.Matched);
        foreach (var tier in tiers)
        {
            var found = byTier.FirstOrDefault(t => t.Tier == tier);
            counts["decided_by_" + tier] = found.Rows;
            counts["matched_by_" + tier] = found.Matched;
        }
    }
}
