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

    /// <param name="perMinute">0 means no limit.</param>
    public RequestPacer(double perMinute)
    {
        _interval = perMinute <= 0 ? TimeSpan.Zero : TimeSpan.FromMinutes(1 / perMinute);
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
