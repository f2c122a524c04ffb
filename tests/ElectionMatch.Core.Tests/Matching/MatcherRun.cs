using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Operations;
using ElectionMatch.Warehouse;
using Microsoft.Extensions.AI;

namespace ElectionMatch.Tests.Matching;

/// <summary>Runs the HubSpot→DDHQ matcher in-process on a fixture copy's real warehouse, leaving the run schema to inspect.</summary>
internal sealed class MatcherRun : IDisposable
{
    private MatcherRun(FixtureCopy fixture, DuckDbWarehouse warehouse, MatchResult result)
    {
        Fixture = fixture;
        Warehouse = warehouse;
        Result = result;
    }

    public FixtureCopy Fixture { get; }

    public DuckDbWarehouse Warehouse { get; }

    public MatchResult Result { get; }

    public static MatcherRun Of(FixtureCopy fixture, IEmbeddingGenerator<string, Embedding<float>>? embeddings = null, bool storeVectors = false)
    {
        var warehouse = DuckDbWarehouse.Open(Path.Combine(fixture.Directory, "target", "matcher-test.duckdb"));
        return new MatcherRun(fixture, warehouse, RunAgain(fixture, warehouse, embeddings, storeVectors));
    }

    public static MatchResult RunAgain(FixtureCopy fixture, DuckDbWarehouse warehouse, IEmbeddingGenerator<string, Embedding<float>>? embeddings = null, bool storeVectors = false)
    {
        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));
        var settings = context.Settings.Match("candidacy_ddhq_matches");
        var inputs = new RunOperation(context).ResolveInputs(warehouse, settings);
        var matcher = new CandidacyDdhqMatcher(warehouse, settings, RunSchema.For(settings.Name))
        {
            Embeddings = embeddings,
            StoreVectors = storeVectors,
            JudgeRowsPerRequest = settings.Judge.MaxRowsPerRequest ?? CandidacyDdhqMatcher.DefaultJudgeRowsPerRequest,
        };
        return matcher.Run(inputs);
    }

    public string Table(string stage) => RunSchema.For("candidacy_ddhq_matches").Table(stage);

    /// <summary>Linked (left id, election type, right id) triples of the output.</summary>
    public HashSet<(string Left, string Type, string Right)> Links() =>
        Warehouse.Query(
            $"select gp_candidacy_id, hubspot_election_type, cast(ddhq_candidate_id as varchar) from {Table("output")} where has_match",
            r => (r.GetString(0), r.GetString(1), r.GetString(2))).ToHashSet();

    public void Dispose()
    {
        Warehouse.Dispose();
        Fixture.Dispose();
    }
}
