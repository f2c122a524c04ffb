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
/// <param name="LeftShare">
/// With <c>--left-share</c>: the same size run again on a share of its left rows and all of its results rows, which
/// <see cref="CostSplit"/> fits against this run.
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
    IReadOnlyList<BenchRepeat>? Repeats = null,
    BenchLeftShare? LeftShare = null)
{
    /// <summary>What the run costs whatever its left rows and what each left row adds, when <see cref="LeftShare"/> was measured.</summary>
    public BenchCostSplit? CostSplit => LeftShare is { } share ? BenchCostSplit.Of(share.Share, this, share.Run) : null;

    /// <summary>What the median run is chosen by: CPU time where the platform reports it, else wall time.</summary>
    [JsonIgnore]
    public double Cost => CpuSeconds ?? WallSeconds;
}

/// <summary>One of a size's repeated runs.</summary>
public sealed record BenchRepeat(double WallSeconds, double? CpuSeconds, double LeftRowsPerMinute, double PeakMemoryMib);

/// <summary>A size run again on a share of its left rows (<c>bench --left-share</c>); <paramref name="Run"/> is the median of its repeats.</summary>
public sealed record BenchLeftShare(double Share, BenchRun Run);
