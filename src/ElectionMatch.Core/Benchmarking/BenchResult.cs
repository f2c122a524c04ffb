using System.Text.Json;
using System.Text.Json.Serialization;
using ElectionMatch.Operations;

namespace ElectionMatch.Benchmarking;

/// <summary>Everything a bench measured, with the machine; <c>--json</c> writes it and <c>--from</c> reads it back for the chart and the page.</summary>
public sealed record BenchResult(MachineFacts Machine, DateTimeOffset StartedAtUtc, IReadOnlyList<BenchRun> Runs)
{
    private static readonly JsonSerializerOptions Json = new(RunReport.Json);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static BenchResult FromJson(string json) =>
        JsonSerializer.Deserialize<BenchResult>(json, Json) ?? throw new JsonException("the bench result is empty");

    /// <summary>Runs of several files in one result, by rows (a later file's run of the same size wins); the first file's machine.</summary>
    public static BenchResult Merge(IReadOnlyList<BenchResult> results) => new(
        results[0].Machine,
        results.Min(r => r.StartedAtUtc),
        results.SelectMany(r => r.Runs).GroupBy(r => r.Rows).Select(g => g.Last()).OrderBy(r => r.Rows).ToList());
}

/// <summary>One synthetic project matched end to end in a child process.</summary>
/// <param name="WallSeconds">The child process from start to exit: runtime start, read, match, publish, parquet, staging files.</param>
/// <param name="RunSeconds">The run operation alone, as the child measured it.</param>
/// <param name="LeftRowsPerMinute">Left (HubSpot) rows read per minute of <paramref name="WallSeconds"/>.</param>
/// <param name="PeakMemoryMib">The child's peak resident set, DuckDB's native memory included.</param>
/// <param name="SynthSeconds">How long generating the project took; null when an earlier bench's project was reused.</param>
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
    IReadOnlyDictionary<string, long> Counts);
