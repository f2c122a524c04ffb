using System.Text.Json;
using System.Text.Json.Nodes;
using ElectionMatch.Dbt;
using ElectionMatch.Incremental;
using ElectionMatch.Matches;
using ElectionMatch.Matching.Providers;
using ElectionMatch.Operations;
using ElectionMatch.Tests.Models;
using ElectionMatch.Tests.Providers;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Incremental;

/// <summary>
/// A provider's embedding counts in an incremental run: each partition's entry holds what its own run would have
/// counted, whether it was matched in a batch or alone, and a run's totals sum its partitions' entries, reused or not.
/// The provider is the fake OpenAI server on 127.0.0.1, which records every text it is sent.
/// </summary>
public sealed class BatchEmbeddingCountsTests : BatchProviderRuns
{
    [Fact]
    public void A_partition_recomputed_alone_after_a_batch_counts_its_embeddings_once_as_unbatched_runs_do()
    {
        // Three states; NC's and TX's races of 2024-03-05 lose their state, so every partition holds their results rows' texts.
        var left = KeepCandidacies("CA", "NC", "TX");
        var right = Fixture.Read(Right).TrimEnd('\n').Split('\n').ToList();
        var races = new[] { "NC", "TX" }.Select(s => Field(right.First(l => Field(l, 8) == s && Field(l, 7) == "2024-03-05"), 0)).ToHashSet(StringComparer.Ordinal);
        right = right.Select((l, i) => i > 0 && races.Contains(Field(l, 0)) ? With(l, 8, "") : l).ToList();
        Fixture.Write(Right, string.Join('\n', right) + "\n");

        using var batched = new Runs(Fixture, "batched.duckdb", batched: true);
        using var unbatched = new Runs(Fixture, "unbatched.duckdb", batched: false);

        // Every partition computed against an empty embedding cache (the first run's training embedded every text).
        batched.Run(full: false);
        unbatched.Run(full: false);
        var sent = Texts();
        var before = batched.Run(full: true, emptyCache: true);
        var sentBatched = Texts() - sent;
        unbatched.Run(full: true, emptyCache: true);
        Assert.Contains("partition_batch", before.Stages);
        Assert.True(sentBatched > 0, "the batch sent texts to be embedded");
        // The run's total is what the provider was sent; each entry holds what its own run gives it.
        Assert.Equal(sentBatched, before.Totals["embeddings_generated"] + before.Totals["runoff_embeddings_generated"]);
        Assert.Equal(Text(unbatched.Entries()), Text(batched.Entries()));
        Assert.True(batched.Entries()["NC"]["embeddings_generated"] > 0, "NC's own texts were sent in the batch");
        // Every other count too: with a provider each pass unites its retrieval with the offline embedder's, and the
        // batch counts the union's pairs for all its partitions at once (CountScope), as each one's own run counts them.
        Assert.Equal(Text(unbatched.Entries(all: true)), Text(batched.Entries(all: true)));
        Assert.True(batched.Entries(all: true)["NC"]["retrieval_pairs_both"] > 0, "NC's retrieval was united with the offline embedder's");

        // One NC candidacy renamed: NC alone is recomputed, and sends that candidacy's new text.
        var carolina = left.FindIndex(l => Field(l, 4) == "NC");
        left[carolina] = With(left[carolina], 2, "Zebulon");
        WriteCandidacies(left);
        sent = Texts();
        var after = batched.Run(full: false);
        var sentAfter = Texts() - sent;
        var afterUnbatched = unbatched.Run(full: false);
        Assert.Contains("1 recomputed (NC)", after.Summary, StringComparison.Ordinal);
        Assert.True(sentAfter > 0, "the renamed candidacy's text was sent");
        Assert.Equal(sentAfter, batched.Entries()["NC"]["embeddings_generated"] + batched.Entries()["NC"]["runoff_embeddings_generated"]);

        // The totals: the reused entries' shares, and NC's own run in place of its share of the batch, once.
        Assert.Equal(Text(afterUnbatched.Totals), Text(after.Totals));
        var ncBefore = before.Entries["NC"];
        var ncAfter = batched.Entries()["NC"];
        foreach (var key in new[] { "embeddings_generated", "embeddings_from_cache", "runoff_embeddings_generated", "runoff_embeddings_from_cache" })
        {
            Assert.Equal(before.Totals[key] - ncBefore[key] + ncAfter[key], after.Totals[key]);
        }
    }

    private static string Text(Dictionary<string, long> counts) => string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"));

    private static string Text(Dictionary<string, Dictionary<string, long>> entries) =>
        string.Join("\n", entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}: {Text(e.Value)}"));

    // Every text the server has been sent to embed.
    private int Texts() => Server.Requests.Where(r => r.Path.EndsWith("/embeddings", StringComparison.Ordinal)).Sum(r => JsonNode.Parse(r.Body)!["input"]!.AsArray().Count);

    /// <summary>Incremental runs of the fixture in a warehouse of their own (so an embedding cache of their own), batched or not.</summary>
    private sealed class Runs : IDisposable
    {
        private readonly FixtureCopy _fixture;
        private readonly DuckDbWarehouse _warehouse;
        private readonly bool _batched;

        public Runs(FixtureCopy fixture, string file, bool batched)
        {
            _fixture = fixture;
            _warehouse = DuckDbWarehouse.Open(Path.Combine(fixture.Directory, "target", file));
            _batched = batched;
        }

        public void Dispose() => _warehouse.Dispose();

        public (Dictionary<string, long> Totals, Dictionary<string, Dictionary<string, long>> Entries, List<string> Stages, string Summary) Run(bool full, bool emptyCache = false)
        {
            if (emptyCache)
            {
                _warehouse.Execute("delete from electionmatch_cache.embeddings");
            }

            var context = ProjectContext.Load(new ProjectOptions(_fixture.Directory));
            var match = context.Settings.Match(Match);
            var inputs = new RunOperation(context).ResolveInputs(_warehouse, match);
            using var providers = ModelProviders.Create(match, _fixture.Directory, context.Templates, _warehouse, replay: false);
            var stages = new List<string>();
            var request = new IncrementalRequest(context.Settings.ContentHash, full, Retrain: false, new MatchRunOptions(null, 2, providers, CancellationToken.None)) { Batched = _batched };
            var result = IncrementalRun.Execute(_warehouse, match, inputs, request, s => stages.Add(s.Stage));
            var totals = result.Counts.Where(c => c.Key.Contains("embeddings_", StringComparison.Ordinal)).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
            Assert.Equal(4, totals.Count);
            return (totals, Entries(), stages, string.Join('\n', result.Summary));
        }

        /// <summary>Each cached partition's embedding counts (<paramref name="all"/>: every count), by state.</summary>
        public Dictionary<string, Dictionary<string, long>> Entries(bool all = false) => _warehouse.Query(
            $"select state, counts_json from {PartitionCache.Schema.Table("partitions")} order by state",
            r => (State: r.GetString(0), Counts: JsonSerializer.Deserialize<Dictionary<string, long>>(r.GetString(1))!))
            .ToDictionary(e => e.State, e => e.Counts.Where(c => all || c.Key.Contains("embeddings_", StringComparison.Ordinal)).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal), StringComparer.Ordinal);
    }
}
