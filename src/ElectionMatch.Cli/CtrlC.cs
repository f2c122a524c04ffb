using System.Globalization;
using System.Runtime.InteropServices;
using ElectionMatch.Cli.Output;
using ElectionMatch.Matching.Providers;

namespace ElectionMatch.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM in two steps, in place of System.CommandLine's one. The first stops the command: no new
/// provider request is sent, and the requests already sent may answer within their grace (cancel_grace_seconds) so the
/// answers they are billed for are cached. The second abandons them at once. A command still running
/// <see cref="Margin"/> after what the signals allow (a DuckDB statement does not watch the token) is ended, saying what
/// that leaves (<see cref="Interruption.IfEnded"/>), except after a first signal while it commits a run's snapshot or
/// finishes what it committed (<see cref="Interruption.Finishing"/>: the commit and the snapshot's files, which ended
/// halfway would leave the snapshot interrupted).
/// </summary>
internal sealed class CtrlC : IDisposable
{
    /// <summary>System.CommandLine's default wait for a command to stop after a signal.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(2);

    /// <summary>128 + SIGTERM, as a shell reports a process ended by it.</summary>
    private const int Terminated = 143;

    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _abandon = new();
    private readonly SemaphoreSlim _signalled = new(0);
    private readonly PosixSignalRegistration[] _registrations;
    private readonly Lock _gate = new();
    private int _signals;
    private DateTimeOffset _lastSignal;
    private int _exitCode = DiagnosticPrinter.Cancelled;

    public CtrlC()
    {
        Interruption = new Interruption(_stop.Token, _abandon.Token);
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    public Interruption Interruption { get; }

    /// <summary>Cancelled by the first signal: what every command watches.</summary>
    public CancellationToken Stop => _stop.Token;

    /// <summary>The command's exit code; or, when it has not stopped in time after a signal, the signal's.</summary>
    public async Task<int> WaitAsync(Task<int> command)
    {
        while (true)
        {
            var left = Deadline() is { } deadline ? deadline - DateTimeOffset.UtcNow : Timeout.InfiniteTimeSpan;
            if (left != Timeout.InfiniteTimeSpan && left <= TimeSpan.Zero)
            {
                var requests = Interruption.Saved + Interruption.Abandoned + Interruption.InFlight > 0 ? $"; {Interruption.Requests}; running again reuses every cached answer" : "";
                var leaves = Interruption.IfEnded is { } what ? $"; {what}" : "";
                var when = EndsAtSecondSignal() ? "at the second signal" : $"{Margin.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s after the signal";
                await Terminal.Error.WriteLineAsync($"electionmatch: cancelled; the command was ended {when}{requests}{leaves}").ConfigureAwait(false);
                return _exitCode;
            }

            // Woken by the command's end, a signal, or the deadline (a grace can grow while requests are in flight: look again).
            var wake = left == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(Math.Min(left.TotalMilliseconds, 250));
            if (await Task.WhenAny(command, _signalled.WaitAsync(wake)).ConfigureAwait(false) == command)
            {
                // A command that stopped in time exits with the code of the signal that stopped it: 143 for SIGTERM.
                var exitCode = await command.ConfigureAwait(false);
                return exitCode == DiagnosticPrinter.Cancelled ? _exitCode : exitCode;
            }
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stop.Dispose();
        _abandon.Dispose();
        _signalled.Dispose();
    }

    private DateTimeOffset? Deadline()
    {
        lock (_gate)
        {
            return _signals switch
            {
                0 => null,
                1 when Interruption.Finishing is not null => null,
                1 => Max(_lastSignal, Interruption.GraceEnds ?? _lastSignal) + Margin,
                _ when Interruption.Finishing is not null => _lastSignal,
                _ => _lastSignal + Margin,
            };
        }
    }

    // A second signal while a run finishes what it committed ends it at once, as the first one's words promise: its files
    // are each written to a temporary file and renamed, so what it leaves is the interrupted snapshot the same run finishes.
    private bool EndsAtSecondSignal()
    {
        lock (_gate)
        {
            return _signals >= 2 && Interruption.Finishing is not null;
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Not the runtime's default (ending the process at once): the command stops itself, or WaitAsync ends it.
        context.Cancel = true;
        int signals;
        lock (_gate)
        {
            signals = ++_signals;
            _lastSignal = DateTimeOffset.UtcNow;
            if (context.Signal == PosixSignal.SIGTERM)
            {
                _exitCode = Terminated;
            }
        }

        if (signals == 1)
        {
            // In one step with a run's commit: the stop comes before it (rolled back) or finds it under way (finished).
            if (Interruption.StopNow(_stop.Cancel) is { } what)
            {
                Terminal.Error.WriteLine($"electionmatch: stopping after the commit: {what}; finishing them (a second Ctrl-C ends the command now and leaves the snapshot interrupted)");
            }

            if (Interruption.InFlight > 0 && Interruption.GraceEnds is { } ends && (ends - DateTimeOffset.UtcNow).TotalSeconds is var grace and > 0)
            {
                Terminal.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"electionmatch: stopping: no new provider request; {Interruption.InFlight} in flight may still answer within {grace:0.#} s and be cached (Ctrl-C again abandons them)"));
            }
        }
        else
        {
            _abandon.Cancel();
        }

        _signalled.Release();
        if (Environment.GetEnvironmentVariable(Safety.CrashPoint.SaySignalsVariable) == "1")
        {
            Console.Error.WriteLine($"signal {signals} handled");
            Console.Error.Flush();
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
