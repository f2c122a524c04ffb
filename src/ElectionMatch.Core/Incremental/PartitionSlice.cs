using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Incremental;

/// <summary>
/// One state partition's share of a batch's run (<see cref="PartitionBatch"/>): a schema of views over the batch's stage
/// tables, each filtered to the partition's rows and named as the stage, so the run's own counting
/// (<see cref="CandidacyDdhqMatcher.PartitionResult"/>) reads it as it reads a run of that partition alone (<see cref="Show"/>);
/// and every partition's share at once, each row led by its partition, which the partition cache stores
/// (<see cref="ShowAll"/>, <see cref="PartitionCache.StoreBatch"/>). An input row's number (and a quarantined row's, and
/// the row a repeated id's message names) and the keys of the election and results rows are what its own run gives them.
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
    /// Shows partition <paramref name="state"/>'s share of the batch run in <paramref name="slice"/>: its views are created
    /// once per batch, over the session variables this sets for each partition (<c>getvariable</c>, which DuckDB folds into
    /// constants when it binds a query, so a view's filter still prunes by zone maps).
    /// </summary>
    /// <remarks>
    /// A schema of views made afresh for every partition cost about 75 ms of CPU a partition on the fixture (60-odd views,
    /// each bound as it is created and written to the catalog), a third of an incremental run's time there (session 56).
    /// </remarks>
    public void Show(RunSchema slice, string state)
    {
        var rows = _rows[state];
        _warehouse.Execute(string.Concat(Bounds(state, rows).Select(v => $"set variable {Variable}{v.Name} = {v.Value};\n")));
        if (_shownIn != slice.Name)
        {
            _warehouse.Execute($"drop schema if exists {Sql.Identifier(slice.Name)} cascade; create schema {Sql.Identifier(slice.Name)};\n" + string.Join("\n", Views(slice, OnePartition)));
            _shownIn = slice.Name;
        }
    }

    /// <summary>
    /// Shows every partition's share of the batch run at once in <paramref name="all"/>: views named as the stages, whose
    /// rows are each partition's as <see cref="Show"/> shows them, with two columns before them, <c>em_slice_state</c> and
    /// <c>em_slice_key</c> (the partition's state and its cache key from <paramref name="keys"/>). What the partition cache
    /// stores of a batch is read from these in one statement a table (<see cref="PartitionCache.StoreBatch"/>).
    /// </summary>
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
            {string.Join("\n", Views(all, new Partitions(bounds)))}
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

    private const string Variable = "em_slice_";

    // The schema whose views this batch's partitions are shown through, once made.
    private string? _shownIn;

    private static string Number(long? value) => value is { } v ? $"cast({v} as bigint)" : "cast(null as bigint)";

    /// <summary>
    /// Where the views read a partition's bounds: one partition's from the session variables (<see cref="Show"/>), or every
    /// partition's from the bounds table joined to each row (<see cref="ShowAll"/>), whose state and key lead each row.
    /// </summary>
    private abstract record Shown
    {
        public abstract string Get(string name);

        /// <summary>What a view selects before the stage's columns (<paramref name="star"/>: <c>*</c> with its exclude or replace).</summary>
        public abstract string Select(string star);

        public abstract string From(string table);
    }

    private sealed record Variables : Shown
    {
        public override string Get(string name) => $"getvariable('{Variable}{name}')";

        public override string Select(string star) => "select " + star;

        public override string From(string table) => table;
    }

    private sealed record Partitions(string BoundsTable) : Shown
    {
        public override string Get(string name) => "b." + BoundColumn + name;

        public override string Select(string star) => $"select b.{BoundColumn}state as em_slice_state, b.{BoundColumn}key as em_slice_key, t.{star}";

        public override string From(string table) => $"{table} as t, {BoundsTable} as b";
    }

    private static readonly Shown OnePartition = new Variables();

    /// <summary>The views of a partition's share of the batch run, each reading the partition's bounds where <paramref name="shown"/> says.</summary>
    private IEnumerable<string> Views(RunSchema slice, Shown shown)
    {
        var get = shown.Get;
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
            var from = shown.From(_batchRun.Table(table));
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
                yield return $"create view {slice.Table(table)} as {shown.Select(s.Star)} from {from} where ({s.Where});";
            }
        }
    }

    /// <summary>A partition's input rows' numbers in the batch, on each side, and its election rows' keys in each pass (none: no such rows).</summary>
    private sealed record Rows(string State, long LeftFirst, long LeftLast, long RightFirst, long RightLast, (long First, long Last)? Main, (long First, long Last)? Runoff);
}
