using System.Text.Json;
using ElectionMatch.Diagnostics;
using ElectionMatch.Matching;
using ElectionMatch.Matching.Scoring;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Incremental;

/// <summary>
/// The warehouse schema <c>electionmatch_cache</c>: trained models by match, settings and tool version, and
/// each state partition's published rows, quarantine, counts and row accounts under its cache key (input,
/// model and settings hashes). One entry per partition is kept: a recomputed partition replaces its old one.
/// </summary>
internal sealed class PartitionCache
{
    public static readonly RunSchema Schema = new("electionmatch_cache");

    private readonly DuckDbWarehouse _warehouse;
    private readonly string _match;

    public PartitionCache(DuckDbWarehouse warehouse, string match, IReadOnlyList<OutputColumn> columns)
    {
        _warehouse = warehouse;
        _match = match;
        warehouse.Execute($"""
            create schema if not exists {Sql.Identifier(Schema.Name)};
            create table if not exists {Schema.Table("models")} (
                match varchar, settings_sha256 varchar, tool_version varchar, model_sha256 varchar, model_json varchar, trained_at_utc timestamp);
            create table if not exists {Schema.Table("partitions")} (
                match varchar, state varchar, cache_key varchar, input_sha256 varchar, model_sha256 varchar, settings_sha256 varchar,
                tool_version varchar, left_rows bigint, computed_at_utc timestamp, counts_json varchar, accounts_json varchar);
            """);

        // Rows cached under another output layout (an older tool) cannot be reused: start those partitions afresh.
        if (warehouse.TableExists(Schema.Name, OutputTable) &&
            !warehouse.Describe($"select * exclude (em_state, em_cache_key) from {Output}").Select(c => c.Name).SequenceEqual(columns.Select(c => c.Name)))
        {
            warehouse.Execute($"drop table {Output}; drop table if exists {Quarantine}; delete from {Schema.Table("partitions")} where match = {Sql.Literal(match)}");
        }
    }

    private string OutputTable => _match + "__output";

    public string Output => Schema.Table(OutputTable);

    public string Quarantine => Schema.Table(_match + "__quarantine");

    /// <summary>The model stored for these settings and this tool version, if any.</summary>
    public (ModelParameters Model, string Sha256)? FindModel(string settingsSha256, SourceSpan at)
    {
        var json = _warehouse.Query(
            $"select model_json from {Schema.Table("models")} where match = {Sql.Literal(_match)} and settings_sha256 = {Sql.Literal(settingsSha256)} and tool_version = {Sql.Literal(ToolInfo.Version)}",
            r => r.GetString(0)).FirstOrDefault();
        if (json is null)
        {
            return null;
        }

        try
        {
            return (ModelParameters.FromJson(json), StatePartitions.Sha256(json));
        }
        catch (JsonException e)
        {
            throw DiagnosticException.At(Codes.IncrementalCacheUnreadable, at, $"the stored model of '{_match}' in {Schema.Name}.models is unreadable ({e.Message}); run with --retrain to train and store a new one");
        }
    }

    /// <summary>Stores a trained model in its canonical JSON (read back and written again) and returns that JSON's hash.</summary>
    public (ModelParameters Model, string Sha256) StoreModel(ModelParameters trained, string settingsSha256)
    {
        var json = ModelParameters.FromJson(trained.ToJson()).ToJson();
        var sha = StatePartitions.Sha256(json);
        _warehouse.InTransaction(() =>
        {
            _warehouse.Execute($"delete from {Schema.Table("models")} where match = {Sql.Literal(_match)}");
            _warehouse.Execute($"""
                insert into {Schema.Table("models")}
                values ({Sql.Literal(_match)}, {Sql.Literal(settingsSha256)}, {Sql.Literal(ToolInfo.Version)}, {Sql.Literal(sha)}, {Sql.Literal(json)}, now())
                """);
        });
        return (ModelParameters.FromJson(json), sha);
    }

    public bool Has(string state, string cacheKey) =>
        _warehouse.Scalar<long>($"select count(*) from {Schema.Table("partitions")} where match = {Sql.Literal(_match)} and state = {Sql.Literal(state)} and cache_key = {Sql.Literal(cacheKey)}") > 0;

    /// <summary>Replaces a partition's entry with a fresh result, in one transaction.</summary>
    public void Store(StatePartition partition, string cacheKey, string modelSha256, string settingsSha256, string tool, MatchResult result)
    {
        var state = Sql.Literal(partition.State);
        var key = Sql.Literal(cacheKey);
        // Quarantined rows cached under another layout (an older tool) cannot take this run's rows, which are inserted by
        // position. No cached partition is then this build's (the build is in every key): the match's cache starts afresh.
        if (_warehouse.TableExists(Schema.Name, _match + "__quarantine") &&
            !_warehouse.Describe($"select * exclude (em_state, em_cache_key) from {Quarantine}").SequenceEqual(_warehouse.Describe("select * from " + result.QuarantineTable)))
        {
            _warehouse.Execute($"drop table if exists {Output}; drop table {Quarantine}; delete from {Schema.Table("partitions")} where match = {Sql.Literal(_match)}");
        }

        _warehouse.Execute($"create table if not exists {Output} as select '' as em_state, '' as em_cache_key, * from {result.OutputTable} limit 0");
        _warehouse.Execute($"create table if not exists {Quarantine} as select '' as em_state, '' as em_cache_key, * from {result.QuarantineTable} limit 0");
        _warehouse.InTransaction(() =>
        {
            _warehouse.Execute($"""
                delete from {Output} where em_state = {state};
                delete from {Quarantine} where em_state = {state};
                delete from {Schema.Table("partitions")} where match = {Sql.Literal(_match)} and state = {state};
                insert into {Output} select {state}, {key}, * from {result.OutputTable};
                insert into {Quarantine} select {state}, {key}, * from {result.QuarantineTable};
                insert into {Schema.Table("partitions")} values (
                    {Sql.Literal(_match)}, {state}, {key}, {Sql.Literal(partition.InputSha256)}, {Sql.Literal(modelSha256)}, {Sql.Literal(settingsSha256)},
                    {Sql.Literal(tool)}, {partition.LeftRows}, now(),
                    {Sql.Literal(JsonSerializer.Serialize(result.Counts))}, {Sql.Literal(JsonSerializer.Serialize(result.Accounts))});
                """);
        });
    }

    /// <summary>The counts and row accounts stored with a partition's entry.</summary>
    public (Dictionary<string, long> Counts, List<RowAccount> Accounts) Read(string state, string cacheKey) =>
        _warehouse.Query(
            $"select counts_json, accounts_json from {Schema.Table("partitions")} where match = {Sql.Literal(_match)} and state = {Sql.Literal(state)} and cache_key = {Sql.Literal(cacheKey)}",
            r => (JsonSerializer.Deserialize<Dictionary<string, long>>(r.GetString(0))!, JsonSerializer.Deserialize<List<RowAccount>>(r.GetString(1))!))
            .Single();
}
