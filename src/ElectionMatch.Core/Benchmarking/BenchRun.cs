using System.Text.Json.Serialization;
using ElectionMatch.Operations;

namespace ElectionMatch.Benchmarking;

/// <summary>One synthetic project matched end to end in a child process.</summary>
/// <param name="WallSeconds">The child process from start to exit: runtime start, read, match, publish, parquet, staging files.</param>
/// <param name="RunSeconds">The run operation alone, as the child measured it.</param>
/// <param name="LeftRowsPerMinute">Left (HubSpot) rows read per minute of <paramref name="WallSeconds"/>.</param>
/// <param name="PeakMemoryMib">The child's peak resident set, DuckDB's native memory included.</param>
/// <param name="CpuSeconds">The child's CPU time from start to exit, user and system (Linux: its resource usage once reaped); null elsewhere.</param>
/// <param name="SynthSeconds">How long generating the project took; null when an earlier bench's project was reused.</param>
/// <param name="Repeats">
/// When the size was run more than once (<c>--repeat</c>): every run, in the order they ran. This run is the one with
/// the median CPU time (of an even number, the faster of the middle two), the rest of the figures its own.
/// </param>
public sealed record BenchRun(
    int Rows,
    int Seed,
    long LeftRowsRead,
    long RightRowsRead,
    long OutputRows,
    double WallSeconds,
    double RunSeconds,
    double LeftRowsPerMinute,
    double PeakMemoryMib,
    string MemoryMeasuredBy,
    double JudgeShare,
    double Precision,
    double Recall,
    double F1,
    long TruthPairs,
    double? SynthSeconds,
    double? LoadAverageBefore,
    double? LoadAverageAfter,
    IReadOnlyList<RunReportStage> Stages,
    IReadOnlyDictionary<string, long> Counts,
    double? CpuSeconds = null,
    IReadOnlyList<BenchRepeat>? Repeats = null)
{
    /// <summary>What the median run is chosen by: CPU time where the platform reports it, else wall time.</summary>
    [JsonIgnore]
    public double Cost => CpuSeconds ?? WallSeconds;
}

/// <summary>One of a size's repeated runs.</summary>
public sealed record BenchRepeat(double WallSeconds, double? CpuSeconds, double LeftRowsPerMinute, double PeakMemoryMib);
