using ElectionMatch.Diagnostics;
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

    [Fact]
    public void Vectors_a_server_answers_out_of_order_are_cached_under_the_texts_their_index_names()
    {
        using var warehouse = Texts("name: maria lopez", "name: john smith", "name: jane roe");
        Server.ReshapeEmbeddings = vectors => vectors.Reverse().ToList();
        using var providers = JudgeFixture.Providers(Match(), warehouse);

        new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default);

        foreach (var text in new[] { "name: maria lopez", "name: john smith", "name: jane roe" })
        {
            Assert.Equal(Offline(text), Stored(warehouse, text));
        }
    }

    [Fact]
    public void Vectors_of_another_length_than_dimensions_stop_the_run_at_the_embeddings_block_naming_the_setting()
    {
        using var warehouse = Texts("name: maria lopez", "name: john smith");
        Server.ReshapeEmbeddings = vectors => vectors.Select(v => v with { Values = [.. v.Values, 0.5f, 0.5f, 0.5f] }).ToList();
        var block = new SourceSpan("electionmatch.yml", 90, 7);
        using var providers = JudgeFixture.Providers(Match(block), warehouse);

        var error = Assert.Throws<DiagnosticException>(() => new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default));

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal((Codes.ProviderFailed, "electionmatch.yml", 90, 7), (diagnostic.Code, diagnostic.File, diagnostic.Line, diagnostic.Column));
        Assert.Contains("has 67 dimensions, and 'dimensions' is 64; a model that cannot shorten its vectors needs 'dimensions: 67'", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(0L, warehouse.Scalar<long>("select count(*) from electionmatch_cache.embeddings"));
    }

    [Fact]
    public void A_reply_with_fewer_vectors_than_texts_is_em0403_and_caches_nothing()
    {
        using var warehouse = Texts("name: maria lopez", "name: john smith", "name: jane roe");
        Server.ReshapeEmbeddings = vectors => vectors.Take(2).ToList();
        using var providers = JudgeFixture.Providers(Match(), warehouse);

        var error = Assert.Throws<DiagnosticException>(() => new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default));

        Assert.Equal(Codes.ProviderFailed, error.Diagnostics[0].Code);
        Assert.Contains("invalid reply: the reply has 2 vectors for 3 texts", error.Diagnostics[0].Message, StringComparison.Ordinal);
        Assert.Equal(0L, warehouse.Scalar<long>("select count(*) from electionmatch_cache.embeddings"));
    }

    [Theory]
    [InlineData(float.NaN, "holds NaN")]
    [InlineData(float.PositiveInfinity, "holds an infinite value")]
    [InlineData(0f, "is all zeros")]
    public void A_vector_no_cosine_can_rank_is_em0403_and_is_never_cached(float value, string reason)
    {
        using var warehouse = Texts("name: maria lopez", "name: john smith");
        Server.ReshapeEmbeddings = vectors => [vectors[0], vectors[1] with { Values = value == 0 ? new float[64] : [value, .. vectors[1].Values[1..]] }];
        using var providers = JudgeFixture.Providers(Match(), warehouse);

        var error = Assert.Throws<DiagnosticException>(() => new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default));

        Assert.Contains($"invalid reply: the reply's vector 1 {reason}", error.Diagnostics[0].Message, StringComparison.Ordinal);
        Assert.Equal(0L, warehouse.Scalar<long>("select count(*) from electionmatch_cache.embeddings"));
    }

    [Fact]
    public void A_success_reply_that_is_not_json_is_worded_as_the_judges_without_a_dotnet_type_name()
    {
        using var warehouse = Texts("name: maria lopez");
        // A bare NaN, which no JSON reader takes: a server writing floats with a careless serializer.
        Server.EmbeddingsBody = """{"object":"list","data":[{"object":"embedding","index":0,"embedding":[NaN,0.5]}],"model":"text-embedding-3-small"}""";
        using var providers = JudgeFixture.Providers(Match(), warehouse);

        var error = Assert.Throws<DiagnosticException>(() => new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default));

        var message = Assert.Single(error.Diagnostics).Message;
        Assert.Contains("text-embedding-3-small/64 failed: invalid reply: HTTP 200 from 127.0.0.1, but it is not JSON (it stops being JSON at line 1, byte ", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", message, StringComparison.Ordinal);
        Assert.Equal(1, Server.ModelHits);
        Assert.Equal(0L, warehouse.Scalar<long>("select count(*) from electionmatch_cache.embeddings"));
    }

    [Theory]
    [InlineData("""{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5,null]}],"model":"m","usage":{"prompt_tokens":3,"total_tokens":3}}""", "invalid reply: the reply's vector 0 holds null at position 1, not a number")]
    [InlineData("""{"object":"list","data":[{"object":"embedding","index":0,"embedding":["NaN",0.5]}],"model":"m","usage":{"prompt_tokens":3,"total_tokens":3}}""", "invalid reply: the reply's vector 0 holds \"NaN\" at position 0, not a number")]
    [InlineData("""{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5,0.5]}],"model":"m","usage":{"prompt_tokens":3.5,"total_tokens":3}}""", "invalid reply: the reply's usage.prompt_tokens is 3.5, not a whole number")]
    [InlineData("""{"object":"list","data":[{"object":"embedding","embedding":[0.5,0.5]},{"object":"embedding","embedding":[0.5,0.5]}],"model":"m"}""", "invalid reply: the reply's vector 0 (in reply order) carries no index: an OpenAI-compatible server gives each vector the index of its input")]
    public void An_embeddings_reply_the_sdk_cannot_read_is_an_invalid_reply_in_our_words(string body, string expected)
    {
        using var warehouse = Texts("name: maria lopez", "name: john smith");
        Server.EmbeddingsBody = body;
        using var providers = JudgeFixture.Providers(Match(), warehouse);

        var error = Assert.Throws<DiagnosticException>(() => new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default));

        var message = Assert.Single(error.Diagnostics).Message;
        Assert.Contains("text-embedding-3-small/64 failed: " + expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", message, StringComparison.Ordinal);
        Assert.Equal(0L, warehouse.Scalar<long>("select count(*) from electionmatch_cache.embeddings"));
    }

    [Fact]
    public void Vectors_not_of_unit_length_are_cached_scaled_to_it_so_the_inner_product_ranks_by_cosine()
    {
        using var warehouse = Texts("name: maria lopez", "name: john smith");
        Server.ReshapeEmbeddings = vectors => vectors.Select(v => v with { Values = v.Values.Select(x => x * (v.Index + 3)).ToArray() }).ToList();
        using var providers = JudgeFixture.Providers(Match(), warehouse);

        new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default);

        foreach (var text in new[] { "name: maria lopez", "name: john smith" })
        {
            var stored = Stored(warehouse, text);
            Assert.Equal(1.0, Math.Sqrt(stored.Sum(x => (double)x * x)), 5);
            Assert.Equal(Offline(text).Select(x => (double)x), stored.Select(x => (double)x), (a, b) => Math.Abs(a - b) < 1e-6);
        }
    }

    private DuckDbWarehouse Texts(params string[] texts)
    {
        var warehouse = DuckDbWarehouse.InMemory();
        warehouse.Execute("create table texts (embedding_text varchar)");
        foreach (var text in texts)
        {
            warehouse.Execute($"insert into texts values ('{text}')");
        }

        return warehouse;
    }

    private ElectionMatch.Settings.MatchSettings Match(SourceSpan? at = null) =>
        JudgeFixture.Match("offline", JudgeFixture.Connection(new FakeModelServerEndpoint(Server.OpenAiEndpoint)) with { At = at ?? SourceSpan.None }, embeddingProvider: "openai");

    private static float[] Offline(string text)
    {
        var vector = new float[64];
        new HashedNgramEmbedder(64).Embed(text, vector);
        return vector;
    }

    private static List<float> Stored(DuckDbWarehouse warehouse, string text) =>
        warehouse.Query($"select unnest(vector) from electionmatch_cache.embeddings where text_sha256 = sha256('{text}')", r => r.GetFloat(0));
}
