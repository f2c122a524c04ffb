using System.Text.Json;
using System.Text.Json.Serialization;
using ElectionMatch.Operations;

namespace ElectionMatch.Benchmarking;

/// <summary>Everything a bench measured, with the machine; <c>--json</c> writes it and <c>--from</c> reads it back for the chart and the page.</summary>
public sealed record BenchResult(MachineFacts Machine, DateTimeOffset StartedAtUtc, IReadOnlyList<BenchRun> Runs)
{
    // started_at_utc as a manifest's created_at_utc is written: in UTC, with its offset.
    private static readonly JsonSerializerOptions Json = new(RunReport.Json) { Converters = { new Snapshots.UtcTimestampJsonConverter() } };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static BenchResult FromJson(string json)
    {
        var result = JsonSerializer.Deserialize<BenchResult>(json, Json) ?? throw new JsonException("the bench result is empty");

        // JSON that parses with a member missing (a run report, a trimmed file) leaves it null; said here, not as a crash later.
        return Missing(result) is { } member ? throw new JsonException($"it has no '{member}'; a file written by bench --json has") : result;
    }

    private static string? Missing(BenchResult result)
    {
        var m = result.Machine;
        return m is null ? "machine"
            : m.CpuModel is null ? "machine.cpu_model"
            : m.Os is null ? "machine.os"
            : m.Dotnet is null ? "machine.dotnet"
            : m.ToolVersion is null ? "machine.tool_version"
            : result.Runs is null ? "runs"
            : result.Runs.Select(Missing).FirstOrDefault(member => member is not null);
    }

    private static string? Missing(BenchRun? run) =>
        run is null ? "runs[]"
        : run.Stages is null || run.Stages.Any(s => s?.Stage is null) ? "stages"
        : run.Counts is null ? "counts"
        : run.MemoryMeasuredBy is null ? "memory_measured_by"
        : run.LeftShare is { } share ? (share.Run is null ? "left_share.run" : Missing(share.Run) is { } inner ? "left_share.run." + inner : null)
        : null;

    /// <summary>Runs of several files in one result, by rows (a later file's run of the same size wins); the first file's machine.</summary>
    public static BenchResult Merge(IReadOnlyList<BenchResult> results) => new(
        results[0].Machine,
        results.Min(r => r.StartedAtUtc),
        results.SelectMany(r => r.Runs).GroupBy(r => r.Rows).Select(g => g.Last()).OrderBy(r => r.Rows).ToList());
}
