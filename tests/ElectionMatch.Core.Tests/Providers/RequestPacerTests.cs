using ElectionMatch.Matching.Providers;

namespace ElectionMatch.Tests.Providers;

public sealed class RequestPacerTests
{
    [Fact]
    public async Task Request_starts_are_spaced_to_the_per_minute_limit()
    {
        // 60 a minute: one start a second, so the second and third calls in a row must wait.
        var pacer = new RequestPacer(60);
        using var stop = new CancellationTokenSource();

        var first = pacer.WaitAsync(stop.Token);
        var second = pacer.WaitAsync(stop.Token);
        var third = pacer.WaitAsync(stop.Token);

        Assert.True(first.IsCompletedSuccessfully);
        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => third);
    }

    [Fact]
    public async Task A_pace_slower_than_any_time_span_is_the_slowest_one_not_an_overflow()
    {
        var pacer = new RequestPacer(1e-11);
        using var stop = new CancellationTokenSource();

        Assert.True(pacer.WaitAsync(stop.Token).IsCompletedSuccessfully);
        var second = pacer.WaitAsync(stop.Token);
        Assert.False(second.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
    }

    [Fact]
    public void Zero_means_no_limit()
    {
        var pacer = new RequestPacer(0);
        Assert.All(Enumerable.Range(0, 100).Select(_ => pacer.WaitAsync(default)), t => Assert.True(t.IsCompletedSuccessfully));
    }
}
