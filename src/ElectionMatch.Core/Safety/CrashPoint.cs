using System.Diagnostics;

namespace ElectionMatch.Safety;

/// <summary>
/// Test-only: <c>ELECTIONMATCH_TEST_DIE_AT=&lt;point&gt;</c> makes the process kill itself with SIGKILL when it
/// reaches that point, so the crash-safety tests can stop a real run at an exact step (docs/design.md lists
/// the points). <c>ELECTIONMATCH_TEST_PAUSE_AT</c> makes it wait there until killed instead, so a test can hold
/// the warehouse with a real process. <c>ELECTIONMATCH_TEST_HOLD_AT=&lt;point&gt;=&lt;file&gt;</c> makes it wait there until
/// the file exists, then go on, so a test can signal a run at an exact step and see what it does next. Unset, each
/// call is a few environment reads. <c>ELECTIONMATCH_TEST_SAY_SIGNALS=1</c> makes the CLI say on standard error when it
/// has handled a signal, so such a test releases the hold only then: the runtime hands a signal to its handler on a
/// thread of its own, which on a loaded host came after the release, and the run committed before it saw the stop.
/// </summary>
internal static class CrashPoint
{
    public const string SaySignalsVariable = "ELECTIONMATCH_TEST_SAY_SIGNALS";

    public const string DieVariable = "ELECTIONMATCH_TEST_DIE_AT";
    public const string PauseVariable = "ELECTIONMATCH_TEST_PAUSE_AT";
    public const string HoldVariable = "ELECTIONMATCH_TEST_HOLD_AT";

    public static void Reached(string point)
    {
        if (Environment.GetEnvironmentVariable(DieVariable) == point)
        {
            // Process.Kill on Unix sends SIGKILL: no finally block, flush or dispose runs, as when CI cancels a job.
            using var self = Process.GetCurrentProcess();
            self.Kill();
            Thread.Sleep(Timeout.Infinite);
        }

        if (Environment.GetEnvironmentVariable(PauseVariable) == point)
        {
            Console.Error.WriteLine($"paused at {point}");
            Console.Error.Flush();
            Thread.Sleep(Timeout.Infinite);
        }

        if (Environment.GetEnvironmentVariable(HoldVariable)?.Split('=', 2) is [var at, var release] && at == point)
        {
            Console.Error.WriteLine($"held at {point}");
            Console.Error.Flush();
            while (!File.Exists(release))
            {
                Thread.Sleep(50);
            }
        }
    }
}
