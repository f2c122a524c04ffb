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
internal sealed class SuccessReplyCheck : DelegatingHandler
{
    public SuccessReplyCheck(HttpMessageHandler inner)
        : base(inner)
    {
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var path = request.RequestUri?.AbsolutePath ?? "";
        var chat = path.EndsWith("/chat/completions", StringComparison.Ordinal);
        if (!response.IsSuccessStatusCode || !(chat || path.EndsWith("/embeddings", StringComparison.Ordinal)))
        {
            return response;
        }

        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string? problem;
        string? transient = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var expected = chat ? "choices" : "data";
            problem = root.ValueKind != JsonValueKind.Object ? "it is not a JSON object"
                : root.TryGetProperty(expected, out var items) && items.ValueKind == JsonValueKind.Array && (!chat || items.GetArrayLength() > 0) ? null
                : root.TryGetProperty("error", out var error) ? $"it has no {expected} but an error: {(error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.ToString() : error.ToString())}"
                : $"it has no {expected}";
            transient = problem is not null && root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var said) ? TransientErrorReply.Transient(said) : null;
        }
        catch (JsonException e)
        {
            problem = ProviderFailure.NotJson(e);
        }

        if (problem is null)
        {
            if (!chat)
            {
                CheckEmbeddings(body);
            }

            return response;
        }

        response.Dispose();
        throw transient is null
            ? ProviderFailure.UnusableReply(request.RequestUri?.Host, problem)
            : ProviderFailure.TransientReply(request.RequestUri?.Host, problem, transient);
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
