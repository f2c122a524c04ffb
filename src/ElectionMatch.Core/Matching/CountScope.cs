using System.Data.Common;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>
/// Where a run's counts and row accounts are read: one run's own tables, or every partition of an incremental run's batch
/// at once, through views whose rows each lead with their partition (<c>PartitionSlice.ShowAll</c>). A count is written
/// once, over a scope: its query selects the partition first (<see cref="Part"/>) and groups by it, so a run's count is
/// the one partition's, and a batch's partitions are counted by one query a count, not one a partition (each such query
/// cost about a millisecond whatever its rows: some 50 ms a partition on the goodparty fixture, session 59).
/// </summary>
internal sealed class CountScope
{
    private readonly DuckDbWarehouse _warehouse;
    private readonly RunSchema _run;
    private readonly string? _column;
    private readonly Dictionary<string, Dictionary<string, long>> _rows = new(StringComparer.Ordinal);

    /// <summary>A run's own tables, counted into <paramref name="counts"/>: one partition, named <see cref="Whole"/>.</summary>
    public CountScope(DuckDbWarehouse warehouse, RunSchema run, Dictionary<string, long> counts)
        : this(warehouse, run, null, [(Whole, counts)])
    {
    }

    /// <summary>Every partition of a batch, each counted into counts of its own (<see cref="Counts"/>).</summary>
    /// <param name="column">The column of each table that names its row's partition.</param>
    /// <param name="partitions">Every partition of the scope, whether or not a table holds rows of it.</param>
    public CountScope(DuckDbWarehouse warehouse, RunSchema run, string column, IEnumerable<string> partitions)
        : this(warehouse, run, (string?)column, [.. partitions.Select(p => (p, new Dictionary<string, long>(StringComparer.Ordinal)))])
    {
    }

    private CountScope(DuckDbWarehouse warehouse, RunSchema run, string? column, IReadOnlyList<(string Partition, Dictionary<string, long> Counts)> partitions)
    {
        _warehouse = warehouse;
        _run = run;
        _column = column;
        Partitions = [.. partitions.Select(p => p.Partition)];
        Counts = partitions.ToDictionary(p => p.Partition, p => p.Counts, StringComparer.Ordinal);
    }

    /// <summary>The one partition of a run's own scope.</summary>
    public const string Whole = "";

    /// <summary>The scope's partitions, in the order they were given.</summary>
    public IReadOnlyList<string> Partitions { get; }

    /// <summary>Each partition's counts, as <see cref="Set"/> writes them.</summary>
    public IReadOnlyDictionary<string, Dictionary<string, long>> Counts { get; }

    /// <summary>Sets <paramref name="key"/> in each partition's counts to that partition's value.</summary>
    public void Set(string key, IReadOnlyDictionary<string, long> values) => Set(key, values, v => v);

    /// <summary>Sets <paramref name="key"/> in each partition's counts to the number <paramref name="of"/> takes from that partition's value.</summary>
    public void Set<T>(string key, IReadOnlyDictionary<string, T> values, Func<T, long> of)
    {
        foreach (var partition in Partitions)
        {
            Counts[partition][key] = of(values[partition]);
        }
    }

    public string Table(string table) => _run.Table(table);

    /// <summary>The partition of a row of the table aliased <paramref name="alias"/> (or of the one table read), as SQL.</summary>
    public string Part(string? alias = null) => _column is null ? Sql.Literal(Whole) : (alias is null ? "" : alias + ".") + Sql.Identifier(_column);

    /// <summary>What a join of two aliases adds to its condition so rows meet only within their partition (empty for a run).</summary>
    public string SamePart(string left, string right) => _column is null ? "" : $" and {Part(left)} = {Part(right)}";

    /// <summary>The partition column first in a join's <c>using</c> list (empty for a run).</summary>
    public string UsingPart => _column is null ? "" : Sql.Identifier(_column) + ", ";

    /// <summary>
    /// The rows of a query whose first column is the partition (<see cref="Part"/>), by partition; a partition with no row
    /// has an empty list. A row of a partition the scope does not have is a fault of the query or the views, and throws.
    /// </summary>
    public Dictionary<string, List<T>> Query<T>(string sql, Func<DbDataReader, T> read)
    {
        var rows = Partitions.ToDictionary(p => p, _ => new List<T>(), StringComparer.Ordinal);
        foreach (var (part, row) in _warehouse.Query(sql, r => (r.GetString(0), read(r))))
        {
            if (!rows.TryGetValue(part, out var list))
            {
                throw new InvalidOperationException($"a count gave a row of partition '{part}', which is not one of its scope's: {sql}");
            }

            list.Add(row);
        }

        return rows;
    }

    /// <summary>The one row per partition of a query grouped by partition (<see cref="Query{T}"/>): the default where it has none.</summary>
    public Dictionary<string, T?> Single<T>(string sql, Func<DbDataReader, T> read) =>
        Query(sql, read).ToDictionary(p => p.Key, p => p.Value.SingleOrDefault(), StringComparer.Ordinal);

    /// <summary>One number per partition, from a query that selects the partition and the number, grouped by partition: 0 where it has no row.</summary>
    public Dictionary<string, long> Each(string sql) => Single(sql, r => r.GetInt64(1));

    /// <summary>
    /// Each partition's rows of <paramref name="table"/> (that hold <paramref name="where"/>, SQL over the table's columns).
    /// The tables are not written while a scope reads them, so each count is read once however often it is asked.
    /// </summary>
    public Dictionary<string, long> Rows(string table, string? where = null)
    {
        var key = table + "\n" + where;
        if (!_rows.TryGetValue(key, out var rows))
        {
            rows = Each($"select {Part()}, count(*) from {Table(table)}{(where is null ? "" : " where " + where)} group by all");
            _rows[key] = rows;
        }

        return rows;
    }
}
