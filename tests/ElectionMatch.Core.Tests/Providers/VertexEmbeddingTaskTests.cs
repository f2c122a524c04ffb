using System.Text.Json.Nodes;
using ElectionMatch.Diagnostics;
using ElectionMatch.Matching.Embeddings;
using ElectionMatch.Settings;
using ElectionMatch.Tests.Models;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Providers;

/// <summary>
/// How a Vertex AI embedding model is told its task: <c>task_type</c> in a predict request (the text-embedding models,
/// gemini-embedding-001), an instruction written before the text for gemini-embedding-2 and later (embedContent, no
/// taskType), and the cache key that keeps vectors of the two tasks apart.
/// </summary>
[Collection(ProviderEnvironment.Name)]
public sealed class VertexEmbeddingTaskTests : IAsyncLifetime
{
    private const string Prefix = "task: sentence similarity | query: ";

    private static readonly string[] Texts = ["race: shelbyville mayor", "race: springfield city council district 1"];

    private FakeModelServer _server = null!;
    private ServiceAccountFile _account = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeModelServer.StartAsync();
        _account = new ServiceAccountFile(_server.TokenUri);
    }

    public async Task DisposeAsync()
    {
        _account.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public void An_embed_content_model_gets_its_task_written_before_the_text_and_no_task_type_field()
    {
        using var warehouse = Warehouse();
        using var providers = JudgeFixture.Providers(Match("gemini-embedding-2"), warehouse);

        var result = new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default);

        Assert.Equal(2L, result.Generated);
        Assert.All(_server.Requests, r => Assert.EndsWith("/models/gemini-embedding-2:embedContent", r.Path, StringComparison.Ordinal));
        var bodies = _server.Requests.Select(r => JsonNode.Parse(r.Body)!.AsObject()).ToList();
        Assert.Equal(Texts.Select(t => Prefix + t), bodies.Select(b => Assert.Single(b["content"]!["parts"]!.AsArray())!["text"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.All(bodies, b => Assert.Equal(["content", "outputDimensionality", "autoTruncate"], b.Select(p => p.Key)));
        // Each text's vector is the one of the text as sent, cached under the text as written.
        var expected = new float[64];
        new HashedNgramEmbedder(64).Embed(Prefix + Texts[0], expected);
        Assert.Equal(expected, warehouse.Query($"select unnest(vector) from electionmatch_cache.embeddings where text_sha256 = sha256('{Texts[0]}')", r => r.GetFloat(0)));
    }

    [Theory]
    [InlineData("text-embedding-005")]
    [InlineData("gemini-embedding-001")]
    public void A_predict_model_is_told_its_task_in_task_type_and_gets_its_texts_as_written(string model)
    {
        using var warehouse = Warehouse();
        using var providers = JudgeFixture.Providers(Match(model), warehouse);

        new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default);

        var request = Assert.Single(_server.Requests);
        Assert.EndsWith($"/models/{model}:predict", request.Path, StringComparison.Ordinal);
        var instances = JsonNode.Parse(request.Body)!["instances"]!.AsArray().Select(i => i!.AsObject()).ToList();
        Assert.Equal(Texts, instances.Select(i => i["content"]!.GetValue<string>()));
        Assert.All(instances, i => Assert.Equal(["content", "task_type"], i.Select(p => p.Key)));
        Assert.All(instances, i => Assert.Equal("SEMANTIC_SIMILARITY", i["task_type"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("gemini-embedding-2", "vertex/gemini-embedding-2/64/sentence-similarity")]
    [InlineData("text-embedding-005", "vertex/text-embedding-005/64")]
    [InlineData("gemini-embedding-001", "vertex/gemini-embedding-001/64")]
    public void The_cache_key_names_the_task_only_for_a_model_that_reads_it_from_the_text(string model, string key)
    {
        using var warehouse = Warehouse();
        using var providers = JudgeFixture.Providers(Match(model), warehouse);

        var result = new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default);

        Assert.Equal(key, result.ModelId);
        Assert.Equal([key], warehouse.Query("select distinct model from electionmatch_cache.embeddings", r => r.GetString(0)));
    }

    [Fact]
    public void An_openai_compatible_model_named_like_a_gemini_embedding_model_writes_no_task_and_keeps_its_key()
    {
        Assert.Equal(
            ("vertex/gemini-embedding-3/64/sentence-similarity", "openai/gemini-embedding-2/64"),
            (EmbeddingCache.ModelKey("vertex", "gemini-embedding-3", 64, new EmbeddingSettings("vertex", "gemini-embedding-3", 64).TextTask),
             EmbeddingCache.ModelKey("openai", "gemini-embedding-2", 64, new EmbeddingSettings("openai", "gemini-embedding-2", 64).TextTask)));
    }

    [Fact]
    public void Vectors_cached_for_gemini_embedding_2_with_a_task_type_are_not_read_back()
    {
        var match = Match("gemini-embedding-2");
        using var warehouse = Warehouse();
        using (var providers = JudgeFixture.Providers(match, warehouse))
        {
            new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default);
        }

        // The key the build before wrote them under: provider/model/dimensions.
        warehouse.Execute("update electionmatch_cache.embeddings set model = 'vertex/gemini-embedding-2/64'");
        var sent = _server.Requests.Count;

        using (var replay = JudgeFixture.Providers(match, warehouse, replay: true))
        {
            var error = Assert.Throws<DiagnosticException>(() => new EmbeddingCache(warehouse).Ensure(replay.Embeddings!, "select embedding_text from texts", 64, default));
            Assert.Equal(Codes.ReplayCacheMiss, error.Diagnostics[0].Code);
            Assert.Contains("2 of 2 texts of match 'test_match' (step embeddings, vertex/gemini-embedding-2/64/sentence-similarity) have no vector", error.Diagnostics[0].Message, StringComparison.Ordinal);
        }

        using (var providers = JudgeFixture.Providers(match, warehouse))
        {
            var again = new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default);
            Assert.Equal((2L, 0L), (again.Generated, again.Cached));
            Assert.Equal(sent + 2, _server.Requests.Count);
        }

        // The old vectors stay where they were, beside the new ones; no run reads them.
        Assert.Equal(
            [("vertex/gemini-embedding-2/64", 2L), ("vertex/gemini-embedding-2/64/sentence-similarity", 2L)],
            warehouse.Query("select model, count(*) from electionmatch_cache.embeddings group by model order by model", r => (r.GetString(0), r.GetInt64(1))));
    }

    private MatchSettings Match(string model)
    {
        var match = JudgeFixture.Match("offline", JudgeFixture.Connection(new FakeModelServerEndpoint(_server.BaseUrl, _account.Path)), embeddingProvider: "vertex");
        return match with { Embeddings = match.Embeddings with { Model = model } };
    }

    private static DuckDbWarehouse Warehouse()
    {
        var warehouse = DuckDbWarehouse.InMemory();
        warehouse.Execute($"create table texts as select unnest([{string.Join(", ", Texts.Select(t => $"'{t}'"))}]) as embedding_text");
        return warehouse;
    }
}
