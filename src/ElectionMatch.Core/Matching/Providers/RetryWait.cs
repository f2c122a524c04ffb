namespace ElectionMatch.Matching.Providers;

/// <summary>A retry's cause (an HTTP status, or the exception's type for timeouts and dropped connections) and how long it waited.</summary>
/// <param name="FromRetryAfter">The server said how long to wait (retry-after-ms, Retry-After, or a Google error's RetryInfo), on a 429 or 5xx or on an HTTP 200 holding a transient error.</param>
public sealed record RetryWait(string Cause, TimeSpan Delay, bool FromRetryAfter);
