using System.Text.Json;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// An OpenAI-compatible chat completion answered with success must carry <c>choices</c>; some gateways answer an
/// upstream failure with HTTP 200 and an <c>error</c> object instead, which the OpenAI SDK reads as an index out of
/// range. Such a reply fails here with the gateway's own words. Not retried: the same request would get the same.
/// </summary>
internal sealed class ChatCompletionCheck : DelegatingHandler
{
    public ChatCompletionCheck(HttpMessageHandler inner)
        : base(inner)
    {
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || request.RequestUri?.AbsolutePath.EndsWith("/chat/completions", StringComparison.Ordinal) != true)
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
            problem = root.ValueKind != JsonValueKind.Object ? "it is not a JSON object"
                : root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0 ? null
                : root.TryGetProperty("error", out var error) ? $"it has no choices but an error: {(error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.ToString() : error.ToString())}"
                : "it has no choices";
        }
        catch (JsonException e)
        {
            problem = $"it is not JSON ({e.Message})";
        }

        if (problem is null)
        {
            return response;
        }

        response.Dispose();
        throw new InvalidDataException($"HTTP 200 from {request.RequestUri?.Host}, but {(problem.Length <= 300 ? problem : problem[..300] + "…")}");
    }
}
