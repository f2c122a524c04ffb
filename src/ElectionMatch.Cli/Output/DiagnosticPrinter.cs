using ElectionMatch.Diagnostics;

namespace ElectionMatch.Cli.Output;

/// <summary>Prints diagnostics in the canonical MSBuild form on standard error, and turns them into an exit code.</summary>
internal static class DiagnosticPrinter
{
    public const int Success = 0;
    public const int Failed = 1;

    /// <summary>The shell's convention for a run stopped by Ctrl-C (128 + SIGINT).</summary>
    public const int Cancelled = 130;

    public static int Print(IEnumerable<Diagnostic> diagnostics)
    {
        var list = diagnostics.ToList();
        foreach (var diagnostic in list)
        {
            Terminal.Error.WriteLine(diagnostic.ToString());
        }

        var errors = list.Count(d => d.IsError);
        var warnings = list.Count - errors;
        if (list.Count > 0)
        {
            Terminal.Error.WriteLine($"{errors} error(s), {warnings} warning(s)");
        }

        return errors > 0 ? Failed : Success;
    }

    /// <summary>Runs a command body; a <see cref="DiagnosticException"/> becomes printed diagnostics and exit code 1.</summary>
    /// <param name="cancelled">What a command stopped by Ctrl-C kept and gave up, for its last line.</param>
    public static int Guard(Func<int> body, Func<string>? cancelled = null)
    {
        try
        {
            return body();
        }
        catch (DiagnosticException e)
        {
            Print(e.Diagnostics);
            return Failed;
        }
        catch (Warehouse.LockWaitCancelledException e)
        {
            // Stopped before any work: what the command kept or gave up (its `cancelled`) does not apply.
            Terminal.Error.WriteLine("electionmatch: cancelled; " + e.Message);
            return Cancelled;
        }
        catch (OperationCanceledException)
        {
            Terminal.Error.WriteLine("electionmatch: cancelled; " + (cancelled?.Invoke() ?? "provider answers received before the cancellation are cached"));
            return Cancelled;
        }
        catch (Exception e) when (DiskFull.Diagnose(e) is { } full)
        {
            Print(full.Diagnostics);
            return Failed;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A failure no check foresaw still prints as one diagnostic, never as a stack trace a user must decode;
            // the trace on request goes through the one redaction path like every other output.
            var first = e.Message.Split('\n')[0].Trim();
            Print([Diagnostic.Error(Codes.UnexpectedFailure, SourceSpan.None, $"{first} ({e.GetType().Name}); the command stopped there. Please report it with the command and its input (set ELECTIONMATCH_TRACE=1 for the stack trace)")]);
            if (Environment.GetEnvironmentVariable("ELECTIONMATCH_TRACE") is "1" or "true")
            {
                Terminal.Error.WriteLine(Secrets.Redact(e.ToString()));
            }

            return Failed;
        }
    }
}
