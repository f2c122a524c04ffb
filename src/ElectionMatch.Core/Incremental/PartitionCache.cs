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
/// Beside them, the rows of the stages <c>explain</c> reads (<see cref="ExplainedStages"/>), which each partition's
/// schema shows as views (<see cref="Expose"/>); a partition's rows under an older key stay until a run is assembled
/// without it (<see cref="Prune"/>), so the last assembled run can be explained while a later one is stopped.
/// </summary>
internal sealed class PartitionCache
{
    public static readonly RunSchema Schema = new("electionmatch_cache");

    /// <summary>
    /// The stages explain reads of a partition, each with the columns it reads (<c>*</c>: all) and whether only the
    /// results rows of a scored pair are kept (the stateless partition's results side is the whole results input).
    /// A pass's stage that a partition did not make (no runoff pass) is not cached, and its view not made.
    /// </summary>
    private static readonly (string Stage, string Columns, bool ScoredOnly)[] ExplainedStages =
    [
        ("left_input", "left_id, row_number", false),
        ("left_expanded", "left_id, election_type, election_date, state", false),
        ("left_filtered", "left_id, election_type, election_date", false),
        ("left_keyed", "*", false),
        ("runoff_left_keyed", "*", false),
        ("comparisons", "*", false),
        ("runoff_comparisons", "*", false),
        ("links", "*", false),
        ("runoff_links", "*", false),
        ("judge_answers", "*", false),
        ("runoff_judge_answers", "*", false),
        ("right_keyed", "right_key, right_id, candidate, race_name", true),
    ];

    private readonly DuckDbWarehouse _warehouse;
    private readonly string _match;
    private bool _stagesChecked;

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
            DropSchemas(_ => true);
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

    /// <summary>Whether the partition's entry under this key is cached and its schema shows it (<see cref="Expose"/>).</summary>
    public bool Has(string state, string cacheKey, RunSchema shown) =>
        _warehouse.Scalar<long>($"select count(*) from {Schema.Table("partitions")} where match = {Sql.Literal(_match)} and state = {Sql.Literal(state)} and cache_key = {Sql.Literal(cacheKey)}") > 0
        && _warehouse.TableExists(shown.Name, ShownMarker);

    /// <summary>The view each partition schema makes last: a schema without it is incomplete.</summary>
    public const string ShownMarker = "cached_partition";

    private string StageTable(string stage) => Schema.Table($"{_match}__stage_{stage}");

    /// <summary>
    /// Stores the stages explain reads of a partition's run (<paramref name="run"/>) under its key, replacing only rows
    /// under that same key: an older key's rows serve the last assembled run until <see cref="Prune"/>.
    /// </summary>
    public void StoreStages(string state, string cacheKey, RunSchema run)
    {
        var passes = new[] { "", "runoff_" }.Where(p => _warehouse.TableExists(run.Name, p + "comparisons")).ToList();
        var scored = string.Join(" union all ", passes.Select(p => $"select right_key from {run.Table(p + "comparisons")}"));
        var stages = ExplainedStages.Where(s => _warehouse.TableExists(run.Name, s.Stage))
            .Select(s => (s.Stage, Rows: $"select {s.Columns} from {run.Table(s.Stage)}" + (s.ScoredOnly ? $" semi join ({scored}) as scored using (right_key)" : "")))
            .ToList();
        if (!_stagesChecked)
        {
            // Rows cached by a build with other stage columns cannot take this run's rows, inserted by position. No cached
            // partition is then this build's (the build is in every key): the match's stages start afresh, and the
            // partition schemas that show them go with them.
            if (stages.Any(s => _warehouse.TableExists(Schema.Name, $"{_match}__stage_{s.Stage}") &&
                !_warehouse.Describe($"select * exclude (em_state, em_cache_key) from {StageTable(s.Stage)}").SequenceEqual(_warehouse.Describe(s.Rows))))
            {
                _warehouse.Execute(string.Concat(ExplainedStages.Select(s => $"drop table if exists {StageTable(s.Stage)};\n")));
                DropSchemas(_ => true);
            }

            _stagesChecked = true;
        }

        var key = Sql.Literal(cacheKey);
        _warehouse.InTransaction(() =>
        {
            foreach (var (stage, rows) in stages)
            {
                _warehouse.Execute($"""
                    create table if not exists {StageTable(stage)} as select '' as em_state, '' as em_cache_key, * from ({rows}) limit 0;
                    delete from {StageTable(stage)} where em_cache_key = {key};
                    insert into {StageTable(stage)} select {Sql.Literal(state)}, {key}, * from ({rows});
                    """);
            }
        });
    }

    /// <summary>
    /// Makes <paramref name="shown"/> a schema of views over the partition's cached rows under its key, named as the
    /// stages of a run schema, so explain reads it as it reads a run's (<paramref name="scoredViews"/>: the scored
    /// pairs' views over its <c>comparisons</c>). The marker view is made last, in the same transaction.
    /// </summary>
    public void Expose(string state, string cacheKey, RunSchema shown, Func<string, string> scoredViews)
    {
        var key = Sql.Literal(cacheKey);
        string View(string name, string table) =>
            $"create view {shown.Table(name)} as select * exclude (em_state, em_cache_key) from {table} where em_cache_key = {key};\n";
        var cached = ExplainedStages.Select(s => s.Stage).Where(s => _warehouse.TableExists(Schema.Name, $"{_match}__stage_{s}")).ToList();
        _warehouse.InTransaction(() =>
        {
            _warehouse.Execute($"""
                drop schema if exists {Sql.Identifier(shown.Name)} cascade;
                create schema {Sql.Identifier(shown.Name)};
                {View("output", Output)}
                {View("quarantine", Quarantine)}
                {string.Concat(cached.Select(s => View(s, StageTable(s))))}
                """);
            foreach (var pass in new[] { "", "runoff_" }.Where(p => cached.Contains(p + "comparisons")))
            {
                _warehouse.Execute(scoredViews(pass));
            }

            _warehouse.Execute($"create view {shown.Table(ShownMarker)} as select {Sql.Literal(state)} as state, {key} as cache_key");
        });
    }

    /// <summary>
    /// After a run is assembled: the cached stage rows and output of keys it does not use, and the partition schemas of
    /// this match it does not list (<paramref name="prefix"/>: their names' common start), go.
    /// </summary>
    public void Prune(IReadOnlyCollection<string> cacheKeys, IReadOnlySet<string> schemas)
    {
        var keys = string.Join(", ", cacheKeys.Select(Sql.Literal));
        var tables = ExplainedStages.Select(s => $"{_match}__stage_{s.Stage}").Append(_match + "__output").Append(_match + "__quarantine")
            .Where(t => _warehouse.TableExists(Schema.Name, t));
        _warehouse.Execute(string.Concat(tables.Select(t => $"delete from {Schema.Table(t)} where em_cache_key not in ({keys});\n")));
        DropSchemas(s => !schemas.Contains(s));
    }

    /// <summary>
    /// The schema that shows a partition's cached stages, named by its key: <c>em_run_&lt;match&gt;__part_&lt;state&gt;_&lt;key&gt;</c>.
    /// </summary>
    public static RunSchema Shown(string match, string state, string cacheKey) =>
        RunSchema.For(match).Part($"part_{(state == StatePartition.NoState ? "none" : state.ToLowerInvariant())}_{cacheKey[..16]}");

    private void DropSchemas(Func<string, bool> which)
    {
        var prefix = RunSchema.For(_match).Part("part_").Name;
        var schemas = _warehouse.Query(
            $"select schema_name from duckdb_schemas() where database_name = current_database() and starts_with(schema_name, {Sql.Literal(prefix)})",
            r => r.GetString(0));
        foreach (var schema in schemas.Where(which))
        {
            _warehouse.Execute($"drop schema {Sql.Identifier(schema)} cascade");
        }
    }

    /// <summary>
    /// Replaces a partition's entry with a fresh result, in one transaction. Its published rows and quarantine under an
    /// older key stay until <see cref="Prune"/>: the last assembled run's partition schemas show them.
    /// </summary>
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
            DropSchemas(_ => true);
        }

        _warehouse.Execute($"create table if not exists {Output} as select '' as em_state, '' as em_cache_key, * from {result.OutputTable} limit 0");
        _warehouse.Execute($"create table if not exists {Quarantine} as select '' as em_state, '' as em_cache_key, * from {result.QuarantineTable} limit 0");
        _warehouse.InTransaction(() =>
        {
            _warehouse.Execute($"""
                delete from {Output} where em_cache_key = {key};
                delete from {Quarantine} where em_cache_key = {key};
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
