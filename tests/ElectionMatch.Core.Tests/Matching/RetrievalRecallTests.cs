using ElectionMatch.Evaluation;
using ElectionMatch.Matches;
using ElectionMatch.Matching;
using ElectionMatch.Settings;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// evaluate's retrieval recall: ranking every pair of each partition again in SQL, and, above the pair cap (a
/// window over billions of pairs at 100,000 synthetic candidacies), the run's own top k instead.
/// </summary>
public sealed class RetrievalRecallTests(RetrievalRecallTests.FixtureRun fixtureRun) : IClassFixture<RetrievalRecallTests.FixtureRun>
{
    private static readonly RunSchema Run = RunSchema.For("candidacy_ddhq_matches");

    [Fact]
    public void Above_the_pair_cap_the_runs_own_top_k_finds_what_ranking_every_pair_finds()
    {
        var run = fixtureRun.Run;
        var columns = MatchDefinition.For("candidacy_ddhq").Evaluation.Retrieval!;
        var truth = run.Fixture.PathOf("truth/candidacy_ddhq_matches.csv");
        var pairs = RetrievalRecall.RankedPairs(run.Warehouse, Run);

        var ranked = RetrievalRecall.Compare(run.Warehouse, Run, truth, columns, EmbeddingSettings.Offline, 5, offlineTopK: "retrieved");
        var fromRun = RetrievalRecall.Compare(run.Warehouse, Run, truth, columns, EmbeddingSettings.Offline, 5, offlineTopK: "retrieved", maxRankedPairs: pairs - 1);

        Assert.True(pairs > 0);
        Assert.False(Assert.Single(ranked).FromRun);
        Assert.True(Assert.Single(fromRun).FromRun);
        Assert.Equal(ranked[0].Model, fromRun[0].Model);
        Assert.True(ranked[0].TruthPairs > 0);
        Assert.Equal((ranked[0].Found, ranked[0].TruthPairs), (fromRun[0].Found, fromRun[0].TruthPairs));
    }

    [Fact]
    public void Above_the_pair_cap_without_the_runs_offline_top_k_nothing_is_ranked()
    {
        var run = fixtureRun.Run;
        var columns = MatchDefinition.For("candidacy_ddhq").Evaluation.Retrieval!;
        var truth = run.Fixture.PathOf("truth/candidacy_ddhq_matches.csv");

        Assert.Empty(RetrievalRecall.Compare(run.Warehouse, Run, truth, columns, EmbeddingSettings.Offline, 5, offlineTopK: null, maxRankedPairs: 0));
        Assert.Empty(RetrievalRecall.Compare(run.Warehouse, Run, truth, columns, EmbeddingSettings.Offline, 5, offlineTopK: "no_such_table", maxRankedPairs: 0));
    }

    /// <summary>
    /// The matcher run on the fixture, once for the class: the tests read its tables (evaluate's temp tables aside,
    /// which each comparison makes again).
    /// </summary>
    public sealed class FixtureRun : IDisposable
    {
        internal MatcherRun Run { get; } = MatcherRun.Of(FixtureCopy.Of("goodparty"));

        public void Dispose() => Run.Dispose();
    }
}
