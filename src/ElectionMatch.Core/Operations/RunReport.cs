using System.Text.Json;
using System.Text.Json.Serialization;
using ElectionMatch.Matching;
using ElectionMatch.Snapshots;

namespace ElectionMatch.Operations;

/// <summary>
/// What <c>run --report FILE</c> writes: every stage's wall time, CPU time and rows in and out, the run's counts and
/// each provider step's figures, as JSON, so a caller in another process (<c>electionmatch bench</c>) reads them instead
/// of parsing log lines. A run that failed writes what it had: the stages it finished, its providers' figures and the
/// error, without a snapshot or counts.
/// </summary>
/// <param name="Snapshot">Null for a run that published nothing.</param>
public sealed record RunReport(string? Snapshot, double ElapsedSeconds, IReadOnlyList<RunReportStage> Stages, IReadOnlyDictionary<string, long> Counts)
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Each provider step's requests, HTTP attempts, cache hits, tokens (cached ones among them), billable characters and estimated cost, as the manifest's models list.</summary>
    public IReadOnlyList<ManifestModelUsage> Models { get; init; } = [];

    /// <summary>Why the run published nothing (its diagnostics, one a line); null for a run that published.</summary>
    public string? Error { get; init; }

    public static RunReport Of(RunResult run, TimeSpan elapsed) =>
        new(run.QualifiedTable, elapsed.TotalSeconds, run.Stages.Select(Stage).ToList(), run.Manifest.Counts) { Models = run.Manifest.Models };

    public static RunReport Unfinished(RunSoFar soFar, TimeSpan elapsed, string error) =>
        new(null, elapsed.TotalSeconds, soFar.Stages.Select(Stage).ToList(), new Dictionary<string, long>()) { Models = soFar.Models, Error = error };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Writes the report to <paramref name="path"/> (<c>--report</c>, MSBuild <c>Report</c>) whole or not at all; nothing when it is null.</summary>
    public void WriteTo(string? path)
    {
        if (path is not null)
        {
            AtomicFile.WriteAllText(path, ToJson());
        }
    }

    private static RunReportStage Stage(StageReport s) => new(s.Stage, s.RowsIn, s.RowsOut, s.Elapsed.TotalSeconds, s.Note, s.Cpu?.TotalSeconds);

    public static RunReport FromJson(string json) =>
        JsonSerializer.Deserialize<RunReport>(json, Json) ?? throw new JsonException("the run report is empty");
}
