using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Incremental;

/// <summary>
/// Each state partition's share of a batch's run (<see cref="PartitionBatch"/>): a schema of views over the batch's stage
/// tables, named as the stages, each row led by its partition (<see cref="ShowAll"/>), so the run's own counting reads
/// every partition's share as it reads a run of that partition alone, grouped by partition
/// (<see cref="CandidacyDdhqMatcher.PartitionResults"/>), and the partition cache stores them (<see cref="PartitionCache.StoreBatch"/>).
/// An input row's number (and a quarantined row's, and the row a repeated id's message names) and the keys of the
/// election and results rows are what its own run gives them.
/// </summary>
/// <remarks>
/// A row is the partition's by what it is keyed on: an input row by its number (each partition's rows are consecutive
/// on both sides), an election row and its pairs, links and judge answers by their left row's key (the batch numbers a
/// partition's election rows consecutively, in each pass), a date·type·state group by its state, and a results row of
/// the judge's contests by its key.
/// </remarks>
internal sealed class PartitionSlice
{
    private readonly DuckDbWarehouse _warehouse;
    private readonly RunSchema _batchRun;
    private readonly Dictionary<string, Rows> _rows;
    private readonly List<(string Table, HashSet<string> Columns)> _tables;

    /// <summary>Reads once what every partition's slice of the batch run in <paramref name="batchRun"/> needs: its tables' columns, and each partition's rows' numbers and keys.</summary>
    public PartitionSlice(DuckDbWarehouse warehouse, RunSchema batchRun, PartitionBatch batch)
    {
        _warehouse = warehouse;
        _batchRun = batchRun;
        // Each pass numbers its election rows by state first, so a partition's keys are a range in each pass: the main
        // pass's from 1 in its own run, the runoff pass's after them.
        string Keys(string table) => $"(select state, min(left_key) as first_key, max(left_key) as last_key from {batchRun.Table(table)} group by state)";
        _rows = warehouse.Query($"""
            select b.state, b.left_first, b.left_last, b.right_first, b.right_last, m.first_key, m.last_key, o.first_key, o.last_key
            from {batch.Table} as b
            left join {Keys("left_keyed")} as m using (state)
            left join {Keys("runoff_left_keyed")} as o using (state)
            """, r => new Rows(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4),
                r.IsDBNull(5) ? null : (r.GetInt64(5), r.GetInt64(6)), r.IsDBNull(7) ? null : (r.GetInt64(7), r.GetInt64(8))))
            .ToDictionary(r => r.State, StringComparer.Ordinal);
        _tables = warehouse.Query(
            $"select table_name, list(column_name order by ordinal_position) from information_schema.columns where table_schema = {Sql.Literal(batchRun.Name)} group by table_name order by table_name",
            r => (Table: r.GetString(0), Columns: ((System.Collections.IEnumerable)r.GetValue(1)).Cast<object>().Select(c => c.ToString()!).ToHashSet(StringComparer.Ordinal)));
    }

    /// <summary>
    /// Shows every partition's share of the batch run at once in <paramref name="all"/>: views named as the stages, whose
    /// rows are each partition's as its own run numbers them, with two columns before them, <see cref="StateColumn"/> and
    /// <see cref="KeyColumn"/> (the partition's state and its cache key from <paramref name="keys"/>). Each partition's counts
    /// are read from these, every count of every partition in one query (<see cref="CandidacyDdhqMatcher.PartitionResults"/>),
    /// and what the partition cache stores of a batch in one statement a table (<see cref="PartitionCache.StoreBatch"/>).
    /// </summary>
    /// <remarks>
    /// Until session 59 each partition's counts were read one partition at a time, through views filtered by session
    /// variables set for it: some 48 queries a partition at about a millisecond each, whatever its rows, which was 1.5 of
    /// the 4.5 CPU-s of the goodparty fixture's first incremental run.
    /// </remarks>
    public void ShowAll(RunSchema all, IReadOnlyDictionary<string, string> keys)
    {
        var bounds = all.Table(BoundsTable);
        var rows = string.Join(",\n", _rows.Values.Select(r =>
            "(" + string.Join(", ", Bounds(r.State, r).Select(v => v.Value).Append(Sql.Literal(keys[r.State]))) + ")"));
        var columns = string.Join(", ", Bounds("", _rows.Values.First()).Select(v => BoundColumn + v.Name).Append(BoundColumn + "key"));
        _warehouse.Execute($"""
            drop schema if exists {Sql.Identifier(all.Name)} cascade;
            create schema {Sql.Identifier(all.Name)};
            create table {bounds} as select * from (values {rows}) as b({columns});
            {string.Join("\n", Views(all, bounds))}
            """);
    }

    /// <summary>The table of each partition's bounds in <see cref="ShowAll"/>'s schema, beside the views (no stage has its name).</summary>
    private const string BoundsTable = "em_slice_bounds";

    private const string BoundColumn = "em_b_";

    /// <summary>A partition's state and its rows' and keys' bounds in the batch, as SQL values.</summary>
    private static (string Name, string Value)[] Bounds(string state, Rows rows) =>
    [
        ("state", Sql.Literal(state)),
        ("left_first", Number(rows.LeftFirst)), ("left_last", Number(rows.LeftLast)),
        ("right_first", Number(rows.RightFirst)), ("right_last", Number(rows.RightLast)),
        ("main_first", Number(rows.Main?.First)), ("main_last", Number(rows.Main?.Last)),
        ("runoff_first", Number(rows.Runoff?.First)), ("runoff_last", Number(rows.Runoff?.Last)),
    ];

    private static string Number(long? value) => value is { } v ? $"cast({v} as bigint)" : "cast(null as bigint)";

    /// <summary>The column of every view of <see cref="ShowAll"/> that names its row's partition (its state).</summary>
    public const string StateColumn = "em_slice_state";

    /// <summary>The column of every view of <see cref="ShowAll"/> that holds its row's partition's cache key.</summary>
    public const string KeyColumn = "em_slice_key";

    /// <summary>The views of every partition's share of the batch run, each row joined to its partition's bounds in <paramref name="boundsTable"/>.</summary>
    private IEnumerable<string> Views(RunSchema slice, string boundsTable)
    {
        string get(string name) => "b." + BoundColumn + name;
        var (leftFirst, leftLast, rightFirst, rightLast) = (get("left_first"), get("left_last"), get("right_first"), get("right_last"));
        var (mainFirst, mainLast, runoffFirst, runoffLast) = (get("main_first"), get("main_last"), get("runoff_first"), get("runoff_last"));
        var leftOffset = $"({leftFirst} - 1)";
        var rightOffset = $"({rightFirst} - 1)";
        var state = get("state");
        // A between with a null bound (a pass with no rows of the partition) holds for no row.
        var leftKeys = $"left_key between {mainFirst} and {mainLast} or left_key between {runoffFirst} and {runoffLast}";
        // The partition's own run numbers its main pass's election rows from 1 and its runoff pass's after them.
        var leftKey = $"case when {mainLast} is null then left_key when left_key <= {mainLast} then left_key - ({mainFirst} - 1) " +
            $"else left_key - ({runoffFirst} - 1) + ({mainLast} - {mainFirst} + 1) end";
        // The keys as the partition's own run numbers them, in every column that holds one.
        string Keys(HashSet<string> columns, string rowOffset)
        {
            var replaced = new List<string>();
            if (columns.Contains("left_key"))
            {
                replaced.Add($"{leftKey} as left_key");
            }

            replaced.AddRange(new[] { "right_key", "best_right_key" }.Where(columns.Contains).Select(c => $"{c} - {rightOffset} as {c}"));
            if (columns.Contains("row_number"))
            {
                replaced.Add($"row_number - {rowOffset} as row_number");
            }

            return replaced.Count == 0 ? "*" : $"* replace ({string.Join(", ", replaced)})";
        }

        string InputRows(string side) => side == "left" ? $"row_number between {leftFirst} and {leftLast}" : $"row_number between {rightFirst} and {rightLast}";
        string Groups(string pass) => $"(select group_id from {_batchRun.Table(pass + "partitions")} where state = {state})";
        foreach (var (table, cols) in _tables)
        {
            var from = $"{_batchRun.Table(table)} as t, {boundsTable} as b";
            var pass = table.StartsWith("runoff_", StringComparison.Ordinal) ? "runoff_" : "";
            (string Star, string Where)? select = table switch
            {
                "quarantine" => ($"""
                    * replace (
                        row_number - case input when 'left' then {leftOffset} else {rightOffset} end as row_number,
                        case when error_code = {Sql.Literal(QuarantineCodes.DuplicateId)}
                            then regexp_replace(message, '[0-9]+$', cast(cast(regexp_extract(message, '([0-9]+)$', 1) as bigint) - case input when 'left' then {leftOffset} else {rightOffset} end as varchar))
                            else message end as message)
                    """, $"(input = 'left' and {InputRows("left")}) or (input = 'right' and {InputRows("right")})"),
                "output" => ($"* exclude ({CandidacyDdhqMatcher.BatchOutputKey})", leftKeys.Replace("left_key", CandidacyDdhqMatcher.BatchOutputKey, StringComparison.Ordinal)),
                _ when cols.Contains("left_key") => (Keys(cols, leftOffset), leftKeys),
                "partitions" or "runoff_partitions" => ("*", $"state = {state}"),
                _ when cols.Contains("group_id") => (Keys(cols, rightOffset), $"{(table.EndsWith("retrieval_members", StringComparison.Ordinal) ? "group_id // 32" : "group_id")} in {Groups(pass)}"),
                "runoff_left" => (Keys(cols, leftOffset), $"state = {state}"),
                _ when table.StartsWith("left_", StringComparison.Ordinal) && cols.Contains("row_number") => (Keys(cols, leftOffset), InputRows("left")),
                _ when cols.Contains("right_key") => (Keys(cols, rightOffset), $"right_key between {rightFirst} and {rightLast}"),
                _ when table.StartsWith("right_", StringComparison.Ordinal) && cols.Contains("row_number") => (Keys(cols, rightOffset), InputRows("right")),
                _ => null,
            };
            if (select is { } s)
            {
                yield return $"create view {slice.Table(table)} as select b.{BoundColumn}state as {StateColumn}, b.{BoundColumn}key as {KeyColumn}, t.{s.Star} from {from} where ({s.Where});";
            }
        }
    }

    /// <summary>A partition's input rows' numbers in the batch, on each side, and its election rows' keys in each pass (none: no such rows).</summary>
    private sealed record Rows(string State, long LeftFirst, long LeftLast, long RightFirst, long RightLast, (long First, long Last)? Main, (long First, long Last)? Runoff);
}
