namespace ElectionMatch.Matching.Providers;

/// <summary>
/// The requests-per-minute limit: request starts are spaced evenly, so a burst of contests never exceeds the
/// provider's quota, whatever the concurrency.
/// </summary>
internal sealed class RequestPacer
{
    private readonly TimeSpan _interval;
    private readonly Lock _gate = new();
    private DateTimeOffset _next = DateTimeOffset.MinValue;

    /// <summary>The slowest pace electionmatch.yml may ask (EM0032 below it): one request start every 100 minutes.</summary>
    public const double SlowestPerMinute = 0.01;

    /// <param name="perMinute">0 means no limit; a slower pace than <see cref="SlowestPerMinute"/> is taken as that one.</param>
    public RequestPacer(double perMinute)
    {
        _interval = perMinute <= 0 ? TimeSpan.Zero : TimeSpan.FromMinutes(1 / Math.Max(perMinute, SlowestPerMinute));
    }

    public Task WaitAsync(CancellationToken cancellationToken)
    {
        if (_interval == TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        TimeSpan wait;
        lock (_gate)
        {
            var now = DateTimeOffset.UtcNow;
            var start = now > _next ? now : _next;
            _next = start + _interval;
            wait = start - now;
        }

        return wait > TimeSpan.Zero ? Task.Delay(wait, cancellationToken) : Task.CompletedTask;
    }
}
