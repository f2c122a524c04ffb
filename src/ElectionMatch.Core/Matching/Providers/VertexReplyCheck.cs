using System.Text.Json;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// A Vertex AI reply answered with success must be a JSON object, with a list of <c>candidates</c> (generateContent),
/// <c>predictions</c> (predict) or an <c>embedding</c> (embedContent) unless it has none at all; a gateway may answer
/// an upstream failure with HTTP 200 and Google's error object, as OpenAI's do (<see cref="SuccessReplyCheck"/>): read
/// as a reply, it would be an empty answer, judged undecided and cached. Such a reply fails here, inside the retries: an error object that says what a
/// 429 or a 5xx says (<see cref="TransientErrorReply"/>) is retried as they are, any other is EM0403 at once.
/// </summary>
internal sealed class VertexReplyCheck : ReplyCheck
{
    public VertexReplyCheck(HttpMessageHandler inner)
        : base(inner, (":predict", "predictions"), (":embedContent", "embedding"), (":generateContent", "candidates"))
    {
    }

    protected override (string? Problem, JsonElement Error) Judge(JsonElement root, string expected)
    {
        var items = root.ValueKind == JsonValueKind.Object && root.TryGetProperty(expected, out var found) && found.ValueKind != JsonValueKind.Null ? found : default;
        var error = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var e) && e.ValueKind != JsonValueKind.Null ? e : default;
        // Candidates that are not a list (an object, a string) are no reply either: read as none, the judge would ask
        // again and then leave the rows undecided. (predict's are checked where they are read, VertexEmbeddingGenerator.)
        var problem = root.ValueKind != JsonValueKind.Object ? "it is not a JSON object"
            : error.ValueKind != JsonValueKind.Undefined && items.ValueKind == JsonValueKind.Undefined ? $"it has no {expected} but an error: {ErrorWords(error)}"
            : expected == "candidates" && items.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Array) ? $"its {expected} are {Kind(items)}, not a list"
            : null;
        // Only an error in place of the reply says whether it is transient; candidates that are not a list are not.
        return (problem, items.ValueKind == JsonValueKind.Undefined ? error : default);
    }

    private static string Kind(JsonElement items) =>
        items.ValueKind switch
        {
            JsonValueKind.Object => "a JSON object",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            _ => items.GetRawText(),
        };

    private static string ErrorWords(JsonElement error) =>
        error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()!
        : error.ValueKind == JsonValueKind.String ? error.GetString()!
        : error.GetRawText();
}
