using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Apis.Util;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// The OAuth access tokens Vertex AI requests carry, from a Google credential: the current one while it is good, a new
/// one from the token endpoint when it is missing or about to expire, and a fresh one in place of a token Vertex AI
/// refused (HTTP 401), as Google's client libraries do on 401. Concurrent requests share one fetch, and its outcome.
/// A token is fetched with one request to the token endpoint, under the connection's policy alone
/// (<see cref="TokenEndpointClients"/>: <c>timeout_seconds</c> per attempt, <c>max_retries</c>, the back-off), not
/// through Google.Apis.Auth's own refresh, which cuts the attempts short at 12 s, then 1 and 5 minutes, tries the whole
/// fetch three times over, and says <c>The access token has expired and could not be refreshed</c> where no token ever was.
/// </summary>
internal sealed class GoogleTokens
{
    // A token is renewed this long before it expires (Google's libraries: 5 to 6 minutes), or half its life when that is shorter.
    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);

    private readonly ITokenAccess _access;
    private readonly ICredential? _underlying;
    private readonly Lock _gate = new();

    // The fetch under way, which every request that needs a token meanwhile awaits, and whose failure each of them gets
    // (one token endpoint that does not answer fails them all at once, not each after a fetch of its own).
    private Task<string>? _fetching;

    public GoogleTokens(ITokenAccess access)
    {
        _access = access;
        _underlying = access is GoogleCredential google ? google.UnderlyingCredential : access as ICredential;
    }

    /// <summary>Whether tokens are fetched here (a service account, a user's or the metadata server's credential, …), not by the library.</summary>
    private bool Fetched => _underlying is ServiceCredential or UserCredential;

    /// <summary>The token to send now: the current one while it is good, else one fetched now.</summary>
    /// <exception cref="GoogleTokenFailure">The token endpoint's answer held no token.</exception>
    public async Task<string> GetAsync(string? uri, CancellationToken cancellationToken)
    {
        if (!Fetched)
        {
            return await _access.GetAccessTokenForRequestAsync(uri, cancellationToken).ConfigureAwait(false);
        }

        Task<string> fetching;
        lock (_gate)
        {
            if (Good() is { } good)
            {
                return good;
            }

            fetching = Fetch(cancellationToken);
        }

        return await fetching.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A token other than <paramref name="rejected"/>: the one another request already fetched in its place (or is
    /// fetching), else one fetched now from the token endpoint, whatever the expiry the current one claims. Null when
    /// the credential cannot be asked for a new token.
    /// </summary>
    public async Task<string?> RefreshAsync(string rejected, CancellationToken cancellationToken)
    {
        if (!Fetched)
        {
            return null;
        }

        Task<string> fetching;
        lock (_gate)
        {
            if (_fetching is null && Current?.AccessToken is { } current && current != rejected)
            {
                return current;
            }

            fetching = Fetch(cancellationToken);
        }

        return await fetching.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The fetch under way, else a new one. Under <see cref="_gate"/>.</summary>
    private Task<string> Fetch(CancellationToken cancellationToken) =>
        // Run apart, so a fetch that ends at once does not clear _fetching before it is set.
        _fetching ??= Task.Run(async () =>
        {
            try
            {
                return await FetchAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                lock (_gate)
                {
                    _fetching = null;
                }
            }
        }, CancellationToken.None);

    private async Task<string> FetchAsync(CancellationToken cancellationToken)
    {
        var fetched = _underlying switch
        {
            ServiceCredential service => await service.RequestAccessTokenAsync(cancellationToken).ConfigureAwait(false),
            UserCredential user => await user.RefreshTokenAsync(cancellationToken).ConfigureAwait(false),
            _ => false,
        };
        return fetched && Current?.AccessToken is { Length: > 0 } token ? token : throw new GoogleTokenFailure("the token endpoint's answer held no access token");
    }

    /// <summary>The current token while it is good for a while yet; null when there is none or it is about to expire.</summary>
    private string? Good()
    {
        if (Current is not { AccessToken: { Length: > 0 } token, ExpiresInSeconds: { } seconds } current)
        {
            // No expiry given: Google's libraries count such a token as expired, and so is it here.
            return null;
        }

        // A lifetime past a year is read as a year (a TimeSpan or DateTime past its range would throw); none left, as none.
        var lifetime = TimeSpan.FromSeconds(Math.Clamp(seconds, 0, 366L * 24 * 3600));
        var margin = lifetime / 2 < RenewBefore ? lifetime / 2 : RenewBefore;
        return current.IssuedUtc + lifetime - margin > Clock.UtcNow ? token : null;
    }

    private TokenResponse? Current => _underlying switch
    {
        ServiceCredential service => service.Token,
        UserCredential user => user.Token,
        _ => null,
    };

    // The clock the library stamped the token's IssuedUtc with.
    private IClock Clock => _underlying switch
    {
        ServiceCredential service => service.Clock,
        UserCredential user => user.Flow.Clock,
        _ => SystemClock.Default,
    };
}

/// <summary>
/// A Google OAuth access token could not be had (the token endpoint did not answer, refused the connection, or answered
/// without a token), in our words: the host and what happened, never a .NET type's name or a secret.
/// </summary>
internal sealed class GoogleTokenFailure : Exception
{
    public GoogleTokenFailure(string what, Exception? inner = null)
        : base($"getting a Google OAuth access token failed: {what}", inner)
    {
    }
}
