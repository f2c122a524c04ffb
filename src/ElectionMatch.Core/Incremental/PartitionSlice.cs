using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Incremental;

/// <summary>
/// One state partition's share of a batch's run (<see cref="PartitionBatch"/>): a schema of views over the batch's stage
/// tables, each filtered to the partition's rows and named as the stage, so the run's own counting
/// (<see cref="CandidacyDdhqMatcher.PartitionResult"/>) and the partition cache (<see cref="PartitionCache.Store"/>) read
/// it as they read a run of that partition alone. An input row's number (and a quarantined row's, and the row a repeated
/// id's message names) and the keys of the election and results rows are what its own run gives them.
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

    /// <summary>(Re)creates <paramref name="slice"/> as the views of partition <paramref name="state"/>'s share of the batch run.</summary>
    public void Show(RunSchema slice, string state)
    {
        var rows = _rows[state];
        var (leftFirst, leftLast, rightFirst, rightLast) = (rows.LeftFirst, rows.LeftLast, rows.RightFirst, rows.RightLast);
        var leftOffset = leftFirst - 1;
        var rightOffset = rightFirst - 1;
        var leftKeys = string.Join(" or ", new[] { rows.Main, rows.Runoff }.OfType<(long First, long Last)>().Select(r => $"left_key between {r.First} and {r.Last}").DefaultIfEmpty("false"));
        var leftKey = rows.Main is not { } m ? "left_key"
            : rows.Runoff is not { } o ? $"left_key - {m.First - 1}"
            : $"case when left_key <= {m.Last} then left_key - {m.First - 1} else left_key - {o.First - 1} + {m.Last - m.First + 1} end";
        // The keys as the partition's own run numbers them, in every column that holds one.
        string Keys(HashSet<string> columns, long rowOffset)
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

            return replaced.Count == 0 ? "" : $"replace ({string.Join(", ", replaced)}) ";
        }

        string InputRows(string side) => side == "left" ? $"row_number between {leftFirst} and {leftLast}" : $"row_number between {rightFirst} and {rightLast}";
        string Groups(string pass) => $"(select group_id from {_batchRun.Table(pass + "partitions")} where state = {Sql.Literal(state)})";
        var views = new List<string>();
        foreach (var (table, cols) in _tables)
        {
            var from = _batchRun.Table(table);
            var pass = table.StartsWith("runoff_", StringComparison.Ordinal) ? "runoff_" : "";
            string? select = table switch
            {
                "quarantine" => $"""
                    select * replace (
                        row_number - case input when 'left' then {leftOffset} else {rightOffset} end as row_number,
                        case when error_code = {Sql.Literal(QuarantineCodes.DuplicateId)}
                            then regexp_replace(message, '[0-9]+$', cast(cast(regexp_extract(message, '([0-9]+)$', 1) as bigint) - case input when 'left' then {leftOffset} else {rightOffset} end as varchar))
                            else message end as message)
                    from {from}
                    where (input = 'left' and {InputRows("left")}) or (input = 'right' and {InputRows("right")})
                    """,
                "output" => $"select * exclude ({CandidacyDdhqMatcher.BatchOutputKey}) from {from} where ({leftKeys.Replace("left_key", CandidacyDdhqMatcher.BatchOutputKey, StringComparison.Ordinal)})",
                _ when cols.Contains("left_key") => $"select * {Keys(cols, leftOffset)}from {from} where ({leftKeys})",
                "partitions" or "runoff_partitions" => $"select * from {from} where state = {Sql.Literal(state)}",
                _ when cols.Contains("group_id") => $"select * {Keys(cols, rightOffset)}from {from} where {(table.EndsWith("retrieval_members", StringComparison.Ordinal) ? "group_id // 32" : "group_id")} in {Groups(pass)}",
                "runoff_left" => $"select * {Keys(cols, leftOffset)}from {from} where state = {Sql.Literal(state)}",
                _ when table.StartsWith("left_", StringComparison.Ordinal) && cols.Contains("row_number") => $"select * {Keys(cols, leftOffset)}from {from} where {InputRows("left")}",
                _ when cols.Contains("right_key") => $"select * {Keys(cols, rightOffset)}from {from} where right_key between {rightFirst} and {rightLast}",
                _ when table.StartsWith("right_", StringComparison.Ordinal) && cols.Contains("row_number") => $"select * {Keys(cols, rightOffset)}from {from} where {InputRows("right")}",
                _ => null,
            };
            if (select is not null)
            {
                views.Add($"create view {slice.Table(table)} as {select};");
            }
        }

        _warehouse.Execute($"drop schema if exists {Sql.Identifier(slice.Name)} cascade; create schema {Sql.Identifier(slice.Name)};\n" + string.Join("\n", views));
    }

    /// <summary>A partition's input rows' numbers in the batch, on each side, and its election rows' keys in each pass (none: no such rows).</summary>
    private sealed record Rows(string State, long LeftFirst, long LeftLast, long RightFirst, long RightLast, (long First, long Last)? Main, (long First, long Last)? Runoff);
}
