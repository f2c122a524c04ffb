using System.Diagnostics;

namespace ElectionMatch.Warehouse;

/// <summary>
/// A command's wait for a warehouse another process holds: one budget (<c>--lock-timeout</c>) from when it began, for
/// electionmatch's own lock (<see cref="WarehouseLock"/>) and then DuckDB's on the file (<see cref="DuckDbWarehouse.Open"/>),
/// and stopped at once by the command's cancellation (Ctrl-C, SIGTERM, a cancelled build), not after the timeout.
/// </summary>
public sealed class LockWait
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The longest timeout taken (<c>--lock-timeout</c>, <c>ElectionMatchLockTimeout</c>), over 3,000 years: what a
    /// command that must wait as long as it takes passes. A round number, within what a <see cref="TimeSpan"/> holds.
    /// </summary>
    public const double MaxTimeoutSeconds = 1e11;

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public LockWait(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Timeout = timeout;
        CancellationToken = cancellationToken;
    }

    /// <summary>No wait: a holder is reported at once.</summary>
    public static LockWait None => new(TimeSpan.Zero);

    public TimeSpan Timeout { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>Told once, when the command first finds the warehouse held and starts to wait, who holds it.</summary>
    public Action<string>? Waiting { get; init; }

    private bool _told;

    /// <summary>The timeout as a message says it: <c>waited 1.5 s for it</c>.</summary>
    public string Waited => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"waited {Timeout.TotalSeconds:0.#} s for it");

    /// <summary>Waits one poll before the next try; false once the timeout has run out.</summary>
    /// <param name="holder">Who holds the warehouse, for the message of a command stopped while it waits.</param>
    /// <exception cref="LockWaitCancelledException">The command was cancelled, before or during the pause.</exception>
    public bool Pause(Func<string> holder)
    {
        Stopped(holder);
        if (_clock.Elapsed >= Timeout)
        {
            return false;
        }

        if (!_told && Waiting is { } tell)
        {
            _told = true;
            tell(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"waiting up to {Timeout.TotalSeconds:0.#} s (--lock-timeout) for the warehouse, held by {holder()}; Ctrl-C stops the wait"));
        }

        CancellationToken.WaitHandle.WaitOne(Poll);
        Stopped(holder);
        return true;
    }

    private void Stopped(Func<string> holder)
    {
        if (CancellationToken.IsCancellationRequested)
        {
            throw new LockWaitCancelledException(holder(), _clock.Elapsed, CancellationToken);
        }
    }
}
