using System.Text.Json.Nodes;
using ElectionMatch.Diagnostics;
using ElectionMatch.Matching.Embeddings;
using ElectionMatch.Matching.Providers;
using ElectionMatch.Settings;
using ElectionMatch.Tests.Models;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Providers;

/// <summary>
/// How many texts a Vertex AI embedding request carries: <c>batch_size</c>, a model's own cap learned from Vertex AI's
/// refusal of a larger request, the 20,000 tokens a request may hold, and the Gemini models reached one text at a
/// time through <c>embedContent</c>.
/// </summary>
[Collection(ProviderEnvironment.Name)]
public sealed class VertexEmbeddingBatchTests : IAsyncLifetime
{
    private static readonly string[] Texts = [.. Enumerable.Range(1, 7).Select(i => $"race: springfield city council district {i}")];

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
    public async Task A_model_that_takes_one_text_a_request_gets_the_refused_batch_one_text_at_a_time_and_the_run_says_which_batch_size_to_set()
    {
        _server.PredictBatchLimits["gemini-embedding-001"] = 1;
        var match = Match("gemini-embedding-001");

        var (vectors, providers) = Embed(match);

        using (providers)
        {
            // The first request, of all seven, is refused; then one text a request.
            Assert.Equal([7, 1, 1, 1, 1, 1, 1, 1], _server.Requests.Select(InstanceCount));
            Assert.Equal(vectors, await ReferenceAsync());
            var usage = providers.EmbeddingUsage!;
            Assert.Equal((1L, 1, 7), (usage.RefusedForSize, usage.TextsPerRequest, usage.LargestRefused));
            // The billable characters of every part the batch was sent in, summed; the refused request bills none.
            Assert.Equal(Texts.Sum(t => (long)t.Count(c => !char.IsWhiteSpace(c))), usage.InputCharacters);
            var warning = Assert.Single(providers.Warnings(match));
            Assert.Equal((Codes.EmbeddingRequestsRefusedForSize, Severity.Warning), (warning.Code, warning.Severity));
            Assert.Equal("match 'test_match': 1 embedding request was refused for holding more texts than vertex/gemini-embedding-001 takes (at most 1 a request; 7 were sent) and sent again in parts of 1; set 'batch_size: 1' under embeddings: to send none it refuses", warning.Message);
        }
    }

    [Fact]
    public async Task A_cap_learned_from_one_refusal_splits_the_later_batches_before_they_are_sent()
    {
        _server.PredictBatchLimits["text-embedding-005"] = 2;
        var match = Match("text-embedding-005", batchSize: 3, concurrency: 1);

        var (vectors, providers) = Embed(match);

        using (providers)
        {
            // The first batch of 3 is refused and sent as 2 + 1; the four texts left go in batches of 2, none refused.
            Assert.Equal([3, 2, 1, 2, 2], _server.Requests.Select(InstanceCount));
            Assert.Equal(vectors, await ReferenceAsync());
            Assert.Equal((1L, 2), (providers.EmbeddingUsage!.RefusedForSize, providers.EmbeddingUsage.TextsPerRequest));
            Assert.Contains("(at most 2 a request; 3 were sent) and sent again in parts of 2; set 'batch_size: 2'", Assert.Single(providers.Warnings(match)).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_request_refused_for_its_tokens_is_sent_again_in_halves_and_no_cap_is_kept()
    {
        // Each text counts 11 tokens here: 7 of them are 77, and 40 allow three.
        _server.PredictTokenLimit = 40;
        var match = Match("text-embedding-005");

        var (vectors, providers) = Embed(match);

        using (providers)
        {
            // 7 refused; 3 sent; 3 sent; 1 sent (halves of what is left, as the first was halved).
            Assert.Equal([7, 3, 3, 1], _server.Requests.Select(InstanceCount));
            Assert.Equal(vectors, await ReferenceAsync());
            Assert.Equal((1L, (int?)null), (providers.EmbeddingUsage!.RefusedForSize, providers.EmbeddingUsage.TextsPerRequest));
            Assert.Equal("match 'test_match': 1 embedding request was refused for holding more tokens than vertex/text-embedding-005 takes in one request and sent again in halves; a smaller 'batch_size' under embeddings: (now 128) sends fewer it refuses",
                Assert.Single(providers.Warnings(match)).Message);
        }
    }

    [Fact]
    public async Task Batch_size_sets_the_texts_a_request_carries_and_nothing_refused_means_no_warning()
    {
        var match = Match("text-embedding-005", batchSize: 3, concurrency: 1);

        var (vectors, providers) = Embed(match);

        using (providers)
        {
            Assert.Equal([3, 3, 1], _server.Requests.Select(InstanceCount));
            Assert.Equal(vectors, await ReferenceAsync());
            Assert.Empty(providers.Warnings(match));
        }
    }

    [Fact]
    public void Once_a_cap_is_learned_each_later_request_is_cached_as_it_is_answered_so_a_failure_keeps_the_texts_before_it()
    {
        // One text a request; batches of 3 asked one at a time. The text at index 5 is refused (HTTP 400, not for its size).
        _server.PredictBatchLimits["gemini-embedding-001"] = 1;
        _server.RefuseEmbeddings = texts => texts.Contains(Texts[5]) ? 400 : null;
        var match = Match("gemini-embedding-001", batchSize: 3, concurrency: 1);
        using var warehouse = Warehouse();
        using var providers = JudgeFixture.Providers(match, warehouse);

        var error = Assert.Throws<DiagnosticException>(() => new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts order by embedding_text", 64, default));

        Assert.Equal(Codes.ProviderFailed, error.Diagnostics[0].Code);
        // The texts in order: 1, 2, 3 (refused as a batch of 3, then one by one), 4, 5, then 6 fails. Before, 4 and 5
        // were parts of the second batch, sent inside one call, and were lost with 6.
        Assert.Equal(5L, warehouse.Scalar<long>("select count(*) from electionmatch_cache.embeddings"));
    }

    [Theory]
    [InlineData("text-embedding-004", "; a model Vertex AI retired answers 404 too: name one Google's model versions page lists (text-embedding-005, the default, or gemini-embedding-001)")]
    [InlineData("gemini-embedding-2", "; gemini-embedding-2 is served at location global, as Gemini 3 and later models are, and this request asked us-central1: set 'location: global'")]
    public void A_404_for_an_embedding_model_says_why_vertex_ai_may_not_serve_it(string model, string advice)
    {
        _server.RefuseEmbeddings = _ => 404;
        using var warehouse = Warehouse();
        using var providers = JudgeFixture.Providers(Match(model), warehouse);

        var error = Assert.Throws<DiagnosticException>(() => new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default));

        Assert.Contains(advice, error.Diagnostics[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_part_of_a_split_batch_answered_with_a_vector_too_many_fails_the_step_though_the_batch_would_count_right()
    {
        // Parts of 3, 3 and 1: the first answered with a vector too many, the last with none, 7 in all.
        _server.PredictBatchLimits["text-embedding-005"] = 3;
        var answered = 0;
        _server.ReshapeEmbeddings = vectors => Interlocked.Increment(ref answered) switch
        {
            1 => [.. vectors, vectors[0]],
            3 => [],
            _ => vectors,
        };
        using var warehouse = Warehouse();
        using var providers = JudgeFixture.Providers(Match("text-embedding-005"), warehouse);

        var error = Assert.Throws<DiagnosticException>(() => new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default));

        Assert.Contains("invalid reply: the reply has 4 vectors for 3 texts", error.Diagnostics[0].Message, StringComparison.Ordinal);
        Assert.Equal(0L, warehouse.Scalar<long>("select count(*) from electionmatch_cache.embeddings"));
    }

    [Fact]
    public void A_refusal_for_anything_but_its_size_fails_the_step_at_once_with_its_status()
    {
        var match = Match("text-embedding-005");
        _server.RefuseEmbeddings = _ => 400;

        using var warehouse = Warehouse();
        using var providers = JudgeFixture.Providers(match, warehouse);
        var error = Assert.Throws<DiagnosticException>(() => new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default));

        Assert.Equal(Codes.ProviderFailed, error.Diagnostics[0].Code);
        Assert.Contains("HTTP 400", error.Diagnostics[0].Message, StringComparison.Ordinal);
        Assert.Equal(0L, providers.EmbeddingUsage!.RefusedForSize);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public void A_gemini_embedding_model_past_001_is_asked_one_text_at_a_time_through_embed_content()
    {
        var match = Match("gemini-embedding-2");

        var (vectors, providers) = Embed(match);

        using (providers)
        {
            Assert.Equal(Texts.Length, _server.Requests.Count);
            // The fixture's connection names us-central1; without it, gemini-embedding-2 would be asked at global (GeminiModelsTests).
            Assert.All(_server.Requests, r => Assert.EndsWith("/locations/us-central1/publishers/google/models/gemini-embedding-2:embedContent", r.Path, StringComparison.Ordinal));
            // Two in flight at a time: the requests arrive in either order, each one text after its task
            // (VertexEmbeddingTaskTests); each vector is the one of the text as sent.
            var bodies = _server.Requests.Select(r => JsonNode.Parse(r.Body)!).ToList();
            Assert.Equal(Texts.Select(t => GeminiModels.SentenceSimilarityPrefix + t).Order(StringComparer.Ordinal), bodies.Select(b => Assert.Single(b["content"]!["parts"]!.AsArray())!["text"]!.GetValue<string>()).Order(StringComparer.Ordinal));
            var body = bodies[0];
            Assert.Equal((64, true), (body["outputDimensionality"]!.GetValue<int>(), body["autoTruncate"]!.GetValue<bool>()));
            Assert.Equal(vectors, Texts.Select(t => FakeVector(GeminiModels.SentenceSimilarityPrefix + t)));
            // Each text's promptTokenCount, its task included: 20 tokens, seven texts.
            Assert.Equal(140L, providers.EmbeddingUsage!.InputTokens);
            Assert.Empty(providers.Warnings(match));
        }
    }

    [Fact]
    public void A_character_price_for_a_model_that_bills_by_tokens_is_a_warning_not_a_cost_of_0()
    {
        var match = Match("gemini-embedding-2");
        match = match with { Embeddings = match.Embeddings with { Connection = match.Embeddings.Connection with { PricePerMillionInputCharacters = 0.025 } } };
        using var warehouse = Warehouse();
        using var providers = JudgeFixture.Providers(match, warehouse);

        new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default);

        Assert.Equal(0.0, providers.EmbeddingUsage!.EstimatedCost);
        var warning = Assert.Single(providers.Warnings(match));
        Assert.Equal(Codes.NoBillableCharacters, warning.Code);
        Assert.Equal("match 'test_match': price_per_million_input_characters is set, but vertex/gemini-embedding-2 reported no billable characters in 7 requests, so the estimated cost leaves the embeddings' input out; for a model billed by tokens set price_per_million_input_tokens instead", warning.Message);
    }

    [Theory]
    [InlineData("Unable to submit request because batchSize must be 1 but the entered value was 56. Update the batchSize value and try again.", 56, 1, true)]
    [InlineData("Unable to submit request because it has a batchSize value of 1234 but the supported range is from 1 (inclusive) to 251 (exclusive).", 1234, 250, true)]
    [InlineData("2048 instance(s) is allowed per prediction. Actual: 4777", 4777, 2048, true)]
    [InlineData("Unable to submit request because the input token count is 109362 but the model supports up to 20000.", 9, 4, false)]
    public void Vertex_ai_words_for_a_request_too_large_give_the_texts_allowed(string words, int sent, int texts, bool kept)
    {
        Assert.Equal((texts, kept), VertexEmbeddingGenerator.Smaller(words, sent));
    }

    [Theory]
    [InlineData("Request contains an invalid argument.", 10)]
    [InlineData("Unable to submit request because batchSize must be 1 but the entered value was 1.", 1)]
    [InlineData("Unable to submit request because the input token count is 30000 but the model supports up to 20000.", 1)]
    public void Other_refusals_or_one_that_allows_no_fewer_texts_are_not_retried(string words, int sent)
    {
        Assert.Null(VertexEmbeddingGenerator.Smaller(words, sent));
    }

    private MatchSettings Match(string model, int? batchSize = null, int concurrency = 2)
    {
        var match = JudgeFixture.Match("offline", JudgeFixture.Connection(new FakeModelServerEndpoint(_server.BaseUrl, _account.Path)) with { MaxConcurrency = concurrency }, embeddingProvider: "vertex");
        return match with { Embeddings = match.Embeddings with { Model = model, BatchSize = batchSize } };
    }

    private (float[][] Vectors, ModelProviders Providers) Embed(MatchSettings match)
    {
        using var warehouse = Warehouse();
        var providers = JudgeFixture.Providers(match, warehouse);
        var result = new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default);
        Assert.Equal((7L, 0L), (result.Generated, result.Cached));
        return (Cached(warehouse, result.ModelId), providers);
    }

    /// <summary>The vectors the same texts get in one request that nothing refuses, by a fresh server.</summary>
    private static async Task<float[][]> ReferenceAsync()
    {
        await using var server = await FakeModelServer.StartAsync();
        using var account = new ServiceAccountFile(server.TokenUri);
        using var warehouse = Warehouse();
        var match = JudgeFixture.Match("offline", JudgeFixture.Connection(new FakeModelServerEndpoint(server.BaseUrl, account.Path)), embeddingProvider: "vertex");
        using var providers = JudgeFixture.Providers(match, warehouse);
        var result = new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default);
        Assert.Equal([Texts.Length], server.Requests.Select(InstanceCount));
        return Cached(warehouse, result.ModelId);
    }

    private static DuckDbWarehouse Warehouse()
    {
        var warehouse = DuckDbWarehouse.InMemory();
        warehouse.Execute($"create table texts as select unnest([{string.Join(", ", Texts.Select(t => $"'{t}'"))}]) as embedding_text");
        return warehouse;
    }

    // Each text's cached vector, in the texts' order.
    private static float[][] Cached(DuckDbWarehouse warehouse, string modelId) =>
        [.. Texts.Select(t => warehouse.Query($"select vector from electionmatch_cache.embeddings where model = '{modelId}' and text_sha256 = sha256('{t}')",
            r => ((List<float>)r.GetValue(0)).ToArray()).Single())];

    // The fake server's vector of a text (the offline embedder's, at unit length).
    private static float[] FakeVector(string text)
    {
        var vector = new float[64];
        new HashedNgramEmbedder(64).Embed(text, vector);
        return vector;
    }

    private static int InstanceCount(RecordedRequest request) =>
        JsonNode.Parse(request.Body)!["instances"]?.AsArray().Count ?? 1;
}
