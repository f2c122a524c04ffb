using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// Gemini on Vertex AI behind <see cref="IChatClient"/>: <c>generateContent</c> with the system message as
/// <c>systemInstruction</c>, temperature 0, and for a JSON response format <c>responseMimeType: application/json</c>
/// with the schema as <c>responseSchema</c> (Vertex's OpenAPI subset: upper-case types, no additionalProperties).
/// </summary>
internal sealed class VertexChatClient : IChatClient
{
    private readonly VertexEndpoint _endpoint;
    private readonly string _model;

    public VertexChatClient(VertexEndpoint endpoint, string model)
    {
        _endpoint = endpoint;
        _model = model;
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        var contents = new JsonArray();
        foreach (var message in list.Where(m => m.Role != ChatRole.System))
        {
            contents.Add(new JsonObject
            {
                ["role"] = message.Role == ChatRole.Assistant ? "model" : "user",
                ["parts"] = new JsonArray(new JsonObject { ["text"] = message.Text }),
            });
        }

        var generation = new JsonObject { ["temperature"] = options?.Temperature ?? 0 };
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
        var candidate = reply["candidates"]?[0];
        var text = string.Concat((candidate?["content"]?["parts"]?.AsArray() ?? []).Select(p => p?["text"]?.GetValue<string>()));
        var usage = reply["usageMetadata"];
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            ModelId = reply["modelVersion"]?.GetValue<string>() ?? _model,
            FinishReason = candidate?["finishReason"]?.GetValue<string>() is "STOP" ? ChatFinishReason.Stop : null,
            Usage = new UsageDetails
            {
                InputTokenCount = usage?["promptTokenCount"]?.GetValue<long>(),
                OutputTokenCount = usage?["candidatesTokenCount"]?.GetValue<long>(),
                TotalTokenCount = usage?["totalTokenCount"]?.GetValue<long>(),
            },
        };
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
