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
    /// The window ranking every pair sorts what it is given: fed the pairs' two vectors to compute the product itself, it
    /// held them all (26M pairs at 20,000 synthetic candidacies reached 20 GB, far past memory_limit). The product is
    /// computed before it, so no window of the plan reads a vector.
    /// </summary>
    [Fact]
    public void The_ranking_window_sorts_the_product_not_the_vectors()
    {
        var run = fixtureRun.Run;
        var columns = MatchDefinition.For("candidacy_ddhq").Evaluation.Retrieval!;
        var truth = run.Fixture.PathOf("truth/candidacy_ddhq_matches.csv");
        var model = Assert.Single(RetrievalRecall.Compare(run.Warehouse, Run, truth, columns, EmbeddingSettings.Offline, 5, offlineTopK: "retrieved")).Model;
        var sql = RetrievalRecall.CountSql(run.Warehouse, Run, columns, RetrievalRecall.RankedScoredSql(Run, columns, model), "s.rank <= 5");

        var plan = System.Text.Json.Nodes.JsonNode.Parse(string.Concat(run.Warehouse.Query("explain (format json) " + sql, r => r.GetString(1))))!;
        var windows = Nodes(plan).Where(n => ((string?)n["name"])?.Contains("WINDOW", StringComparison.Ordinal) == true).ToList();

        Assert.NotEmpty(windows);
        Assert.All(windows, w => Assert.DoesNotContain("vector", w["extra_info"]!.ToJsonString(), StringComparison.Ordinal));
    }

    private static IEnumerable<System.Text.Json.Nodes.JsonNode> Nodes(System.Text.Json.Nodes.JsonNode node) =>
        node is System.Text.Json.Nodes.JsonArray array
            ? array.SelectMany(n => Nodes(n!))
            : node["children"] is System.Text.Json.Nodes.JsonArray children ? children.SelectMany(n => Nodes(n!)).Prepend(node) : [node];

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
