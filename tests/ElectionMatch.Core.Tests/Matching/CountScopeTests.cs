using System.Text.Json;
using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// A count written once over a <see cref="CountScope"/> counts each partition of a batch, read together through tables
/// whose rows lead with their partition, as it counts a run of that partition alone: the same counts and row accounts,
/// though the partitions number their rows alike.
/// </summary>
public sealed class CountScopeTests : IDisposable
{
    private readonly DuckDbWarehouse _warehouse = DuckDbWarehouse.InMemory();

    public void Dispose() => _warehouse.Dispose();

    // Each partition's rows, numbered from 1 in each as its own run numbers them: the input rows read, those cleaned, and
    // its quarantine (a whole row, or a value of a row used without it). C has no rows at all.
    private static readonly Dictionary<string, (int Read, int[] Cleaned, (string Code, int Row, bool Whole)[] Quarantined)> Partitions = new()
    {
        ["A"] = (4, [1, 2, 4], [(QuarantineCodes.EmptyId, 3, true), (QuarantineCodes.InvalidDate, 1, false), (QuarantineCodes.InvalidDate, 1, false)]),
        // Row 1 is used whole here, though A's row 1 has a value quarantined: a count that joined across partitions would miss it.
        ["B"] = (3, [1, 2, 3], [(QuarantineCodes.InvalidDate, 2, false)]),
        ["C"] = (0, [], []),
    };

    [Fact]
    public void A_batch_scope_counts_each_partition_as_a_scope_of_the_partitions_own_tables()
    {
        var all = new RunSchema("em_run_counts__all");
        Create(all, "em_part, ", Partitions.Select(p => (Lead: $"'{p.Key}', ", Rows: p.Value)));
        var batch = new CountScope(_warehouse, all, "em_part", Partitions.Keys);
        InputRowAccount.Count(batch);
        var batchAccounts = InputRowAccount.Of(batch, "left");

        foreach (var (partition, rows) in Partitions)
        {
            var own = new RunSchema("em_run_counts__" + partition.ToLowerInvariant());
            Create(own, "", [("", rows)]);
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            var alone = new CountScope(_warehouse, own, counts);
            InputRowAccount.Count(alone);

            Assert.Equal(counts.OrderBy(c => c.Key, StringComparer.Ordinal), batch.Counts[partition].OrderBy(c => c.Key, StringComparer.Ordinal));
            Assert.Equal(JsonSerializer.Serialize(InputRowAccount.Of(alone, "left")[CountScope.Whole]), JsonSerializer.Serialize(batchAccounts[partition]));
        }

        // What each partition holds, counted by hand: a partition with no rows counts 0, not nothing.
        Assert.Equal(1, batch.Counts["A"]["left_rows_quarantined"]);
        Assert.Equal(1, batch.Counts["A"]["left" + InputRowAccount.UsedWithValuesQuarantined]);
        Assert.Equal(0, batch.Counts["B"]["left_rows_quarantined"]);
        Assert.Equal(0, batch.Counts["C"]["left_rows_read"]);
        Assert.DoesNotContain("left" + InputRowAccount.UsedWithValuesQuarantined, batch.Counts["C"].Keys);
        Assert.Equal([("used", 2L), ("used", 1L), ("quarantined", 1L)], batchAccounts["A"].Outcomes.Select(o => (o.Outcome, o.Rows)));
        Assert.Equal([("used", 2L), ("used", 1L)], batchAccounts["B"].Outcomes.Select(o => (o.Outcome, o.Rows)));
        Assert.True(batchAccounts.Values.All(a => a.Balances));
    }

    // The tables InputRowAccount reads, each row led by lead (the partition column's value, or nothing).
    private void Create(RunSchema run, string column, IEnumerable<(string Lead, (int Read, int[] Cleaned, (string Code, int Row, bool Whole)[] Quarantined) Rows)> partitions)
    {
        var list = partitions.ToList();
        string Values(IEnumerable<string> rows) => rows.Any() ? string.Join(", ", rows) : "";
        string Insert(string table, IEnumerable<string> rows) => Values(rows) is { Length: > 0 } values ? $"insert into {run.Table(table)} values {values};\n" : "";
        var reads = list.SelectMany(p => Enumerable.Range(1, p.Rows.Read).Select(r => $"({p.Lead}{r})")).ToList();
        _warehouse.Execute($"""
            create schema {Sql.Identifier(run.Name)};
            create table {run.Table("left_input")} ({column.Replace(", ", " varchar, ", StringComparison.Ordinal)}row_number bigint);
            create table {run.Table("right_input")} ({column.Replace(", ", " varchar, ", StringComparison.Ordinal)}row_number bigint);
            create table {run.Table("left_clean")} ({column.Replace(", ", " varchar, ", StringComparison.Ordinal)}row_number bigint);
            create table {run.Table("right_clean")} ({column.Replace(", ", " varchar, ", StringComparison.Ordinal)}row_number bigint);
            create table {run.Table("quarantine")} ({column.Replace(", ", " varchar, ", StringComparison.Ordinal)}input varchar, stage varchar, error_code varchar, row_number bigint);
            {Insert("left_input", reads)}
            {Insert("right_input", reads)}
            {Insert("left_clean", list.SelectMany(p => p.Rows.Cleaned.Select(r => $"({p.Lead}{r})")))}
            {Insert("right_clean", reads)}
            {Insert("quarantine", list.SelectMany(p => p.Rows.Quarantined.Select(q =>
                $"({p.Lead}'left', {Sql.Literal(q.Whole ? QuarantineCodes.InputStage : QuarantineCodes.ElectionRowsStage)}, {Sql.Literal(q.Code)}, {q.Row})")))}
            """);
    }
}
