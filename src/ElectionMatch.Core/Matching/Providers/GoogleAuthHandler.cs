using System.Net.Http.Headers;
using ElectionMatch.Diagnostics;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// Puts a Google OAuth access token on every Vertex AI request (Google.Apis.Auth refreshes it before it
/// expires). Each token is registered with <see cref="Secrets"/> before it is used, so no output can show it.
/// It runs before the model request's retries: the token endpoint has retries of its own under the same policy
/// (<see cref="TokenEndpointClients"/>), and a model attempt is counted only once it has a token to send.
/// </summary>
internal sealed class GoogleAuthHandler : DelegatingHandler
{
    private readonly ITokenAccess _credential;

    public GoogleAuthHandler(ITokenAccess credential, HttpMessageHandler inner)
        : base(inner)
    {
        _credential = credential;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string token;
        try
        {
            token = await _credential.GetAccessTokenForRequestAsync(request.RequestUri?.ToString(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or IOException)
        {
            // Its retries are spent (a refused connection, a timeout): said as a token failure, as a refusal is.
            throw new TokenResponseException(new TokenErrorResponse { Error = "no answer", ErrorDescription = ProviderFailure.Describe(e) }, null);
        }

        Secrets.Register(token);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
