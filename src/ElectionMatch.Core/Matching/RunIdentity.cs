using System.Text.Json;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>
/// Which run the stages of a run schema are of: its run id (the snapshot log's) and the snapshot it was to publish, in the
/// table <c>run_identity</c> of the schema. A run writes it once its stages are whole, before it publishes; a run stopped
/// or failed before then leaves its stages without it (a plain run drops the schema as it starts), so <c>explain</c> never
/// takes an unpublished run's stages for a snapshot's. With them, the settings the run decided by: <c>explain</c> words a
/// row by the thresholds its run applied, not by electionmatch.yml as it is now.
/// </summary>
public sealed record RunIdentity(string RunId, string Snapshot)
{
    public const string Table = "run_identity";

    /// <summary>Every threshold of the match's kind as the run applied it (set or default); empty for a run of an earlier build, which did not record them.</summary>
    public IReadOnlyDictionary<string, double> Thresholds { get; init; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>The run's <see cref="MatchSettings.ResultsSha256"/>, as its manifest's <c>match_settings_sha256</c>; null for a run of an earlier build.</summary>
    public string? MatchSettingsSha256 { get; init; }

    /// <summary>The identity of a run of <paramref name="match"/>, with the thresholds and settings hash it runs by.</summary>
    public static RunIdentity For(string runId, string snapshot, MatchSettings match) => new(runId, snapshot)
    {
        Thresholds = MatchKind.All.First(k => k.Name == match.Kind).Thresholds.ToDictionary(t => t.Name, t => match.Threshold(t.Name), StringComparer.Ordinal),
        MatchSettingsSha256 = match.ResultsSha256,
    };

    public void Record(DuckDbWarehouse warehouse, RunSchema run) => warehouse.Execute($"""
        create or replace table {run.Table(Table)} as
        select {Sql.Literal(RunId)} as run_id, {Sql.Literal(Snapshot)} as snapshot,
            {Sql.Literal(JsonSerializer.Serialize(Thresholds))} as thresholds_json, {(MatchSettingsSha256 is null ? "cast(null as varchar)" : Sql.Literal(MatchSettingsSha256))} as match_settings_sha256
        """);

    /// <summary>The run the schema's stages are of; null when the schema has none recorded.</summary>
    public static RunIdentity? Of(DuckDbWarehouse warehouse, RunSchema run) =>
        warehouse.TableExists(run.Name, Table)
            ? warehouse.Query($"select * from {run.Table(Table)}", r =>
            {
                // A run of an earlier build recorded the run id and snapshot alone.
                var recorded = r.FieldCount > 2;
                return new RunIdentity(r.GetString(0), r.GetString(1))
                {
                    Thresholds = recorded && !r.IsDBNull(2) ? JsonSerializer.Deserialize<Dictionary<string, double>>(r.GetString(2)) ?? [] : new Dictionary<string, double>(StringComparer.Ordinal),
                    MatchSettingsSha256 = recorded && !r.IsDBNull(3) ? r.GetString(3) : null,
                };
            }).FirstOrDefault()
            : null;
}
