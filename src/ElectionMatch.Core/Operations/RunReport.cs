using System.Text.Json;
using System.Text.Json.Serialization;
using ElectionMatch.Matching;

namespace ElectionMatch.Operations;

/// <summary>
/// What <c>run --report FILE</c> writes: every stage's wall time, CPU time and rows in and out, and the run's counts,
/// as JSON, so a caller in another process (<c>electionmatch bench</c>) reads them instead of parsing log lines.
/// </summary>
public sealed record RunReport(string Snapshot, double ElapsedSeconds, IReadOnlyList<RunReportStage> Stages, IReadOnlyDictionary<string, long> Counts)
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static RunReport Of(RunResult run, TimeSpan elapsed) => new(
        run.QualifiedTable,
        elapsed.TotalSeconds,
        run.Stages.Select(s => new RunReportStage(s.Stage, s.RowsIn, s.RowsOut, s.Elapsed.TotalSeconds, s.Note, s.Cpu?.TotalSeconds)).ToList(),
        run.Manifest.Counts);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static RunReport FromJson(string json) =>
        JsonSerializer.Deserialize<RunReport>(json, Json) ?? throw new JsonException("the run report is empty");
}
