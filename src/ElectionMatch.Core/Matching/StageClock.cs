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

    /// <summary>Reads both now, before the caller counts the rows it reports (counting is not the stage's work).</summary>
    public (TimeSpan Elapsed, TimeSpan Cpu) Read() => (Elapsed, Cpu);
}
