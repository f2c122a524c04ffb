using System.Globalization;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// Ctrl-C as a run that pays per token wants it. <see cref="Stop"/> (the first Ctrl-C) sends no request that was not
/// sent yet, no follow-up and no retry; a request already sent may still answer within its connection's
/// <c>cancel_grace_seconds</c>, and that answer is cached, since the provider bills it either way. <see cref="Abandon"/>
/// (a second Ctrl-C) gives up the requests still in flight at once. The stopped run still publishes nothing, and the
/// next run reuses every answer cached here. Counts what became of the requests in flight, for the line the CLI prints:
/// in flight means on the wire (<see cref="OnWire"/>), not waiting for its turn under <c>requests_per_minute</c> or for a
/// retry's back-off, which the stop ends with nothing sent and nothing to bill.
/// </summary>
public sealed class Interruption
{
    private readonly AsyncLocal<Flight?> _flight = new();
    private long _onWire;
    private long _saved;
    private long _abandoned;
    private long _graceEndsTicks;

    /// <param name="stop">Cancelled by the first Ctrl-C (or whatever stops the run).</param>
    /// <param name="abandon">Cancelled by a second Ctrl-C; none for a caller with no second signal.</param>
    public Interruption(CancellationToken stop, CancellationToken abandon = default)
    {
        Stop = stop;
        Abandon = abandon;
    }

    public CancellationToken Stop { get; }

    public CancellationToken Abandon { get; }

    /// <summary>Requests on the wire (sent and not yet answered), now.</summary>
    public long InFlight => Interlocked.Read(ref _onWire);

    /// <summary>Requests that were in flight when the run was stopped and whose answers arrived and were kept.</summary>
    public long Saved => Interlocked.Read(ref _saved);

    /// <summary>Requests that were in flight when the run was stopped and were given up (grace over, second Ctrl-C, or they failed).</summary>
    public long Abandoned => Interlocked.Read(ref _abandoned);

    /// <summary>When the longest grace given to the requests in flight runs out; null while none was given.</summary>
    public DateTimeOffset? GraceEnds => Interlocked.Read(ref _graceEndsTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>
    /// Set once what a stop can no longer undo is under way: a run's snapshot is being committed, or is committed, and a
    /// stop would leave it interrupted (EM0608) instead of unpublished. The CLI then lets the command finish the
    /// snapshot's files after a first signal instead of ending it; a second signal still ends it. Says what is being
    /// finished. Set through <see cref="Committing"/> and <see cref="Committed"/>.
    /// </summary>
    public string? Finishing => Volatile.Read(ref _finishing);

    /// <summary>
    /// What ending the command now would leave, for the line the CLI prints when it ends a command that did not stop in
    /// time (a DuckDB statement does not watch the token); null when there is nothing to say (a command that publishes nothing).
    /// </summary>
    public string? IfEnded => Volatile.Read(ref _ifEnded);

    /// <summary>Set when a stop came during a run's publish transaction, which was rolled back; said on the stopped run's last line.</summary>
    public string? RolledBack
    {
        get => Volatile.Read(ref _rolledBack);
        set => Volatile.Write(ref _rolledBack, value);
    }

    private readonly Lock _commitGate = new();
    private string? _finishing;
    private string? _ifEnded;
    private string? _rolledBack;

    /// <summary>A run that has not committed its snapshot: ending it publishes nothing.</summary>
    public void Running() => Volatile.Write(ref _ifEnded, "nothing was published");

    /// <summary>A run's publish transaction is open: ending it now publishes nothing, as DuckDB does not keep an uncommitted transaction.</summary>
    public void Publishing(string table) =>
        Volatile.Write(ref _ifEnded, $"nothing was published: the publish of {table} was not committed, and DuckDB rolls it back when the warehouse is next opened");

    /// <summary>
    /// The publish's last step before its commit: throws when the run was stopped (the transaction is then rolled back),
    /// and otherwise marks the snapshot as being finished, in one step with <see cref="StopNow"/>: a first signal either
    /// comes before, and nothing is committed, or finds the commit under way and lets the run finish its files.
    /// </summary>
    public void Committing(string table) =>
        Enter($"snapshot {table} is being committed, then its files written",
            $"snapshot {table} was being committed: if the commit was done, it is left interrupted, which check names (EM0608) and running the same command again finishes; if not, nothing was published");

    /// <summary>
    /// The snapshot is committed (or, for a run that finishes an interrupted one, was): its files are being written.
    /// Throws when the run was stopped before, which for a committed snapshot only a run finishing an earlier one meets.
    /// </summary>
    public void Committed(string table) => Enter($"snapshot {table} is committed and its files are being written",
        $"snapshot {table} is committed and its files were being written, so it is left interrupted: check names it (EM0608) and running the same command again finishes it");

    /// <summary>
    /// Stops the command (<paramref name="stop"/> cancels <see cref="Stop"/>: the first signal) and says what it is
    /// finishing, if anything (<see cref="Finishing"/>), in one step with <see cref="Committing"/>.
    /// </summary>
    public string? StopNow(Action stop)
    {
        lock (_commitGate)
        {
            stop();
            return Finishing;
        }
    }

    private void Enter(string finishing, string ifEnded)
    {
        lock (_commitGate)
        {
            // Once committing, the stop is heard after the files (a run's second Committed is for its files, not a new step).
            if (_finishing is null)
            {
                Stop.ThrowIfCancellationRequested();
            }

            Volatile.Write(ref _finishing, finishing);
            Volatile.Write(ref _ifEnded, ifEnded);
        }
    }

    /// <summary>What the stopped run kept and gave up, for its last line.</summary>
    public string Outcome => $"nothing was published{(RolledBack is { } rolledBack ? $" ({rolledBack})" : "")}; {Requests}; running again reuses every cached answer";

    /// <summary>What became of the requests in flight at the stop; one still in flight now counts as abandoned (the process is ending).</summary>
    public string Requests
    {
        get
        {
            var (saved, abandoned) = (Saved, Abandoned + InFlight);
            return string.Create(CultureInfo.InvariantCulture,
                $"{saved} provider answer{(saved == 1 ? "" : "s")} in flight at the stop arrived and {(saved == 1 ? "is" : "are")} cached, {abandoned} request{(abandoned == 1 ? "" : "s")} in flight {(abandoned == 1 ? "was" : "were")} abandoned (a provider may bill {(abandoned == 1 ? "it" : "them")})");
        }
    }

    /// <summary>
    /// Sends one request (a judge contest with its follow-up, or a batch of texts to embed). Not sent once the run is
    /// stopped; once sent, neither <see cref="Stop"/> nor <paramref name="cancellationToken"/> cancels it before
    /// <paramref name="grace"/> has passed; <see cref="Abandon"/> does at once. A request that fails after the stop is
    /// abandoned: the run ends as cancelled, not as a provider failure.
    /// </summary>
    /// <param name="send">Gets the token the request in flight must honour.</param>
    internal async Task<T> SendAsync<T>(TimeSpan grace, CancellationToken cancellationToken, Func<CancellationToken, Task<T>> send)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Stop.ThrowIfCancellationRequested();
        using var inFlight = CancellationTokenSource.CreateLinkedTokenSource(Abandon);
        // Flows into the HTTP handlers this request's attempts go through (ResilientHandler calls OnWire).
        var flight = new Flight();
        _flight.Value = flight;
        try
        {
            using var byCaller = cancellationToken.Register(() => Stopping(flight, inFlight, grace));
            using var byStop = Stop.Register(() => Stopping(flight, inFlight, grace));
            var result = await send(inFlight.Token).ConfigureAwait(false);
            if (Stopped(cancellationToken) && flight.OnWireAtStop)
            {
                Interlocked.Increment(ref _saved);
            }

            return result;
        }
        catch (Exception e) when (Stopped(cancellationToken) && e is not OutOfMemoryException)
        {
            // One waiting for its turn or a retry's back-off at the stop was never sent again: nothing to bill.
            if (flight.OnWireAtStop)
            {
                Interlocked.Increment(ref _abandoned);
            }

            throw e as OperationCanceledException ?? new OperationCanceledException("the run was stopped while this request was in flight", e, Stop.IsCancellationRequested ? Stop : cancellationToken);
        }
    }

    /// <summary>
    /// Marks an attempt of the current request as on the wire until the scope ends (its reply read, or failed), unless
    /// the run is stopped or <paramref name="cancellationToken"/> is cancelled: then it throws, and nothing is sent.
    /// The check and the mark are one step under the request's lock, which the stop's count takes too, so a stop either
    /// finds the attempt on the wire (counted, saved or abandoned) or comes before it (never sent): none goes out uncounted.
    /// </summary>
    internal IDisposable OnWire(CancellationToken cancellationToken)
    {
        var flight = _flight.Value;
        if (flight is null)
        {
            // Not sent through SendAsync: no stop counts it, so no step to share with one.
            Mark(cancellationToken);
            return new Wire(this, null);
        }

        lock (flight.Gate)
        {
            Mark(cancellationToken);
            flight.OnWire++;
        }

        return new Wire(this, flight);
    }

    private void Mark(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Stop.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _onWire);
    }

    private void Stopping(Flight flight, CancellationTokenSource inFlight, TimeSpan grace)
    {
        lock (flight.Gate)
        {
            if (flight.OnWire > 0)
            {
                flight.OnWireAtStop = true;
            }
        }

        GiveGrace(inFlight, grace);
    }

    private bool Stopped(CancellationToken cancellationToken) => Stop.IsCancellationRequested || cancellationToken.IsCancellationRequested;

    /// <summary>One request (a contest with its follow-up, a batch of texts): whether an attempt of it is on the wire.</summary>
    private sealed class Flight
    {
        /// <summary>Taken to mark an attempt on the wire, to end it, and by the stop to count it.</summary>
        public readonly Lock Gate = new();

        public int OnWire;

        public volatile bool OnWireAtStop;
    }

    private sealed class Wire(Interruption interruption, Flight? flight) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                Interlocked.Decrement(ref interruption._onWire);
                if (flight is not null)
                {
                    lock (flight.Gate)
                    {
                        flight.OnWire--;
                    }
                }
            }
        }
    }

    private void GiveGrace(CancellationTokenSource inFlight, TimeSpan grace)
    {
        var ends = DateTimeOffset.UtcNow + grace;
        long seen;
        while (ends.UtcTicks > (seen = Interlocked.Read(ref _graceEndsTicks)) && Interlocked.CompareExchange(ref _graceEndsTicks, ends.UtcTicks, seen) != seen)
        {
        }

        inFlight.CancelAfter(grace);
    }
}
