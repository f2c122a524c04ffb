using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>
/// The row account of one input, read from a run's tables by convention: <c>&lt;side&gt;_input</c> (every row read),
/// <c>&lt;side&gt;_clean</c> (the rows used) and <c>quarantine</c> (the rest, by error code).
/// </summary>
internal static class InputRowAccount
{
    /// <summary>What the account of an input counts (<see cref="RowAccount.Unit"/>).</summary>
    public const string Unit = "input rows";

    /// <summary>Each partition's account of the input <paramref name="side"/>.</summary>
    /// <remarks>
    /// A row the run used without a value of it, quarantined alone (a candidacy's election date that cannot be read,
    /// <see cref="QuarantineCodes.ElectionRowsStage"/>), is counted as used, on a line of its own per code, once however
    /// many of its values were; its quarantine rows are not counted as quarantined rows, so the account stays read = used + quarantined.
    /// </remarks>
    public static Dictionary<string, RowAccount> Of(CountScope scope, string side)
    {
        var quarantine = scope.Table("quarantine");
        var input = Sql.Literal(side);
        var quarantined = scope.Query(
            $"select {scope.Part()}, error_code, count(*) from {quarantine} where input = {input} and {QuarantineCodes.WholeRowSql()} group by all order by all",
            r => new RowOutcome("quarantined", r.GetString(1) + " " + QuarantineCodes.Messages[r.GetString(1)], r.GetInt64(2)));
        var usedWithout = scope.Query(
            $"select {scope.Part()}, error_code, count(distinct row_number) from {quarantine} where input = {input} and not {QuarantineCodes.WholeRowSql()} group by all order by all",
            r => new RowOutcome("used", r.GetString(1) + " " + QuarantineCodes.Messages[r.GetString(1)] + UsedWithoutReason, r.GetInt64(2)));
        // Only a candidacy has values quarantined alone, and its cleaned rows keep their row_number to tell them by.
        var cleaned = scope.Rows(side + "_clean");
        var usedWhole = usedWithout.Values.All(u => u.Count == 0) ? cleaned : scope.Each(
            $"select {scope.Part("c")}, count(*) from {scope.Table(side + "_clean")} as c anti join (select {scope.UsingPart}row_number from {quarantine} where input = {input}) as q using ({scope.UsingPart}row_number) group by all");
        var read = scope.Rows(side + "_input");
        return scope.Partitions.ToDictionary(p => p, p => new RowAccount(side, Unit, read[p],
            [new RowOutcome("used", "parsed and cleaned", usedWithout[p].Count == 0 ? cleaned[p] : usedWhole[p]), .. usedWithout[p], .. quarantined[p]]), StringComparer.Ordinal);
    }

    /// <summary>Why a row with a value quarantined alone is counted as used (the end of its line's reason).</summary>
    public const string UsedWithoutReason = ", quarantined alone: the row used without it";

    /// <summary>
    /// Rows read and quarantined per input, as every manifest records them, and the used rows with a value quarantined
    /// alone where there are any (<c>&lt;side&gt;_rows_used_with_values_quarantined</c>), into each partition's counts.
    /// </summary>
    public static void Count(CountScope scope)
    {
        scope.Set("left_rows_read", scope.Rows("left_input"));
        scope.Set("right_rows_read", scope.Rows("right_input"));
        scope.Set("left_rows_quarantined", scope.Rows("quarantine", $"input = 'left' and {QuarantineCodes.WholeRowSql()}"));
        scope.Set("right_rows_quarantined", scope.Rows("quarantine", $"input = 'right' and {QuarantineCodes.WholeRowSql()}"));
        foreach (var side in new[] { "left", "right" })
        {
            var usedWithout = scope.Each($"select {scope.Part()}, count(distinct row_number) from {scope.Table("quarantine")} where input = {Sql.Literal(side)} and not {QuarantineCodes.WholeRowSql()} group by all");
            foreach (var (partition, rows) in usedWithout.Where(u => u.Value > 0))
            {
                scope.Counts[partition][side + UsedWithValuesQuarantined] = rows;
            }
        }
    }

    /// <summary>The count key (after <c>left</c> or <c>right</c>) of the used rows with a value quarantined alone.</summary>
    public const string UsedWithValuesQuarantined = "_rows_used_with_values_quarantined";
}
