using Google.Apis.Http;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// The HTTP clients Google.Apis.Auth fetches OAuth access tokens with, under the connection's retry policy: Google's own
/// back-off (three retries of 408, 429, 500 and 503 with its own delays) is left out of them, and the requests go
/// through <see cref="ResilientHandler"/>, so <c>max_retries</c>, the back-off settings and Retry-After govern the token
/// endpoint as they govern the model, and its attempts and waits count in the run's provider summary. The client's own
/// time limit (HttpClient's 100 s) is lifted: <c>timeout_seconds</c> limits each attempt, as for the model.
/// </summary>
internal sealed class TokenEndpointClients : IHttpClientFactory
{
    private readonly ResilientClients _clients;

    /// <param name="resilient">Wraps the socket handler in the connection's retry policy.</param>
    public TokenEndpointClients(Func<HttpMessageHandler, HttpMessageHandler> resilient)
    {
        _clients = new ResilientClients(resilient);
    }

    public ConfigurableHttpClient CreateHttpClient(CreateHttpClientArgs args)
    {
        foreach (var backOff in args.Initializers.OfType<ExponentialBackOffInitializer>().ToList())
        {
            args.Initializers.Remove(backOff);
        }

        var client = _clients.CreateHttpClient(args);
        client.Timeout = Timeout.InfiniteTimeSpan;
        return client;
    }

    /// <summary>Google's client (headers, universe domain checks) over our handler.</summary>
    private sealed class ResilientClients : HttpClientFactory
    {
        private readonly Func<HttpMessageHandler, HttpMessageHandler> _resilient;

        public ResilientClients(Func<HttpMessageHandler, HttpMessageHandler> resilient)
        {
            _resilient = resilient;
        }

        // Redirects stay off, as in Google's own handler: a token request is never redirected.
        protected override HttpMessageHandler CreateHandler(CreateHttpClientArgs args) =>
            _resilient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
    }
}
