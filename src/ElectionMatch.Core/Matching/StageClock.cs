using System.Diagnostics;

namespace ElectionMatch.Matching;

/// <summary>
/// Times a stage: its wall time, and the CPU time the whole process spent meanwhile (DuckDB's worker threads, ours,
/// the input hashing that runs beside the match, the garbage collector). On a shared two-core host the wall time of
/// the same build drifts by a quarter over hours; the CPU seconds are what two runs compare on.
/// </summary>
public sealed class StageClock
{
    private long _started;
    private TimeSpan _cpuAtStart;

    private StageClock()
    {
        Restart();
    }

    public static StageClock Start() => new();

    public void Restart()
    {
        _started = Stopwatch.GetTimestamp();
        _cpuAtStart = Environment.CpuUsage.TotalTime;
    }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    /// <summary>The process's CPU time (user and system, every thread) since the clock started.</summary>
    public TimeSpan Cpu => Environment.CpuUsage.TotalTime - _cpuAtStart;

    /// <summary>
    /// The report of the stage this clock timed: both times are read first, then the rows are counted and the note
    /// made (counting is not the stage's work).
    /// </summary>
    public StageReport Report(string stage, Func<(long In, long Out)> rows, Func<string?>? note = null)
    {
        var (elapsed, cpu) = (Elapsed, Cpu);
        var (rowsIn, rowsOut) = rows();
        return new StageReport(stage, rowsIn, rowsOut, elapsed, note?.Invoke()) { Cpu = cpu };
    }

    /// <summary>The report of a stage with no rows to count.</summary>
    public StageReport Report(string stage, string? note = null) => Report(stage, static () => (0, 0), () => note);
}
