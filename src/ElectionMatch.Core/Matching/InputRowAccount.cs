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

    /// <remarks>
    /// A row the run used without a value of it, quarantined alone (a candidacy's election date that cannot be read,
    /// <see cref="QuarantineCodes.ElectionRowsStage"/>), is counted as used, on a line of its own per code, once however
    /// many of its values were; its quarantine rows are not counted as quarantined rows, so the account stays read = used + quarantined.
    /// </remarks>
    public static RowAccount Of(DuckDbWarehouse warehouse, RunSchema run, string side)
    {
        var quarantine = run.Table("quarantine");
        var outcomes = warehouse.Query(
            $"select error_code, count(*) from {quarantine} where input = {Sql.Literal(side)} and {QuarantineCodes.WholeRowSql()} group by error_code order by error_code",
            r => new RowOutcome("quarantined", r.GetString(0) + " " + QuarantineCodes.Messages[r.GetString(0)], r.GetInt64(1)));
        var usedWithout = warehouse.Query(
            $"select error_code, count(distinct row_number) from {quarantine} where input = {Sql.Literal(side)} and not {QuarantineCodes.WholeRowSql()} group by error_code order by error_code",
            r => new RowOutcome("used", r.GetString(0) + " " + QuarantineCodes.Messages[r.GetString(0)] + UsedWithoutReason, r.GetInt64(1)));
        outcomes.InsertRange(0, usedWithout);
        // Only a candidacy has values quarantined alone, and its cleaned rows keep their row_number to tell them by.
        outcomes.Insert(0, new RowOutcome("used", "parsed and cleaned", usedWithout.Count == 0 ? Rows(warehouse, run, side + "_clean") : warehouse.Scalar<long>(
            $"select count(*) from {run.Table(side + "_clean")} anti join (select row_number from {quarantine} where input = {Sql.Literal(side)}) as q using (row_number)")));
        return new RowAccount(side, Unit, Rows(warehouse, run, side + "_input"), outcomes);
    }

    /// <summary>Why a row with a value quarantined alone is counted as used (the end of its line's reason).</summary>
    public const string UsedWithoutReason = ", quarantined alone: the row used without it";

    /// <summary>
    /// Rows read and quarantined per input, as every manifest records them, and the used rows with a value quarantined
    /// alone where there are any (<c>&lt;side&gt;_rows_used_with_values_quarantined</c>).
    /// </summary>
    public static void Count(DuckDbWarehouse warehouse, RunSchema run, IDictionary<string, long> counts)
    {
        var quarantine = run.Table("quarantine");
        counts["left_rows_read"] = Rows(warehouse, run, "left_input");
        counts["right_rows_read"] = Rows(warehouse, run, "right_input");
        counts["left_rows_quarantined"] = warehouse.Scalar<long>($"select count(*) from {quarantine} where input = 'left' and {QuarantineCodes.WholeRowSql()}");
        counts["right_rows_quarantined"] = warehouse.Scalar<long>($"select count(*) from {quarantine} where input = 'right' and {QuarantineCodes.WholeRowSql()}");
        foreach (var side in new[] { "left", "right" })
        {
            var usedWithout = warehouse.Scalar<long>($"select count(distinct row_number) from {quarantine} where input = {Sql.Literal(side)} and not {QuarantineCodes.WholeRowSql()}");
            if (usedWithout > 0)
            {
                counts[side + UsedWithValuesQuarantined] = usedWithout;
            }
        }
    }

    /// <summary>The count key (after <c>left</c> or <c>right</c>) of the used rows with a value quarantined alone.</summary>
    public const string UsedWithValuesQuarantined = "_rows_used_with_values_quarantined";

    private static long Rows(DuckDbWarehouse warehouse, RunSchema run, string table) => warehouse.Scalar<long>($"select count(*) from {run.Table(table)}");
}
