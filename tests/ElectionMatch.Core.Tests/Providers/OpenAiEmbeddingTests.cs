using ElectionMatch.Matching.Embeddings;
using ElectionMatch.Tests.Models;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Providers;

/// <summary>OpenAI-compatible embeddings through Microsoft.Extensions.AI.OpenAI against the fake /v1/embeddings.</summary>
[Collection(ProviderEnvironment.Name)]
public sealed class OpenAiEmbeddingTests : OpenAiServerTests
{
    [Fact]
    public void Openai_embeddings_are_theServers_vectors_cached_by_model_and_text_and_metered()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        warehouse.Execute("create table texts as select * from (values ('name: maria lopez'), ('name: john smith')) as t(embedding_text)");
        var match = JudgeFixture.Match("offline", JudgeFixture.Connection(new FakeModelServerEndpoint(Server.OpenAiEndpoint)), embeddingProvider: "openai");
        using var providers = JudgeFixture.Providers(match, warehouse);

        var first = new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default);
        var second = new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default);

        Assert.Equal("openai/text-embedding-3-small/64", first.ModelId);
        Assert.Equal((2L, 0L), (first.Generated, first.Cached));
        Assert.Equal((0L, 2L), (second.Generated, second.Cached));
        Assert.Single(Server.Requests);
        Assert.True(providers.EmbeddingUsage!.InputTokens > 0);
        // The vector stored is the one the server sent (the offline embedder's, by construction of the fake).
        var expected = new float[64];
        new HashedNgramEmbedder(64).Embed("name: john smith", expected);
        var stored = warehouse.Query("select unnest(vector) from electionmatch_cache.embeddings where text_sha256 = sha256('name: john smith')", r => r.GetFloat(0));
        Assert.Equal(expected, stored);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Embedding_batches_are_sent_with_at_most_max_concurrency_in_flight(int concurrency)
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        // 7 batches of up to 128 texts, each answered after 150 ms.
        warehouse.Execute("create table texts as select 'name: person ' || i as embedding_text from range(850) as t(i)");
        Server.EmbeddingLatency = TimeSpan.FromMilliseconds(150);
        var match = JudgeFixture.Match("offline", JudgeFixture.Connection(new FakeModelServerEndpoint(Server.OpenAiEndpoint)) with { MaxConcurrency = concurrency }, embeddingProvider: "openai");
        using var providers = JudgeFixture.Providers(match, warehouse);

        var result = new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default);

        Assert.Equal(850L, result.Generated);
        Assert.Equal(850L, warehouse.Scalar<long>("select count(distinct text_sha256) from electionmatch_cache.embeddings"));
        Assert.Equal(7, Server.ModelHits);
        Assert.InRange(Server.MaxEmbeddingsInFlight, Math.Min(2, concurrency), concurrency);
    }
}
