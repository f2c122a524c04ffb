using Google.Apis.Auth.OAuth2;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// The OAuth access tokens Vertex AI requests carry, from a Google credential: the current one, and a fresh one in place
/// of a token Vertex AI refused (HTTP 401), as Google's client libraries do on 401. Concurrent requests refused with the
/// same token share one refresh.
/// </summary>
internal sealed class GoogleTokens
{
    private readonly ITokenAccess _access;
    private readonly ICredential? _underlying;
    private readonly SemaphoreSlim _refreshing = new(1, 1);

    public GoogleTokens(ITokenAccess access)
    {
        _access = access;
        _underlying = access is GoogleCredential google ? google.UnderlyingCredential : access as ICredential;
    }

    /// <summary>The token to send now.</summary>
    public Task<string> GetAsync(string? uri, CancellationToken cancellationToken) =>
        _access.GetAccessTokenForRequestAsync(uri, cancellationToken);

    /// <summary>
    /// A token other than <paramref name="rejected"/>: the one another request already fetched in its place, else one
    /// fetched now from the token endpoint, whatever the expiry the current one claims. Null when the credential
    /// cannot be asked for a new token.
    /// </summary>
    public async Task<string?> RefreshAsync(string rejected, CancellationToken cancellationToken)
    {
        if (_underlying is not (ServiceCredential or UserCredential))
        {
            return null;
        }

        await _refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Current is { } current && current != rejected)
            {
                return current;
            }

            var refreshed = _underlying switch
            {
                ServiceCredential service => await service.RequestAccessTokenAsync(cancellationToken).ConfigureAwait(false),
                UserCredential user => await user.RefreshTokenAsync(cancellationToken).ConfigureAwait(false),
                _ => false,
            };
            return refreshed ? Current : null;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>The token the credential holds now; null before the first.</summary>
    private string? Current => _underlying switch
    {
        ServiceCredential service => service.Token?.AccessToken,
        UserCredential user => user.Token?.AccessToken,
        _ => null,
    };
}
