namespace ElectionMatch.Matching.Providers;

/// <summary>
/// Turns the OpenAI client's requests into Azure OpenAI deployment requests: the key moves from
/// <c>Authorization: Bearer</c> to the <c>api-key</c> header Azure reads, and <c>api-version</c> joins the query.
/// Idempotent, so a retried request passes through it unchanged.
/// </summary>
internal sealed class AzureKeyHandler : DelegatingHandler
{
    private readonly string _apiVersion;

    public AzureKeyHandler(string apiVersion, HttpMessageHandler inner)
        : base(inner)
    {
        _apiVersion = apiVersion;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is { Scheme: "Bearer", Parameter: { } key })
        {
            request.Headers.Authorization = null;
            request.Headers.Remove("api-key");
            request.Headers.TryAddWithoutValidation("api-key", key);
        }

        if (request.RequestUri is { } uri && !uri.Query.Contains("api-version=", StringComparison.Ordinal))
        {
            var builder = new UriBuilder(uri);
            var version = "api-version=" + Uri.EscapeDataString(_apiVersion);
            builder.Query = builder.Query.Length > 1 ? builder.Query[1..] + "&" + version : version;
            request.RequestUri = builder.Uri;
        }

        return base.SendAsync(request, cancellationToken);
    }
}
