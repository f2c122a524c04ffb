using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// Gemini on Vertex AI behind <see cref="IChatClient"/>: <c>generateContent</c> with the system message as
/// <c>systemInstruction</c>, the options' temperature (none when they set none: Gemini's own), and for a JSON response format <c>responseMimeType: application/json</c>
/// with the schema as <c>responseSchema</c> (Vertex's OpenAPI subset: upper-case types, no additionalProperties).
/// </summary>
internal sealed class VertexChatClient : IChatClient
{
    /// <summary>The <see cref="ChatResponse.AdditionalProperties"/> key that says why a reply holds no text.</summary>
    public const string NoTextReason = "electionmatch_no_text_reason";

    private readonly VertexEndpoint _endpoint;
    private readonly string _model;

    public VertexChatClient(VertexEndpoint endpoint, string model)
    {
        _endpoint = endpoint;
        _model = model;
    }

    /// <summary>Gemini 2.5's <c>thinkingConfig.thinkingBudget</c>; null sends none (the model's default: Gemini 2.5 Flash thinks as much as it likes).</summary>
    public int? ThinkingBudget { get; init; }

    /// <summary>Gemini 3's <c>thinkingConfig.thinkingLevel</c> (MINIMAL, LOW, MEDIUM, HIGH); null sends none (the model's default).</summary>
    public string? ThinkingLevel { get; init; }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        var contents = new JsonArray();
        // Vertex AI refuses an empty text part (HTTP 400), and an empty reply is answered with a follow-up: such a turn
        // is left out, and the turns of one role that then meet are sent as one, so the roles still alternate.
        foreach (var message in list.Where(m => m.Role != ChatRole.System && m.Text.Length > 0))
        {
            var role = message.Role == ChatRole.Assistant ? "model" : "user";
            var part = new JsonObject { ["text"] = message.Text };
            if (contents.Count > 0 && contents[^1]!["role"]!.GetValue<string>() == role)
            {
                contents[^1]!["parts"]!.AsArray().Add(part);
                continue;
            }

            contents.Add(new JsonObject { ["role"] = role, ["parts"] = new JsonArray(part) });
        }

        var generation = new JsonObject();
        if (options?.Temperature is { } temperature)
        {
            generation["temperature"] = temperature;
        }

        if (options?.MaxOutputTokens is { } most)
        {
            generation["maxOutputTokens"] = most;
        }

        if (ThinkingBudget is { } budget)
        {
            generation["thinkingConfig"] = new JsonObject { ["thinkingBudget"] = budget };
        }
        else if (ThinkingLevel is { } level)
        {
            generation["thinkingConfig"] = new JsonObject { ["thinkingLevel"] = level };
        }

        if (options?.ResponseFormat is ChatResponseFormatJson json)
        {
            generation["responseMimeType"] = "application/json";
            if (json.Schema is { } schema)
            {
                generation["responseSchema"] = ToVertexSchema(JsonNode.Parse(schema.GetRawText())!);
            }
        }

        var body = new JsonObject { ["contents"] = contents, ["generationConfig"] = generation };
        var system = string.Join("\n\n", list.Where(m => m.Role == ChatRole.System).Select(m => m.Text));
        if (system.Length > 0)
        {
            body["systemInstruction"] = new JsonObject { ["parts"] = new JsonArray(new JsonObject { ["text"] = system }) };
        }

        var reply = await _endpoint.PostAsync(options?.ModelId ?? _model, "generateContent", body, cancellationToken).ConfigureAwait(false);
        // No candidate at all (a blocked prompt, or "candidates": []) or one without text is an empty answer, not a failure:
        // the judge answers it with a follow-up like any unusable reply, and the reason goes with it.
        // Read by shape (VertexEndpoint has checked it is an object): a field of another type than Vertex AI's is
        // absent, never a .NET exception about JSON nodes.
        var candidate = reply["candidates"] is JsonArray { Count: > 0 } candidates ? candidates[0] as JsonObject : null;
        var parts = (candidate?["content"] as JsonObject)?["parts"] as JsonArray ?? [];
        var text = string.Concat(parts.Select(p => (p as JsonObject)?["text"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : null));
        var usage = reply["usageMetadata"] as JsonObject;
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            ModelId = Text(reply["modelVersion"]) ?? _model,
            FinishReason = Finish(Text(candidate?["finishReason"])),
            Usage = new UsageDetails
            {
                InputTokenCount = Count(usage?["promptTokenCount"]),
                // Implicit caching: the part of promptTokenCount read from Gemini's cache, billed at a discount.
                CachedInputTokenCount = Count(usage?["cachedContentTokenCount"]),
                // Gemini 2.5's thinking is billed at the output price and counted apart from the candidates' tokens.
                OutputTokenCount = Sum(Count(usage?["candidatesTokenCount"]), Count(usage?["thoughtsTokenCount"])),
                ReasoningTokenCount = Count(usage?["thoughtsTokenCount"]),
                TotalTokenCount = Count(usage?["totalTokenCount"]),
            },
        };
        if (text.Length == 0)
        {
            response.AdditionalProperties = new() { [NoTextReason] = WhyNoText(reply, candidate) };
        }

        return response;
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the judge reads whole replies; streaming is not used");

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("vertex", _endpoint.BaseUri, _model)
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }

    /// <summary>Why a reply holds no text, in Vertex AI's own terms (<c>promptFeedback.blockReason</c>, the candidate's <c>finishReason</c>).</summary>
    private static string WhyNoText(JsonNode reply, JsonNode? candidate)
    {
        var feedback = reply["promptFeedback"] as JsonObject;
        if (Text(feedback?["blockReason"]) is { } blocked)
        {
            return $"Vertex AI blocked the prompt: blockReason {blocked}{Said(feedback?["blockReasonMessage"])}";
        }

        return candidate is null
            ? "Vertex AI answered without candidates"
            : $"Vertex AI's candidate holds no text: finishReason {Text(candidate["finishReason"]) ?? "(none)"}{Said(candidate["finishMessage"])}";

        static string Said(JsonNode? message) => Text(message) is { Length: > 0 } words ? $" ({words})" : "";
    }

    /// <summary>
    /// A candidate's <c>finishReason</c> as Microsoft.Extensions.AI names it: <c>MAX_TOKENS</c> is the output limit
    /// (<see cref="ChatFinishReason.Length"/>, as OpenAI's <c>length</c>), and a reply stopped by a safety, recitation or
    /// blocklist check is filtered (<see cref="ChatFinishReason.ContentFilter"/>, as OpenAI's <c>content_filter</c>).
    /// </summary>
    private static ChatFinishReason? Finish(string? reason) => reason switch
    {
        "STOP" => ChatFinishReason.Stop,
        "MAX_TOKENS" => ChatFinishReason.Length,
        "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII" or "IMAGE_SAFETY" => ChatFinishReason.ContentFilter,
        _ => null,
    };

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static long? Sum(long? a, long? b) => a is null && b is null ? null : (a ?? 0) + (b ?? 0);

    // A count sent as a float (1000.0) is the same count; a negative or fractional one is none.
    private static long? Count(JsonNode? node) => VectorValue.Count(node);

    /// <summary>JSON Schema → Vertex's Schema object: types upper-cased, additionalProperties dropped.</summary>
    internal static JsonNode ToVertexSchema(JsonNode node)
    {
        if (node is JsonObject o)
        {
            var result = new JsonObject();
            foreach (var (key, value) in o)
            {
                if (key is "additionalProperties" or "$schema")
                {
                    continue;
                }

                result[key] = key == "type" && value is JsonValue v && v.TryGetValue<string>(out var type)
                    ? type.ToUpperInvariant()
                    : value is null ? null : ToVertexSchema(value);
            }

            return result;
        }

        return node is JsonArray a ? new JsonArray(a.Select(x => x is null ? null : ToVertexSchema(x)).ToArray()) : node.DeepClone();
    }
}
