using System.Net;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// An OpenAI-compatible server's 404, after the retries (a 404 is not retried): the URL that was asked is named, since
/// a wrong <c>endpoint</c> is the usual cause and a bare "404 page not found" does not say where the request went.
/// </summary>
internal sealed class NotFoundCheck : DelegatingHandler
{
    public NotFoundCheck(HttpMessageHandler inner)
        : base(inner)
    {
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw ProviderFailure.NotFound(request.RequestUri, body, IsModelNotFound(body) ? ShutDownAdvice : "");
        }
    }

    /// <summary>
    /// What OpenAI's <c>model_not_found</c> may also mean: it answers so for a model it has shut down, as it announced for
    /// gpt-4o-mini, the judge's default (docs/configuration.md).
    /// </summary>
    internal const string ShutDownAdvice =
        "; OpenAI answers so for a model it has shut down too (gpt-4o-mini, the judge's default, from 2027-01-14): name one it serves in 'model' (for the judge, OpenAI names gpt-6-luna to replace gpt-4o-mini; with it set 'temperature: default', as a reasoning model takes no other)";

    /// <summary>Whether the body is OpenAI's error for a model it does not serve: <c>{"error": {"code": "model_not_found", …}}</c>.</summary>
    private static bool IsModelNotFound(string body)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body);
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == System.Text.Json.JsonValueKind.Object
                && error.TryGetProperty("code", out var code) && code.ValueKind == System.Text.Json.JsonValueKind.String && code.GetString() == "model_not_found";
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }
}
