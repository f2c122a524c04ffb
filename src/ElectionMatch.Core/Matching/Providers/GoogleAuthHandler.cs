using System.Net.Http.Headers;
using ElectionMatch.Diagnostics;
using Google.Apis.Auth.OAuth2;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// Puts a Google OAuth access token on every Vertex AI request (Google.Apis.Auth refreshes it before it
/// expires). Each token is registered with <see cref="Secrets"/> before it is used, so no output can show it.
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
        var token = await _credential.GetAccessTokenForRequestAsync(request.RequestUri?.ToString(), cancellationToken).ConfigureAwait(false);
        Secrets.Register(token);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
