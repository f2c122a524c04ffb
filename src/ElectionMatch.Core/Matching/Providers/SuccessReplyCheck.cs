using System.Text.Json;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// An OpenAI-compatible reply answered with success must be JSON, and a chat completion must carry <c>choices</c>;
/// some gateways answer an upstream failure with HTTP 200 and an <c>error</c> object instead, which the OpenAI SDK
/// reads as an index out of range, and a server may send a bare NaN in a vector, which the SDK's reader stops at with
/// its own words. Such a reply fails here with the gateway's words, worded alike for the judge and the embeddings
/// (<see cref="ProviderFailure.UnusableReply"/>). Not retried (the same request would get the same), unless the error
/// object says what a 429 or a 5xx says (<see cref="TransientErrorReply"/>): inside the retries, it is retried as they are.
/// </summary>
internal sealed class SuccessReplyCheck : ReplyCheck
{
    public SuccessReplyCheck(HttpMessageHandler inner)
        : base(inner, ("/chat/completions", "choices"), ("/embeddings", "data"))
    {
    }

    protected override (string? Problem, JsonElement Error) Judge(JsonElement root, string expected)
    {
        var chat = expected == "choices";
        // The error read with JsonElement.ToString, not as VertexReplyCheck.ErrorWords: the two differ for a null error, a
        // true or false, and a message that is not a string, and each is kept as its provider has answered it.
        var problem = root.ValueKind != JsonValueKind.Object ? "it is not a JSON object"
            : root.TryGetProperty(expected, out var items) && items.ValueKind == JsonValueKind.Array && (!chat || items.GetArrayLength() > 0) ? null
            : root.TryGetProperty("error", out var error) ? $"it has no {expected} but an error: {(error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.ToString() : error.ToString())}"
            : $"it has no {expected}";
        return (problem, problem is not null && root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var said) ? said : default);
    }

    protected override void Accepted(string body, string expected)
    {
        if (expected == "data")
        {
            CheckEmbeddings(body);
        }
    }

    /// <summary>
    /// What the OpenAI SDK would stop at with its own words (a FormatException, or a vector filed under index 0): a value
    /// that is not a number in a vector, a vector without its <c>index</c>, a token count that is not a whole number.
    /// </summary>
    private static void CheckEmbeddings(string body)
    {
        using var document = JsonDocument.Parse(body);
        var data = document.RootElement.GetProperty("data");
        var position = 0;
        foreach (var item in data.EnumerateArray())
        {
            // OpenAI's embedding object requires its index; without one the SDK reads 0 for every vector.
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("index", out var index) || !index.TryGetInt32(out var number))
            {
                throw new InvalidDataException($"the reply's vector {position} (in reply order) carries no index: an OpenAI-compatible server gives each vector the index of its input");
            }

            if (item.TryGetProperty("embedding", out var embedding) && embedding.ValueKind == JsonValueKind.Array)
            {
                var at = 0;
                foreach (var value in embedding.EnumerateArray())
                {
                    if (value.ValueKind != JsonValueKind.Number)
                    {
                        throw VectorValue.NotANumber(number, at, value.GetRawText());
                    }

                    at++;
                }
            }

            position++;
        }

        if (document.RootElement.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            foreach (var count in usage.EnumerateObject())
            {
                if (count.Value.ValueKind != JsonValueKind.Null && !count.Value.TryGetInt32(out _))
                {
                    throw new InvalidDataException($"the reply's usage.{count.Name} is {count.Value.GetRawText()}, not a whole number");
                }
            }
        }
    }
}
