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
            throw ProviderFailure.NotFound(request.RequestUri, body);
        }
    }
}
