using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ElectionMatch.Matching.Embeddings;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ElectionMatch.Tests.Models;

/// <summary>
/// A Kestrel server on 127.0.0.1 speaking the wire formats we call: OpenAI <c>/v1/chat/completions</c> and
/// <c>/v1/embeddings</c> (also as Azure OpenAI deployments, <c>/openai/deployments/{name}/…?api-version=</c> with an
/// <c>api-key</c> header), Vertex AI <c>…:generateContent</c> and <c>…:predict</c>, and an OAuth token endpoint for
/// service-account credentials. Chat replies are scripted per test (a queue of <see cref="FakeReply"/>); when the
/// script is empty the server answers like a careful judge: for each row, the candidate whose name equals the
/// row's name, else 0. Embeddings are the offline embedder's vectors, so retrieval behaves as offline.
/// </summary>
public sealed class FakeModelServer : IAsyncDisposable
{
    public const string AccessToken = "ya29.PLANTED-ACCESS-TOKEN-0123456789abcdef";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeReply> _script = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentQueue<FakeReply> _tokenFailures = new();
    private readonly ConcurrentQueue<string> _issuedTokens = new();
    private readonly ConcurrentDictionary<string, bool> _rejectedTokens = new(StringComparer.Ordinal);
    private int _embeddingsInFlight;
    private int _maxEmbeddingsInFlight;

    private FakeModelServer(WebApplication app)
    {
        _app = app;
    }

    public string BaseUrl { get; private set; } = "";

    public string OpenAiEndpoint => BaseUrl + "/v1";

    /// <summary>
    /// A match's <c>judge:</c> block (at a match's indentation in electionmatch.yml) for an OpenAI judge served here, its key
    /// in <paramref name="keyVariable"/>, without pacing and with retries a few milliseconds apart.
    /// </summary>
    public string OpenAiJudgeYaml(string keyVariable = "EM_PLANTED_KEY") => $"""
            judge:
              provider: openai
              model: gpt-4o-mini
              endpoint: {OpenAiEndpoint}
              api_key_env: {keyVariable}
              requests_per_minute: 0
              retry_base_delay_seconds: 0.001
              max_retry_delay_seconds: 0.05

        """;

    public string TokenUri => BaseUrl + "/token";

    /// <summary>Every model request (not token requests), in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => _requests.Where(r => r.Path != "/token").ToList();

    public int ModelHits => Requests.Count;

    /// <summary>Every request to the OAuth token endpoint, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> TokenRequests => _requests.Where(r => r.Path == "/token").ToList();

    /// <summary>
    /// Every access token the token endpoint gave, in order: the first is <see cref="AccessToken"/>, each later one
    /// another (a token renewed after it expired).
    /// </summary>
    public IReadOnlyList<string> IssuedTokens => _issuedTokens.ToArray();

    /// <summary>While set, Vertex AI requests carrying any access token are refused as <see cref="RejectToken"/> refuses one.</summary>
    public bool RejectEveryToken { get; set; }

    /// <summary>
    /// Vertex AI requests carrying this access token are answered 401 UNAUTHENTICATED with Google's error, as Vertex AI
    /// answers a token that has expired or was revoked.
    /// </summary>
    public void RejectToken(string token) => _rejectedTokens[token] = true;

    /// <summary>
    /// While set, OpenAI chat requests for this model carrying a temperature other than 1 are refused with HTTP 400 and
    /// OpenAI's words, as its reasoning models (o1, o3, o4-mini, gpt-5) refuse them.
    /// </summary>
    public string? DefaultTemperatureOnly { get; set; }

    /// <summary>While set, every model request (chat and embeddings) is answered with this status: an outage.</summary>
    public int? FailWith { get; set; }

    /// <summary>How long each embedding request takes to answer, so concurrent requests overlap.</summary>
    public TimeSpan EmbeddingLatency { get; set; }

    /// <summary>The most embedding requests that were being answered at the same moment.</summary>
    public int MaxEmbeddingsInFlight => Volatile.Read(ref _maxEmbeddingsInFlight);

    /// <summary>While set, the token endpoint refuses every request with a 400 whose description quotes the request body (the signed assertion).</summary>
    public bool TokenEndpointEchoesRefusal { get; set; }

    /// <summary>Answers chat requests (first replies and follow-ups alike) with the status this returns, before the script; null lets a request through.</summary>
    public Func<ChatCall, int?>? RefuseChat { get; set; }

    /// <summary>
    /// Chooses an OpenAI chat request's reply from what it asks (its contest), after waiting as long as it likes; a
    /// <see cref="FakeReplyKind.Status"/> or <see cref="FakeReplyKind.Body"/> reply is sent, null lets the request through.
    /// </summary>
    public Func<ChatCall, CancellationToken, Task<FakeReply?>>? ChooseChatReply { get; set; }

    /// <summary>Changes every embeddings reply (OpenAI and Vertex AI) before it is sent: reorder, drop, lengthen or spoil vectors.</summary>
    public Func<IReadOnlyList<FakeVector>, IReadOnlyList<FakeVector>>? ReshapeEmbeddings { get; set; }

    /// <summary>Answers an embeddings request (OpenAI and Vertex AI) with the status this returns for its texts; null lets it through.</summary>
    public Func<IReadOnlyList<string>, int?>? RefuseEmbeddings { get; set; }

    /// <summary>While set, every embeddings request (OpenAI and Vertex AI) is answered HTTP 200 with this body as it is (a bare NaN, a gateway's page).</summary>
    public string? EmbeddingsBody { get; set; }

    /// <summary>
    /// The most instances a Vertex AI predict request may hold, by model: a larger one is refused with HTTP 400 and
    /// Vertex AI's words for a model's batch size (the words for 1 differ from those for a range).
    /// </summary>
    public Dictionary<string, int> PredictBatchLimits { get; } = [];

    /// <summary>While set, a Vertex AI predict request whose texts count more tokens (a quarter of their characters, plus one each) is refused with HTTP 400 and Vertex AI's words.</summary>
    public int? PredictTokenLimit { get; set; }

    /// <summary>
    /// Of each chat reply's prompt tokens, how many the usage says were read from the prompt cache (OpenAI's
    /// <c>prompt_tokens_details.cached_tokens</c>, Vertex AI's <c>cachedContentTokenCount</c>); never more than the prompt's.
    /// 0 sends neither field.
    /// </summary>
    public int CachedPromptTokens { get; set; }

    /// <summary>How chat requests are answered when the script is empty; the careful judge unless a test says otherwise.</summary>
    public Func<ChatCall, string> Default { get; set; } = CarefulAnswer;

    public static async Task<FakeModelServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeModelServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.BaseUrl = app.Urls.First().TrimEnd('/');
        return server;
    }

    /// <summary>The next <paramref name="count"/> token requests are answered with <paramref name="status"/> (and these headers), as an outage of the token endpoint.</summary>
    public void FailTokenRequests(int count, int status, IReadOnlyDictionary<string, string>? headers = null)
    {
        for (var i = 0; i < count; i++)
        {
            _tokenFailures.Enqueue(FakeReply.Status(status, headers));
        }
    }

    /// <summary>The next <paramref name="count"/> token requests are never answered, until the client gives up: a token endpoint that hangs.</summary>
    public void HangTokenRequests(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _tokenFailures.Enqueue(FakeReply.Hang());
        }
    }

    /// <summary>The <c>expires_in</c> of the tokens the token endpoint gives, in seconds.</summary>
    public int TokenLifetimeSeconds { get; set; } = 3600;

    /// <summary>Queues replies for the next chat (or embedding) requests, in order.</summary>
    public void Script(params FakeReply[] replies)
    {
        foreach (var reply in replies)
        {
            _script.Enqueue(reply);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var path = context.Request.Path.Value ?? "";
        _requests.Enqueue(new RecordedRequest(path, context.Request.Headers.Authorization.ToString(), body, context.Request.QueryString.Value ?? "", context.Request.Headers["api-key"].ToString(), context.Request.Headers["x-goog-user-project"].ToString()));
        if (path == "/token")
        {
            if (_tokenFailures.TryDequeue(out var failure))
            {
                if (failure.Kind == FakeReplyKind.Hang)
                {
                    await Task.Delay(TimeSpan.FromSeconds(60), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                    return;
                }

                await Status(context, failure);
                return;
            }

            if (TokenEndpointEchoesRefusal)
            {
                context.Response.StatusCode = 400;
                await Json(context, new JsonObject { ["error"] = "invalid_grant", ["error_description"] = "Invalid JWT Signature for request body: " + body });
                return;
            }

            string issued;
            lock (_issuedTokens)
            {
                issued = _issuedTokens.IsEmpty ? AccessToken : $"ya29.PLANTED-RENEWED-TOKEN-{_issuedTokens.Count + 1}-0123456789abcdef";
                _issuedTokens.Enqueue(issued);
            }

            await Json(context, new JsonObject { ["access_token"] = issued, ["expires_in"] = TokenLifetimeSeconds, ["token_type"] = "Bearer" });
            return;
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        if ((path.EndsWith(":generateContent", StringComparison.Ordinal) || path.EndsWith(":predict", StringComparison.Ordinal) || path.EndsWith(":embedContent", StringComparison.Ordinal))
            && authorization.StartsWith("Bearer ", StringComparison.Ordinal) && (RejectEveryToken || _rejectedTokens.ContainsKey(authorization["Bearer ".Length..])))
        {
            context.Response.StatusCode = 401;
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"";
            await Json(context, new JsonObject { ["error"] = new JsonObject { ["code"] = 401, ["message"] = "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.", ["status"] = "UNAUTHENTICATED" } });
            return;
        }

        // Azure OpenAI deployments answer 404 without an api-version and 401 without the api-key header, as Azure does.
        if (path.StartsWith("/openai/deployments/", StringComparison.Ordinal))
        {
            var (refusal, message) = string.IsNullOrEmpty(context.Request.Query["api-version"].ToString()) ? (404, "Resource not found")
                : string.IsNullOrEmpty(context.Request.Headers["api-key"].ToString()) ? (401, "Access denied due to invalid subscription key or wrong API endpoint")
                : (0, "");
            if (refusal != 0)
            {
                context.Response.StatusCode = refusal;
                await Json(context, new JsonObject { ["error"] = new JsonObject { ["code"] = refusal.ToString(System.Globalization.CultureInfo.InvariantCulture), ["message"] = message } });
                return;
            }
        }

        var isEmbedding = path.EndsWith("/embeddings", StringComparison.Ordinal) || path.EndsWith(":predict", StringComparison.Ordinal) || path.EndsWith(":embedContent", StringComparison.Ordinal);
        if (isEmbedding)
        {
            var now = Interlocked.Increment(ref _embeddingsInFlight);
            try
            {
                int seen;
                while (now > (seen = Volatile.Read(ref _maxEmbeddingsInFlight)) && Interlocked.CompareExchange(ref _maxEmbeddingsInFlight, now, seen) != seen)
                {
                }

                await Task.Delay(EmbeddingLatency, context.RequestAborted);
            }
            finally
            {
                Interlocked.Decrement(ref _embeddingsInFlight);
            }
        }

        if (path.EndsWith("/chat/completions", StringComparison.Ordinal) && DefaultTemperatureOnly is { } reasoning
            && JsonNode.Parse(body) is JsonObject chat && chat["model"]?.GetValue<string>() == reasoning
            && chat["temperature"] is { } temperature && temperature.GetValue<double>() != 1)
        {
            context.Response.StatusCode = 400;
            await Json(context, new JsonObject { ["error"] = new JsonObject { ["message"] = $"Unsupported value: 'temperature' does not support {temperature.ToJsonString()} with this model. Only the default (1) value is supported.", ["type"] = "invalid_request_error", ["param"] = "temperature", ["code"] = "unsupported_value" } });
            return;
        }

        // Vertex AI refuses a text part that is empty before anything else, and so does this server.
        if (path.EndsWith(":generateContent", StringComparison.Ordinal)
            && JsonNode.Parse(body)!["contents"]!.AsArray().SelectMany(c => c!["parts"]!.AsArray()).Any(p => p!["text"]!.GetValue<string>().Length == 0))
        {
            context.Response.StatusCode = 400;
            await Json(context, new JsonObject { ["error"] = new JsonObject { ["code"] = 400, ["message"] = "Unable to submit request because it has an empty text parameter. Add a value to the parameter and try again.", ["status"] = "INVALID_ARGUMENT" } });
            return;
        }

        if (path.EndsWith(":predict", StringComparison.Ordinal) && PredictRefusal(path, EmbeddingTexts(JsonNode.Parse(body)!)) is { } tooLarge)
        {
            context.Response.StatusCode = 400;
            await Json(context, new JsonObject { ["error"] = new JsonObject { ["code"] = 400, ["message"] = tooLarge, ["status"] = "INVALID_ARGUMENT" } });
            return;
        }

        if (isEmbedding && RefuseEmbeddings?.Invoke(EmbeddingTexts(JsonNode.Parse(body)!)) is { } refused)
        {
            await Status(context, FakeReply.Status(refused));
            return;
        }

        if (isEmbedding && EmbeddingsBody is { } raw)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(raw, context.RequestAborted);
            return;
        }

        var reply = FailWith is { } status ? FakeReply.Status(status)
            : !isEmbedding && _script.TryDequeue(out var scripted) ? scripted
            : FakeReply.Careful;
        switch (reply.Kind)
        {
            case FakeReplyKind.Status:
                await Status(context, reply);
                return;
            case FakeReplyKind.Body:
                await Raw(context, reply);
                return;
            case FakeReplyKind.DropMidBody:
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = 5000;
                await context.Response.WriteAsync("{\"id\":\"chatcmpl-fake\",\"choices\":[{\"index\":0,", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                // Long enough for the client to have read the headers: a reset before then is a failed request, not a cut body.
                await Task.Delay(300, context.RequestAborted);
                context.Abort();
                return;
            case FakeReplyKind.Hang:
                // Until the client gives up; the test's timeout is far shorter than this.
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            case FakeReplyKind.Held:
                // Answered (as the reply's content, else the careful judge) once the test lets it go, unless the client gave up first.
                await reply.Release!.WaitAsync(context.RequestAborted);
                break;
        }

        var request = JsonNode.Parse(body)!;
        if (path.EndsWith("/embeddings", StringComparison.Ordinal))
        {
            await OpenAiEmbeddings(context, request, ReshapeEmbeddings);
        }
        else if (path.EndsWith(":predict", StringComparison.Ordinal))
        {
            await VertexPredict(context, request, ReshapeEmbeddings);
        }
        else if (path.EndsWith(":embedContent", StringComparison.Ordinal))
        {
            await VertexEmbedContent(context, request);
        }
        else if (path.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            var messages = request["messages"]!.AsArray().Select(m => new ChatTurn(m!["role"]!.GetValue<string>(), Text(m["content"]))).ToList();
            var call = new ChatCall(messages, Credential(context));
            if (ChooseChatReply is { } choose && await choose(call, context.RequestAborted) is { } chosen)
            {
                await (chosen.Kind == FakeReplyKind.Status ? Status(context, chosen) : Raw(context, chosen));
                return;
            }

            if (RefuseChat?.Invoke(call) is { } refusal)
            {
                await Status(context, FakeReply.Status(refusal));
                return;
            }

            var content = reply.Content?.Invoke(call) ?? Default(call);
            await Json(context, new JsonObject
            {
                ["id"] = "chatcmpl-fake",
                ["object"] = "chat.completion",
                ["created"] = 1_700_000_000,
                ["model"] = request["model"]?.GetValue<string>(),
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                    ["finish_reason"] = "stop",
                }),
                ["usage"] = CachedPromptTokens == 0
                    ? new JsonObject { ["prompt_tokens"] = body.Length / 4, ["completion_tokens"] = content.Length / 4, ["total_tokens"] = (body.Length + content.Length) / 4 }
                    : new JsonObject
                    {
                        ["prompt_tokens"] = body.Length / 4,
                        ["completion_tokens"] = content.Length / 4,
                        ["total_tokens"] = (body.Length + content.Length) / 4,
                        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = Math.Min(CachedPromptTokens, body.Length / 4) },
                    },
            });
        }
        else if (path.EndsWith(":generateContent", StringComparison.Ordinal))
        {
            var turns = new List<ChatTurn>();
            if (request["systemInstruction"] is { } system)
            {
                turns.Add(new ChatTurn("system", string.Concat(system["parts"]!.AsArray().Select(p => p!["text"]!.GetValue<string>()))));
            }

            // A turn of several parts (our follow-up to an empty reply) is read as one turn per part.
            turns.AddRange(request["contents"]!.AsArray().SelectMany(c => c!["parts"]!.AsArray().Select(p => new ChatTurn(
                c["role"]!.GetValue<string>() == "model" ? "assistant" : "user",
                p!["text"]!.GetValue<string>()))));
            var call = new ChatCall(turns, Credential(context));
            var content = reply.Content?.Invoke(call) ?? Default(call);
            await Json(context, new JsonObject
            {
                ["candidates"] = new JsonArray(new JsonObject
                {
                    ["content"] = new JsonObject { ["role"] = "model", ["parts"] = new JsonArray(new JsonObject { ["text"] = content }) },
                    ["finishReason"] = "STOP",
                }),
                ["usageMetadata"] = CachedPromptTokens == 0
                    ? new JsonObject { ["promptTokenCount"] = body.Length / 4, ["candidatesTokenCount"] = content.Length / 4, ["totalTokenCount"] = (body.Length + content.Length) / 4 }
                    : new JsonObject
                    {
                        ["promptTokenCount"] = body.Length / 4,
                        ["candidatesTokenCount"] = content.Length / 4,
                        ["totalTokenCount"] = (body.Length + content.Length) / 4,
                        ["cachedContentTokenCount"] = Math.Min(CachedPromptTokens, body.Length / 4),
                    },
                ["modelVersion"] = "gemini-fake-001",
            });
        }
        else
        {
            context.Response.StatusCode = (int)HttpStatusCode.NotFound;
        }
    }

    /// <summary>
    /// Tells whether a call is about the first contest the server was asked of (its <c>contest</c> field), from any of
    /// the concurrent requests: the one contest a test spoils.
    /// </summary>
    public static Func<ChatCall, bool> FirstContest()
    {
        string? first = null;
        var gate = new Lock();
        return call =>
        {
            var contest = call.Data["contest"]!.GetValue<string>();
            lock (gate)
            {
                first ??= contest;
                return contest == first;
            }
        };
    }

    /// <summary>For each row: the candidate with the same name (confidence 95), else 0 (confidence 80).</summary>
    public static string CarefulAnswer(ChatCall call)
    {
        var data = call.Data;
        var candidates = data["candidates"]!.AsArray();
        var answers = new JsonArray();
        foreach (var row in data["rows"]!.AsArray())
        {
            var name = row!["name"]!.GetValue<string>();
            var match = candidates.FirstOrDefault(c => string.Equals(c!["name"]!.GetValue<string>().Trim(), name.Trim(), StringComparison.OrdinalIgnoreCase));
            answers.Add(new JsonObject
            {
                ["row_id"] = row["row_id"]!.GetValue<string>(),
                ["selected_candidate_number"] = match is null ? 0 : match["number"]!.GetValue<int>(),
                ["selected_name"] = match is null ? "" : match["name"]!.GetValue<string>(),
                ["selection_confidence"] = match is null ? 80 : 95,
                ["reasoning"] = match is null ? "no candidate has this name" : "same name",
                ["close_alternatives"] = new JsonArray(),
            });
        }

        return new JsonObject { ["answers"] = answers }.ToJsonString();
    }

    // Vertex AI's refusal of a predict request too large for its model, in its words; null when it is not.
    private string? PredictRefusal(string path, IReadOnlyList<string> texts)
    {
        var model = path[(path.LastIndexOf('/') + 1)..^":predict".Length];
        const string TooMany = "Unable to submit request because it included too many instances. Reduce the number of instances and try again. Learn more: https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/text-embeddings: ";
        if (PredictBatchLimits.TryGetValue(model, out var most) && texts.Count > most)
        {
            return TooMany + (most == 1
                ? $"Unable to submit request because batchSize must be 1 but the entered value was {texts.Count}. Update the batchSize value and try again."
                : $"Unable to submit request because it has a batchSize value of {texts.Count} but the supported range is from 1 (inclusive) to {most + 1} (exclusive). Update the value and try again.");
        }

        var tokens = texts.Sum(t => t.Length / 4 + 1);
        return PredictTokenLimit is { } limit && tokens > limit
            ? $"Unable to submit request because the input token count is {tokens} but the model supports up to {limit}. Reduce the input token count and try again. You can also use the CountTokens API to calculate prompt token count and billable characters."
            : null;
    }

    // The texts of an OpenAI embeddings request (one, or a list), of a Vertex AI predict request or of an embedContent request.
    private static List<string> EmbeddingTexts(JsonNode request) =>
        request["content"]?["parts"] is JsonArray parts ? parts.Select(p => p!["text"]!.GetValue<string>()).ToList()
        : request["instances"] is JsonArray instances ? instances.Select(i => i!["content"]!.GetValue<string>()).ToList()
        : request["input"] is JsonArray array ? array.Select(i => i!.GetValue<string>()).ToList()
        : [request["input"]!.GetValue<string>()];

    private static async Task OpenAiEmbeddings(HttpContext context, JsonNode request, Func<IReadOnlyList<FakeVector>, IReadOnlyList<FakeVector>>? reshape)
    {
        var inputs = request["input"] is JsonArray array ? array.Select(i => i!.GetValue<string>()).ToList() : [request["input"]!.GetValue<string>()];
        var dimensions = request["dimensions"]?.GetValue<int>() ?? 64;
        var base64 = request["encoding_format"]?.GetValue<string>() == "base64";
        var data = new JsonArray();
        IReadOnlyList<FakeVector> vectors = inputs.Select((text, i) => new FakeVector(i, Embed(text, dimensions))).ToList();
        foreach (var (index, vector) in reshape?.Invoke(vectors) ?? vectors)
        {
            // Base64 carries any float, NaN included, as OpenAI's default encoding does.
            JsonNode embedding = base64
                ? Convert.ToBase64String(vector.SelectMany(BitConverter.GetBytes).ToArray())
                : new JsonArray(vector.Select(v => (JsonNode)v).ToArray());
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = index, ["embedding"] = embedding });
        }

        var tokens = inputs.Sum(t => t.Length / 4 + 1);
        await Json(context, new JsonObject { ["object"] = "list", ["data"] = data, ["model"] = request["model"]?.GetValue<string>(), ["usage"] = new JsonObject { ["prompt_tokens"] = tokens, ["total_tokens"] = tokens } });
    }

    private static async Task VertexPredict(HttpContext context, JsonNode request, Func<IReadOnlyList<FakeVector>, IReadOnlyList<FakeVector>>? reshape)
    {
        var dimensions = request["parameters"]?["outputDimensionality"]?.GetValue<int>() ?? 768;
        var texts = request["instances"]!.AsArray().Select(i => i!["content"]!.GetValue<string>()).ToList();
        IReadOnlyList<FakeVector> vectors = texts.Select((text, i) => new FakeVector(i, Embed(text, dimensions))).ToList();
        // Vertex AI's predictions are positional: a reshaped list is sent in its new order, without indexes.
        var predictions = new JsonArray((reshape?.Invoke(vectors) ?? vectors).Select(v => (JsonNode)new JsonObject
        {
            ["embeddings"] = new JsonObject
            {
                ["values"] = new JsonArray(v.Values.Select(x => (JsonNode)x).ToArray()),
                ["statistics"] = new JsonObject { ["token_count"] = texts[v.Index].Length / 4 + 1, ["truncated"] = false },
            },
        }).ToArray());
        // A count that depends on the texts, as Vertex AI's does (its price list counts characters without white space).
        var characters = texts.Sum(t => t.Count(c => !char.IsWhiteSpace(c)));
        await Json(context, new JsonObject { ["predictions"] = predictions, ["metadata"] = new JsonObject { ["billableCharacterCount"] = characters } });
    }

    // One content's vector; its parts are one text, as Vertex AI's embedContent reads them.
    private static async Task VertexEmbedContent(HttpContext context, JsonNode request)
    {
        var dimensions = request["outputDimensionality"]?.GetValue<int>() ?? 3072;
        var text = string.Concat(EmbeddingTexts(request));
        var tokens = text.Length / 4 + 1;
        await Json(context, new JsonObject
        {
            ["embedding"] = new JsonObject { ["values"] = new JsonArray(Embed(text, dimensions).Select(x => (JsonNode)x).ToArray()) },
            ["usageMetadata"] = new JsonObject { ["promptTokenCount"] = tokens, ["totalTokenCount"] = tokens },
            ["truncated"] = false,
        });
    }

    private static float[] Embed(string text, int dimensions)
    {
        var vector = new float[dimensions];
        new HashedNgramEmbedder(dimensions).Embed(text, vector);
        return vector;
    }

    private static async Task Status(HttpContext context, FakeReply reply)
    {
        context.Response.StatusCode = reply.StatusCode;
        foreach (var (name, value) in reply.Headers)
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync("{\"error\":{\"message\":\"scripted failure\"}}", context.RequestAborted);
    }

    private static async Task Raw(HttpContext context, FakeReply reply)
    {
        context.Response.StatusCode = reply.StatusCode;
        foreach (var (name, value) in reply.Headers)
        {
            context.Response.Headers[name] = value;
        }

        context.Response.ContentType = reply.RawBody!.TrimStart().StartsWith('<') ? "text/html" : "application/json";
        await context.Response.WriteAsync(reply.RawBody, context.RequestAborted);
    }

    private static string Credential(HttpContext context) =>
        context.Request.Headers.Authorization.ToString() is { Length: > 0 } authorization ? authorization : context.Request.Headers["api-key"].ToString();

    private static string Text(JsonNode? content) => content switch
    {
        JsonValue value => value.GetValue<string>(),
        JsonArray parts => string.Concat(parts.Select(p => p?["text"]?.GetValue<string>())),
        _ => "",
    };

    private static Task Json(HttpContext context, JsonNode body)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
