using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>
/// The manifest's counts of a run's output: rows, links, rows and links per deciding tier, and the judge's undecided
/// rows published. Counted in the published rows, as <c>evaluate</c> counts them in the snapshot, so the two agree.
/// </summary>
internal static class DecisionCounts
{
    /// <summary>The judge's undecided rows among those published (a run may judge rows it does not publish: a discovered runoff left unlinked).</summary>
    public const string UndecidedPublished = "judge_rows_undecided_published";

    /// <param name="output">The output's stage (its table in the scope's run).</param>
    /// <param name="matched">The output's boolean column that says a row was linked.</param>
    /// <param name="reasoning">The output's column of the decision's words.</param>
    /// <param name="tiers">Values of the output's <c>decided_by</c> column to count; a tier no row reached counts 0.</param>
    public static void Add(CountScope scope, string output, string matched, string reasoning, IEnumerable<string> tiers)
    {
        // One pass over the output for every figure.
        var byTier = scope.Query(
            $"select {scope.Part()}, decided_by, count(*), count(*) filter (where {Sql.Identifier(matched)}), count(*) filter (where {Judging.JudgeAnswer.IsUndecidedSql(Sql.Identifier(reasoning))}) from {scope.Table(output)} group by all",
            r => (Tier: r.IsDBNull(1) ? "" : r.GetString(1), Rows: r.GetInt64(2), Matched: r.GetInt64(3), Undecided: r.GetInt64(4)));
        var listed = tiers.ToList();
        foreach (var (partition, rows) in byTier)
        {
            var counts = scope.Counts[partition];
            counts["output_rows"] = rows.Sum(t => t.Rows);
            counts["matched"] = rows.Sum(t => t.Matched);
            counts[UndecidedPublished] = rows.Where(t => t.Tier == "judge").Sum(t => t.Undecided);
            foreach (var tier in listed)
            {
                var found = rows.FirstOrDefault(t => t.Tier == tier);
                counts["decided_by_" + tier] = found.Rows;
                counts["matched_by_" + tier] = found.Matched;
            }
        }
    }
}
