using System.Net;
using System.Net.Http.Headers;
using ElectionMatch.Diagnostics;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// Puts a Google OAuth access token on every Vertex AI request (<see cref="GoogleTokens"/> renews it before it
/// expires). Each token is registered with <see cref="Secrets"/> before it is used, so no output can show it.
/// It runs before the model request's retries: the token endpoint has retries of its own under the same policy
/// (<see cref="TokenEndpointClients"/>), and a model attempt is counted only once it has a token to send.
/// A request Vertex AI answers 401 (UNAUTHENTICATED: the token expired during a long back-off, or was revoked) is sent
/// once more with a fresh token, as Google's client libraries do; a second 401 is the request's answer.
/// A credential with a quota project (a user's <c>gcloud auth application-default login</c> file holds one as
/// <c>quota_project_id</c>, and <c>GOOGLE_CLOUD_QUOTA_PROJECT</c> sets one) names it in <c>x-goog-user-project</c>, as
/// Google's libraries do, so the requests are billed and rate-limited against that project.
/// </summary>
internal sealed class GoogleAuthHandler : DelegatingHandler
{
    private const string UserProjectHeader = "x-goog-user-project";

    private readonly GoogleTokens _tokens;
    private readonly ModelUsage _usage;

    public GoogleAuthHandler(GoogleTokens tokens, ModelUsage usage, HttpMessageHandler inner)
        : base(inner)
    {
        _tokens = tokens;
        _usage = usage;
    }

    /// <summary>The project Vertex AI bills and counts quota against, when the credential names one.</summary>
    public string? QuotaProject { get; init; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await Fetch(() => _tokens.GetAsync(request.RequestUri?.ToString(), cancellationToken)).ConfigureAwait(false);
        Authorize(request, token);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        string? fresh;
        try
        {
            fresh = await Fetch(() => _tokens.RefreshAsync(token, cancellationToken)).ConfigureAwait(false);
        }
        catch
        {
            response.Dispose();
            throw;
        }

        if (fresh is null)
        {
            return response;
        }

        response.Dispose();
        _usage.Waited(new RetryWait("401", TimeSpan.Zero, FromRetryAfter: false));
        Authorize(request, fresh);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private void Authorize(HttpRequestMessage request, string token)
    {
        Secrets.Register(token);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        // Trimmed, as GOOGLE_CLOUD_PROJECT is: a \r kept from a file with Windows line ends is refused by the header itself.
        if (QuotaProject?.Trim() is { Length: > 0 } project)
        {
            request.Headers.Remove(UserProjectHeader);
            request.Headers.Add(UserProjectHeader, project);
        }
    }

    private static async Task<T> Fetch<T>(Func<Task<T>> fetch)
    {
        try
        {
            return await fetch().ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or IOException)
        {
            // Its retries are spent (a refused connection, no answer within timeout_seconds): said as a token failure, in
            // the words a model request's would be (`no answer from <host> within N s`, `Connection refused (<host>:<port>)`).
            throw new GoogleTokenFailure(ProviderFailure.Describe(e), e);
        }
    }
}
