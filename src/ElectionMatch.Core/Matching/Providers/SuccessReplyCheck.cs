using System.Text.Json;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// An OpenAI-compatible reply answered with success must be JSON, and a chat completion must carry <c>choices</c>;
/// some gateways answer an upstream failure with HTTP 200 and an <c>error</c> object instead, which the OpenAI SDK
/// reads as an index out of range, and a server may send a bare NaN in a vector, which the SDK's reader stops at with
/// its own words. Such a reply fails here with the gateway's words, worded alike for the judge and the embeddings
/// (<see cref="ProviderFailure.UnusableReply"/>). Not retried: the same request would get the same.
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
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var expected = chat ? "choices" : "data";
            problem = root.ValueKind != JsonValueKind.Object ? "it is not a JSON object"
                : root.TryGetProperty(expected, out var items) && items.ValueKind == JsonValueKind.Array && (!chat || items.GetArrayLength() > 0) ? null
                : root.TryGetProperty("error", out var error) ? $"it has no {expected} but an error: {(error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.ToString() : error.ToString())}"
                : $"it has no {expected}";
        }
        catch (JsonException e)
        {
            problem = ProviderFailure.NotJson(e);
        }

        if (problem is null)
        {
            return response;
        }

        response.Dispose();
        throw ProviderFailure.UnusableReply(request.RequestUri?.Host, problem);
    }
}
