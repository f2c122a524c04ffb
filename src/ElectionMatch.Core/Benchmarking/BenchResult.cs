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
