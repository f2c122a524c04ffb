using System.Text.Json;
using ElectionMatch.Diagnostics;
using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Matching.Judging;
using ElectionMatch.Matching.Scoring;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Incremental;

/// <summary>
/// The warehouse schema <c>electionmatch_cache</c>: trained models by match, settings and tool version (with the
/// reference files and comparison definitions each was trained with), and
/// each state partition's published rows, quarantine, counts and row accounts under its cache key (input,
/// model and settings hashes), with the content hash of those rows as they were written (<see cref="Altered"/>).
/// A recomputed partition's entry and rows replace its old ones once a run is assembled without them (<see cref="Prune"/>).
/// Beside them, the rows of the stages <c>explain</c> reads (<see cref="ExplainedStages"/>), which one schema shows a
/// partition at a time (<see cref="MakeShown"/>); a partition's rows under an older key stay until a run is assembled
/// without it (<see cref="Prune"/>), so the last assembled run can be explained while a later one is stopped.
/// </summary>
internal sealed class PartitionCache
{
    public static readonly RunSchema Schema = new("electionmatch_cache");

    /// <summary>The numbers each judge request gave its contest's candidates (<see cref="JudgeStage.CandidatesTable"/>).</summary>
    // Declared before ExplainedStages, whose initializer reads it (static fields are set in the order written).
    private static readonly string JudgeCandidates = JudgeStage.CandidatesTable("judge_answers");

    /// <summary>Of the pairs of a judged row's contest, the levels explain words (not their names and lists).</summary>
    // Declared before ExplainedStages, as JudgeCandidates is.
    private static readonly string JudgeEvidenceColumns = "left_key, right_key, " + string.Join(", ", CandidacyDdhqComparisons.All.Select(c => c.GammaColumn));

    /// <summary>
    /// The stages explain reads of a partition, each with the columns it reads (<c>*</c>: all) and whether only the
    /// results rows explain names are kept: those of a scored pair or of a contest the judge saw (the stateless
    /// partition's results side is the whole results input). A pass's stage that a partition did not make (no runoff
    /// pass) is not cached, and its view not made. A judged row's block (<c>JudgedRow</c>) reads the judge's stages
    /// and <c>above_reject</c>, which the schema that shows the cached partitions makes as a view over their comparisons (the scored views).
    /// </summary>
    private static readonly (string Stage, string Columns, bool NamedOnly)[] ExplainedStages =
    [
        ("left_input", "left_id, row_number, first_name, middle_name, last_name, suffix, nickname", false),
        ("left_expanded", "left_id, election_type, election_date, state", false),
        ("left_filtered", "left_id, election_type, election_date", false),
        ("left_keyed", LeftKeyedColumns, false),
        ("runoff_left_keyed", LeftKeyedColumns, false),
        ("comparisons", "*", false),
        ("runoff_comparisons", "*", false),
        ("links", "*", false),
        ("runoff_links", "*", false),
        ("judge_answers", "*", false),
        ("runoff_judge_answers", "*", false),
        ("judge_rows", JudgeRowsColumns, false),
        ("runoff_judge_rows", JudgeRowsColumns, false),
        ("judge_evidence", JudgeEvidenceColumns, false),
        ("runoff_judge_evidence", JudgeEvidenceColumns, false),
        (JudgeCandidates, "*", false),
        ("runoff_" + JudgeCandidates, "*", false),
        ("right_keyed", "right_key, right_id, right_id_value, candidate, race_name, state, district", true),
    ];

    /// <summary>Of a judged row, its best free pair and its contest.</summary>
    private const string JudgeRowsColumns = "left_key, best_right_key, race_key, race_name";

    /// <summary>Of a keyed left row, what explain shows and joins on (not its parsed name parts, lists and embedding text; its name as read is its left_input row's).</summary>
    private const string LeftKeyedColumns = "left_key, left_id, row_number, state, election_type, election_date, base_date, match_date, date_fallback";

    private readonly DuckDbWarehouse _warehouse;
    private readonly string _match;
    private bool _layoutChecked;

    public PartitionCache(DuckDbWarehouse warehouse, string match, IReadOnlyList<OutputColumn> columns)
    {
        _warehouse = warehouse;
        _match = match;
        warehouse.Execute($"""
            create schema if not exists {Sql.Identifier(Schema.Name)};
            create table if not exists {Schema.Table("models")} (
                match varchar, settings_sha256 varchar, tool_version varchar, model_sha256 varchar, model_json varchar, trained_at_utc timestamp);
            create table if not exists {Schema.Table("surname_frequencies")} (match varchar, model_sha256 varchar, last_name varchar, tf_last double);
            create table if not exists {Schema.Table("surname_word_frequencies")} (match varchar, model_sha256 varchar, word varchar, tf_word double);
            create table if not exists {Schema.Table("partitions")} (
                match varchar, state varchar, cache_key varchar, input_sha256 varchar, model_sha256 varchar, settings_sha256 varchar,
                tool_version varchar, left_rows bigint, computed_at_utc timestamp, counts_json varchar, accounts_json varchar);
            -- Null in an entry an older build wrote: its rows are recomputed (content), and it is not said to differ (the others).
            alter table {Schema.Table("partitions")} add column if not exists columns_sha256 varchar;
            alter table {Schema.Table("partitions")} add column if not exists prompt_template varchar;
            alter table {Schema.Table("partitions")} add column if not exists surnames_sha256 varchar;
            -- The hash of the surname frequencies stored with the model, written with them: rows edited since do not match it.
            alter table {Schema.Table("models")} add column if not exists surnames_sha256 varchar;
            -- The reference files the model was trained with, as a manifest records them: null in a model an older build stored.
            alter table {Schema.Table("models")} add column if not exists reference_files varchar;
            -- Each comparison's definition fingerprint the model was trained under: null in a model an older build stored.
            alter table {Schema.Table("models")} add column if not exists comparison_levels varchar;
            -- The build that trained or adopted the model (ToolInfo.Fingerprint): null in a model an older build stored.
            alter table {Schema.Table("models")} add column if not exists tool_build varchar;
            alter table {Schema.Table("partitions")} add column if not exists content_sha256 varchar;
            -- Each side's rows' hash, parts of input_sha256: a recomputed partition's line says which side changed.
            alter table {Schema.Table("partitions")} add column if not exists left_sha256 varchar;
            alter table {Schema.Table("partitions")} add column if not exists right_sha256 varchar;
            """);

        // Rows cached under another output layout (an older tool) cannot be reused: start those partitions afresh.
        if (warehouse.TableExists(Schema.Name, OutputTable) &&
            !warehouse.Describe($"select * exclude (em_state, em_cache_key) from {Output}").Select(c => c.Name).SequenceEqual(columns.Select(c => c.Name)))
        {
            warehouse.Execute($"drop table {Output}; drop table if exists {Quarantine}; delete from {Schema.Table("partitions")} where match = {Sql.Literal(match)}");
            DropSchemas(shared: true);
            Discarded = "the cache was written by a build whose output has other columns, and was started afresh";
        }
    }

    /// <summary>Why the match's cached partitions were all discarded when the cache was opened, if they were.</summary>
    public string? Discarded { get; }

    private string OutputTable => _match + "__output";

    public string Output => Schema.Table(OutputTable);

    private string QuarantineTable => _match + "__quarantine";

    public string Quarantine => Schema.Table(QuarantineTable);

    /// <summary>
    /// The model stored for these settings and this tool version, if any, with what it was trained with and the build
    /// that stored it (each part null when an older build stored it without recording it).
    /// </summary>
    public (ModelParameters Model, string Sha256, ModelProvenance Provenance)? FindModel(string settingsSha256, SourceSpan at, string retrainOption = "--retrain")
    {
        var found = _warehouse.Query(
            $"select model_json, reference_files, comparison_levels, tool_build from {Schema.Table("models")} where match = {Sql.Literal(_match)} and settings_sha256 = {Sql.Literal(settingsSha256)} and tool_version = {Sql.Literal(ToolInfo.Version)}",
            r => (Json: r.GetString(0), ReferenceFiles: r.IsDBNull(1) ? null : r.GetString(1), ComparisonLevels: r.IsDBNull(2) ? null : r.GetString(2), Tool: r.IsDBNull(3) ? null : r.GetString(3))).FirstOrDefault();
        if (found.Json is null)
        {
            return null;
        }

        try
        {
            var referenceFiles = found.ReferenceFiles is null ? null : JsonSerializer.Deserialize<List<ManifestReferenceFile>>(found.ReferenceFiles, SnapshotManifest.JsonOptions);
            var comparisonLevels = found.ComparisonLevels is null ? null : JsonSerializer.Deserialize<List<ManifestComparison>>(found.ComparisonLevels, SnapshotManifest.JsonOptions);
            return (ModelParameters.FromJson(found.Json), StatePartitions.Sha256(found.Json), new ModelProvenance(referenceFiles, comparisonLevels, found.Tool));
        }
        catch (JsonException e)
        {
            throw DiagnosticException.At(Codes.IncrementalCacheUnreadable, at, $"the stored model of '{_match}' in {Schema.Name}.models is unreadable ({e.Message}); run with {retrainOption} to train and store a new one");
        }
    }

    /// <summary>
    /// Stores a model trained with <paramref name="provenance"/> (reference files and comparison definitions) in its
    /// canonical JSON (read back and written again) and returns that JSON's hash.
    /// </summary>
    public (ModelParameters Model, string Sha256) StoreModel(ModelParameters trained, string settingsSha256, ModelProvenance provenance)
    {
        var json = ModelParameters.FromJson(trained.ToJson()).ToJson();
        var sha = StatePartitions.Sha256(json);
        _warehouse.InTransaction(() =>
        {
            _warehouse.Execute($"delete from {Schema.Table("models")} where match = {Sql.Literal(_match)}");
            _warehouse.Execute($"""
                insert into {Schema.Table("models")} (match, settings_sha256, tool_version, model_sha256, model_json, trained_at_utc, reference_files, comparison_levels, tool_build)
                values ({Sql.Literal(_match)}, {Sql.Literal(settingsSha256)}, {Sql.Literal(ToolInfo.Version)}, {Sql.Literal(sha)}, {Sql.Literal(json)}, {UtcNow()},
                    {Sql.Literal(JsonSerializer.Serialize(provenance.ReferenceFiles, SnapshotManifest.JsonOptions))},
                    {Sql.Literal(JsonSerializer.Serialize(provenance.ComparisonLevels, SnapshotManifest.JsonOptions))},
                    {Sql.Literal(provenance.Tool)})
                """);
        });
        return (ModelParameters.FromJson(json), sha);
    }

    /// <summary>
    /// The surnames' and their words' frequencies stored with the model <paramref name="modelSha256"/>, as the matcher reads
    /// them (<see cref="CandidacyDdhqMatcher.SurnameFrequencies"/>), with their hash and how many surnames they hold; null
    /// when none are stored with it, with <paramref name="unusable"/> saying why when rows are there but cannot be used: they
    /// no longer hash to what was stored (edited, deleted or added by hand, or stored without the words by an older build),
    /// or hold a surname or a word twice.
    /// </summary>
    /// <remarks>
    /// Counted once over the whole input, when the model was trained or first used, and kept while it is: a partition
    /// holds one state's rows, over which a small state's every surname looks common; counted again on each run they
    /// would change every partition's weights whenever any results row changed.
    /// </remarks>
    public (SurnameFrequencies Relations, string Sha256, long Surnames)? FindSurnameFrequencies(string modelSha256, out string? unusable)
    {
        unusable = null;
        var surnames = Stored(SurnameTable, modelSha256);
        var words = Stored(WordTable, modelSha256);
        var found = _warehouse.Query(
            $"""
            select (select count(*) from {surnames}) > 0, {FrequenciesShaSql(modelSha256)} as sha,
                (select count(last_name) from {surnames}), (select count(distinct last_name) from {surnames}), (select count(*) filter (where last_name is null) from {surnames}),
                (select count(word) from {words}), (select count(distinct word) from {words}), (select count(*) filter (where word is null) from {words}),
                (select any_value(surnames_sha256) from {Schema.Table("models")} where match = {Sql.Literal(_match)} and model_sha256 = {Sql.Literal(modelSha256)})
            """,
            r => (Any: r.GetBoolean(0), Sha: r.GetString(1), Surnames: r.GetInt64(2), Distinct: r.GetInt64(3), Once: r.GetInt64(4),
                Words: r.GetInt64(5), DistinctWords: r.GetInt64(6), WordOnce: r.GetInt64(7), Recorded: r.IsDBNull(8) ? null : r.GetString(8))).Single();
        if (!found.Any)
        {
            return null;
        }

        if (found.Surnames != found.Distinct || found.Once != 1)
        {
            unusable = $"the surname frequencies stored with model {modelSha256[..12]} hold a surname more than once, or no frequency for a surname seen once";
            return null;
        }

        // No words at all: stored by a build before them, which the hash below says.
        if (found.Words + found.WordOnce > 0 && (found.Words != found.DistinctWords || found.WordOnce != 1))
        {
            unusable = $"the surname word frequencies stored with model {modelSha256[..12]} hold a word more than once, or no frequency for a word seen once";
            return null;
        }

        if (found.Recorded != found.Sha)
        {
            unusable = $"the surname frequencies stored with model {modelSha256[..12]} are not the ones counted (edited since, or stored by an older build)";
            return null;
        }

        return (new SurnameFrequencies($"(select last_name, tf_last from {surnames})", $"(select word, tf_word from {words})"), found.Sha, found.Surnames);
    }

    private const string SurnameTable = "surname_frequencies";

    private const string WordTable = "surname_word_frequencies";

    /// <summary>The rows of the cache table <paramref name="table"/> stored with the model <paramref name="modelSha256"/>, as a relation.</summary>
    private string Stored(string table, string modelSha256) =>
        $"(select * from {Schema.Table(table)} where match = {Sql.Literal(_match)} and model_sha256 = {Sql.Literal(modelSha256)})";

    /// <summary>
    /// The frequencies' hash, over their text value by value (the row for a value seen once first): the surnames', then a
    /// line <c>words</c> and the words'. The words were added after the surnames, so a hash an older build recorded over the
    /// surnames alone differs.
    /// </summary>
    private string FrequenciesShaSql(string modelSha256) => $"""
        sha256(coalesce((select string_agg(coalesce(last_name, '') || ' ' || cast(tf_last as varchar), chr(10) order by last_name nulls first) from {Stored(SurnameTable, modelSha256)}), '')
            || chr(10) || 'words' || chr(10)
            || coalesce((select string_agg(coalesce(word, '') || ' ' || cast(tf_word as varchar), chr(10) order by word nulls first) from {Stored(WordTable, modelSha256)}), ''))
        """;

    /// <summary>
    /// Stores the surnames' and their words' frequencies a whole-input run in <paramref name="run"/> counted
    /// (<see cref="CandidacyDdhqCleaning.SurnamesTable"/>, <see cref="CandidacyDdhqCleaning.SurnameWordsTable"/>) with the
    /// model <paramref name="modelSha256"/>, in place of the match's earlier ones, each with a row with no value: the
    /// frequency of one seen once, for a surname or a word that is new since. Their hash is recorded with the model in the
    /// same transaction.
    /// </summary>
    public void StoreSurnameFrequencies(string modelSha256, RunSchema run)
    {
        var values = $"{Sql.Literal(_match)}, {Sql.Literal(modelSha256)}";
        var once = $"(select 1 / greatest(count(*), 1) from {run.Table("right_clean")} where last_name is not null)";
        _warehouse.InTransaction(() => _warehouse.Execute($"""
            delete from {Schema.Table(SurnameTable)} where match = {Sql.Literal(_match)};
            insert into {Schema.Table(SurnameTable)} select {values}, last_name, tf_last from {run.Table(CandidacyDdhqCleaning.SurnamesTable)};
            insert into {Schema.Table(SurnameTable)} select {values}, null, {once};
            delete from {Schema.Table(WordTable)} where match = {Sql.Literal(_match)};
            insert into {Schema.Table(WordTable)} select {values}, word, tf_word from {run.Table(CandidacyDdhqCleaning.SurnameWordsTable)};
            insert into {Schema.Table(WordTable)} select {values}, null, {once};
            update {Schema.Table("models")} set surnames_sha256 = (select {FrequenciesShaSql(modelSha256)})
            where match = {Sql.Literal(_match)} and model_sha256 = {Sql.Literal(modelSha256)};
            """));
    }

    /// <summary>
    /// The match's cached partitions: each's state, key, input hash, its left and right rows' hashes (null in an entry an
    /// older build stored) and the other parts of its key.
    /// </summary>
    public List<(string State, string CacheKey, string InputSha256, string? LeftSha256, string? RightSha256, PartitionKeyParts Parts)> Entries() =>
        _warehouse.Query(
            $"select state, cache_key, input_sha256, model_sha256, settings_sha256, tool_version, prompt_template, columns_sha256, surnames_sha256, left_sha256, right_sha256 from {Schema.Table("partitions")} where match = {Sql.Literal(_match)}",
            r => (r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(9) ? null : r.GetString(9), r.IsDBNull(10) ? null : r.GetString(10),
                new PartitionKeyParts(r.GetString(3), r.GetString(4), r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8))));

    /// <summary>
    /// The keys among <paramref name="cacheKeys"/> whose cached output and quarantine rows no longer hash to the content hash
    /// stored when they were written (edited in the warehouse), or that have none (written by an older build): their
    /// rows must be recomputed, not published. One pass over the cached rows of these keys, hashed in DuckDB.
    /// </summary>
    public IReadOnlySet<string> Altered(IReadOnlyCollection<string> cacheKeys)
    {
        if (cacheKeys.Count == 0 || !_warehouse.TableExists(Schema.Name, OutputTable) || !_warehouse.TableExists(Schema.Name, _match + "__quarantine"))
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        return _warehouse.Query($"""
            select p.cache_key
            from {Schema.Table("partitions")} as p
            left join ({ContentSql(cacheKeys)}) as c using (cache_key)
            where p.match = {Sql.Literal(_match)} and p.cache_key in ({string.Join(", ", cacheKeys.Select(Sql.Literal))})
                and (p.content_sha256 is null or p.content_sha256 <> c.content_sha256)
            """, r => r.GetString(0)).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// (cache_key, content_sha256) of each key: the snapshot quarantine's hash (<see cref="ContentHash.InRowHashOrderSql"/>)
    /// over the MD5s of the key's cached output and quarantine rows (today's content hash version), so the order they are stored in does not count.
    /// </summary>
    private string ContentSql(IEnumerable<string> cacheKeys)
    {
        var keys = string.Join(", ", cacheKeys.Select(Sql.Literal));
        string RowMd5s(string table) =>
            $"select em_cache_key, {ContentHash.RowHashSql(_warehouse.Connection, $"(select * exclude (em_state, em_cache_key) from {table})", "t", ContentHash.CurrentVersion)} as row_md5 from {table} as t where em_cache_key in ({keys})";
        return $"""
            select k.cache_key, {ContentHash.InRowHashOrderSql("r.row_md5")} as content_sha256
            from (select unnest([{keys}]) as cache_key) as k
            left join ({RowMd5s(Output)} union all {RowMd5s(Quarantine)}) as r on r.em_cache_key = k.cache_key
            group by k.cache_key
            """;
    }

    /// <summary>Whether the partition's entry under this key is cached: its rows are written in the same transaction (<see cref="Store"/>).</summary>
    public bool Has(string state, string cacheKey) =>
        _warehouse.Scalar<bool>($"select {EntryCachedSql(_match, Sql.Literal(state), Sql.Literal(cacheKey))}");

    /// <summary>
    /// The view each partition schema of an earlier build made last (a schema without it was incomplete). Such schemas are
    /// dropped by the next incremental run (<see cref="Prune"/>); until then explain reads them as that build left them.
    /// </summary>
    public const string ShownMarker = "cached_partition";

    /// <summary>
    /// The schema that shows the cached stages of one partition at a time, <c>em_run_&lt;match&gt;__cached</c>: its views are
    /// the stages' names, each over the cache table filtered to the key <see cref="ShowKey"/> set on the connection.
    /// </summary>
    public static RunSchema Shown(string match) => RunSchema.For(match).Part("cached");

    /// <summary>The session variable that names the partition <see cref="Shown(string)"/>'s views show (its cache key).</summary>
    public const string ShownKeyVariable = "em_cached_key";

    /// <summary>
    /// A condition over the SQL expressions <paramref name="state"/> and <paramref name="cacheKey"/>: whether the cache still
    /// holds that partition's entry, written with its rows; both stay until a run is assembled without that key
    /// (<see cref="Prune"/>), and both go when the cache starts afresh (another build's layout).
    /// </summary>
    public static string EntryCachedSql(string match, string state, string cacheKey) =>
        $"exists (select 1 from {Schema.Table("partitions")} as c where c.match = {Sql.Literal(match)} and c.state = {state} and c.cache_key = {cacheKey})";

    /// <summary>Makes the views of <see cref="Shown(string)"/> show the partition cached under <paramref name="cacheKey"/> on this connection.</summary>
    public static void ShowKey(DuckDbWarehouse warehouse, string cacheKey) =>
        warehouse.Execute($"set variable {ShownKeyVariable} = {Sql.Literal(cacheKey)}");

    private static readonly string[] Passes = ["", "runoff_"];

    /// <summary>This instant in UTC as a plain timestamp: DuckDB's <c>now()</c> stored in one is in the host's time zone.</summary>
    private static string UtcNow() => $"timestamp {Sql.Literal(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture))}";

    private string StageTable(string stage) => Schema.Table(StageTableName(stage));

    private string StageTableName(string stage) => $"{_match}__stage_{stage}";

    /// <summary>The tables and views of a schema, in one query.</summary>
    private HashSet<string> Names(string schema) =>
        _warehouse.Query($"select table_name from information_schema.tables where table_schema = {Sql.Literal(schema)}", r => r.GetString(0)).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Stores a partition's fresh result computed in <paramref name="run"/> under its key, in one transaction: its
    /// published rows, quarantine, counts and row accounts, the content hash of its rows as written, and the rows of the
    /// stages explain reads. Its entry and rows under an older key stay until <see cref="Prune"/>: the last assembled run
    /// lists that key, and <see cref="Shown(string)"/> shows its rows, while a later run is stopped.
    /// </summary>
    public void Store(StatePartition partition, string cacheKey, PartitionKeyParts parts, MatchResult result, RunSchema run)
    {
        if (result.OutputTable != run.Table("output") || result.QuarantineTable != run.Table("quarantine"))
        {
            throw new ArgumentException("a partition's result is stored from the run schema it was computed in", nameof(result));
        }

        Write([new Computed(partition, cacheKey, result)], parts, new RowSource(run, $"{Sql.Literal(partition.State)} as em_state, {Sql.Literal(cacheKey)} as em_cache_key", "*", "right_key"));
    }

    /// <summary>
    /// <see cref="Store"/> for every partition of a batch at once, in one transaction and one statement a table: their rows
    /// are read from <paramref name="all"/>, the schema where <see cref="PartitionSlice.ShowAll"/> shows each partition's
    /// share of the batch run, each row led by its partition's state and cache key. Storing them one by one cost some
    /// 80 ms of CPU a partition on the fixture, in 40-odd statements each (session 57).
    /// </summary>
    public void StoreBatch(IReadOnlyList<Computed> partitions, PartitionKeyParts parts, RunSchema all) =>
        Write(partitions, parts, new RowSource(all, $"{PartitionSlice.StateColumn} as em_state, {PartitionSlice.KeyColumn} as em_cache_key", $"* exclude ({PartitionSlice.StateColumn}, {PartitionSlice.KeyColumn})", $"{PartitionSlice.StateColumn}, right_key"));

    /// <summary>A partition computed and its result (counts and row accounts).</summary>
    public sealed record Computed(StatePartition Partition, string CacheKey, MatchResult Result);

    /// <summary>
    /// Where stored rows are read from: a run schema's stages, each row led by <paramref name="Lead"/> (its partition's
    /// state and cache key, as <c>em_state</c> and <c>em_cache_key</c>), the stage's own columns being <paramref name="Star"/>;
    /// <paramref name="NamedBy"/> are the columns a results row is named by, its partition's and its key.
    /// </summary>
    private sealed record RowSource(RunSchema From, string Lead, string Star, string NamedBy);

    private void Write(IReadOnlyList<Computed> partitions, PartitionKeyParts parts, RowSource source)
    {
        var made = Names(source.From.Name);
        // The results rows explain names: those of a scored pair, and the candidates of a contest the judge saw.
        var named = string.Join(" union all ", Passes.SelectMany(p => new[] { p + "comparisons", p + JudgeCandidates }).Where(made.Contains).Select(t => $"select {source.NamedBy} from {source.From.Table(t)}"));
        string Rows(string stage, string columns, bool namedOnly = false) =>
            $"select {source.Lead}, {(columns == "*" ? source.Star : columns)} from {source.From.Table(stage)}" + (namedOnly ? $" semi join ({named}) as named using ({source.NamedBy})" : "");
        var tables = new List<(string View, string Table, string Rows)>
        {
            ("output", _match + "__output", Rows("output", "*")),
            ("quarantine", _match + "__quarantine", Rows("quarantine", "*")),
        };
        tables.AddRange(ExplainedStages.Where(s => made.Contains(s.Stage)).Select(s => (s.Stage, StageTableName(s.Stage), Rows(s.Stage, s.Columns, s.NamedOnly))));
        var cached = Names(Schema.Name);
        if (!_layoutChecked)
        {
            // Rows cached under another layout (an older tool) cannot take this run's rows, which are inserted by position.
            // No cached partition is then this build's (the build is in every key): the match's cache starts afresh, with
            // the schema that shows it. Every partition of a run is matched by the same statements, so the first
            // one's layout is every one's. The output too: the cache is opened knowing its columns' names, not their
            // types, and a column carried from an input (ddhq_race_id, a kept column) has the type the input is read as
            // now (text, once a race id that is no number is among the sniffer's rows). Before, the cached table kept
            // the old type: the run failed on the first value it could not cast, or published the old type.
            if (tables.Any(t => cached.Contains(t.Table) &&
                !_warehouse.Describe($"select * exclude (em_state, em_cache_key) from {Schema.Table(t.Table)}").SequenceEqual(_warehouse.Describe($"select * exclude (em_state, em_cache_key) from ({t.Rows})"))))
            {
                _warehouse.InTransaction(() =>
                {
                    _warehouse.Execute(string.Concat(ExplainedStages.Select(s => $"drop table if exists {StageTable(s.Stage)};\n"))
                        + $"drop table if exists {Output}; drop table if exists {Quarantine}; delete from {Schema.Table("partitions")} where match = {Sql.Literal(_match)}");
                    DropSchemas(shared: true);
                });
                cached = Names(Schema.Name);
            }

            _layoutChecked = true;
        }

        var keys = string.Join(", ", partitions.Select(p => Sql.Literal(p.CacheKey)));
        var entries = string.Join(",\n", partitions.Select(p => $"""
            ({Sql.Literal(p.Partition.State)}, {Sql.Literal(p.CacheKey)}, {Sql.Literal(p.Partition.InputSha256)}, {p.Partition.LeftRows},
                {Sql.Literal(JsonSerializer.Serialize(p.Result.Counts))}, {Sql.Literal(JsonSerializer.Serialize(p.Result.Accounts))},
                {Sql.Literal(p.Partition.LeftSha256)}, {Sql.Literal(p.Partition.RightSha256)})
            """));
        _warehouse.InTransaction(() =>
        {
            // A table the cache holds is not created again: binding the empty copy's query of every table, every partition, was work for nothing.
            _warehouse.Execute($"""
                {string.Concat(tables.Select(t => $"""
                    {(cached.Contains(t.Table) ? "" : $"create table if not exists {Schema.Table(t.Table)} as select * from ({t.Rows}) limit 0;")}
                    delete from {Schema.Table(t.Table)} where em_cache_key in ({keys});
                    insert into {Schema.Table(t.Table)} {t.Rows};

                    """))}
                """);
            // The content hash reads the rows just written (and the tables' columns, which the first partition creates).
            _warehouse.Execute($"""
                delete from {Schema.Table("partitions")} where match = {Sql.Literal(_match)} and cache_key in ({keys});
                insert into {Schema.Table("partitions")} (match, state, cache_key, input_sha256, model_sha256, settings_sha256, tool_version,
                    left_rows, computed_at_utc, counts_json, accounts_json, columns_sha256, prompt_template, content_sha256, surnames_sha256, left_sha256, right_sha256)
                select {Sql.Literal(_match)}, e.state, e.cache_key, e.input_sha256, {Sql.Literal(parts.ModelSha256)}, {Sql.Literal(parts.SettingsSha256)},
                    {Sql.Literal(parts.Tool)}, e.left_rows, {UtcNow()}, e.counts_json, e.accounts_json,
                    {Sql.Literal(parts.ColumnsSha256)}, {Sql.Literal(parts.PromptTemplate ?? "")}, c.content_sha256, {Sql.Literal(parts.SurnamesSha256)},
                    e.left_sha256, e.right_sha256
                from (values {entries}) as e(state, cache_key, input_sha256, left_rows, counts_json, accounts_json, left_sha256, right_sha256)
                join ({ContentSql(partitions.Select(p => p.CacheKey))}) as c using (cache_key);
                """);
        });
    }

    /// <summary>
    /// Makes <see cref="Shown(string)"/> afresh once a run is assembled: a view named as each stage the cache holds (a pass
    /// no partition made, none), over its cache table filtered to the key set by <see cref="ShowKey"/>, and the scored
    /// pairs' views of each pass over its comparisons (<paramref name="scoredViews"/>, of the assembled run's model,
    /// which scored every partition it lists). Per partition, such a schema cost some 29 ms of CPU to make on the fixture
    /// (27 views, each bound as it is created), and its views made every later open of the warehouse slower: 864 views
    /// after an incremental run of the fixture took an open from 17 to 66 ms (session 58).
    /// </summary>
    public void MakeShown(RunSchema shown, Func<string, string> scoredViews)
    {
        var cached = Names(Schema.Name);
        var views = new[] { (View: "output", Table: OutputTable), (View: "quarantine", Table: QuarantineTable) }
            .Concat(ExplainedStages.Select(s => (View: s.Stage, Table: StageTableName(s.Stage))))
            .Where(v => cached.Contains(v.Table));
        var key = $"getvariable({Sql.Literal(ShownKeyVariable)})";
        _warehouse.Execute($"""
            drop schema if exists {Sql.Identifier(shown.Name)} cascade;
            create schema {Sql.Identifier(shown.Name)};
            {string.Concat(views.Select(v => $"create view {shown.Table(v.View)} as select * exclude (em_state, em_cache_key) from {Schema.Table(v.Table)} where em_cache_key = {key};\n"))}
            {string.Concat(Passes.Where(pass => cached.Contains(StageTableName(pass + "comparisons"))).Select(pass => scoredViews(pass) + ";\n"))}
            """);
    }

    /// <summary>
    /// After a run is assembled: the cached rows and entries of keys it does not use (a state no longer in the inputs, a
    /// partition recomputed since), and the schemas an earlier build made per partition, go.
    /// </summary>
    public void Prune(IReadOnlyCollection<string> cacheKeys)
    {
        var keys = string.Join(", ", cacheKeys.Select(Sql.Literal));
        var cached = Names(Schema.Name);
        var tables = ExplainedStages.Select(s => StageTableName(s.Stage)).Append(_match + "__output").Append(_match + "__quarantine").Where(cached.Contains);
        _warehouse.Execute(string.Concat(tables.Select(t => $"delete from {Schema.Table(t)} where em_cache_key not in ({keys});\n"))
            + $"delete from {Schema.Table("partitions")} where match = {Sql.Literal(_match)} and cache_key not in ({keys});");
        DropSchemas(shared: false);
    }

    /// <summary>
    /// Drops the schemas an earlier build made for each partition (<c>em_run_&lt;match&gt;__part_&lt;state&gt;_&lt;key&gt;</c>),
    /// and with <paramref name="shared"/> the one that shows them now (<see cref="Shown(string)"/>): when the cache starts
    /// afresh, no listed partition is there to show.
    /// </summary>
    private void DropSchemas(bool shared)
    {
        var prefix = RunSchema.For(_match).Part("part_").Name;
        var alsoShared = shared ? $" or schema_name = {Sql.Literal(Shown(_match).Name)}" : "";
        var schemas = _warehouse.Query(
            $"select schema_name from duckdb_schemas() where database_name = current_database() and (starts_with(schema_name, {Sql.Literal(prefix)}){alsoShared})",
            r => r.GetString(0));
        foreach (var schema in schemas)
        {
            _warehouse.Execute($"drop schema {Sql.Identifier(schema)} cascade");
        }
    }

    /// <summary>The counts and row accounts stored with a partition's entry.</summary>
    public (Dictionary<string, long> Counts, List<RowAccount> Accounts) Read(string state, string cacheKey) =>
        _warehouse.Query(
            $"select counts_json, accounts_json from {Schema.Table("partitions")} where match = {Sql.Literal(_match)} and state = {Sql.Literal(state)} and cache_key = {Sql.Literal(cacheKey)}",
            r => (JsonSerializer.Deserialize<Dictionary<string, long>>(r.GetString(0))!, JsonSerializer.Deserialize<List<RowAccount>>(r.GetString(1))!))
            .Single();
}

