using System.Globalization;
using System.Net;
using ElectionMatch.Settings;
using Polly;
using Polly.Retry;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// Every provider request goes through here: paced to the requests-per-minute limit, limited in time per
/// attempt, and retried with exponential backoff and jitter on 429 (not OpenAI's <c>insufficient_quota</c>, which no
/// wait cures), 5xx, timeouts and dropped connections (and an
/// HTTP 200 holding an error object that says 429 or 5xx, <see cref="TransientErrorReply"/>), waiting what the server
/// asks (<see cref="ServerRetryDelay"/>: retry-after-ms, Retry-After, or a Google error's RetryInfo; for the HTTP 200
/// too), capped at max_retry_delay_seconds.
/// The reply's body is read inside the attempt, so a connection dropped in the middle of it is retried like one
/// dropped before the headers (the callers read it afterwards, where no retry would see the failure).
/// A stopped run (Ctrl-C) starts no attempt and no retry, and waits for no turn or back-off; the attempt already
/// on the wire runs on under the caller's token, which <see cref="Interruption"/> cancels only after a grace.
/// </summary>
internal sealed class ResilientHandler : DelegatingHandler
{
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly RequestPacer _pacer;
    private readonly ModelUsage _usage;
    private readonly TimeSpan _timeout;
    private readonly CancellationToken _stop;
    private readonly Interruption _interruption;

    // Set by the delay generator for OnRetry, which runs next for the same retry: whether its wait is the server's.
    private static readonly ResiliencePropertyKey<bool> ServerAsked = new("electionmatch.server_asked");

    /// <param name="interruption">The run's stop (no new attempt once it is cancelled), told which attempts are on the wire.</param>
    public ResilientHandler(ModelConnection connection, ModelUsage usage, HttpMessageHandler inner, Interruption interruption)
        : base(inner)
    {
        _usage = usage;
        _interruption = interruption;
        _stop = interruption.Stop;
        _pacer = new RequestPacer(connection.RequestsPerMinute);
        _timeout = TimeSpan.FromSeconds(connection.TimeoutSeconds);
        var maxDelay = TimeSpan.FromSeconds(connection.MaxRetryDelaySeconds);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (connection.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = connection.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromSeconds(connection.RetryBaseDelaySeconds),
                MaxDelay = maxDelay,
                ShouldHandle = async args => args.Outcome switch
                {
                    { Exception: HttpRequestException or TimeoutException or IOException or TransientErrorReply } => true,
                    // OpenAI's 429 for an account whose credit or quota is spent: no wait restores it.
                    { Result: { StatusCode: HttpStatusCode.TooManyRequests } response } => !await ProviderFailure.QuotaSpentAsync(response, args.Context.CancellationToken).ConfigureAwait(false),
                    { Result: { } response } => IsTransient(response.StatusCode),
                    _ => false,
                },
                DelayGenerator = async args =>
                {
                    var asked = await Asked(args.Outcome, args.Context.CancellationToken).ConfigureAwait(false);
                    args.Context.Properties.Set(ServerAsked, asked is not null);
                    return asked is { } wait ? Min(wait, maxDelay) : null;
                },
                OnRetry = args =>
                {
                    var cause = args.Outcome switch
                    {
                        { Result: { } response } => ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture),
                        { Exception: TransientErrorReply reply } => $"200 ({reply.Said})",
                        _ => args.Outcome.Exception?.GetType().Name ?? "unknown",
                    };
                    _usage.Waited(new RetryWait(cause, args.RetryDelay, args.Context.Properties.GetValue(ServerAsked, false)));
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }

        _pipeline = builder.Build();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // A retry sends the same message again: its body must be readable twice.
        if (request.Content is not null)
        {
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        }

        // The pipeline's token (its waits, and whether it tries again) is also cancelled by the stop; the attempt's is not.
        using var stopped = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop);
        return await _pipeline.ExecuteAsync(async token =>
        {
            await _pacer.WaitAsync(token).ConfigureAwait(false);
            // In flight for Ctrl-C's count from here, not while it waited for its turn or a back-off above; checked for
            // the stop in the same step, so a stop after its turn either counts it or finds it not sent (Interruption.OnWire).
            using var onWire = _interruption.OnWire(token);
            _usage.AttemptStarted();
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(_timeout);
            try
            {
                var response = await base.SendAsync(request, attempt.Token).ConfigureAwait(false);
                try
                {
                    await response.Content.LoadIntoBufferAsync(attempt.Token).ConfigureAwait(false);
                }
                catch
                {
                    response.Dispose();
                    throw;
                }

                return response;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no answer from {request.RequestUri?.Host} within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
            }
        }, stopped.Token).ConfigureAwait(false);
    }

    /// <summary>The statuses retried: 408, 429 and 5xx but 501 (Not Implemented: the server does not do what is asked, and will not after a wait).</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || ((int)status >= 500 && status != HttpStatusCode.NotImplemented);

    /// <summary>
    /// The wait the server asked for, read alike from a 429 or 5xx (its headers, else its body's error) and from an HTTP
    /// 200 holding a transient error (read where its body was, <see cref="ReplyCheck"/>); null for a timeout or a dropped
    /// connection, or when the server asked none.
    /// </summary>
    private static async ValueTask<TimeSpan?> Asked(Outcome<HttpResponseMessage> outcome, CancellationToken cancellationToken) =>
        outcome switch
        {
            { Result: { } response } => await ServerRetryDelay.AskedAsync(response, cancellationToken).ConfigureAwait(false),
            { Exception: TransientErrorReply reply } => reply.Asked,
            _ => null,
        };

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
