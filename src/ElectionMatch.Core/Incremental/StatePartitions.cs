using System.Security.Cryptography;
using System.Text;
using ElectionMatch.Matching;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Incremental;

/// <summary>
/// Splits a candidacy match's inputs into state partitions (spec 003: work is partitioned by state so that
/// re-running one state does not re-process another) and hashes each partition's input rows.
/// A state is read as the cleaning reads it: its postal code or its name, through <c>states.csv</c>.
/// </summary>
internal static class StatePartitions
{
    public static IReadOnlyList<StatePartition> Of(DuckDbWarehouse warehouse, RunSchema cache, MatchSettings match, MatchInputs inputs)
    {
        ReferenceData.LoadStates(warehouse, cache, "states");
        var keys = warehouse.Query(
            $"select code, list(key order by key) from {cache.Table("states")} group by code order by code",
            r => (Code: r.GetString(0), Keys: ((System.Collections.IList)r.GetValue(1)).Cast<string>().ToList()))
            .ToDictionary(x => x.Code, x => x.Keys, StringComparer.Ordinal);
        var allKeys = keys.Values.SelectMany(k => k).ToList();

        var left = RowHashes(warehouse, cache, "left", inputs.LeftRelation, match.Left.Column("state"));
        var right = RowHashes(warehouse, cache, "right", inputs.RightRelation, match.Right.Column("state"));
        var states = warehouse.Query($"select distinct state from {left} where state <> '' order by state", r => r.GetString(0));
        var leftHashes = warehouse.Query(
            $"select state, md5(string_agg(h, ',' order by rn)), count(*) from {left} group by state",
            r => (State: r.GetString(0), Hash: r.GetString(1), Rows: r.GetInt64(2))).ToDictionary(x => x.State, StringComparer.Ordinal);

        // A state's left rows meet that state's right rows and those with no usable state; the stateless left rows meet all.
        var rightHashes = warehouse.Query(
            $"""
            with partitions as (select unnest([{string.Join(", ", states.Prepend(StatePartition.NoState).Select(Sql.Literal))}]) as partition)
            select p.partition, md5(coalesce(string_agg(r.h, ',' order by r.rn), ''))
            from partitions as p
            left join {right} as r on p.partition = '' or r.state = p.partition or r.state = ''
            group by p.partition
            """,
            r => (State: r.GetString(0), Hash: r.GetString(1))).ToDictionary(x => x.State, x => x.Hash, StringComparer.Ordinal);

        var leftState = match.Left.Column("state");
        var rightState = match.Right.Column("state");
        return states.Prepend(StatePartition.NoState).Select(state =>
        {
            var leftHash = leftHashes.TryGetValue(state, out var l) ? l : (State: state, Hash: "", Rows: 0L);
            // A null filter keeps every row.
            var leftFilter = leftState is null
                ? (state.Length == 0 ? null : "false")
                : state.Length == 0 ? $"coalesce({Key(leftState)}, '') not in ({List(allKeys)})" : $"{Key(leftState)} in ({List(keys[state])})";
            var rightFilter = rightState is null || state.Length == 0
                ? null
                : $"{Key(rightState)} in ({List(keys[state])}) or coalesce({Key(rightState)}, '') not in ({List(allKeys)})";
            return new StatePartition(
                state,
                Filtered(inputs.LeftRelation, leftFilter),
                Filtered(inputs.RightRelation, rightFilter),
                Sha256($"left {leftHash.Hash} right {rightHashes[state]}"),
                leftHash.Rows);
        }).ToList();
    }

    /// <summary>
    /// The rows of <paramref name="relation"/> that <paramref name="filter"/> keeps, in input order. No filter (the
    /// stateless partition's right side keeps every row) leaves the relation as it is, so a parquet file keeps its
    /// reader's numbering (<see cref="NumberedInput"/>): the same numbers as a read in order, on every thread, and read
    /// again by right_clean instead of copied whole through right_input.
    /// </summary>
    private static string Filtered(string relation, string? filter) =>
        filter is null ? relation : $"(select * from {relation} as s where {filter})";

    /// <summary>
    /// The inputs' hashes for the manifest from the row hashes <see cref="Of"/> left in <paramref name="cache"/>: each
    /// is the MD5 of the row's text that <see cref="Snapshots.InputHash.Of"/> computes, so the value is the same and
    /// the inputs are not read a second time.
    /// </summary>
    public static (string Left, string Right) InputHashes(DuckDbWarehouse warehouse, RunSchema cache) =>
        (Snapshots.InputHash.OfRowHashes(warehouse, cache.Table("left_row_hashes")), Snapshots.InputHash.OfRowHashes(warehouse, cache.Table("right_row_hashes")));

    /// <summary>A table of (rn, h, state): each input row's number in input order, the MD5 of the whole row (as <see cref="Snapshots.InputHash"/> hashes it for new manifests), and its partition's state.</summary>
    /// <remarks>
    /// A parquet file is numbered by its reader (<see cref="NumberedInput.RowNumbers"/>), on every thread: numbering by
    /// <c>row_number() over ()</c> ran the whole statement, the rows' text and MD5 included, on one (7.2M results rows:
    /// 7.2-8.1 s of wall time, 3.9-4.3 numbered by the reader; the same numbers and hashes).
    /// </remarks>
    private static string RowHashes(DuckDbWarehouse warehouse, RunSchema cache, string side, string relation, string? stateColumn)
    {
        var table = cache.Table(side + "_row_hashes");
        warehouse.Execute($"""
            create or replace table {table} as
            select t.rn, t.h, coalesce(st.code, '') as state
            from (
                select s.em_row_number as rn, {Snapshots.InputHash.RowHashSql(warehouse.Connection, relation, "s")} as h, {(stateColumn is null ? "null" : Key(stateColumn))} as k
                from {NumberedInput.RowNumbers(warehouse, relation)} as s
            ) as t
            left join {cache.Table("states")} as st on st.key = t.k
            """);
        return table;
    }

    /// <summary>The key a state is looked up by, the same as the cleaning's <c>em_state_key</c>: letters only, upper case.</summary>
    private static string Key(string column) =>
        $"nullif(upper(regexp_replace(trim(cast(s.{Sql.Identifier(column)} as varchar)), '[^A-Za-z]', '', 'g')), '')";

    private static string List(IEnumerable<string> values) => string.Join(", ", values.Select(Sql.Literal));

    internal static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
