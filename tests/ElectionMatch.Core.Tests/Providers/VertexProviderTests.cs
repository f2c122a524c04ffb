using System.Text.Json.Nodes;
using ElectionMatch.Diagnostics;
using ElectionMatch.Matching.Embeddings;
using ElectionMatch.Matching.Providers;
using ElectionMatch.Settings;
using ElectionMatch.Tests.Models;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Providers;

/// <summary>Gemini generateContent and text-embedding predict over the Vertex AI REST wire format, with a service account.</summary>
[Collection(ProviderEnvironment.Name)]
public sealed class VertexProviderTests : IAsyncLifetime
{
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

    private FakeModelServerEndpoint Endpoint => new(_server.BaseUrl, _account.Path);

    [Fact]
    public async Task Vertex_judge_sends_a_json_schema_request_with_a_service_account_token_and_reads_the_usage()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint)), warehouse);

        var answers = await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "Maria Lopez", "Nobody Known"), default);

        Assert.Equal([1, 0], answers.Select(a => a.CandidateNumber));
        var request = Assert.Single(_server.Requests);
        Assert.Equal("/v1/projects/test-project/locations/us-central1/publishers/google/models/gemini-3.5-flash-lite:generateContent", request.Path);
        Assert.Equal("Bearer " + FakeModelServer.AccessToken, request.Authorization);
        var body = JsonNode.Parse(request.Body)!;
        Assert.Equal("application/json", body["generationConfig"]!["responseMimeType"]!.GetValue<string>());
        Assert.Equal("OBJECT", body["generationConfig"]!["responseSchema"]!["type"]!.GetValue<string>());
        Assert.Null(body["generationConfig"]!["responseSchema"]!["additionalProperties"]);
        Assert.Contains("VALID: \"Bob Johnson\"", body["systemInstruction"]!["parts"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(providers.JudgeUsage!.InputTokens > 0);
        // The access token was registered the moment it was read.
        Assert.DoesNotContain(FakeModelServer.AccessToken, Secrets.Redact("header: Bearer " + FakeModelServer.AccessToken + " sent"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vertex_thinking_tokens_are_counted_as_output_tokens_and_priced_as_output()
    {
        var answer = """{"answers":[{"row_id":"1","selected_candidate_number":1,"selected_name":"Maria Lopez","selection_confidence":95,"reasoning":"same name","close_alternatives":[]}]}""";
        _server.Script(FakeReply.Body(200, VertexReply(answer, """{"promptTokenCount":1000,"candidatesTokenCount":100,"thoughtsTokenCount":900,"totalTokenCount":2000}""")));
        using var warehouse = DuckDbWarehouse.InMemory();
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint)), warehouse);

        var answers = await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "Maria Lopez"), default);

        Assert.Equal(1, answers.Single().CandidateNumber);
        var usage = providers.JudgeUsage!;
        Assert.Equal((1000L, 1000L), (usage.InputTokens, usage.OutputTokens));
        // 1000 input tokens at 0.30 and 100 + 900 output tokens at 2.50 per million.
        Assert.Equal(0.0028, usage.EstimatedCost!.Value, 9);
    }

    [Theory]
    [InlineData(0.075, 0.0017)]
    [InlineData(null, 0.0035)]
    public async Task Vertex_cached_prompt_tokens_are_billed_at_the_cached_price_when_one_is_set_else_at_the_input_price(double? cachedPrice, double expected)
    {
        var answer = """{"answers":[{"row_id":"1","selected_candidate_number":1,"selected_name":"Maria Lopez","selection_confidence":95,"reasoning":"same name","close_alternatives":[]}]}""";
        _server.Script(FakeReply.Body(200, VertexReply(answer, """{"promptTokenCount":10000,"cachedContentTokenCount":8000,"candidatesTokenCount":200,"totalTokenCount":10200}""")));
        using var warehouse = DuckDbWarehouse.InMemory();
        var connection = JudgeFixture.Connection(Endpoint) with { PricePerMillionCachedInputTokens = cachedPrice };
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("vertex", connection), warehouse);

        await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "Maria Lopez"), default);

        var usage = providers.JudgeUsage!;
        Assert.Equal((10000L, 8000L, 200L), (usage.InputTokens, usage.CachedInputTokens, usage.OutputTokens));
        // 2,000 tokens at 0.30, the 8,000 cached at 0.075 and 200 out at 2.50 per million; with no cached price, all 10,000 at 0.30.
        Assert.Equal(expected, usage.EstimatedCost!.Value, 9);
        var model = Assert.Single(providers.Models);
        Assert.Equal((10000L, 8000L, 0L, expected), (model.InputTokens, model.CachedInputTokens, model.InputCharacters, model.EstimatedCost));
    }

    [Theory]
    [InlineData("""{"error":{"code":400,"message":"upstream refused","status":"INVALID_ARGUMENT"}}""", "it has no candidates but an error: upstream refused")]
    [InlineData("""{"error":"upstream overloaded"}""", "it has no candidates but an error: upstream overloaded")]
    [InlineData("""[{"candidates":[]}]""", "it is not a JSON object")]
    [InlineData("\"overloaded\"", "it is not a JSON object")]
    public void A_vertex_http_200_with_an_error_or_not_an_object_is_em0403_with_the_providers_words_and_caches_nothing(string body, string expected)
    {
        _server.Script(FakeReply.Body(200, body));
        using var judging = FailedJudging.Of(JudgeFixture.Connection(Endpoint) with { MaxConcurrency = 1 });
        var (warehouse, providers, error) = (judging.Warehouse, judging.Providers, judging.Error);

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal(Codes.ProviderFailed, diagnostic.Code);
        Assert.Contains($"failed on contest 'race-1' (1 row): invalid reply: HTTP 200 from 127.0.0.1, but {expected}", diagnostic.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(1, _server.ModelHits);
        Assert.Equal(0L, warehouse.Scalar<long>("select count(*) from electionmatch_cache.judge_answers"));
    }

    [Theory]
    [InlineData("""{"error":{"code":503,"message":"upstream overloaded","status":"UNAVAILABLE"}}""", "200 (503 UNAVAILABLE)")]
    [InlineData("""{"error":{"code":429,"message":"quota exceeded","status":"RESOURCE_EXHAUSTED"}}""", "200 (429 RESOURCE_EXHAUSTED)")]
    [InlineData("""{"error":{"code":500,"message":"internal error"}}""", "200 (500)")]
    [InlineData("""{"error":{"message":"internal error","status":"INTERNAL"}}""", "200 (INTERNAL)")]
    public async Task A_vertex_http_200_holding_a_transient_google_error_is_retried_as_a_503_is_and_the_request_then_succeeds(string body, string cause)
    {
        _server.Script(FakeReply.Body(200, body));
        using var warehouse = DuckDbWarehouse.InMemory();
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint)), warehouse);

        var answers = await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "Maria Lopez"), default);

        Assert.Equal(1, answers.Single().CandidateNumber);
        Assert.Equal(2, _server.ModelHits);
        Assert.Equal(cause, Assert.Single(providers.JudgeUsage!.RetryWaits).Cause);
        Assert.Equal(0L, providers.JudgeUsage.InvalidReplies);
    }

    [Fact]
    public void A_vertex_http_200_holding_a_transient_google_error_past_max_retries_is_em0403_with_its_words_and_caches_nothing()
    {
        var body = """{"error":{"code":503,"message":"upstream overloaded","status":"UNAVAILABLE"}}""";
        _server.Script([.. Enumerable.Repeat(FakeReply.Body(200, body), 3)]);
        using var judging = FailedJudging.Of(JudgeFixture.Connection(Endpoint) with { MaxConcurrency = 1, MaxRetries = 2 });
        var (warehouse, providers, error) = (judging.Warehouse, judging.Providers, judging.Error);

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal(Codes.ProviderFailed, diagnostic.Code);
        Assert.Contains("failed on contest 'race-1' (1 row): invalid reply: HTTP 200 from 127.0.0.1, but it has no candidates but an error: upstream overloaded;", diagnostic.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", diagnostic.Message, StringComparison.Ordinal);
        // 1 + max_retries attempts, as for an HTTP 503.
        Assert.Equal(3, _server.ModelHits);
        Assert.Equal(["200 (503 UNAVAILABLE)", "200 (503 UNAVAILABLE)"], providers.JudgeUsage!.RetryWaits.Select(w => w.Cause));
        Assert.Equal(0L, warehouse.Scalar<long>("select count(*) from electionmatch_cache.judge_answers"));
    }

    [Theory]
    [InlineData(200, "\"0.03s\"", null, "200 (429 RESOURCE_EXHAUSTED)", 0.03)]
    [InlineData(429, "\"0.03s\"", null, "429", 0.03)]
    [InlineData(503, "\"0.020s\"", null, "503", 0.02)]
    // Longer than max_retry_delay_seconds (0.05 here): the cap, as for a Retry-After.
    [InlineData(200, "\"12s\"", null, "200 (429 RESOURCE_EXHAUSTED)", 0.05)]
    [InlineData(429, "\"1.5s\"", null, "429", 0.05)]
    // A header, where one is sent, says it first.
    [InlineData(200, "\"0.03s\"", "0", "200 (429 RESOURCE_EXHAUSTED)", 0)]
    [InlineData(429, "\"0.03s\"", "0", "429", 0)]
    public async Task A_vertex_reply_whose_google_error_carries_retry_info_waits_its_retry_delay_as_a_retry_after_is(int status, string retryDelay, string? retryAfter, string cause, double seconds)
    {
        _server.Script(FakeReply.Body(status, QuotaError(retryDelay), retryAfter is null ? null : new Dictionary<string, string> { ["Retry-After"] = retryAfter }));
        using var warehouse = DuckDbWarehouse.InMemory();
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint)), warehouse);

        var answers = await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "Maria Lopez"), default);

        Assert.Equal(1, answers.Single().CandidateNumber);
        Assert.Equal(2, _server.ModelHits);
        var wait = Assert.Single(providers.JudgeUsage!.RetryWaits);
        Assert.Equal((cause, true, TimeSpan.FromSeconds(seconds)), (wait.Cause, wait.FromRetryAfter, wait.Delay));
    }

    [Theory]
    [InlineData(200, "\"12\"")]
    [InlineData(429, "\"12\"")]
    [InlineData(200, "\"-1s\"")]
    [InlineData(429, "\"1e3s\"")]
    [InlineData(200, "\"s\"")]
    [InlineData(429, "\"\"")]
    [InlineData(200, "\"1.5 s\"")]
    [InlineData(429, "\"Infinitys\"")]
    [InlineData(200, "\"NaNs\"")]
    [InlineData(429, "\"99999999999999999999999999999999s\"")]
    [InlineData(200, "12")]
    [InlineData(429, "{\"seconds\":12}")]
    [InlineData(200, "null")]
    public async Task A_retry_delay_that_cannot_be_read_falls_back_to_the_backoff(int status, string retryDelay)
    {
        _server.Script(FakeReply.Body(status, QuotaError(retryDelay)));
        using var warehouse = DuckDbWarehouse.InMemory();
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint)), warehouse);

        var answers = await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "Maria Lopez"), default);

        Assert.Equal(1, answers.Single().CandidateNumber);
        var wait = Assert.Single(providers.JudgeUsage!.RetryWaits);
        Assert.False(wait.FromRetryAfter);
        Assert.InRange(wait.Delay, TimeSpan.Zero, TimeSpan.FromSeconds(0.05));
    }

    /// <summary>Google's quota error, as Vertex AI sends it with a 429, with a RetryInfo whose retryDelay is this JSON.</summary>
    private static string QuotaError(string retryDelay) =>
        $$$"""{"error":{"code":429,"message":"Resource exhausted. Please try again later.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED","domain":"googleapis.com"},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":{{{retryDelay}}}}]}}""";

    [Theory]
    [InlineData("""{"candidates":{"content":{"parts":[{"text":"{}"}]}}}""", "its candidates are a JSON object, not a list")]
    [InlineData("""{"candidates":"none","usageMetadata":{"promptTokenCount":812}}""", "its candidates are a string, not a list")]
    [InlineData("""{"candidates":0}""", "its candidates are a number, not a list")]
    public void A_vertex_http_200_whose_candidates_are_not_a_list_is_em0403_not_an_empty_answer_and_caches_nothing(string body, string expected)
    {
        // Twice: read as "no candidates", the first would be followed up, and the follow-up would get the same.
        _server.Script(FakeReply.Body(200, body), FakeReply.Body(200, body));
        using var judging = FailedJudging.Of(JudgeFixture.Connection(Endpoint) with { MaxConcurrency = 1 });
        var (warehouse, providers, error) = (judging.Warehouse, judging.Providers, judging.Error);

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal(Codes.ProviderFailed, diagnostic.Code);
        Assert.Contains($"failed on contest 'race-1' (1 row): invalid reply: HTTP 200 from 127.0.0.1, but {expected}", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(1, _server.ModelHits);
        Assert.Equal(0L, providers.JudgeUsage!.InvalidReplies);
        Assert.Equal(0L, warehouse.Scalar<long>("select count(*) from electionmatch_cache.judge_answers"));
    }

    [Fact]
    public async Task Vertex_token_counts_sent_as_floats_are_counted()
    {
        var answer = """{"answers":[{"row_id":"1","selected_candidate_number":1,"selected_name":"Maria Lopez","selection_confidence":95,"reasoning":"same name","close_alternatives":[]}]}""";
        _server.Script(FakeReply.Body(200, VertexReply(answer, """{"promptTokenCount":1000.0,"candidatesTokenCount":100.0,"thoughtsTokenCount":20.0,"totalTokenCount":1120.0}""")));
        using var warehouse = DuckDbWarehouse.InMemory();
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint)), warehouse);

        await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "Maria Lopez"), default);

        Assert.Equal((1000L, 120L), (providers.JudgeUsage!.InputTokens, providers.JudgeUsage.OutputTokens));
    }

    /// <summary>A generateContent reply whose one candidate says <paramref name="text"/>, with this usageMetadata.</summary>
    private static string VertexReply(string text, string usageMetadata) =>
        new JsonObject
        {
            ["candidates"] = new JsonArray(new JsonObject
            {
                ["content"] = new JsonObject { ["role"] = "model", ["parts"] = new JsonArray(new JsonObject { ["text"] = text }) },
                ["finishReason"] = "STOP",
            }),
            ["usageMetadata"] = JsonNode.Parse(usageMetadata),
            ["modelVersion"] = "gemini-2.5-flash-001",
        }.ToJsonString();

    [Fact]
    public async Task A_vertex_reply_cut_at_max_tokens_says_so_in_the_follow_up_and_the_undecided_reason()
    {
        // finishReason MAX_TOKENS with the text so far: incomplete JSON, which the parser alone cannot explain.
        var cut = """{"candidates":[{"content":{"role":"model","parts":[{"text":"{\"answers\": [{\"row_id\": \"1\", \"sel"}]},"finishReason":"MAX_TOKENS"}],"usageMetadata":{"promptTokenCount":900,"candidatesTokenCount":12,"thoughtsTokenCount":4084,"totalTokenCount":4996}}""";
        _server.Script(FakeReply.Body(200, cut), FakeReply.Body(200, cut));
        using var warehouse = DuckDbWarehouse.InMemory();
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint)), warehouse);

        var answer = Assert.Single(await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "Maria Lopez"), default));

        Assert.True(answer.Undecided);
        Assert.Contains("the model stopped at its own output limit: set max_output_tokens above it", answer.Reasoning, StringComparison.Ordinal);
        var followUp = JsonNode.Parse(_server.Requests[1].Body)!["contents"]!.AsArray().Last()!["parts"]![0]!["text"]!.GetValue<string>();
        Assert.Matches(@"the reply is not valid JSON \(it stops being JSON at line 1, byte \d+\): the model stopped at its own output limit", followUp);
    }

    [Fact]
    public async Task Vertex_judge_sends_max_output_tokens_and_a_thinking_budget_only_when_set()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        var plain = JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint));
        var limited = plain with { Judge = plain.Judge with { MaxOutputTokens = 4096, ThinkingBudget = 0 } };
        using (var providers = JudgeFixture.Providers(plain, warehouse))
        {
            await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "Maria Lopez"), default);
        }

        using (var providers = JudgeFixture.Providers(limited, warehouse))
        {
            await providers.Judge!.JudgeAsync(JudgeFixture.Request("r2", "John Smith"), default);
        }

        var (first, second) = (JsonNode.Parse(_server.Requests[0].Body)!["generationConfig"]!, JsonNode.Parse(_server.Requests[1].Body)!["generationConfig"]!);
        Assert.Null(first["maxOutputTokens"]);
        Assert.Null(first["thinkingConfig"]);
        Assert.Equal(4096, second["maxOutputTokens"]!.GetValue<int>());
        Assert.Equal(0, second["thinkingConfig"]!["thinkingBudget"]!.GetValue<int>());
    }

    [Fact]
    public async Task Vertex_judge_sends_temperature_0_unless_set_and_none_for_temperature_default()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        var plain = JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint));
        // Rows of other names: the same data would be answered from the cache.
        foreach (var (temperature, name) in new (double?, string)[] { (0, "Maria Lopez"), (1.5, "John Smith"), (null, "Jane Roe") })
        {
            using var providers = JudgeFixture.Providers(plain with { Judge = plain.Judge with { Temperature = temperature } }, warehouse);
            await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", name), default);
        }

        var configs = _server.Requests.Select(r => JsonNode.Parse(r.Body)!["generationConfig"]!.AsObject()).ToList();
        Assert.Equal(0, configs[0]["temperature"]!.GetValue<double>());
        Assert.Equal(1.5, configs[1]["temperature"]!.GetValue<double>());
        Assert.False(configs[2].ContainsKey("temperature"));
    }

    [Theory]
    [InlineData("/v1")]
    [InlineData("/v1/")]
    [InlineData("/v1/projects/test-project/locations/us-central1/publishers/google/models/gemini-3.5-flash-lite:generateContent")]
    public async Task A_vertex_endpoint_written_with_its_v1_or_pasted_whole_is_asked_at_the_right_path(string endpointPath)
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint with { Url = _server.BaseUrl + endpointPath })), warehouse);

        await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "Maria Lopez"), default);

        Assert.Equal("/v1/projects/test-project/locations/us-central1/publishers/google/models/gemini-3.5-flash-lite:generateContent", Assert.Single(_server.Requests).Path);
    }

    [Theory]
    [InlineData("gemini-3.5-flash-lite", "us-central1", "; gemini-3.5-flash-lite is served at location global, as Gemini 3 and later models are, and this request asked us-central1: set 'location: global' (or GOOGLE_CLOUD_LOCATION=global)")]
    [InlineData("gemini-2.5-flash", "us-central1", "; a model Vertex AI retired answers 404 too (gemini-2.5-flash, gemini-2.5-pro and gemini-2.5-flash-lite were retired on 2026-10-16; the judge's default is now gemini-3.5-flash-lite)")]
    [InlineData("gemini-3.5-flash-lite", "global", "; a model Vertex AI retired answers 404 too")]
    public void A_vertex_404_names_the_url_asked_and_why_vertex_ai_may_not_serve_the_model_there(string model, string location, string advice)
    {
        _server.Script(FakeReply.Body(404, """{"error":{"code":404,"message":"Publisher Model `gemini-9` was not found.","status":"NOT_FOUND"}}"""));
        using var warehouse = DuckDbWarehouse.InMemory();
        warehouse.Execute("create schema em_run_test_match");
        var match = JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint) with { MaxConcurrency = 1, Location = location });
        using var providers = JudgeFixture.Providers(match with { Judge = match.Judge with { Model = model } }, warehouse);
        var evidence = new[] { new ElectionMatch.Matching.Judging.JudgeEvidence("race-1", "Council", 1, "John Smith", new Dictionary<string, string?>(), 10, 1, "John Smith", new Dictionary<string, string?>(), new Dictionary<string, string>()) };

        var error = Assert.Throws<DiagnosticException>(() => { new ElectionMatch.Matching.Judging.JudgeStage(warehouse, new ElectionMatch.Matching.RunSchema("em_run_test_match"), providers.Judge!, 25).Run(evidence, "judge_answers", default); });

        var message = Assert.Single(error.Diagnostics).Message;
        Assert.Contains($"failed on contest 'race-1' (1 row): HTTP 404: Publisher Model `gemini-9` was not found.; nothing answers at {_server.BaseUrl}/v1/projects/test-project/locations/{location}/publishers/google/models/{model}:generateContent: check 'model', and that 'endpoint' in electionmatch.yml is the server's base URL (usually ending in /v1; for Vertex AI the host alone){advice}", message, StringComparison.Ordinal);
        Assert.Equal(1, _server.ModelHits);
    }

    [Theory]
    [InlineData("gemini-3.5-flash-lite", null, "global")]
    [InlineData("gemini-2.5-flash", null, "us-central1")]
    [InlineData("gemini-3.5-flash-lite", "europe-west4", "europe-west4")]
    public async Task Without_a_location_a_gemini_3_judge_asks_the_global_endpoint_and_an_older_model_us_central1(string model, string? variable, string expected)
    {
        var previous = SetEnvironment(new() { ["GOOGLE_CLOUD_LOCATION"] = variable });
        try
        {
            using var warehouse = DuckDbWarehouse.InMemory();
            var match = JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint) with { Location = null });
            using var providers = JudgeFixture.Providers(match with { Judge = match.Judge with { Model = model } }, warehouse);

            await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "Maria Lopez"), default);

            Assert.Equal($"/v1/projects/test-project/locations/{expected}/publishers/google/models/{model}:generateContent", Assert.Single(_server.Requests).Path);
        }
        finally
        {
            SetEnvironment(previous);
        }
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData(0.0, "LOW", null)]
    [InlineData(null, null, 0)]
    public async Task The_judges_temperature_and_thinking_level_or_budget_are_sent_as_set_and_nothing_when_unset(double? temperature, string? level, int? budget)
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        var match = JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint));
        using var providers = JudgeFixture.Providers(match with { Judge = match.Judge with { Temperature = temperature, ThinkingLevel = level, ThinkingBudget = budget } }, warehouse);

        await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "Maria Lopez"), default);

        var generation = JsonNode.Parse(Assert.Single(_server.Requests).Body)!["generationConfig"]!;
        Assert.Equal(temperature, generation["temperature"]?.GetValue<double>());
        Assert.Equal(level, generation["thinkingConfig"]?["thinkingLevel"]?.GetValue<string>());
        Assert.Equal(budget, generation["thinkingConfig"]?["thinkingBudget"]?.GetValue<int>());
    }

    [Fact]
    public async Task Without_a_credentials_file_application_default_credentials_are_used_and_their_key_is_masked()
    {
        var previous = Environment.GetEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS");
        Environment.SetEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS", _account.Path);
        try
        {
            using var warehouse = DuckDbWarehouse.InMemory();
            using var providers = JudgeFixture.Providers(JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint with { CredentialsFile = null })), warehouse);

            await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "Maria Lopez"), default);

            Assert.Equal("Bearer " + FakeModelServer.AccessToken, Assert.Single(_server.Requests).Authorization);
            Assert.Equal("key ***", Secrets.Redact("key " + _account.KeyBodyLine));
        }
        finally
        {
            Environment.SetEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS", previous);
        }
    }

    [Theory]
    [InlineData("missing", "GOOGLE_APPLICATION_CREDENTIALS={path} does not exist (looked at {path}); set GOOGLE_APPLICATION_CREDENTIALS to a service-account key's JSON file, or unset it to use gcloud auth application-default login's file, or set credentials_file in electionmatch.yml")]
    [InlineData("folder", "GOOGLE_APPLICATION_CREDENTIALS={path} is a folder (looked at {path}); name the credential's JSON file in it: set GOOGLE_APPLICATION_CREDENTIALS to")]
    [InlineData("unreadable", "/proc/self/mem cannot be read (")]
    [InlineData("not_json", "{path} is not JSON (line 1, byte 2); set GOOGLE_APPLICATION_CREDENTIALS to")]
    [InlineData("[1,2]", "{path} is JSON but not an object; set GOOGLE_APPLICATION_CREDENTIALS to")]
    [InlineData("api_key", "{path} is a credential of type \"api_key\", which application-default credentials cannot use (they take \"service_account\", \"authorized_user\", \"external_account\", \"external_account_authorized_user\", \"impersonated_service_account\"); set GOOGLE_APPLICATION_CREDENTIALS to")]
    [InlineData("no_private_key", "{path} has no private_key (a credential of type \"service_account\" needs client_email, private_key); set GOOGLE_APPLICATION_CREDENTIALS to")]
    [InlineData("no_refresh_token", "{path} has no refresh_token (a credential of type \"authorized_user\" needs client_id, client_secret, refresh_token); set GOOGLE_APPLICATION_CREDENTIALS to")]
    [InlineData("damaged_pem", "{path}: its private_key is damaged (not a PEM-encoded RSA private key); download a new key for the service account: set GOOGLE_APPLICATION_CREDENTIALS to")]
    public void Application_default_credentials_named_by_the_variable_that_cannot_be_used_are_em0401_naming_the_variable_in_our_words(string problem, string expected)
    {
        var path = problem == "unreadable" ? "/proc/self/mem" : Path.Combine(Path.GetTempPath(), "em-adc-" + Guid.NewGuid().ToString("N")[..8] + (problem == "folder" ? "" : ".json"));
        WriteCredential(path, problem);
        try
        {
            var diagnostic = ApplicationDefaultFailure(new() { ["GOOGLE_APPLICATION_CREDENTIALS"] = path, ["APPDATA"] = null });

            Assert.Equal(Codes.ProviderNotConfigured, diagnostic.Code);
            Assert.Contains("Vertex AI credentials could not be loaded (application-default credentials from GOOGLE_APPLICATION_CREDENTIALS): " + expected.Replace("{path}", path, StringComparison.Ordinal), diagnostic.Message, StringComparison.Ordinal);
        }
        finally
        {
            if (problem == "folder")
            {
                Directory.Delete(path);
            }
            else if (problem != "unreadable")
            {
                File.Delete(path);
            }
        }
    }

    [Theory]
    [InlineData("not_json", "(application-default credentials from gcloud's file): {path} is not JSON (line 1, byte 2); run gcloud auth application-default login to write it again, set GOOGLE_APPLICATION_CREDENTIALS to a service-account key's JSON file, or set credentials_file")]
    [InlineData("folder", "(application-default credentials from gcloud's file): gcloud's application-default credentials file is a folder (looked at {path}); name the credential's JSON file in it: run gcloud auth application-default login")]
    [InlineData("no_refresh_token", "(application-default credentials from gcloud's file): {path} has no refresh_token (a credential of type \"authorized_user\" needs client_id, client_secret, refresh_token); run gcloud auth application-default login to write it again")]
    public void Gcloud_application_default_credentials_that_cannot_be_used_are_em0401_naming_gcloud_and_its_file(string problem, string expected)
    {
        // %APPDATA% is where Google.Apis.Auth looks first, on every system: gcloud's file is looked for under it.
        var appData = Path.Combine(Path.GetTempPath(), "em-appdata-" + Guid.NewGuid().ToString("N")[..8]);
        var path = Path.Combine(appData, "gcloud", "application_default_credentials.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        WriteCredential(path, problem);
        try
        {
            var diagnostic = ApplicationDefaultFailure(new() { ["GOOGLE_APPLICATION_CREDENTIALS"] = null, ["APPDATA"] = appData });

            Assert.Equal(Codes.ProviderNotConfigured, diagnostic.Code);
            Assert.Contains("Vertex AI credentials could not be loaded " + expected.Replace("{path}", path, StringComparison.Ordinal), diagnostic.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(appData, recursive: true);
        }
    }

    [Fact]
    public void Without_any_application_default_credentials_em0401_names_the_variable_and_gcloud_file_looked_at()
    {
        var appData = Path.Combine(Path.GetTempPath(), "em-appdata-" + Guid.NewGuid().ToString("N")[..8]);
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        // No metadata server either: Google.Apis.Auth asks the one this names, a port nothing listens on.
        var diagnostic = ApplicationDefaultFailure(new() { ["GOOGLE_APPLICATION_CREDENTIALS"] = null, ["APPDATA"] = appData, ["GCE_METADATA_HOST"] = $"127.0.0.1:{port}" });

        Assert.Equal(Codes.ProviderNotConfigured, diagnostic.Code);
        Assert.Contains($"Vertex AI credentials could not be loaded (application-default credentials): none found: GOOGLE_APPLICATION_CREDENTIALS is not set, gcloud's {Path.Combine(appData, "gcloud", "application_default_credentials.json")} does not exist, and no Google Compute Engine metadata server answered; run gcloud auth application-default login", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_account_key_as_gclouds_application_default_credentials_is_used_and_masked()
    {
        var appData = Path.Combine(Path.GetTempPath(), "em-appdata-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(appData, "gcloud"));
        File.Copy(_account.Path, Path.Combine(appData, "gcloud", "application_default_credentials.json"));
        var previous = SetEnvironment(new() { ["GOOGLE_APPLICATION_CREDENTIALS"] = null, ["APPDATA"] = appData });
        try
        {
            using var warehouse = DuckDbWarehouse.InMemory();
            using var providers = JudgeFixture.Providers(JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint with { CredentialsFile = null })), warehouse);

            await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "Maria Lopez"), default);

            Assert.Equal("Bearer " + FakeModelServer.AccessToken, Assert.Single(_server.Requests).Authorization);
            Assert.Equal("key ***", Secrets.Redact("key " + _account.KeyBodyLine));
        }
        finally
        {
            SetEnvironment(previous);
            Directory.Delete(appData, recursive: true);
        }
    }

    [Theory]
    [InlineData("gp-billing", null, null, "gp-billing")]
    [InlineData("gp-billing", "gp-quota", null, "gp-quota")]
    [InlineData(null, "gp-quota", null, "gp-quota")]
    [InlineData(null, null, null, "")]
    [InlineData("gp-billing", "gp-quota", "configured", "gp-billing")]
    // Trimmed, as GOOGLE_CLOUD_PROJECT is: a value read from a file with Windows line ends keeps its \r.
    [InlineData(null, "gp-quota\r", null, "gp-quota")]
    [InlineData(null, " ", null, "")]
    public async Task A_credentials_quota_project_is_sent_as_x_goog_user_project_and_the_variable_overrides_application_default_credentials(string? inFile, string? variable, string? configured, string sent)
    {
        var appData = Path.Combine(Path.GetTempPath(), "em-appdata-" + Guid.NewGuid().ToString("N")[..8]);
        var file = Path.Combine(appData, "gcloud", "application_default_credentials.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var key = JsonNode.Parse(File.ReadAllText(_account.Path))!.AsObject();
        if (inFile is not null)
        {
            key["quota_project_id"] = inFile;
        }

        File.WriteAllText(file, key.ToJsonString());
        var previous = SetEnvironment(new() { ["GOOGLE_APPLICATION_CREDENTIALS"] = null, ["APPDATA"] = appData, ["GOOGLE_CLOUD_QUOTA_PROJECT"] = variable });
        try
        {
            using var warehouse = DuckDbWarehouse.InMemory();
            var connection = JudgeFixture.Connection(Endpoint with { CredentialsFile = configured is null ? null : file });
            using var providers = JudgeFixture.Providers(JudgeFixture.Match("vertex", connection), warehouse);

            await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "Maria Lopez"), default);

            Assert.Equal(sent, Assert.Single(_server.Requests).UserProject);
        }
        finally
        {
            SetEnvironment(previous);
            Directory.Delete(appData, recursive: true);
        }
    }

    /// <summary>Writes the credential a problem names at <paramref name="path"/>; "missing" and "unreadable" write nothing.</summary>
    private void WriteCredential(string path, string problem)
    {
        var key = JsonNode.Parse(File.ReadAllText(_account.Path))!.AsObject();
        var user = new JsonObject { ["type"] = "authorized_user", ["client_id"] = "764086051850-planted.apps.googleusercontent.com", ["client_secret"] = "d-PLANTED-CLIENT-SECRET-0123456789" };
        switch (problem)
        {
            case "missing" or "unreadable":
                break;
            case "folder":
                Directory.CreateDirectory(path);
                break;
            case "not_json":
                File.WriteAllText(path, "{" + _account.KeyBodyLine + "\n");
                break;
            case "[1,2]":
                File.WriteAllText(path, "[1,2]");
                break;
            case "api_key" or "authorized_user":
                key["type"] = problem;
                File.WriteAllText(path, key.ToJsonString());
                break;
            case "client_email":
                key.Remove("client_email");
                File.WriteAllText(path, key.ToJsonString());
                break;
            case "no_private_key":
                key.Remove("private_key");
                File.WriteAllText(path, key.ToJsonString());
                break;
            case "no_refresh_token":
                File.WriteAllText(path, user.ToJsonString());
                break;
            default:
                // A key whose body lost a line's characters, as a bad copy and paste does.
                key["private_key"] = _account.PrivateKey.Replace(_account.KeyBodyLine, _account.KeyBodyLine[..20] + "!!" + _account.KeyBodyLine[22..], StringComparison.Ordinal);
                File.WriteAllText(path, key.ToJsonString());
                break;
        }
    }

    /// <summary>The one diagnostic setting up a Vertex judge without credentials_file gives, with these variables; no secret in it.</summary>
    private Diagnostic ApplicationDefaultFailure(Dictionary<string, string?> variables)
    {
        var previous = SetEnvironment(variables);
        try
        {
            using var warehouse = DuckDbWarehouse.InMemory();
            var error = Assert.Throws<DiagnosticException>(() => JudgeFixture.Providers(JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint with { CredentialsFile = null })), warehouse));
            var diagnostic = Assert.Single(error.Diagnostics);
            foreach (var secret in new[] { _account.KeyBodyLine[..20], ServiceAccountFile.PrivateKeyId, "PLANTED-CLIENT-SECRET" })
            {
                Assert.DoesNotContain(secret, diagnostic.ToString(), StringComparison.Ordinal);
            }

            Assert.Equal(0, _server.ModelHits + _server.TokenRequests.Count);
            return diagnostic;
        }
        finally
        {
            SetEnvironment(previous);
        }
    }

    /// <returns>The values the variables had, to set them back.</returns>
    private static Dictionary<string, string?> SetEnvironment(Dictionary<string, string?> variables)
    {
        var previous = variables.Keys.ToDictionary(name => name, Environment.GetEnvironmentVariable);
        foreach (var (name, value) in variables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        return previous;
    }

    [Fact]
    public void Vertex_embeddings_fill_the_cache_once_and_replay_reads_only_the_cache()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        warehouse.Execute("create table texts as select * from (values ('race: springfield city council'), ('race: shelbyville mayor'), ('race: ogdenville school board')) as t(embedding_text)");
        var match = JudgeFixture.Match("offline", JudgeFixture.Connection(Endpoint), embeddingProvider: "vertex");

        using (var providers = JudgeFixture.Providers(match, warehouse))
        {
            var first = new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default);
            Assert.Equal((3L, 0L), (first.Generated, first.Cached));
            Assert.Equal("vertex/text-embedding-005/64", first.ModelId);
            var predict = Assert.Single(_server.Requests);
            Assert.EndsWith("/models/text-embedding-005:predict", predict.Path, StringComparison.Ordinal);
            Assert.Equal(64, JsonNode.Parse(predict.Body)!["parameters"]!["outputDimensionality"]!.GetValue<int>());
            Assert.Equal(3L, warehouse.Scalar<long>("select count(*) from electionmatch_cache.embeddings where len(vector) = 64"));
        }

        using (var replay = JudgeFixture.Providers(match, warehouse, replay: true))
        {
            var again = new EmbeddingCache(warehouse).Ensure(replay.Embeddings!, "select embedding_text from texts", 64, default);
            Assert.Equal((0L, 3L), (again.Generated, again.Cached));
            Assert.Equal(3, replay.EmbeddingUsage!.CacheHits);
            warehouse.Execute("insert into texts values ('race: capital city treasurer')");
            var error = Assert.Throws<DiagnosticException>(() => new EmbeddingCache(warehouse).Ensure(replay.Embeddings!, "select embedding_text from texts", 64, default));
            Assert.Equal(Codes.ReplayCacheMiss, error.Diagnostics[0].Code);
            Assert.Contains("1 of 4 texts of match 'test_match' (step embeddings, vertex/text-embedding-005/64)", error.Diagnostics[0].Message, StringComparison.Ordinal);
        }

        Assert.Single(_server.Requests);
    }

    [Theory]
    [InlineData("""{"candidates":[],"usageMetadata":{"promptTokenCount":812,"totalTokenCount":812}}""", "Vertex AI answered without candidates")]
    [InlineData("""{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT","blockReasonMessage":"The prompt was blocked."},"usageMetadata":{"promptTokenCount":812,"totalTokenCount":812}}""", "Vertex AI blocked the prompt: blockReason PROHIBITED_CONTENT (The prompt was blocked.)")]
    [InlineData("""{"candidates":[{"finishReason":"SAFETY","safetyRatings":[{"category":"HARM_CATEGORY_HARASSMENT","probability":"HIGH","blocked":true}]}],"usageMetadata":{"promptTokenCount":812,"totalTokenCount":812}}""", "Vertex AI's candidate holds no text: finishReason SAFETY")]
    [InlineData("""{"candidates":[{"content":{"role":"model"},"finishReason":"RECITATION","finishMessage":"Recited."}],"usageMetadata":{"promptTokenCount":812,"totalTokenCount":812}}""", "Vertex AI's candidate holds no text: finishReason RECITATION (Recited.)")]
    public async Task A_vertex_reply_without_text_is_an_empty_answer_followed_up_once_then_undecided_with_vertex_reason(string reply, string reason)
    {
        _server.Script(FakeReply.Body(200, reply), FakeReply.Body(200, reply));
        using var warehouse = DuckDbWarehouse.InMemory();
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint)), warehouse);

        var answers = await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "Maria Lopez", "Nobody Known"), default);

        Assert.All(answers, a => Assert.Equal($"undecided: the judge's reply was invalid twice: the reply is empty ({reason})", a.Reasoning));
        Assert.All(answers, a => Assert.True(a.Undecided));
        var usage = providers.JudgeUsage!;
        Assert.Equal((2L, 2L, 0L, 2L), (usage.Requests, usage.InvalidReplies, usage.FailedFollowUps, usage.UndecidedRows));
        Assert.Equal(2L * 812, usage.InputTokens);
        // The follow-up leaves out the empty model turn (Vertex AI refuses an empty text part): one user turn of two parts.
        var followUp = JsonNode.Parse(_server.Requests[1].Body)!["contents"]!.AsArray();
        var turn = Assert.Single(followUp);
        Assert.Equal("user", turn!["role"]!.GetValue<string>());
        Assert.Contains(reason, turn["parts"]![1]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vertex_follow_up_to_a_blocked_prompt_that_is_answered_decides_the_rows()
    {
        _server.Script(FakeReply.Body(200, """{"promptFeedback":{"blockReason":"OTHER"}}"""));
        using var warehouse = DuckDbWarehouse.InMemory();
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint)), warehouse);

        var answers = await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "Maria Lopez", "Nobody Known"), default);

        Assert.Equal([(1, false), (0, false)], answers.Select(a => (a.CandidateNumber, a.Undecided)));
        Assert.Equal((2L, 1L, 0L), (providers.JudgeUsage!.Requests, providers.JudgeUsage.InvalidReplies, providers.JudgeUsage.UndecidedRows));
    }

    [Fact]
    public void A_missing_project_is_an_error_naming_the_setting_and_the_variable()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        var previous = Environment.GetEnvironmentVariable("GOOGLE_CLOUD_PROJECT");
        Environment.SetEnvironmentVariable("GOOGLE_CLOUD_PROJECT", null);
        try
        {
            var match = JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint) with { Project = null });
            var error = Assert.Throws<DiagnosticException>(() => JudgeFixture.Providers(match, warehouse));
            Assert.Equal(Codes.ProviderNotConfigured, error.Diagnostics[0].Code);
            Assert.Contains("GOOGLE_CLOUD_PROJECT", error.Diagnostics[0].Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("GOOGLE_CLOUD_PROJECT", previous);
        }
    }

    [Fact]
    public async Task A_failing_provider_names_the_match_and_step_and_shows_no_credential()
    {
        _server.Script(Enumerable.Repeat(FakeReply.Status(500), 10).ToArray());
        using var judging = FailedJudging.Of(JudgeFixture.Connection(Endpoint));
        var (warehouse, providers, error) = (judging.Warehouse, judging.Providers, judging.Error);

        var text = error.ToString() + string.Join("\n", error.Diagnostics);
        Assert.Equal(Codes.ProviderFailed, error.Diagnostics[0].Code);
        Assert.Contains("match 'test_match', step judge: the judge vertex/gemini-3.5-flash-lite failed", text, StringComparison.Ordinal);
        Assert.Contains("500", text, StringComparison.Ordinal);
        Assert.Equal(4, _server.ModelHits);
        foreach (var secret in new[] { FakeModelServer.AccessToken, _account.KeyBodyLine, ServiceAccountFile.PrivateKeyId })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        await Task.CompletedTask;
    }

    [Theory]
    [InlineData(403, """{"error":{"code":403,"message":"Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/test-project/locations/us-central1/publishers/google/models/gemini-2.5-flash' (or it may not exist).","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"IAM_PERMISSION_DENIED"}]}}""",
        "HTTP 403: Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/test-project/locations/us-central1/publishers/google/models/gemini-2.5-flash' (or it may not exist).")]
    [InlineData(400, """[{"error":{"code":400,"message":"Request contains an invalid argument.","status":"INVALID_ARGUMENT"}}]""", "HTTP 400: Request contains an invalid argument.")]
    [InlineData(401, "{\"error\":{\"code\":401,\"message\":\"Request had invalid authentication credentials: Bearer " + FakeModelServer.AccessToken + "\",\"status\":\"UNAUTHENTICATED\"}}", "HTTP 401: Request had invalid authentication credentials: Bearer ***")]
    [InlineData(401, "<html><body>401 Unauthorized: Bearer " + FakeModelServer.AccessToken + "</body></html>", "HTTP 401: <html><body>401 Unauthorized: Bearer ***</body></html>")]
    [InlineData(403, "", "HTTP 403: Forbidden")]
    public void A_vertex_error_says_the_status_and_googles_error_message_as_an_openai_error_does(int status, string body, string expected)
    {
        // A 401 is asked once more with a fresh token: twice, it is the answer.
        _server.Script(FakeReply.Body(status, body), FakeReply.Body(status, body));
        using var judging = FailedJudging.Of(JudgeFixture.Connection(Endpoint) with { MaxConcurrency = 1 });
        var (warehouse, providers, error) = (judging.Warehouse, judging.Providers, judging.Error);

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal(Codes.ProviderFailed, diagnostic.Code);
        Assert.Contains($"step judge: the judge vertex/gemini-3.5-flash-lite failed on contest 'race-1' (1 row): {expected}; answers received so far are cached", diagnostic.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeModelServer.AccessToken, error.ToString() + diagnostic, StringComparison.Ordinal);
        Assert.Equal(status == 401 ? 2 : 1, _server.ModelHits);
    }

    [Fact]
    public async Task A_vertex_401_is_sent_once_more_with_a_fresh_token_and_the_request_then_succeeds()
    {
        // The first token expired while the request waited (a long chain of 429 back-offs): Vertex AI refuses it.
        _server.RejectToken(FakeModelServer.AccessToken);
        using var warehouse = DuckDbWarehouse.InMemory();
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint)), warehouse);

        var answers = await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "Maria Lopez"), default);

        Assert.Equal(1, answers.Single().CandidateNumber);
        Assert.Equal(2, _server.TokenRequests.Count);
        var renewed = _server.IssuedTokens[1];
        Assert.Equal(["Bearer " + FakeModelServer.AccessToken, "Bearer " + renewed], _server.Requests.Select(r => r.Authorization));
        Assert.Equal("401", Assert.Single(providers.JudgeUsage!.RetryWaits).Cause);
        // Two token requests and two model requests.
        Assert.Equal(4, providers.JudgeUsage.Attempts);
        Assert.Equal("Bearer ***", Secrets.Redact("Bearer " + renewed));
    }

    [Fact]
    public async Task Concurrent_requests_refused_with_the_same_token_share_one_refresh()
    {
        _server.RejectToken(FakeModelServer.AccessToken);
        using var warehouse = DuckDbWarehouse.InMemory();
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint) with { MaxConcurrency = 4 }), warehouse);

        var answers = await Task.WhenAll(Enumerable.Range(1, 4).Select(i => providers.Judge!.JudgeAsync(JudgeFixture.Request($"race-{i}", "Maria Lopez"), default)));

        Assert.All(answers, a => Assert.Equal(1, a.Single().CandidateNumber));
        Assert.Equal(2, _server.TokenRequests.Count);
        Assert.Equal(4, _server.Requests.Count(r => r.Authorization == "Bearer " + _server.IssuedTokens[1]));
    }

    [Fact]
    public void A_vertex_401_again_with_the_fresh_token_is_em0403_after_one_refresh_and_shows_no_token()
    {
        _server.RejectEveryToken = true;
        using var judging = FailedJudging.Of(JudgeFixture.Connection(Endpoint) with { MaxConcurrency = 1 });
        var (warehouse, providers, error) = (judging.Warehouse, judging.Providers, judging.Error);

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal(Codes.ProviderFailed, diagnostic.Code);
        Assert.Contains("failed on contest 'race-1' (1 row): HTTP 401: Request had invalid authentication credentials. Expected OAuth 2 access token", diagnostic.Message, StringComparison.Ordinal);
        // One refresh and one more attempt, not a retry per max_retries: a 401 is not transient.
        Assert.Equal(2, _server.TokenRequests.Count);
        Assert.Equal(2, _server.ModelHits);
        var text = error.ToString() + string.Join("\n", error.Diagnostics);
        foreach (var secret in _server.IssuedTokens.Append(_account.KeyBodyLine))
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        Assert.Equal(0L, warehouse.Scalar<long>("select count(*) from electionmatch_cache.judge_answers"));
    }

    [Fact]
    public void A_vertex_embeddings_reply_that_is_not_json_is_worded_as_the_judges_without_a_dotnet_type_name()
    {
        _server.EmbeddingsBody = """{"predictions":[{"embeddings":{"values":[NaN,0.5],"statistics":{"token_count":3}}}]}""";
        using var warehouse = DuckDbWarehouse.InMemory();
        warehouse.Execute("create table texts as select 'race: springfield city council' as embedding_text");
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("offline", JudgeFixture.Connection(Endpoint), embeddingProvider: "vertex"), warehouse);

        var error = Assert.Throws<DiagnosticException>(() => new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default));

        var message = Assert.Single(error.Diagnostics).Message;
        Assert.Contains("text-embedding-005/64 failed: invalid reply: HTTP 200 from 127.0.0.1, but it is not JSON (it stops being JSON at line 1, byte ", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", message, StringComparison.Ordinal);
        Assert.Equal(0L, warehouse.Scalar<long>("select count(*) from electionmatch_cache.embeddings"));
    }

    [Theory]
    [InlineData("""{"predictions":[{"embeddings":{"values":[0.5,null],"statistics":{"token_count":3}}}]}""", "invalid reply: the reply's vector 0 holds null at position 1, not a number")]
    [InlineData("""{"predictions":[{"embeddings":{"values":["NaN",0.5],"statistics":{"token_count":3}}}]}""", "invalid reply: the reply's vector 0 holds \"NaN\" at position 0, not a number")]
    [InlineData("""{"predictions":[{"embeddings":{"values":{"a":1}}}]}""", "invalid reply: Vertex AI predict answered a prediction (0) without embeddings.values")]
    [InlineData("""{"predictions":{"embeddings":[]}}""", "invalid reply: Vertex AI predict answered without predictions")]
    public void A_vertex_embeddings_reply_with_values_that_are_not_numbers_is_an_invalid_reply_in_our_words(string body, string expected)
    {
        _server.EmbeddingsBody = body;
        using var warehouse = DuckDbWarehouse.InMemory();
        warehouse.Execute("create table texts as select 'race: springfield city council' as embedding_text");
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("offline", JudgeFixture.Connection(Endpoint), embeddingProvider: "vertex"), warehouse);

        var error = Assert.Throws<DiagnosticException>(() => new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 2, default));

        var message = Assert.Single(error.Diagnostics).Message;
        Assert.Contains("text-embedding-005/2 failed: " + expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", message, StringComparison.Ordinal);
        Assert.Equal(0L, warehouse.Scalar<long>("select count(*) from electionmatch_cache.embeddings"));
    }

    [Fact]
    public void A_vertex_token_count_sent_as_a_float_is_read()
    {
        _server.EmbeddingsBody = """{"predictions":[{"embeddings":{"values":[0.6,0.8],"statistics":{"token_count":3.0}}}]}""";
        using var warehouse = DuckDbWarehouse.InMemory();
        warehouse.Execute("create table texts as select 'race: springfield city council' as embedding_text");
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("offline", JudgeFixture.Connection(Endpoint), embeddingProvider: "vertex"), warehouse);

        var result = new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 2, default);

        Assert.Equal(1L, result.Generated);
        Assert.Equal(3L, providers.EmbeddingUsage!.InputTokens);
    }

    [Fact]
    public void Vertex_embeddings_priced_per_character_cost_the_billable_characters_of_the_predict_reply()
    {
        // Two texts in one request: predict counts tokens per prediction and billable characters for the whole request.
        _server.EmbeddingsBody = """
            {"predictions":[{"embeddings":{"values":[0.6,0.8],"statistics":{"token_count":7,"truncated":false}}},
                            {"embeddings":{"values":[0.8,0.6],"statistics":{"token_count":6,"truncated":false}}}],
             "metadata":{"billableCharacterCount":52}}
            """;
        using var warehouse = DuckDbWarehouse.InMemory();
        warehouse.Execute("create table texts as select * from (values ('race: springfield city council'), ('race: capital city treasurer')) as t(embedding_text)");
        var connection = JudgeFixture.Connection(Endpoint) with { PricePerMillionInputTokens = null, PricePerMillionInputCharacters = 0.025 };
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("offline", connection, embeddingProvider: "vertex"), warehouse);

        var result = new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 2, default);

        Assert.Equal(2L, result.Generated);
        var usage = providers.EmbeddingUsage!;
        Assert.Equal((13L, 52L), (usage.InputTokens, usage.InputCharacters));
        // 52 characters at 0.025 per million (Vertex AI's 0.000025 per 1,000); the 13 tokens are not billed.
        Assert.Equal(52 * 0.025 / 1_000_000, usage.EstimatedCost!.Value, 15);
        Assert.Equal(52L, Assert.Single(providers.Models).InputCharacters);
    }

    [Fact]
    public void A_vertex_endpoint_that_refuses_the_connection_is_worded_as_an_openai_one_without_a_dotnet_type_name()
    {
        // A port nothing listens on: bound, read and closed again. The token endpoint is the fake server's.
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        using var warehouse = DuckDbWarehouse.InMemory();
        warehouse.Execute("create table texts as select 'race: springfield city council' as embedding_text");
        var closed = JudgeFixture.Connection(Endpoint with { Url = $"http://127.0.0.1:{port}" }) with { MaxRetries = 0 };
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("offline", closed, embeddingProvider: "vertex"), warehouse);

        var error = Assert.Throws<DiagnosticException>(() => new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default));

        var message = Assert.Single(error.Diagnostics).Message;
        Assert.Contains($"text-embedding-005/64 failed: Connection refused (127.0.0.1:{port})", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vertex_reply_whose_connection_drops_in_the_middle_of_the_body_is_retried()
    {
        _server.Script(FakeReply.DropMidBody());
        using var warehouse = DuckDbWarehouse.InMemory();
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint)), warehouse);

        var answers = await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "Maria Lopez"), default);

        Assert.Equal(1, answers.Single().CandidateNumber);
        Assert.Equal(2, _server.ModelHits);
        Assert.Single(providers.JudgeUsage!.RetryWaits);
    }

    [Fact]
    public void A_token_endpoint_that_quotes_the_signed_assertion_back_shows_it_nowhere()
    {
        _server.TokenEndpointEchoesRefusal = true;
        using var judging = FailedJudging.Of(JudgeFixture.Connection(Endpoint) with { MaxRetries = 0 });
        var (warehouse, providers, error) = (judging.Warehouse, judging.Providers, judging.Error);

        // The assertion is a JWT signed with the service account's key: anyone holding it gets an access token.
        var assertion = System.Web.HttpUtility.ParseQueryString(_server.TokenRequests[0].Body)["assertion"]!;
        Assert.StartsWith("eyJ", assertion, StringComparison.Ordinal);
        var message = error.Diagnostics[0].ToString();
        Assert.Contains("getting a Google OAuth access token failed (HTTP 400): invalid_grant Invalid JWT Signature for request body: assertion=***", message, StringComparison.Ordinal);
        Assert.DoesNotContain(assertion.Split('.')[2], message, StringComparison.Ordinal);
        Assert.Equal(0, _server.ModelHits);
    }

    [Fact]
    public void A_token_endpoint_answering_503_is_asked_max_retries_plus_one_times_then_em0403_names_its_status()
    {
        _server.FailTokenRequests(10, 503);
        using var judging = FailedJudging.Of(JudgeFixture.Connection(Endpoint) with { MaxRetries = 2 });
        var (warehouse, providers, error) = (judging.Warehouse, judging.Providers, judging.Error);

        // Our policy, not Google.Apis.Auth's own back-off: 1 + max_retries attempts, each counted and each wait recorded.
        Assert.Equal(3, _server.TokenRequests.Count);
        Assert.Equal(0, _server.ModelHits);
        Assert.Equal(3, providers.JudgeUsage!.Attempts);
        Assert.Equal(["503", "503"], providers.JudgeUsage.RetryWaits.Select(w => w.Cause));
        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal(Codes.ProviderFailed, diagnostic.Code);
        Assert.Contains("the judge vertex/gemini-3.5-flash-lite failed on contest 'race-1' (1 row): getting a Google OAuth access token failed (HTTP 503)", diagnostic.Message, StringComparison.Ordinal);
        var text = error.ToString() + string.Join("\n", error.Diagnostics);
        var assertion = System.Web.HttpUtility.ParseQueryString(_server.TokenRequests[0].Body)["assertion"]!;
        foreach (var secret in new[] { assertion, assertion.Split('.')[2], _account.KeyBodyLine, ServiceAccountFile.PrivateKeyId })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_token_endpoint_503_is_retried_after_what_its_retry_after_asks_and_the_request_then_succeeds()
    {
        _server.FailTokenRequests(1, 503, new Dictionary<string, string> { ["retry-after-ms"] = "20" });
        using var warehouse = DuckDbWarehouse.InMemory();
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint) with { MaxRetries = 2 }), warehouse);

        var answers = await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "Maria Lopez"), default);

        Assert.Equal(1, answers.Single().CandidateNumber);
        Assert.Equal(2, _server.TokenRequests.Count);
        Assert.Equal("Bearer " + FakeModelServer.AccessToken, Assert.Single(_server.Requests).Authorization);
        var wait = Assert.Single(providers.JudgeUsage!.RetryWaits);
        Assert.Equal(("503", true, TimeSpan.FromMilliseconds(20)), (wait.Cause, wait.FromRetryAfter, wait.Delay));
        // Two token attempts and the model request.
        Assert.Equal(3, providers.JudgeUsage.Attempts);
    }

    [Fact]
    public void A_token_endpoint_that_never_answers_is_asked_max_retries_plus_one_times_each_for_timeout_seconds_then_em0403_in_plain_words()
    {
        _server.HangTokenRequests(10);
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var judging = FailedJudging.Of(JudgeFixture.Connection(Endpoint, timeoutSeconds: 0.5) with { MaxConcurrency = 1, MaxRetries = 2 });
        var (warehouse, providers, error) = (judging.Warehouse, judging.Providers, judging.Error);

        // Our policy alone: 1 + max_retries attempts of timeout_seconds each. Counted where they are sent: on a loaded
        // host an attempt's 0.5 s can pass before its request reaches the server, which then saw one fewer (a flake).
        Assert.Equal(3, providers.JudgeUsage!.Attempts);
        Assert.InRange(_server.TokenRequests.Count, 2, 3);
        Assert.Equal(0, _server.ModelHits);
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(30));
        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal(Codes.ProviderFailed, diagnostic.Code);
        Assert.Contains("failed on contest 'race-1' (1 row): getting a Google OAuth access token failed: no answer from 127.0.0.1 within 0.5 s; answers received so far are cached", diagnostic.Message, StringComparison.Ordinal);
        foreach (var word in new[] { "no answer no answer", "Exception", "expired", "refreshed" })
        {
            Assert.DoesNotContain(word, diagnostic.Message, StringComparison.Ordinal);
        }

        var assertion = System.Web.HttpUtility.ParseQueryString(_server.TokenRequests[0].Body)["assertion"]!;
        Assert.DoesNotContain(assertion.Split('.')[2], error.ToString() + diagnostic, StringComparison.Ordinal);
    }

    [Fact]
    public void Concurrent_requests_waiting_for_a_token_share_one_fetch_and_its_failure()
    {
        _server.HangTokenRequests(10);
        using var warehouse = DuckDbWarehouse.InMemory();
        warehouse.Execute("create schema em_run_test_match");
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint, timeoutSeconds: 0.5) with { MaxConcurrency = 3, MaxRetries = 1 }), warehouse);
        var evidence = Enumerable.Range(1, 3).Select(i => new ElectionMatch.Matching.Judging.JudgeEvidence($"race-{i}", "Council", i, "John Smith", new Dictionary<string, string?>(), 10 + i, 1, "John Smith", new Dictionary<string, string?>(), new Dictionary<string, string>())).ToArray();

        var error = Assert.Throws<DiagnosticException>(() => { new ElectionMatch.Matching.Judging.JudgeStage(warehouse, new ElectionMatch.Matching.RunSchema("em_run_test_match"), providers.Judge!, 25).Run(evidence, "judge_answers", default); });

        // One fetch of 1 + max_retries attempts for the three contests, not one each after the other.
        Assert.Equal(2, _server.TokenRequests.Count);
        Assert.Contains("getting a Google OAuth access token failed: no answer from 127.0.0.1 within 0.5 s", Assert.Single(error.Diagnostics).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_token_endpoints_http_client_has_no_time_limit_of_its_own()
    {
        // HttpClient's default 100 s would cut an attempt timeout_seconds allows (up to 3600).
        var client = new TokenEndpointClients(inner => inner).CreateHttpClient(new Google.Apis.Http.CreateHttpClientArgs());

        Assert.Equal(Timeout.InfiniteTimeSpan, client.Timeout);
    }

    [Fact]
    public void A_token_endpoint_that_refuses_the_connection_is_em0403_naming_the_host_and_port_once()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        using var closed = new ServiceAccountFile($"http://127.0.0.1:{port}/token");
        using var judging = FailedJudging.Of(JudgeFixture.Connection(Endpoint with { CredentialsFile = closed.Path }) with { MaxConcurrency = 1, MaxRetries = 1 });

        var message = Assert.Single(judging.Error.Diagnostics).Message;
        Assert.Contains($"failed on contest 'race-1' (1 row): getting a Google OAuth access token failed: Connection refused (127.0.0.1:{port}); answers received so far", message, StringComparison.Ordinal);
        Assert.DoesNotContain("no answer", message, StringComparison.Ordinal);
        Assert.Equal(2, judging.Providers.JudgeUsage!.Attempts);
        Assert.Equal(0, _server.ModelHits);
    }

    [Fact]
    public async Task A_token_about_to_expire_is_renewed_before_it_is_sent()
    {
        // A token good for 2 s is renewed once half its life has passed (5 minutes before expiry for Google's hour-long ones).
        _server.TokenLifetimeSeconds = 2;
        using var warehouse = DuckDbWarehouse.InMemory();
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint)), warehouse);

        await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "Maria Lopez"), default);
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        await providers.Judge.JudgeAsync(JudgeFixture.Request("r1", "Jane Roe"), default);

        Assert.Equal(2, _server.TokenRequests.Count);
        Assert.Equal(["Bearer " + FakeModelServer.AccessToken, "Bearer " + _server.IssuedTokens[1]], _server.Requests.Select(r => r.Authorization));
        // Neither was refused: the renewal came before the expiry, not after a 401.
        Assert.Empty(providers.JudgeUsage!.RetryWaits);
    }

    [Fact]
    public void A_credentials_file_that_is_not_json_is_em0401_naming_the_place_and_quoting_none_of_it()
    {
        // A damaged key file whose first token the JSON parser would quote: here, a line of a private key.
        var damaged = Path.Combine(Path.GetTempPath(), "em-sa-damaged-" + Guid.NewGuid().ToString("N")[..8] + ".json");
        File.WriteAllText(damaged, "not json " + _account.KeyBodyLine + "\n");
        try
        {
            using var warehouse = DuckDbWarehouse.InMemory();
            var match = JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint with { CredentialsFile = damaged }));

            var error = Assert.Throws<DiagnosticException>(() => JudgeFixture.Providers(match, warehouse));

            var message = error.Diagnostics[0].ToString();
            Assert.Equal(Codes.ProviderNotConfigured, error.Diagnostics[0].Code);
            Assert.Contains($"credentials_file): {damaged} is not JSON (line 1, byte 2)", message, StringComparison.Ordinal);
            Assert.DoesNotContain(_account.KeyBodyLine, message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(damaged);
        }
    }

    [Theory]
    [InlineData("folder", "is a folder (looked at ")]
    [InlineData("[1,2]", "is JSON but not an object; a service-account key is the JSON file the Google Cloud console downloads")]
    [InlineData("authorized_user", "is a credential of type \"authorized_user\", not a service-account key (\"type\": \"service_account\")")]
    [InlineData("client_email", "has no client_email (a credential of type \"service_account\" needs client_email, private_key); a service-account key is")]
    [InlineData("damaged_pem", ": its private_key is damaged (not a PEM-encoded RSA private key); download a new key")]
    public void A_credentials_file_that_is_not_a_usable_service_account_key_says_which_field_in_its_own_words(string problem, string expected)
    {
        var path = Path.Combine(Path.GetTempPath(), "em-sa-bad-" + Guid.NewGuid().ToString("N")[..8] + (problem == "folder" ? "" : ".json"));
        WriteCredential(path, problem);

        try
        {
            using var warehouse = DuckDbWarehouse.InMemory();
            var match = JudgeFixture.Match("vertex", JudgeFixture.Connection(Endpoint with { CredentialsFile = path }));

            var error = Assert.Throws<DiagnosticException>(() => JudgeFixture.Providers(match, warehouse));

            var diagnostic = Assert.Single(error.Diagnostics);
            Assert.Equal(Codes.ProviderNotConfigured, diagnostic.Code);
            Assert.Contains(expected, diagnostic.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(_account.KeyBodyLine[..20], diagnostic.ToString(), StringComparison.Ordinal);
            Assert.Equal(0, _server.ModelHits);
        }
        finally
        {
            if (problem == "folder")
            {
                Directory.Delete(path);
            }
            else
            {
                File.Delete(path);
            }
        }
    }
}
