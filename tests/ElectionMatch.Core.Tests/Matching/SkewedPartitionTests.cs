using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Operations;
using ElectionMatch.Synthesis;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// Issue #8: a partition with thousands of rows on each side is searched block by block, not as a cross product,
/// and keeps its recall. The skew is made from a synthetic project by putting every row of both inputs in one
/// state, so each election date becomes one partition holding the whole country's races.
/// </summary>
public sealed class SkewedPartitionTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "em-skew-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void A_skewed_partition_is_searched_by_blocks_and_keeps_its_recall()
    {
        SynthProjectWriter.Write(_directory, new SynthSettings(3000, 11), force: false);
        MoveEveryRowToOneState();

        var whole = Run(blockAbove: long.MaxValue);
        var blocked = Run(blockAbove: 20_000);

        // The skew is there: the largest partition alone is over a million pairs.
        Assert.True(whole.LargestPartition > 1_000_000, $"largest partition only {whole.LargestPartition} pairs");
        Assert.Equal(whole.LargestPartition, blocked.LargestPartition);
        Assert.Equal(0, whole.Counts["partitions_searched_in_blocks"]);
        Assert.True(blocked.Counts["partitions_searched_in_blocks"] > 0);

        // Searched whole, retrieval computes every left × right inner product; by blocks, a small share of them.
        Assert.Equal(whole.AllPairs, whole.Counts["pairs_compared_by_embedding"]);
        Assert.True(blocked.Counts["pairs_compared_by_embedding"] < whole.AllPairs / 5, $"{blocked.Counts["pairs_compared_by_embedding"]} inner products of {whole.AllPairs} pairs");

        // The pairs scored (top k plus sounds-alike surnames, and the deterministic tier's, which neither search finds)
        // stay far below the cross product.
        Assert.True(blocked.Scored < blocked.AllPairs / 100, $"{blocked.Scored} pairs scored of {blocked.AllPairs}");
        Assert.Equal(blocked.Scored, blocked.Counts["pairs_by_rule_embedding_top_k"] + blocked.Counts["pairs_by_rule_surname_sound"] + blocked.Counts.GetValueOrDefault("pairs_by_rule_exact_name") - blocked.FoundByBoth);

        Assert.True(whole.Recall > 0.95, $"recall {whole.Recall:F4} searching whole partitions");
        Assert.True(blocked.Recall >= whole.Recall - 0.005, $"recall {blocked.Recall:F4} by blocks, {whole.Recall:F4} whole");
    }

    private void MoveEveryRowToOneState()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        foreach (var file in Directory.GetFiles(Path.Combine(_directory, "data"), "*.parquet", SearchOption.AllDirectories))
        {
            var moved = file + ".tx";
            warehouse.Execute($"copy (select * replace ('TX' as state) from read_parquet({Sql.Literal(file)})) to {Sql.Literal(moved)} (format parquet)");
            File.Move(moved, file, overwrite: true);
        }
    }

    private Outcome Run(long blockAbove)
    {
        var context = ProjectContext.Load(new ProjectOptions(_directory));
        var settings = context.Settings.Match("candidacy_ddhq_matches") with { BlockAbove = blockAbove };
        using var warehouse = DuckDbWarehouse.Open(Path.Combine(_directory, "target", "skew-test.duckdb"));
        var inputs = new RunOperation(context).ResolveInputs(warehouse, settings);
        var run = RunSchema.For(settings.Name);
        var result = new CandidacyDdhqMatcher(warehouse, settings, run).Run(inputs);

        var truth = File.ReadAllLines(Path.Combine(_directory, "truth", "candidacy_ddhq_matches.csv")).Skip(1).ToHashSet(StringComparer.Ordinal);
        var links = warehouse.Query(
            $"select gp_candidacy_id || ',' || hubspot_election_type || ',' || cast(ddhq_candidate_id as varchar) from {run.Table("output")} where has_match",
            r => r.GetString(0));
        return new Outcome(
            result.Counts,
            warehouse.Scalar<long>($"select max(left_rows * right_rows) from {run.Table("partition_sizes")}"),
            // Every pair retrieval would search whole: the rows the deterministic tier paired are not searched.
            warehouse.Scalar<long>($"""
                select cast(sum(l.rows * s.right_rows) as bigint)
                from (select group_id, count(*) as rows from {run.Table("left_keyed")} anti join {run.Table("exact_pairs")} using (left_key) group by group_id) as l
                join {run.Table("partition_sizes")} as s using (group_id)
                """),
            warehouse.Scalar<long>($"select count(*) from {run.Table("scored_pairs")}"),
            warehouse.Scalar<long>($"select count(*) from {run.Table("candidate_pairs")} where len(rules) = 2"),
            links.Count(truth.Contains) / (double)truth.Count);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private sealed record Outcome(IReadOnlyDictionary<string, long> Counts, long LargestPartition, long AllPairs, long Scored, long FoundByBoth, double Recall);
}
