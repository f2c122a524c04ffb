using ElectionMatch.Evaluation;
using ElectionMatch.Matches;
using ElectionMatch.Snapshots;
using ElectionMatch.Tests.Matching;

namespace ElectionMatch.Tests.Evaluation;

/// <summary>
/// evaluate reads as many closest calls as it lists: it read every scored row with its reasoning into memory (a million
/// candidacies' rows outside memory_limit) to print the first N, and bench, which prints none, read them all too.
/// </summary>
public sealed class HardestCallsTests : IDisposable
{
    private readonly MatcherRun _run = MatcherRun.Of(FixtureCopy.Of("goodparty"));

    [Fact]
    public void Evaluate_reads_only_the_closest_calls_it_is_asked_for_and_none_by_default()
    {
        var columns = MatchDefinition.For("candidacy_ddhq").Evaluation;
        var snapshot = new EvaluatedSnapshot(new SnapshotName("candidacy_ddhq_matches", new DateOnly(2026, 1, 1)), _run.Table("output"), "output", null);
        var truth = _run.Fixture.PathOf("truth/candidacy_ddhq_matches.csv");
        var rows = _run.Warehouse.Scalar<long>($"select count(*) from {_run.Table("output")} where match_probability is not null");

        var three = TruthEvaluator.Evaluate(_run.Warehouse, snapshot, truth, columns, hardest: 3).Hardest;
        var all = TruthEvaluator.Evaluate(_run.Warehouse, snapshot, truth, columns, hardest: int.MaxValue).Hardest;

        Assert.True(rows > 3);
        Assert.Equal(rows, all.Count);
        Assert.Equal(all.Take(3), three);
        Assert.Empty(TruthEvaluator.Evaluate(_run.Warehouse, snapshot, truth, columns).Hardest);
    }

    public void Dispose() => _run.Dispose();
}
