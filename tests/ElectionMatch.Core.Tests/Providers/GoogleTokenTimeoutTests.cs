using ElectionMatch.Tests.Models;

namespace ElectionMatch.Tests.Providers;

/// <summary>
/// A token endpoint that never answers, with timeout_seconds above Google.Apis.Auth's own 12 s. Apart from
/// <see cref="VertexProviderTests"/>, whose collection runs alone (it sets environment variables), because this test
/// only waits: here it waits beside the other classes, not before them. It reads no environment variable.
/// </summary>
public sealed class GoogleTokenTimeoutTests
{
    [Fact]
    public async Task A_token_attempt_longer_than_twelve_seconds_is_cut_by_timeout_seconds_alone_not_by_google_apis_auths_own_limits()
    {
        await using var server = await FakeModelServer.StartAsync();
        using var account = new ServiceAccountFile(server.TokenUri);

        // Google.Apis.Auth cuts its first try at 12 s and tries the whole fetch again (1 minute, then 5): with
        // timeout_seconds above 12 and max_retries 0, one attempt of timeout_seconds is all there may be.
        server.HangTokenRequests(10);
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var judging = FailedJudging.Of(JudgeFixture.Connection(new FakeModelServerEndpoint(server.BaseUrl, account.Path), timeoutSeconds: 12.5) with { MaxConcurrency = 1, MaxRetries = 0 });
        var (warehouse, providers, error) = (judging.Warehouse, judging.Providers, judging.Error);

        // Counted, not listed: a failed assertion would print the requests, and each carries a signed assertion.
        var tokenRequests = server.TokenRequests.Count;
        Assert.True(tokenRequests == 1, $"{tokenRequests} token requests");
        Assert.Equal(1, providers.JudgeUsage!.Attempts);
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(12.5), TimeSpan.FromSeconds(24));
        Assert.Contains("getting a Google OAuth access token failed: no answer from 127.0.0.1 within 12.5 s;", Assert.Single(error.Diagnostics).Message, StringComparison.Ordinal);
    }
}
