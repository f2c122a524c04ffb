using System.Text.Json.Nodes;
using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Incremental;
using ElectionMatch.Matches;
using ElectionMatch.Matching.Providers;
using ElectionMatch.Operations;
using ElectionMatch.Tests.Models;
using ElectionMatch.Tests.Providers;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Incremental;

/// <summary>
/// A provider failure in a batch stores none of its partitions (docs/design.md, "State partitions matched together"):
/// that costs the next run the batch's local work again, never a provider's answer, since every answer received is
/// cached as it arrives. The provider is the fake OpenAI server on 127.0.0.1, refusing the requests that hold one NC
/// candidacy's text.
/// </summary>
public sealed class BatchProviderFailureTests : BatchProviderRuns
{
    [Fact]
    public void After_a_provider_failure_in_a_batch_the_next_run_asks_for_no_text_that_was_answered()
    {
        var left = KeepCandidacies("CA", "NC", "TX");
        using var warehouse = DuckDbWarehouse.Open(Path.Combine(Fixture.Directory, "target", "failure.duckdb"));
        // A first run trains the model; then nothing is cached but the model, as before a first incremental run that adopts one.
        Run(warehouse);
        warehouse.Execute("delete from electionmatch_cache.embeddings; delete from electionmatch_cache.partitions");

        var carolina = left.FindIndex(l => Field(l, 4) == "NC");
        left[carolina] = With(left[carolina], 2, "Zebulon");
        WriteCandidacies(left);
        static bool Refused(IReadOnlyList<string> texts) => texts.Any(t => t.Contains("zebulon", StringComparison.OrdinalIgnoreCase));
        Server.RefuseEmbeddings = texts => Refused(texts) ? 400 : null;
        var before = Sent().Count;
        var error = Assert.Throws<DiagnosticException>(() => Run(warehouse));
        Assert.Equal("EM0403", Assert.Single(error.Diagnostics).Code);
        var failed = Sent().Skip(before).ToList();
        // The stateless partition, matched on its own before the batch, is kept; the batch's partitions are not.
        Assert.Equal([""], warehouse.Query($"select state from {PartitionCache.Schema.Table("partitions")}", r => r.GetString(0)));
        var answered = failed.Where(r => !Refused(r)).SelectMany(r => r).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(answered);

        Server.RefuseEmbeddings = null;
        var summary = Run(warehouse);
        var next = Sent().Skip(before + failed.Count).SelectMany(r => r).ToList();
        Assert.Contains("3 recomputed (CA, NC, TX)", summary, StringComparison.Ordinal);
        Assert.Contains(next, t => t.Contains("zebulon", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(next, answered.Contains);
    }

    // The texts of every embeddings request the server has had, in arrival order.
    private List<List<string>> Sent() => Server.Requests.Where(r => r.Path.EndsWith("/embeddings", StringComparison.Ordinal))
        .Select(r => JsonNode.Parse(r.Body)!["input"]!.AsArray().Select(t => t!.GetValue<string>()).ToList()).ToList();

    private string Run(DuckDbWarehouse warehouse)
    {
        var context = ProjectContext.Load(new ProjectOptions(Fixture.Directory));
        var match = context.Settings.Match(Match);
        var inputs = new RunOperation(context).ResolveInputs(warehouse, match);
        using var providers = ModelProviders.Create(match, Fixture.Directory, context.Templates, warehouse, replay: false);
        var request = new IncrementalRequest(context.Settings.ContentHash, Full: false, Retrain: false, new MatchRunOptions(null, 2, providers, CancellationToken.None));
        return IncrementalRun.Execute(warehouse, match, inputs, request, null).Summary[0];
    }
}
