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

    public static RowAccount Of(DuckDbWarehouse warehouse, RunSchema run, string side)
    {
        var outcomes = warehouse.Query(
            $"select error_code, count(*) from {run.Table("quarantine")} where input = {Sql.Literal(side)} group by error_code order by error_code",
            r => new RowOutcome("quarantined", r.GetString(0) + " " + QuarantineCodes.Messages[r.GetString(0)], r.GetInt64(1)));
        outcomes.Insert(0, new RowOutcome("used", "parsed and cleaned", Rows(warehouse, run, side + "_clean")));
        return new RowAccount(side, Unit, Rows(warehouse, run, side + "_input"), outcomes);
    }

    /// <summary>Rows read and quarantined per input, as every manifest records them.</summary>
    public static void Count(DuckDbWarehouse warehouse, RunSchema run, IDictionary<string, long> counts)
    {
        counts["left_rows_read"] = Rows(warehouse, run, "left_input");
        counts["right_rows_read"] = Rows(warehouse, run, "right_input");
        counts["left_rows_quarantined"] = warehouse.Scalar<long>($"select count(*) from {run.Table("quarantine")} where input = 'left'");
        counts["right_rows_quarantined"] = warehouse.Scalar<long>($"select count(*) from {run.Table("quarantine")} where input = 'right'");
    }

    private static long Rows(DuckDbWarehouse warehouse, RunSchema run, string table) => warehouse.Scalar<long>($"select count(*) from {run.Table(table)}");
}
