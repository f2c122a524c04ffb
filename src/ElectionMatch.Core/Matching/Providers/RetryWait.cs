namespace ElectionMatch.Matching.Providers;

/// <summary>A retry's cause (an HTTP status, or the exception's type for timeouts and dropped connections) and how long it waited.</summary>
/// <param name="FromRetryAfter">The server said how long to wait (Retry-After or retry-after-ms).</param>
public sealed record RetryWait(string Cause, TimeSpan Delay, bool FromRetryAfter);
