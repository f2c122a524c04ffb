using System.Globalization;
using ElectionMatch.Matching;
using ElectionMatch.Matching.Embeddings;
using ElectionMatch.Matching.Judging;
using ElectionMatch.Matching.Retrieval;
using ElectionMatch.Matching.Scoring;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matches.CandidacyDdhq;

/// <summary>
/// HubSpot candidacies → DDHQ results, the tiered matcher (DESIGN.md): clean and quarantine, expand to
/// election stages, the exact-date filter with the runoff date-range fallback, date·state·type
/// partitions (a blank state searches every state), top-k retrieval by embedding plus surname-sound
/// blocking, Fellegi–Sunter scoring trained on this run's data, one-to-one decisions by score, the
/// judge for the ambiguous band (batched per race), then runoff discovery for matched candidates.
/// Every stage is a table in the run schema.
/// </summary>
internal sealed class CandidacyDdhqMatcher
{
    /// <summary>Runoffs are searched up to this many days after the election they follow.</summary>
    private const int RunoffWindowDays = 120;

    /// <summary>A best pair must beat the runner-up (on either side) by this many bits to link without the judge.</summary>
    internal const double Margin = 3;

    /// <summary>The snapshot's canonical row order (content hash, parquet export).</summary>
    internal const string OrderBy = "gp_candidacy_id, hubspot_election_type, hubspot_election_date";

    /// <summary>In a batch's run with a provider's embeddings, each pass's texts sent to be embedded (<c>text_sha256</c>).</summary>
    internal const string EmbeddingsAskedTable = "embeddings_asked";

    private const int USampleLeftRows = 2000;
    private const int USamplePairsPerRow = 100;
    /// <summary>A race with more ambiguous rows is split into requests of this many (judge: max_rows_per_request).</summary>
    public const int DefaultJudgeRowsPerRequest = 25;

    private readonly DuckDbWarehouse _warehouse;
    private readonly MatchSettings _settings;
    private readonly RunSchema _run;
    private readonly CandidacyDdhqCleaning _cleaning;
    private readonly RunSchema? _reference;
    private readonly PartitionBatch? _batch;
    private readonly FellegiSunter _model = new(CandidacyDdhqComparisons.All, CandidacyDdhqComparisons.DeterministicRule, CandidacyDdhqComparisons.NonMatchRule);
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private string? _cachedModel;

    /// <summary>The offline embedder's vectors of a pass's right rows (by its prefix), kept from retrieval until its pair_cosines.</summary>
    private (string Pass, RightSlab Slab)? _rightVectors;

    /// <param name="reference">The schema <see cref="LoadReference"/> loaded once for many runs on this connection (an
    /// incremental run's partitions); null: the run loads the reference data into its own schema (the stage <c>reference</c>).</param>
    /// <param name="batch">An incremental run's state partitions matched together (<see cref="PartitionBatch"/>): each
    /// partition's rows meet only its own, and each partition's counts are taken afterwards (<see cref="PartitionResults"/>).</param>
    public CandidacyDdhqMatcher(DuckDbWarehouse warehouse, MatchSettings settings, RunSchema run, RunSchema? reference = null, PartitionBatch? batch = null)
    {
        _warehouse = warehouse;
        _settings = settings;
        _run = run;
        _reference = reference;
        _batch = batch;
        _cleaning = new CandidacyDdhqCleaning(settings, run, reference, batch);
    }

    /// <summary>The embedder for retrieval; the offline one unless a test or provider sets another.</summary>
    public Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>? Embeddings { get; init; }

    public IMatchJudge Judge { get; init; } = new CandidacyRuleJudge();

    public int JudgeRowsPerRequest { get; init; } = DefaultJudgeRowsPerRequest;

    /// <summary>Keeps the vectors of every partition in a table, for inspection and the SQL reference.</summary>
    public bool StoreVectors { get; init; }

    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>A model trained before (an incremental run's stored one): scoring uses it and this run trains nothing.</summary>
    public ModelParameters? Model { get; init; }

    /// <summary>
    /// The surnames' and their words' frequencies the term-frequency adjustments read, counted over a whole input before (an
    /// incremental run's, frozen with its model); null counts them over this run's results rows.
    /// </summary>
    public SurnameFrequencies? SurnameFrequencies { get; init; }

    private string T(string table) => _run.Table(table);

    /// <summary>
    /// The matcher with a run's threads and model providers (offline when none); <paramref name="model"/> skips training,
    /// <paramref name="surnameFrequencies"/> counting the surnames (<see cref="SurnameFrequencies"/>), <paramref name="reference"/>
    /// loading the reference data (the constructor's).
    /// </summary>
    public static CandidacyDdhqMatcher Create(DuckDbWarehouse warehouse, MatchSettings settings, RunSchema run, MatchRunOptions options, ModelParameters? model = null, SurnameFrequencies? surnameFrequencies = null, RunSchema? reference = null, PartitionBatch? batch = null) =>
        new(warehouse, settings, run, reference, batch)
        {
            Threads = options.Threads,
            Judge = options.Providers.Judge ?? new CandidacyRuleJudge(),
            Embeddings = options.Providers.Embeddings,
            JudgeRowsPerRequest = settings.Judge.MaxRowsPerRequest ?? DefaultJudgeRowsPerRequest,
            Model = model,
            SurnameFrequencies = surnameFrequencies,
        };

    /// <summary>
    /// Reads, quarantines and cleans the inputs and stops there: the tables up to <c>right_clean</c> and its surnames' and
    /// surname words' frequencies (<see cref="CandidacyDdhqCleaning.SurnamesTable"/>, <see cref="CandidacyDdhqCleaning.SurnameWordsTable"/>),
    /// as a whole run writes them.
    /// </summary>
    public void Clean(MatchInputs inputs, CancellationToken cancellationToken = default) =>
        Clean(new Pipeline(_warehouse, CreateSchema(), null, cancellationToken), inputs);

    public MatchResult Run(MatchInputs inputs, Action<StageReport>? progress = null, CancellationToken cancellationToken = default) =>
        Run(inputs, progress, partition: false, cancellationToken);

    /// <summary>
    /// Matches one state partition of an incremental run (<c>IncrementalRun</c>), or a batch of them (<see cref="PartitionBatch"/>),
    /// in a scratch schema, which the partition cache copies what it keeps out of: nothing reads the stage reports, so their
    /// rows are not counted, and the unlinked runoffs (<see cref="UnlinkedRunoffsTable"/>), which the cache does not keep,
    /// are not made. The published rows, counts and row accounts are those of
    /// <see cref="Run(MatchInputs, Action{StageReport}?, CancellationToken)"/>; a batch's are counted per partition after it
    /// (<see cref="PartitionResults"/>).
    /// </summary>
    public MatchResult RunPartition(MatchInputs inputs, CancellationToken cancellationToken = default) =>
        Run(inputs, null, partition: true, cancellationToken);

    /// <summary>
    /// Trains the scoring model on the whole input and stops there: the stages of a run up to <c>training</c> (the
    /// inputs cleaned, the main pass's pairs compared, the u sample drawn), so the model and the surnames' frequencies are
    /// those a run would have, without the links, the judge, the runoff pass and the output that a run goes on to make.
    /// An incremental run trains so (<c>IncrementalRun</c>): it then scores every partition itself, and a judge with a
    /// provider is asked nothing for the whole input.
    /// </summary>
    public ModelParameters Train(MatchInputs inputs, CancellationToken cancellationToken = default)
    {
        if (Model is not null)
        {
            throw new InvalidOperationException("a matcher given a model has nothing to train");
        }

        var pipeline = new Pipeline(_warehouse, CreateSchema(), null, cancellationToken) { CountsRows = false };
        Prepare(pipeline, inputs);
        return MatchPass(pipeline, "", "left_filtered", null, cancellationToken, trainOnly: true);
    }

    private MatchResult Run(MatchInputs inputs, Action<StageReport>? progress, bool partition, CancellationToken cancellationToken)
    {
        var pipeline = new Pipeline(_warehouse, CreateSchema(), progress, cancellationToken) { CountsRows = !partition };
        Prepare(pipeline, inputs);
        var parameters = MatchPass(pipeline, "", "left_filtered", Model, cancellationToken);
        pipeline.Sql("runoffs_discovered", "links", "runoff_left", DiscoverRunoffsSql(), () => $"{pipeline.Count("runoff_left")} runoff rows created for matched candidates");
        MatchPass(pipeline, "runoff_", "runoff_left", parameters, cancellationToken);
        pipeline.Sql("output", "left_keyed", "output", partition ? DecisionsSql(parameters, published: true) : OutputSql(parameters));

        IReadOnlyList<RowAccount> accounts = [];
        // A batch's rows are counted afterwards, every partition at once (PartitionResults), over each one's share of these tables.
        if (_batch is null)
        {
            pipeline.Stage("row_accounts", "output", "output", () => accounts = CountRowsAndAccounts(new CountScope(_warehouse, _run, _counts), partition ? null : inputs)[CountScope.Whole]);
        }

        // Not sorted here: the publish copy sorts it into canonical order as it writes the snapshot, which spares a
        // write of every row (a sorted copy of its own, and the copy of that). Order sorting in this query itself ran
        // out of memory at a million rows, with the joins' tables held.
        return new MatchResult(T("output"), T("quarantine"), OrderBy, pipeline.Stages, _counts, parameters.ToJson())
        {
            Accounts = accounts,
        };
    }

    // The stages before the main pass: both sides cleaned, the results keyed, the surnames counted, the candidacies expanded to their election rows and filtered.
    private void Prepare(Pipeline pipeline, MatchInputs inputs)
    {
        Clean(pipeline, inputs);
        pipeline.Sql("right_keyed", "right_clean", "right_keyed", _cleaning.RightKeyedSql());
        pipeline.Sql(CandidacyDdhqCleaning.LeftSurnameWordsTable, "left_clean", CandidacyDdhqCleaning.LeftSurnameWordsTable, _cleaning.LeftSurnameWordsSql());
        pipeline.Sql(CandidacyDdhqCleaning.LeftSurnamesTable, "left_clean", CandidacyDdhqCleaning.LeftSurnamesTable, _cleaning.LeftSurnamesSql(SurnameFrequencies));
        pipeline.Sql("left_expanded", "left_clean", "left_expanded", ExpandSql());
        pipeline.Sql("left_filtered", "left_expanded", "left_filtered", TemporalFilterSql(), RetentionNote);
    }

    /// <summary>
    /// The row counts and row accounts of each partition of <paramref name="scope"/>, read from its tables: a run's stage
    /// <c>row_accounts</c>, or every partition of a batch at once (<see cref="PartitionResults"/>).
    /// </summary>
    /// <param name="typesOf">
    /// The run's inputs, for the results rows' account by election type; null for a state partition's
    /// (<see cref="RunPartition"/>, <see cref="PartitionResults"/>): that account judges a results row by the types the
    /// candidacies have, so only the whole inputs' can be published (the incremental run counts it over them). Counted
    /// per partition it read the partition's inputs again, some 30 ms a partition at 100,000 candidacies, for an account
    /// nothing read.
    /// </param>
    private Dictionary<string, List<RowAccount>> CountRowsAndAccounts(CountScope scope, MatchInputs? typesOf)
    {
        InputRowAccount.Count(scope);
        var expanded = scope.Rows("left_expanded");
        var filtered = scope.Rows("left_filtered");
        scope.Set("left_stages_expanded", expanded);
        scope.Set("left_stages_excluded_by_temporal_filter", scope.Partitions.ToDictionary(p => p, p => expanded[p] - filtered[p], StringComparer.Ordinal));
        scope.Set("left_stages_runoff_date_fallback", scope.Rows("left_filtered", "date_fallback"));
        DecisionCounts.Add(scope, "output", "has_match", "llm_reasoning", ["score", "judge", "none"]);
        scope.Set("runoffs_discovered_and_matched", scope.Rows("runoff_links"));
        var (left, right) = (InputRowAccount.Of(scope, "left"), InputRowAccount.Of(scope, "right"));
        var (candidacies, electionRows, output) = (CandidaciesAccount(scope), ElectionRowsAccount(scope), OutputAccount(scope));
        RowAccount[] types = typesOf is null ? [] : [ElectionTypeAccount.Of(_warehouse, _cleaning, typesOf)];
        List<RowAccount> Accounts(string p) => [left[p], right[p], .. types, candidacies[p], electionRows[p], output[p]];
        return scope.Partitions.ToDictionary(p => p, Accounts, StringComparer.Ordinal);
    }

    /// <summary>
    /// Each partition's result after a batch (<see cref="PartitionBatch"/>), read by a matcher on the schema that shows every
    /// partition's share of the batch's tables at once, each row led by its partition (<c>PartitionSlice.ShowAll</c>,
    /// <paramref name="scope"/>): the counts and row accounts its own run would count, with the same queries, grouped by
    /// partition — each pass's, then the stage <c>row_accounts</c>'s. What a run's C# stages count as they go
    /// (retrieval's blocks and inner products, the judge's contests) is read from their tables instead. Counts the scope
    /// already holds (what the batch's run counted for a partition, <c>EmbeddingShares</c>) stay.
    /// </summary>
    public Dictionary<string, MatchResult> PartitionResults(CountScope scope, ModelParameters parameters)
    {
        foreach (var p in new[] { "", "runoff_" })
        {
            RetrievalCounts(scope, p);
            ExactCounts(scope, p);
            PartitionCounts(scope, p);
            BlockingCounts(scope, p);
            if (RetrievalUnion.Applies(_settings.Embeddings, Embeddings))
            {
                UnionCounts(scope, p);
            }

            scope.Set(p + "judge_rows", scope.Rows(p + "judge_rows"));
            scope.Set(p + "judge_contests", scope.Each($"select {scope.Part()}, count(distinct contest_key) from {scope.Table(JudgeStage.CandidatesTable(p + "judge_answers"))} group by all"));
            JudgeUndecidedCount(scope, p);
        }

        var accounts = CountRowsAndAccounts(scope, typesOf: null);
        var model = parameters.ToJson();
        return scope.Partitions.ToDictionary(p => p, p => new MatchResult(T("output"), T("quarantine"), OrderBy, [], scope.Counts[p], model) { Accounts = accounts[p] }, StringComparer.Ordinal);
    }

    /// <summary>
    /// What retrieval reports of a pass (<see cref="RetrievalReport"/>), from the blocks it searched: a block with left rows
    /// and results rows, in block order; the largest the first with the most pairs.
    /// </summary>
    private static void RetrievalCounts(CountScope scope, string p)
    {
        var blocks = scope.Single($"""
            with
                blocks as (
                    select l.em_part, l.group_id, l.rows as left_rows, r.rows as right_rows
                    from (select {scope.Part()} as em_part, group_id, count(*) as rows from {scope.Table(p + "retrieval_left")} group by all) as l
                    join (select {scope.Part()} as em_part, group_id, count(*) as rows from {scope.Table(p + "retrieval_members")} group by all) as r using (em_part, group_id)
                )
            select
                em_part, count(*), cast(coalesce(sum(left_rows * right_rows), 0) as bigint),
                coalesce(first(left_rows order by left_rows * right_rows desc, group_id), 0),
                coalesce(first(right_rows order by left_rows * right_rows desc, group_id), 0)
            from blocks
            group by em_part
            """, r => (Blocks: r.GetInt64(1), Pairs: r.GetInt64(2), Left: r.GetInt64(3), Right: r.GetInt64(4)));
        scope.Set(p + "retrieval_blocks", blocks, b => b.Blocks);
        scope.Set(p + "largest_block_left", blocks, b => b.Left);
        scope.Set(p + "largest_block_right", blocks, b => b.Right);
        scope.Set(p + "pairs_compared_by_embedding", blocks, b => b.Pairs);
    }

    private RunSchema CreateSchema()
    {
        _warehouse.Execute($"drop schema if exists {Sql.Identifier(_run.Name)} cascade; create schema {Sql.Identifier(_run.Name)}");
        return _run;
    }

    /// <summary>
    /// Loads the reference tables the cleaning joins into <paramref name="schema"/>, which must exist, and creates the
    /// cleaning's macros and functions on the connection. A run does it in its stage <c>reference</c>; an incremental run
    /// once for all its partitions, whose matchers are given the schema (per partition it cost some 70 ms on the goodparty
    /// fixture: 27k first names appended, the macros, and two lookups in <c>duckdb_functions()</c>, 14 ms each).
    /// </summary>
    public static void LoadReference(DuckDbWarehouse warehouse, MatchSettings settings, RunSchema schema)
    {
        ReferenceData.LoadNicknames(warehouse, schema, "nicknames");
        ReferenceData.DeriveFirstNameGroups(warehouse, schema, "nicknames", "first_name_groups");
        ReferenceData.LoadFirstNameSex(warehouse, schema, "first_name_sex");
        ReferenceData.LoadStates(warehouse, schema, "states");
        new CandidacyDdhqCleaning(settings, schema).CreateFunctions(warehouse);
    }

    // The stages every run begins with: the reference data (unless loaded for it), the inputs read and quarantined, both sides cleaned.
    private void Clean(Pipeline pipeline, MatchInputs inputs)
    {
        if (_reference is null)
        {
            pipeline.Stage("reference", null, "nicknames", () => LoadReference(_warehouse, _settings, _run));
        }

        pipeline.Input("left_input", inputs.Left, _cleaning.LeftInputSql(inputs.LeftRelation, inputs.Left.Csv, NumberedInput.Sql(_warehouse, inputs.LeftRelation), IdType(inputs.Left, inputs.LeftRelation, _settings.Left.Id)));
        // A results file numbered by its reader is read again by right_clean, so right_input keeps only what quarantine reads.
        var rightNumbered = NumberedInput.Sql(_warehouse, inputs.RightRelation);
        var rightReread = NumberedInput.ByFileRowNumber(_warehouse, inputs.RightRelation) ? rightNumbered : null;
        var rightIdType = IdType(inputs.Right, inputs.RightRelation, _settings.Right.Id);
        pipeline.Input("right_input", inputs.Right, _cleaning.RightInputSql(inputs.RightRelation, inputs.Right.Csv, rightNumbered, rightIdType, keepColumns: rightReread is null));
        pipeline.Sql("quarantine", null, "quarantine", _cleaning.QuarantineSql());
        pipeline.Sql("left_clean", "left_input", "left_clean", _cleaning.LeftCleanSql());
        // A partition run counts no frequency over the names (they are frozen), and one with no candidacy left after its
        // cleaning (the stateless partition when every candidacy has a state) meets none of them: it still cleans every
        // results row, for its quarantine and row account, which are the whole results input's, but parses no name.
        var names = SurnameFrequencies is null || _warehouse.Scalar<bool>($"select exists (select 1 from {T("left_clean")})");
        pipeline.Sql("right_clean", "right_input", "right_clean", _cleaning.RightCleanSql(rightReread, rightIdType, SurnameFrequencies, names),
            names ? null : () => "names not parsed: no candidacy to meet them");
    }

    /// <summary>The unit of the account of candidacies by whether they have a usable election date (check warns on its share excluded).</summary>
    public const string CandidaciesUnit = "cleaned rows";

    // A clean left row with no usable election date yields no election row; say so instead of losing it.
    private static Dictionary<string, RowAccount> CandidaciesAccount(CountScope scope)
    {
        string Joined(string join) =>
            $"select {scope.Part("c")}, count(*) from {scope.Table("left_clean")} as c {join} join {scope.Table("left_expanded")} as e using ({scope.UsingPart}left_id) group by all";
        var (read, used, excluded) = (scope.Rows("left_clean"), scope.Each(Joined("semi")), scope.Each(Joined("anti")));
        return scope.Partitions.ToDictionary(p => p, p => new RowAccount("left", CandidaciesUnit, read[p],
        [
            new("used", "has at least one election date", used[p]),
            new("excluded", "no election date (or a date without its election type)", excluded[p]),
        ]), StringComparer.Ordinal);
    }

    private static Dictionary<string, RowAccount> ElectionRowsAccount(CountScope scope)
    {
        var (read, onDate, fallback) = (scope.Rows("left_expanded"), scope.Rows("left_filtered", "not date_fallback"), scope.Rows("left_filtered", "date_fallback"));
        var excluded = scope.Each($"""
            select {scope.Part("l")}, count(*)
            from {scope.Table("left_expanded")} as l
            anti join {scope.Table("left_filtered")} as f on f.left_id = l.left_id and f.election_type = l.election_type and f.election_date = l.election_date{scope.SamePart("f", "l")}
            group by all
            """);
        return scope.Partitions.ToDictionary(p => p, p => new RowAccount("left", "election rows", read[p],
        [
            new("used", "results exist on that date in that state", onDate[p]),
            new("used", "runoff matched on a later results date (date-range fallback)", fallback[p]),
            new("excluded", "temporal filter: no results on that date in that state", excluded[p]),
        ]), StringComparer.Ordinal);
    }

    private static Dictionary<string, RowAccount> OutputAccount(CountScope scope)
    {
        var (read, kept, runoffs) = (scope.Rows("output"), scope.Rows("left_keyed"), scope.Rows("runoff_links"));
        return scope.Partitions.ToDictionary(p => p, p => new RowAccount("output", "snapshot rows", read[p],
        [
            new("used", "election rows that passed the temporal filter", kept[p]),
            new("used", "runoffs discovered in the results and matched", runoffs[p]),
        ]), StringComparer.Ordinal);
    }

    /// <summary>Partition, retrieve, block, compare, score, decide and judge one set of left rows.</summary>
    /// <param name="trained">Null on the main pass, which trains the model; the runoff pass reuses it.</param>
    /// <param name="trainOnly">Stops after training (<see cref="Train"/>): the pass's pairs are not scored, linked or judged.</param>
    private ModelParameters MatchPass(Pipeline pipeline, string p, string source, ModelParameters? trained, CancellationToken cancellationToken, bool trainOnly = false)
    {
        var offset = p.Length == 0 ? 0 : _warehouse.Scalar<long>($"select coalesce(max(left_key), 0) from {T("left_keyed")}");
        pipeline.Sql(p + "partitions", source, p + "partitions", PartitionsSql(p, source));
        pipeline.Sql(p + "left_keyed", source, p + "left_keyed", LeftKeyedSql(p, source, offset));
        pipeline.Sql(p + "right_members", null, p + "right_members", RightMembersSql(p));

        pipeline.Sql(p + "exact_pairs", p + "left_keyed", p + "exact_pairs", ExactPairsSql(p), () => ExactNote(p));
        pipeline.Sql(p + "partition_sizes", p + "partitions", p + "partition_sizes", PartitionSizesSql(p), () => PartitionNote(p));
        pipeline.Sql(p + "retrieval_blocks", p + "right_members", p + "retrieval_members", RetrievalBlocksSql(p));

        RetrievalReport? retrieval = null;
        pipeline.Stage(p + "retrieval", p + "left_keyed", p + "retrieved", () => retrieval = Retrieve(p, cancellationToken), () =>
            string.Create(CultureInfo.InvariantCulture, $"top {_settings.TopK} in {retrieval!.Partitions:N0} blocks, {retrieval.PairsCompared:N0} inner products, largest block {retrieval.LargestLeft:N0} × {retrieval.LargestRight:N0}"));
        _counts[p + "retrieval_blocks"] = retrieval!.Partitions;
        _counts[p + "largest_block_left"] = retrieval.LargestLeft;
        _counts[p + "largest_block_right"] = retrieval.LargestRight;
        _counts[p + "pairs_compared_by_embedding"] = retrieval.PairsCompared;

        var union = RetrievalUnion.Applies(_settings.Embeddings, Embeddings);
        if (union)
        {
            pipeline.Stage(p + "retrieval_offline", p + "left_keyed", p + "retrieved_offline", () => new RetrievalUnion(_warehouse, _run).RunOffline(RetrievalInputsFor(p), p + "retrieved", _settings.TopK, HashedNgramStyle.Labelled, Threads, cancellationToken),
                () => $"the offline embedder's top {_settings.TopK}, united with the provider's (embeddings: union_offline)");
        }

        SoundsAlike.Report? sounds = null;
        pipeline.Stage(p + "sounds_alike", p + "left_keyed", p + "sounds_alike", () => sounds = FindSoundsAlike(p, cancellationToken), () =>
            string.Create(CultureInfo.InvariantCulture, $"{sounds!.Pairs:N0} pairs whose surnames sound alike and whose given names agree; largest partition {sounds.LargestMembers:N0} results rows"));
        pipeline.Sql(p + "candidate_pairs", p + "left_keyed", p + "candidate_pairs", CandidatePairsSql(p), () => BlockingNote(p));
        if (union)
        {
            RetrievalOverlap? overlap = null;
            pipeline.Stage(p + "retrieval_union", p + "candidate_pairs", p + "candidate_pairs", () => overlap = UniteOffline(p), () => overlap!.Note());
        }

        long filled = 0;
        pipeline.Stage(p + "pair_cosines", p + "candidate_pairs", p + "candidate_pairs", () => filled = FillCosines(p, p + "candidate_pairs"), () => $"{filled:N0} pairs found by blocking{(union ? " or offline retrieval" : "")} alone got their cosine");
        pipeline.Sql(p + "comparisons", p + "candidate_pairs", p + "comparisons", ComparisonsSql(p, p + "comparisons", p + "candidate_pairs", "left_key, right_key, rank, cosine, found_by", PassResultsRows(p)));

        var parameters = trained;
        if (parameters is null)
        {
            pipeline.Sql("u_pairs", "left_keyed", "u_pairs", USamplePairsSql());
            pipeline.Sql("u_sample", "u_pairs", "u_sample", ComparisonsSql("", "u_sample", "u_pairs", "left_key, right_key, cosine"));
            pipeline.Stage("training", "comparisons", "u_sample", () => parameters = _model.Train(_warehouse, T("comparisons"), T("u_sample")), () =>
                string.Create(CultureInfo.InvariantCulture, $"λ {parameters!.Lambda:G3} after {parameters.Training.Iterations} EM iterations over {parameters.Training.Patterns} patterns (converged: {parameters.Training.Converged}); u from {parameters.Training.PairsSampledForU:N0} random pairs"));
        }

        if (trainOnly)
        {
            return parameters!;
        }

        pipeline.Sql(p + "scored_pairs", p + "comparisons", p + "scored_pairs", ScoredPairsSql(p, parameters!));
        _warehouse.Execute(ExplainedPairsSql(p, parameters!));
        pipeline.Stage(p + "links", p + "scored_pairs", p + "links", () => LinkByScore(p), () => $"{pipeline.Count(p + "links")} linked by score");
        pipeline.Sql(p + "judge_rows", p + "scored_pairs", p + "judge_rows", JudgeRowsSql(p));
        pipeline.Sql(p + "judge_evidence", p + "judge_rows", p + "judge_evidence", JudgeEvidenceSql(p));
        JudgeStageCount? judged = null;
        pipeline.Stage(p + "judge", p + "judge_rows", p + "judge_answers", () => judged = RunJudge(p, cancellationToken), () => judged!.Note(Judge.Name));
        _counts[p + "judge_rows"] = pipeline.Count(p + "judge_rows");
        _counts[p + "judge_contests"] = judged!.Contests;
        JudgeUndecidedCount(Own, p);
        return parameters!;
    }

    private string RetentionNote()
    {
        var expanded = CountRows("left_expanded");
        var kept = CountRows("left_filtered");
        var rate = expanded == 0 ? 0 : (double)kept / expanded;
        return string.Create(CultureInfo.InvariantCulture, $"temporal filter kept {kept} of {expanded} election rows ({rate:P1})");
    }

    private long CountRows(string table) => _warehouse.Scalar<long>($"select count(*) from {T(table)}");

    private string? BlockingNote(string p)
    {
        var rules = BlockingCounts(Own, p)[CountScope.Whole];
        return rules.Count == 0
            ? "no pairs found by any rule"
            : "pairs per rule: " + string.Join(", ", rules.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Rule} {r.Pairs:N0}")));
    }

    /// <summary>Each partition's candidate pairs of a pass found by each rule (<c>pairs_by_rule_…</c>), the rules that found any.</summary>
    private static Dictionary<string, List<(string Rule, long Pairs)>> BlockingCounts(CountScope scope, string p)
    {
        var counts = string.Join(", ", PairRules.All.Select(r => string.Create(CultureInfo.InvariantCulture, $"count(*) filter (where found_by & {r.Bit} <> 0)")));
        var rules = scope.Query($"select {scope.Part()}, {counts} from {scope.Table(p + "candidate_pairs")} group by all", r => PairRules.All.Select((rule, i) => (Rule: rule.Name, Pairs: r.GetInt64(i + 1))).ToList())
            .ToDictionary(e => e.Key, e => e.Value.SelectMany(rows => rows).Where(r => r.Pairs > 0).ToList(), StringComparer.Ordinal);
        foreach (var (partition, found) in rules)
        {
            foreach (var (rule, pairs) in found)
            {
                scope.Counts[partition][p + "pairs_by_rule_" + rule] = pairs;
            }
        }

        return rules;
    }

    /// <summary>Each partition's judge rows of a pass the judge could not decide (<c>judge_rows_undecided</c>).</summary>
    private static void JudgeUndecidedCount(CountScope scope, string p) => scope.Set(p + "judge_rows_undecided", scope.Rows(p + "judge_answers", "undecided"));

    /// <summary>
    /// The run's own counts, as a scope of one partition (<see cref="CountScope.Whole"/>) that counts into them. A new scope
    /// each time: a scope reads a table's count once, and the run's stages write tables between its notes (the union
    /// adds to <c>candidate_pairs</c> after its note counted it).
    /// </summary>
    private CountScope Own => new(_warehouse, _run, _counts);

    private string? IdType(InputRelation input, string relation, string id) => input.ColumnType(_warehouse, relation, id);

    // The election rows by key only (the input row number, the id and the state the filter needs): the wide cleaned
    // columns are joined once, into left_keyed. Copying all of them through this stage and left_filtered cost more
    // than the expansion and the filter themselves (at a million candidacies 4.6 and 3.3 s of wall time).
    // A stage given in both date forms (general_election_date, and election_type 'general' with that date) is one
    // election row: two identical rows would tie for their results row, and neither would be linked.
    private string ExpandSql() => $"""
        create table {T("left_expanded")} as
        with
            stages as (
                select row_number, left_id, state, 'primary' as election_type, primary_election_date as election_date, cast(null as date) as base_date from {T("left_clean")}
                union all
                select row_number, left_id, state, 'general', general_election_date, null from {T("left_clean")}
                union all
                -- A runoff follows the latest election before it: a primary runoff its primary, a general runoff its general.
                select row_number, left_id, state, 'runoff', runoff_election_date,
                    case
                        when general_election_date <= runoff_election_date then general_election_date
                        when primary_election_date <= runoff_election_date then primary_election_date
                    end
                from {T("left_clean")}
                union all
                select row_number, left_id, state, election_type, election_date, null from {T("left_clean")}
            )

        select {(BothDateForms ? "row_number, left_id, state, election_type, election_date, max(base_date) as base_date" : "*")}
        from stages
        where election_date is not null and election_type is not null
        {(BothDateForms ? "group by all" : "")}
        """;

    /// <summary>Whether the candidacies map a date per stage and also an election_date with its election_type (docs/configuration.md).</summary>
    private bool BothDateForms =>
        _settings.Left.Column("election_date") is not null
        && new[] { "primary_election_date", "general_election_date", "runoff_election_date" }.Any(c => _settings.Left.Column(c) is not null);

    // Spec 000 step 3: keep an election row only when DDHQ has results on exactly that date (in that state,
    // when known). Step 5d: a runoff with no results on its date searches runoff dates after its base election.
    private string TemporalFilterSql() => $"""
        create table {T("left_filtered")} as
        with
            result_dates as (
                select distinct election_date, election_type, state from {T("right_keyed")}
            ),

            exact as (
                select l.*, l.election_date as match_date, false as date_fallback
                from {T("left_expanded")} as l
                semi join result_dates as r
                    on r.election_date = l.election_date and (l.state is null or r.state is null or r.state = l.state)
            ),

            fallback as (
                select l.*, r.election_date as match_date, true as date_fallback
                from {T("left_expanded")} as l
                join result_dates as r
                    on l.election_type = 'runoff' and r.election_type = 'runoff' and l.base_date is not null
                    and r.election_date >= l.base_date and r.election_date <= l.base_date + interval {RunoffWindowDays} day
                    and (l.state is null or r.state is null or r.state = l.state)
                anti join exact as e on e.left_id = l.left_id and e.election_type = l.election_type
                qualify row_number() over (
                    partition by l.left_id, l.election_type
                    order by abs(date_diff('day', l.election_date, r.election_date)), r.election_date) = 1
            )

        select * from exact
        union all
        select * from fallback
        """;

    private string PartitionsSql(string p, string source) => $"""
        create table {T(p + "partitions")} as
        select row_number() over (order by match_date, election_type, state nulls first) as group_id, match_date, election_type, state
        from (select distinct match_date, election_type, state from {T(source)})
        """;

    // The main pass's election rows are keys (left_expanded); their cleaned columns come from left_clean here, in
    // the order a wide copy had them, with the surname's words and their frequencies among the results' surname words
    // (read by a pair at the surname's partial level) and the surname's own among the results' surnames (read by a pair
    // at a close spelling of it). The runoff pass's rows (runoff_left) are whole already. The rows
    // are numbered before the joins, so the window sorts the narrow rows (at 100k, 0.7-1.0 s against 1.0-1.4 s on one thread).
    private string LeftKeyedSql(string p, string source, long offset) => $"""
        create table {T(p + "left_keyed")} as
        select
            k.left_key,
            g.group_id,
            {(p.Length == 0
                ? "c.* exclude (primary_election_date, general_election_date, runoff_election_date, election_date, election_type), k.election_type, k.election_date, k.base_date, k.match_date, k.date_fallback, lw.words as surname_word_frequencies, ls.tf_last as surname_tf"
                : "k.* exclude (left_key)")}
        from (select *, row_number() over (order by {(_batch is null ? "" : "state, ")}left_id, election_type, match_date) + {offset} as left_key from {T(source)}) as k
        join {T(p + "partitions")} as g
            on g.match_date = k.match_date and g.election_type = k.election_type and g.state is not distinct from k.state
        {(p.Length == 0 ? $"join {T("left_clean")} as c on c.row_number = k.row_number left join {T(CandidacyDdhqCleaning.LeftSurnameWordsTable)} as lw on lw.last_name = c.last_name left join {T(CandidacyDdhqCleaning.LeftSurnamesTable)} as ls on ls.last_name = c.last_name" : "")}
        """;

    // A partition is date · type · state; a left row with no state is a partition of its own that sees every state.
    // The runoff pass never offers a results row the main pass already linked.
    // The state's three cases are three joins on equalities, each row of one case alone: with the state's test as one
    // join's condition, DuckDB joined on date and type and filtered after (at 100k, 19.2M joined rows for 1.4M members).
    private string RightMembersSql(string p) => $"""
        create table {T(p + "right_members")} as
        with
            members as (
                select g.group_id, g.state, r.right_key
                from {T(p + "partitions")} as g
                join {T("right_keyed")} as r on r.election_date = g.match_date and r.election_type = g.election_type
                where g.state is null
                union all
                select g.group_id, g.state, r.right_key
                from {T(p + "partitions")} as g
                join {T("right_keyed")} as r on r.election_date = g.match_date and r.election_type = g.election_type and r.state = g.state
                union all
                select g.group_id, g.state, r.right_key
                from {T(p + "partitions")} as g
                join (select * from {T("right_keyed")} where state is null) as r on r.election_date = g.match_date and r.election_type = g.election_type
                where g.state is not null
            )

        select m.group_id, m.right_key
        from members as m
        {_batch?.SamePartitionSql("m", "m")}
        {(p.Length == 0 ? "" : $"anti join {T("links")} as k on k.right_key = m.right_key")}
        """;

    /// <summary>
    /// The deterministic tier (spec 003, <c>retrieval.exact_names</c>): the left rows with exactly one results row of their
    /// partition that has the same cleaned first name and surname, no middle name of another initial and a race name
    /// holding the left row's office, where that results row has no other such left row in the pass. Each is paired with that row alone: retrieval and the
    /// sounds-alike rule skip it, and the model scores its one pair like any other (pair_cosines gives it its cosine).
    /// </summary>
    /// <remarks>
    /// On the synthetic million (1.5M election rows) 60 % of the election rows qualify and 99.995 % of those pairs are
    /// true; the same test without the office finds namesakes in other races of the day, none of them true
    /// (docs/design.md, "The deterministic tier"). Membership is right_members' rule written as a join on the names,
    /// date and type, so the 14M memberships are not read: a stateless partition sees every state, a results row with
    /// no state every partition of its date and type, and the runoff pass never offers a row the main pass linked.
    /// </remarks>
    private string ExactPairsSql(string p) => $"""
        create table {T(p + "exact_pairs")} as
        with
            same_name as materialized (
                select l.left_key, r.right_key
                from {T(p + "left_keyed")} as l
                join {T(p + "partitions")} as g using (group_id)
                join {T("right_clean")} as r
                    on r.first_name = l.first_name and r.last_name = l.last_name
                    and r.election_date = g.match_date and r.election_type = g.election_type
                {_batch?.SamePartitionSql("g", "r")}
                {(p.Length == 0 ? "" : $"anti join {T("links")} as k on k.right_key = r.right_key")}
                where {(_settings.ExactNames ? "true" : "false")}
                    and (g.state is null or r.state is null or r.state = g.state)
                    and {CandidacyDdhqComparisons.OfficeInRace("l.office_normalised", "r.race_normalised")}
                    -- Two middle names (or initials) that begin differently may be two people (John A. Smith, JOHN B. SMITH):
                    -- such a pair is searched and scored, where the middle name's comparison weighs it. A middle name
                    -- missing on either side is unknown, not a disagreement.
                    and (l.middle_name is null or r.middle_name is null or left(l.middle_name, 1) = left(r.middle_name, 1))
            )

        select s.left_key, s.right_key
        from same_name as s
        semi join (select left_key from same_name group by left_key having count(*) = 1) as one_right using (left_key)
        semi join (select right_key from same_name group by right_key having count(*) = 1) as one_left using (right_key)
        """;

    private string ExactNote(string p)
    {
        ExactCounts(Own, p);
        var pairs = _counts[p + "left_rows_by_exact_name"];
        return _settings.ExactNames
            ? string.Create(CultureInfo.InvariantCulture, $"{pairs:N0} left rows paired by exact name and office alone (deterministic tier)")
            : "deterministic tier off (retrieval.exact_names: false)";
    }

    private static void ExactCounts(CountScope scope, string p) => scope.Set(p + "left_rows_by_exact_name", scope.Rows(p + "exact_pairs"));

    private string Searched(string p) => SearchedSql(_run, p);

    /// <summary>
    /// The left rows of a pass that retrieval and the sounds-alike rule search: those the deterministic tier did not pair
    /// (evaluate's retrieval recall counts these).
    /// </summary>
    internal static string SearchedSql(RunSchema run, string p) =>
        $"(select * from {run.Table(p + "left_keyed")} anti join {run.Table(p + "exact_pairs")} as x using (left_key))";

    // Each partition's size, and whether retrieval searches it block by block (retrieval.block_above).
    private string PartitionSizesSql(string p) => $"""
        create table {T(p + "partition_sizes")} as
        select
            g.group_id,
            coalesce(l.rows, 0) as left_rows,
            coalesce(r.rows, 0) as right_rows,
            coalesce(l.rows, 0) * coalesce(r.rows, 0) > {_settings.BlockAbove.ToString(CultureInfo.InvariantCulture)} as blocked
        from {T(p + "partitions")} as g
        left join (select group_id, count(*) as rows from {T(p + "left_keyed")} group by group_id) as l using (group_id)
        left join (select group_id, count(*) as rows from {T(p + "right_members")} group by group_id) as r using (group_id)
        """;

    private string PartitionNote(string p)
    {
        PartitionCounts(Own, p);
        var (left, right, blocked) = (_counts[p + "largest_partition_left"], _counts[p + "largest_partition_right"], _counts[p + "partitions_searched_in_blocks"]);
        return string.Create(CultureInfo.InvariantCulture, $"largest partition {left:N0} × {right:N0}; {blocked:N0} partitions above {_settings.BlockAbove:N0} pairs searched by first-name initial");
    }

    /// <summary>Each partition's date·type·state groups of a pass, the largest of them (the first with the most pairs), and how many are searched in blocks.</summary>
    private static void PartitionCounts(CountScope scope, string p)
    {
        var sizes = scope.Single($"""
            select
                {scope.Part()},
                coalesce(first(left_rows order by left_rows * right_rows desc, group_id), 0),
                coalesce(first(right_rows order by left_rows * right_rows desc, group_id), 0),
                count(*) filter (where blocked)
            from {scope.Table(p + "partition_sizes")}
            group by all
            """, r => (Left: r.GetInt64(1), Right: r.GetInt64(2), Blocked: r.GetInt64(3)));
        scope.Set(p + "partitions", scope.Rows(p + "partitions"));
        scope.Set(p + "largest_partition_left", sizes, s => s.Left);
        scope.Set(p + "largest_partition_right", sizes, s => s.Right);
        scope.Set(p + "partitions_searched_in_blocks", sizes, s => s.Blocked);
    }

    // What retrieval searches: a partition whole, or, above retrieval.block_above pairs, one block per first-name
    // initial (a results row also joins the block of its nickname's initial). Block ids keep the partition's order:
    // group_id · 32, plus the letter's place in the alphabet when blocked.
    private string RetrievalBlocksSql(string p) => $"""
        create view {T(p + "retrieval_left")} as
        select
            case when s.blocked then l.group_id * 32 + ascii(left(l.first_name, 1)) % 32 else l.group_id * 32 end as group_id,
            l.left_key,
            l.embedding_text
        from {Searched(p)} as l
        join {T(p + "partition_sizes")} as s using (group_id);

        -- A table of keys, not a view: retrieval's ordered stream then sorts keys and texts only, with no
        -- aggregation in the same query (at a million rows the two together ran out of memory).
        create table {T(p + "retrieval_members")} as
        select m.group_id * 32 as group_id, m.right_key
        from {T(p + "right_members")} as m
        join {T(p + "partition_sizes")} as s using (group_id)
        where not s.blocked
        union all
        select m.group_id * 32 + ascii(i.initial) % 32, m.right_key
        from {T(p + "right_members")} as m
        join {T(p + "partition_sizes")} as s using (group_id)
        join (
            select right_key, left(first_name, 1) as initial from {T("right_keyed")}
            union all
            select right_key, left(nickname, 1) from {T("right_keyed")}
            where nickname is not null and left(nickname, 1) <> left(first_name, 1)
        ) as i using (right_key)
        where s.blocked;
        """;

    private RetrievalReport Retrieve(string p, CancellationToken cancellationToken)
    {
        // A batch keeps which texts it sent, so each partition's entry can say which of them were its own (EmbeddingShares).
        var retrieval = new EmbeddingRetrieval(_warehouse, _settings.Embeddings, Embeddings, HashedNgramStyle.Labelled)
        {
            Threads = Threads,
            StoreVectors = StoreVectors,
            AskedTable = _batch is null ? null : p + EmbeddingsAskedTable,
        };
        var report = retrieval.Run(RetrievalInputsFor(p), _run, p + "retrieved", _settings.TopK, _counts, p, cancellationToken);
        _cachedModel = retrieval.CachedModelId;
        _rightVectors = retrieval.RightVectors is { } slab ? (p, slab) : null;
        return report;
    }

    // A block's family is its partition's date and type: the stateless partition of a date and its states' partitions
    // share their results rows, so retrieval keeps them in one stream chunk and embeds each results row once.
    // Every results row of the pass's partitions is embedded, searched or not (a blocked partition's row without a
    // first name is in no block), so pair_cosines finds the right row of every pair in the vectors retrieval kept.
    private RetrievalInputs RetrievalInputsFor(string p) =>
        new(T(p + "retrieval_left"), "embedding_text", T(p + "retrieval_members"), T("right_keyed"), "embedding_text", $"""
            select b.group_id, f.family
            from (select distinct group_id from {T(p + "retrieval_members")}) as b
            join (select group_id, min(group_id) over (partition by match_date, election_type) as family from {T(p + "partitions")}) as f
                on f.group_id = b.group_id // 32
            """, T(p + "right_members"));

    /// <summary>
    /// Adds the offline top k to the candidate pairs: a pair both found gains the rule <c>offline_top_k</c>; a pair
    /// only offline found joins with that rule alone, no rank and no cosine (pair_cosines gives it the provider's).
    /// </summary>
    private RetrievalOverlap UniteOffline(string p)
    {
        var overlap = UnionCounts(Own, p)[CountScope.Whole];
        _warehouse.Execute($"""
            update {T(p + "candidate_pairs")} as c set found_by = c.found_by | {PairRules.OfflineTopK}
            from {T(p + "retrieved_offline")} as o
            where o.left_key = c.left_key and o.right_key = c.right_key;
            insert into {T(p + "candidate_pairs")} (left_key, right_key, rank, cosine, found_by)
            select o.left_key, o.right_key, null, null, {PairRules.OfflineTopK}
            from {T(p + "retrieved_offline")} as o
            anti join {T(p + "candidate_pairs")} as c using (left_key, right_key);
            """);
        return overlap;
    }

    /// <summary>Each partition's pairs of a pass found by the provider, by offline retrieval or by both, and by offline retrieval in all.</summary>
    private static Dictionary<string, RetrievalOverlap> UnionCounts(CountScope scope, string p)
    {
        var overlap = RetrievalUnion.Overlap(scope, p + "retrieved", p + "retrieved_offline");
        foreach (var (partition, found) in overlap)
        {
            found.AddTo(scope.Counts[partition], p);
        }

        scope.Set(p + "pairs_by_rule_offline_top_k", scope.Rows(p + "retrieved_offline"));
        return overlap;
    }

    // Candidate pairs: the embedding's top k, plus the pairs of a partition whose surnames sound alike (Soundex of
    // each surname word and of the joined surname) and whose given names are compatible, so a pair the embedding
    // misses (Bob against Robert, a goes-by middle name) is still scored (SoundsAlike, the rule in full). Compatible
    // given names are what the first name comparison does not veto. A sound alone paired every namesake of a common
    // surname in a partition: at a million candidacies 24M sounds-alike pairs of which 23M had different first names
    // (vetoed, so never linked by score) and pairs per left row grew with the partition.
    private SoundsAlike.Report FindSoundsAlike(string p, CancellationToken cancellationToken)
    {
        var vectors = _rightVectors is { } kept && kept.Pass == p ? kept.Slab : null;
        return new SoundsAlike(_warehouse, Threads).Run(Searched(p), T(p + "right_members"), T("right_keyed"), _run, p + "sounds_alike",
            vectors, vectors is null ? null : OfflineEmbedder(), cancellationToken);
    }

    /// <summary>The embedder of the cosines pair_cosines and sounds_alike compute with the offline vectors retrieval kept.</summary>
    private HashedNgramEmbedder OfflineEmbedder() =>
        Embeddings as HashedNgramEmbedder ?? new HashedNgramEmbedder(_settings.Embeddings.Dimensions, _settings.Embeddings.Model);

    // The top k and the sounds-alike pairs, one row a pair with the rules that found it as bits (a list aggregate per
    // pair cost as much as the joins). A pair retrieval returned keeps its score; one found by its sound alone has the
    // cosine sounds_alike computed, or none yet (pair_cosines fills it).
    private string CandidatePairsSql(string p) => $"""
        create table {T(p + "candidate_pairs")} (left_key bigint, right_key bigint, rank integer, cosine float, found_by utinyint, rules varchar[] generated always as ({PairRules.ListSql("found_by")}) virtual);
        insert into {T(p + "candidate_pairs")} (left_key, right_key, rank, cosine, found_by)
        select left_key, right_key, min(rank), coalesce(max(score) filter (where rule = {PairRules.EmbeddingTopK}), max(score)), cast(bit_or(rule) as utinyint)
        from (
            select left_key, right_key, rank, score, {PairRules.EmbeddingTopK} as rule from {T(p + "retrieved")}
            union all
            select left_key, right_key, null, cosine, {PairRules.SurnameSound} from {T(p + "sounds_alike")}
            union all
            select left_key, right_key, null, null, {PairRules.ExactName} from {T(p + "exact_pairs")}
        )
        group by left_key, right_key
        """;

    /// <summary>
    /// The gamma columns of a pairs table, kept with the pair columns and the frequencies scoring reads (<c>l_tf_last</c>,
    /// and a pair at the surname's exact level its whole surname's, at its partial level its shared word's); the wide
    /// projection the comparisons read is not written out.
    /// </summary>
    private string ComparisonsSql(string p, string table, string pairs, string pairColumns, string? right = null) => $"""
        create table {T(table)} as
        select {pairColumns}, {TermFrequencies}, {Gammas}
        from ({Compared(PairProjection(p, T(pairs), right))})
        """;

    /// <summary>The gamma columns over <paramref name="projection"/>'s pairs, with all its columns.</summary>
    private string Compared(string projection) => $"select *, {_model.GammaSelect()} from ({projection})";

    /// <summary>
    /// The frequencies scoring reads, over a relation with the pair projection's and the gamma columns (<see cref="Compared"/>):
    /// the candidacy surname's (for its close spellings' penalty), and those of <see cref="PairFrequencies"/>.
    /// </summary>
    private static string TermFrequencies => $"{CandidacyDdhqComparisons.CandidacySurnameFrequencyColumn}, {PairFrequencies}";

    /// <summary>
    /// The frequencies computed per pair from its levels (column, SQL), each only for a pair at the level that reads it:
    /// the whole surname's at the exact level (a compound's by its rarest word the ballot holds), the shared word's at partial.
    /// </summary>
    private static readonly (string Column, string Sql)[] PairFrequencyColumns =
    [
        (CandidacyDdhqComparisons.WholeSurnameFrequencyColumn, CandidacyDdhqComparisons.WholeSurnameFrequency),
        (CandidacyDdhqComparisons.SharedWordFrequencyColumn, CandidacyDdhqComparisons.SharedWordFrequency),
    ];

    private static string PairFrequencies => string.Join(", ", PairFrequencyColumns.Select(f => $"{f.Sql} as {f.Column}"));

    /// <summary>The names of the frequency columns a pairs table keeps (<see cref="TermFrequencies"/>), for a statement that copies them.</summary>
    private static IEnumerable<string> FrequencyColumns =>
        PairFrequencyColumns.Select(f => f.Column).Prepend(CandidacyDdhqComparisons.CandidacySurnameFrequencyColumn);

    /// <summary>
    /// The results rows a pass's pairs and judge rows can hold: every row on the main pass; on the runoff pass the rows of
    /// its partitions' election types (its members matched them by type, and a ballot is looked up on the partition's
    /// type), as a literal filter the scan applies before it reads the wide columns. At a million candidacies 180k of
    /// 7.2M rows, the same rows out: <c>runoff_comparisons</c> 4.0-5.0 → 3.1 CPU-s, <c>runoff_judge_rows</c> 1.4-1.8 →
    /// 0.3, <c>runoff_judge_evidence</c> 2.6-3.7 → 1.5.
    /// </summary>
    private string PassResultsRows(string p)
    {
        if (p.Length == 0)
        {
            return T("right_clean");
        }

        var types = _warehouse.Query(
            $"select distinct election_type from {T(p + "partitions")} where election_type is not null order by election_type",
            r => Sql.Literal(r.GetString(0)));
        var filter = types.Count == 0 ? "false" : $"election_type in ({string.Join(", ", types)})";
        return $"(select * from {T("right_clean")} where {filter})";
    }

    /// <summary>
    /// A pairs table joined to both sides, with the columns the comparisons read. The results rows are right_clean's, their
    /// derived forms computed after the join: right_keyed would compute them for every results row the scan passes.
    /// </summary>
    /// <remarks>
    /// The pairs meet the results rows first, and the candidacies through a left join (every pair's left row is
    /// there, so the same rows as an inner join): DuckDB does not reorder across an outer join, and with two
    /// relations left it builds the hash table on the narrow pairs and streams the wide results rows past it. Left to
    /// choose, it may join the pairs to the candidacies first, depending on its estimates from the pairs table's sampled
    /// statistics (how the table happened to be written), and then build on 7.2M results rows with 15 columns, two of
    /// them lists, which spills: on a copy of a million candidacies' tables 42-45 CPU-s against 24 (docs/design.md, s7-comp).
    /// The surname's frequency is joined last, built on the surnames (one row per distinct results surname); the candidacy
    /// surname's words with theirs, and its own frequency, are columns of the candidacy's row (the words joined per pair, they cost the 20k synthetic set's u_sample statement some 13 % more). Whether a
    /// side's first middle name is short for the other's first name (the first name's middle level) reads the middle
    /// name's groups each row carries from cleaning: two joins of (name, formal name) rows per pair cost more.
    /// </remarks>
    /// <param name="right">The results rows to join, when fewer than all suffice: the judge's evidence joins only its races' rows,
    /// so the wide columns meet a small join (at a million candidacies the stage's statement 10.5 → 8.0 CPU-s, same rows).</param>
    private string PairProjection(string p, string pairs, string? right = null) => $"""
        select
            pr.*,
            l.first_name as l_first, l.nickname as l_nick, l.middle_name as l_middle, l.last_name as l_last,
            l.suffix as l_suffix, l.male_share as l_male, l.district as l_district, l.first_groups as l_groups,
            l.last_joined as l_last_joined, l.middle1 as l_middle1, l.office_normalised as l_office,
            r.first_name as r_first, r.nickname as r_nick, r.middle_name as r_middle, r.last_name as r_last, r.name_rest as r_rest,
            r.suffix as r_suffix, r.male_share as r_male, r.district as r_district, r.first_groups as r_groups, sf.tf_last as r_tf_last,
            {Derived("last_joined")} as r_last_joined, {Derived("rest_joined")} as r_rest_joined, {Derived("middle1")} as r_middle1,
            r.race_normalised as r_race, {MiddleFor("l", "r")} as l_middle_for_r_first, {MiddleFor("r", "l")} as r_middle_for_l_first,
            l.surname_word_frequencies as l_surname_word_frequencies, l.surname_tf as {CandidacyDdhqComparisons.CandidacySurnameFrequencyColumn}
        from {pairs} as pr
        join {right ?? T("right_clean")} as r using (right_key)
        left join {T(p + "left_keyed")} as l using (left_key)
        left join {T(CandidacyDdhqCleaning.SurnamesTable)} as sf on sf.last_name = r.last_name
        """;

    /// <summary>
    /// SQL: side <paramref name="middle"/>'s first middle name is short for side <paramref name="first"/>'s first name,
    /// from the middle name's groups cleaning stored per row (null without a middle name the lists hold).
    /// </summary>
    internal static string MiddleFor(string middle, string first) =>
        $"coalesce(list_contains({middle}.middle_groups, {first}.first_name), false)";

    /// <summary>A reference table: in the run's schema, or an incremental run's partitions' shared one (<see cref="LoadReference"/>).</summary>
    private string Reference(string table) => (_reference ?? _run).Table(table);

    // u is P(level | non-match): random pairs inside partitions are nearly all non-matches.
    private string USamplePairsSql() =>
        $"create table {T("u_pairs")} as {RandomPairs.Sql(T("left_keyed"), T("right_members"), USampleLeftRows, USamplePairsPerRow)}";

    /// <summary>Gives every pair of <paramref name="table"/> without a cosine its embedding cosine; returns how many.</summary>
    private long FillCosines(string p, string table)
    {
        var pairs = $"""
            select t.left_key, t.right_key, l.embedding_text as left_text, r.embedding_text as right_text
            from {T(table)} as t
            join {T(p + "left_keyed")} as l using (left_key)
            join {T("right_keyed")} as r using (right_key)
            where t.cosine is null
            """;
        _warehouse.Execute($"create or replace table {T(table + "_cosines")} (left_key bigint, right_key bigint, cosine float)");
        if (Embeddings is not null and not HashedNgramEmbedder)
        {
            var cache = new EmbeddingCache(_warehouse);
            _warehouse.Execute($"""
                insert into {T(table + "_cosines")}
                select left_key, right_key, list_inner_product({cache.VectorSql("left_text", _cachedModel!)}, {cache.VectorSql("right_text", _cachedModel!)})
                from ({pairs})
                """);
        }
        else
        {
            var embedder = OfflineEmbedder();
            var left = new float[embedder.Dimensions];
            var right = new float[embedder.Dimensions];
            var vectors = _rightVectors is { } kept && kept.Pass == p ? kept.Slab : null;
            using var connection = _warehouse.OpenSecondConnection();
            using var appender = connection.CreateAppender(_run.Name, table + "_cosines");
            using var command = _warehouse.Connection.CreateCommand();
            // In left row order, so each left text is embedded once for all its pairs, not once per pair. Right rows
            // come from retrieval's vectors when it kept them: no join with every results row's text, no embedding.
            command.CommandText = (vectors is null ? pairs : $"""
                select t.left_key, t.right_key, l.embedding_text as left_text
                from {T(table)} as t
                join {T(p + "left_keyed")} as l using (left_key)
                where t.cosine is null
                """) + "\norder by t.left_key";
            command.UseStreamingMode = true;
            using var reader = command.ExecuteReader();
            var embeddedLeft = long.MinValue;
            while (reader.Read())
            {
                var leftKey = reader.GetInt64(0);
                var rightKey = reader.GetInt64(1);
                if (leftKey != embeddedLeft)
                {
                    embedder.Embed(reader.IsDBNull(2) ? "" : reader.GetString(2), left);
                    embeddedLeft = leftKey;
                }

                if (vectors is null)
                {
                    embedder.Embed(reader.IsDBNull(3) ? "" : reader.GetString(3), right);
                }
                else if (!vectors.TryCopy(rightKey, right))
                {
                    throw new InvalidOperationException($"pair_cosines: results row {rightKey} is in a partition but retrieval did not embed it");
                }

                appender.CreateRow().AppendValue(leftKey).AppendValue(rightKey)
                    .AppendValue(System.Numerics.Tensors.TensorPrimitives.Dot(left, right)).EndRow();
            }
        }

        // Held from retrieval for this stage only: half a gigabyte at a million candidacies.
        _rightVectors = null;

        return _warehouse.Execute($"""
            update {T(table)} as t set cosine = c.cosine
            from {T(table + "_cosines")} as c
            where t.left_key = c.left_key and t.right_key = c.right_key
            """);
    }

    // Weights for every pair, computed when read: a CASE over one-byte levels costs less than writing 23 columns of
    // every pair to the run schema (a plain copy of the 100k set's table cost 0.88 CPU-s, the stage 0.77-0.89; at a
    // million candidacies the stage was 12.5 CPU-s). The pairs above the reject threshold, all that linking and the
    // judge band read, are kept in a table (above_reject); output and explain compute the rest when they read it.
    // The JSON explanation is built only for the pairs shown (output, explain).
    private string ScoredPairsSql(string p, ModelParameters parameters) =>
        $"create view {T(p + "scored_pairs")} as {_model.WeightsQuery(parameters, T(p + "comparisons"), ScoredColumns)}";

    /// <summary>
    /// A pass's <c>scored_pairs</c>, <c>scored_pairs_explained</c> and <c>above_reject</c> views over the <c>comparisons</c>
    /// of this matcher's run schema: an incremental run makes them in the schema that shows its cached partitions, over their cached comparisons,
    /// for explain (above_reject, a table in a run, is the same query as a view: the cache need not keep its rows).
    /// </summary>
    internal string ScoredViewsSql(string p, ModelParameters parameters) =>
        ScoredPairsSql(p, parameters) + ";\n" + ExplainedPairsSql(p, parameters) + ";\n" + AboveRejectSql(p, "view");

    /// <summary>The comparisons' columns a scored pair keeps beside its weights; <c>rules</c> from the code comparisons store.</summary>
    private string ScoredColumns => $"left_key, right_key, rank, cosine, {PairRules.ListSql("found_by")} as rules, " + Gammas;

    /// <summary>The pairs above the reject threshold with their weights and levels: what linking and the judge band read.</summary>
    /// <param name="kind"><c>table</c> in a run; <c>view</c> in the schema that shows an incremental run's cached partitions (<see cref="ScoredViewsSql"/>).</param>
    private string AboveRejectSql(string p, string kind) => $"""
        create {kind} {T(p + "above_reject")} as
        select left_key, right_key, match_weight, match_probability, {Gammas}
        from {T(p + "scored_pairs")}
        where match_probability > {Sql.Number(_settings.Threshold("reject"))}
        """;

    /// <summary>The scored pairs with their explanation, computed when read, for <c>electionmatch explain</c>.</summary>
    private string ExplainedPairsSql(string p, ModelParameters parameters) =>
        $"create view {T(p + "scored_pairs_explained")} as select *, {_model.ExplanationSql(parameters, null)} as match_explanation from {T(p + "scored_pairs")}";

    private string Gammas => string.Join(", ", _model.Comparisons.Select(x => x.GammaColumn));

    /// <summary>Rounds of mutual best pairs above the accept threshold, each clear of its runner-up on both sides.</summary>
    private void LinkByScore(string p)
    {
        _warehouse.Execute(AboveRejectSql(p, "table"));
        _warehouse.Execute($"create table {T(p + "links")} (left_key bigint, right_key bigint, decided_by varchar, confidence integer, reasoning varchar)");
        var accept = Sql.Number(_settings.Threshold("accept"));
        for (var round = 0; round < 20; round++)
        {
            var added = _warehouse.Execute($"""
                insert into {T(p + "links")}
                with
                    open_pairs as (
                        select
                            s.left_key, s.right_key, s.match_weight, s.match_probability,
                            s.match_probability >= {accept} and {_model.AcceptableByScoreSql()} as linkable
                        from {T(p + "above_reject")} as s
                        anti join {T(p + "links")} as a on a.left_key = s.left_key
                        anti join {T(p + "links")} as b on b.right_key = s.right_key
                    ),

                    -- A pair links only if it is linkable itself, so only the rows and results rows with a linkable pair
                    -- need their best pair and runner-up, each over all of their open pairs: at a million candidacies the
                    -- results-side window sorts 1.7M of the 4.9M open pairs, the left side 3.6M. The runner-up's key is
                    -- kept beside its weight, so the reasoning names the runner-up the decision was measured against.
                    linkable as materialized (
                        select left_key, right_key from open_pairs where linkable
                    ),

                    by_left as (
                        select
                            left_key, right_key, match_weight, match_probability, linkable,
                            row_number() over (partition by left_key order by match_weight desc, right_key) as left_rank,
                            nth_value(match_weight, 2) over next_of_left as left_runner_up,
                            nth_value(right_key, 2) over next_of_left as left_runner_up_key
                        from open_pairs
                        semi join linkable using (left_key)
                        window next_of_left as (partition by left_key order by match_weight desc, right_key rows between unbounded preceding and unbounded following)
                    ),

                    by_right as (
                        select
                            left_key, right_key,
                            row_number() over (partition by right_key order by match_weight desc, left_key) as right_rank,
                            nth_value(match_weight, 2) over next_of_right as right_runner_up,
                            nth_value(left_key, 2) over next_of_right as right_runner_up_key
                        from open_pairs
                        semi join linkable using (right_key)
                        window next_of_right as (partition by right_key order by match_weight desc, left_key rows between unbounded preceding and unbounded following)
                    ),

                    ranked as (
                        select l.*, r.right_runner_up, r.right_runner_up_key
                        from by_left as l
                        join by_right as r using (left_key, right_key)
                        where l.left_rank = 1 and r.right_rank = 1 and l.linkable
                            and l.match_weight - coalesce(l.left_runner_up, -1e9) >= {Sql.Number(Margin)}
                            and l.match_weight - coalesce(r.right_runner_up, -1e9) >= {Sql.Number(Margin)}
                    )

                select
                    k.left_key, k.right_key, 'score', cast(round(100 * k.match_probability) as integer),
                    {ScoreReasoningSql(round)}
                from ranked as k
                left join {T("right_clean")} as next_candidate on next_candidate.right_key = k.left_runner_up_key
                left join {T(p + "left_keyed")} as next_candidacy on next_candidacy.left_key = k.right_runner_up_key
                left join {T(p + "exact_pairs")} as exact on exact.left_key = k.left_key and exact.right_key = k.right_key
                """);
            if (added == 0)
            {
                break;
            }
        }
    }

    /// <summary>
    /// The words of a link by score: its probability and how far it stood ahead of each side's runner-up, named: the
    /// candidacy's next results row (name and id) and the results row's next candidacy (its id). Both margins decided
    /// the link, so both are said; a runner-up on the results side is another candidacy, never "the next candidate".
    /// </summary>
    /// <remarks>
    /// After the first round the runner-ups are among the pairs no earlier round linked, and the words say so. A pair of
    /// the deterministic tier (<c>exact_pairs</c>, joined as <c>exact</c>) had no other candidate to stand ahead of.
    /// </remarks>
    private static string ScoreReasoningSql(int round)
    {
        var free = round == 0 ? "" : "unlinked ";
        return $"""
            printf('linked by score: match probability %.4f', k.match_probability)
                || case
                    -- The deterministic tier compared no other candidate: "none above the threshold" would imply some were.
                    when exact.left_key is not null then ', its only candidate: the one results row of its election with its first name and surname on a ballot for its office (deterministic tier)'
                    when k.left_runner_up is null then ', no other {free}candidate above the reject threshold'
                    else printf(', %.1f bits ahead of the next {free}candidate, %s [%s]', k.match_weight - k.left_runner_up, next_candidate.candidate, cast(next_candidate.right_id_value as varchar))
                end
                || case
                    when k.right_runner_up is null then ''
                    else printf('; %.1f bits ahead of the next {free}candidacy for this results row, %s', k.match_weight - k.right_runner_up, next_candidacy.left_id)
                end
            """;
    }

    // The ambiguous band: rows not linked whose best free candidate is above the reject threshold. The judge
    // sees the whole race of that candidate. A candidate on another office's ballot is no question for the judge
    // when the candidacy's own office is on the ballot that day (its race name, with or without the state code
    // DDHQ puts first, is the normalised office): it is another person of the same name. When the office is on no
    // ballot of the partition (written another way, or a seat DDHQ does not cover) the judge still sees it, unless
    // a name is vetoed too: two disagreements no judge is asked to overrule (65k of 94k judge rows at 1M).
    private string JudgeRowsSql(string p) => $"""
        create table {T(p + "judge_rows")} as
        with
            races as (
                select distinct election_date, election_type, state, race_normalised
                from {PassResultsRows(p)}
                where race_normalised is not null
            ),

            race_offices as (
                select election_date, election_type, state, race_normalised as office from races
                union all
                select election_date, election_type, state, substr(race_normalised, 4) from races where race_normalised like '__ %'
            ),

            -- The band: pairs above the reject threshold whose two rows are both still free.
            open_pairs as (
                select s.*
                from {T(p + "above_reject")} as s
                anti join {T(p + "links")} as a on a.left_key = s.left_key
                anti join {T(p + "links")} as b on b.right_key = s.right_key
            ),

            -- Asked only for rows with a candidate on another office's ballot in the band (not every such pair above
            -- the reject threshold: at a million candidacies 1.07M rows against 0.23M, judge_rows 4.2 -> 2.7 CPU-s); the
            -- state test is a filter after the equality join on office, date and type.
            office_on_ballot as (
                select distinct l.left_key
                from {T(p + "left_keyed")} as l
                semi join (select left_key from open_pairs where {CandidacyDdhqComparisons.OtherOffice}) as s using (left_key)
                join {T(p + "partitions")} as g using (group_id)
                join race_offices as o
                    on o.office = l.office_normalised and o.election_date = g.match_date and o.election_type = g.election_type
                where g.state is null or o.state is null or o.state = g.state
            )

        select s.left_key, s.right_key as best_right_key, {Derived("race_key")} as race_key, {RaceColumns("r.")}, r.race_name, l.group_id
        from open_pairs as s
        join {PassResultsRows(p)} as r on r.right_key = s.right_key
        join {T(p + "left_keyed")} as l on l.left_key = s.left_key
        left join office_on_ballot as o on o.left_key = s.left_key
        where not (s.{CandidacyDdhqComparisons.OtherOffice} and (o.left_key is not null or {CandidacyDdhqComparisons.OtherName}))
        qualify row_number() over (partition by s.left_key order by s.match_weight desc, s.right_key) = 1
        """;

    private string JudgeEvidenceSql(string p) => $"""
        create table {T(p + "judge_evidence")} as
        with
            race_rows as (
                select j.left_key, j.group_id, r.right_key
                from {T(p + "judge_rows")} as j
                join {T("right_clean")} as r using ({RaceColumns("")})
                {(RacesWithoutId(p) is var (byName, alone) && byName ? $"""
                union all
                select j.left_key, j.group_id, r.right_key
                from {T(p + "judge_rows")} as j
                join {T("right_clean")} as r using ({RaceByNameColumns("")})
                where j.race_id_value is null and r.race_id_value is null
                """ : "")}
                {(alone ? $"""
                union all
                select j.left_key, j.group_id, j.best_right_key
                from {T(p + "judge_rows")} as j
                where j.race_id_value is null and j.race_name is null
                """ : "")}
            ),

            pairs as (
                select j.left_key, j.right_key, c.cosine
                from race_rows as j
                semi join {T(p + "right_members")} as m on m.group_id = j.group_id and m.right_key = j.right_key
                left join {T(p + "candidate_pairs")} as c on c.left_key = j.left_key and c.right_key = j.right_key
            )

        select *, {PairFrequencies}
        from ({Compared(PairProjection(p, "pairs", JudgeRaceRows(p, PassResultsRows(p))))})
        """;

    /// <summary>
    /// The results rows of the races the judge sees. The evidence's pairs are all in those races, so joining these instead
    /// of every results row leaves the wide columns a small join (a join on the row key probes every results row).
    /// </summary>
    /// <param name="rows">The results rows to choose from, when fewer than all suffice (<see cref="PassResultsRows"/>).</param>
    private string JudgeRaceRows(string p, string? rows = null)
    {
        var (byName, alone) = RacesWithoutId(p);
        return $"(select r.* from {rows ?? T("right_clean")} as r semi join (select distinct {RaceColumns("")} from {T(p + "judge_rows")}) as j using ({RaceColumns("")})"
            + (byName
                ? $" union all select r.* from {rows ?? T("right_clean")} as r semi join (select distinct {RaceByNameColumns("")} from {T(p + "judge_rows")} where race_id_value is null) as j using ({RaceByNameColumns("")}) where r.race_id_value is null"
                : "")
            + (alone
                ? $" union all select r.* from {rows ?? T("right_clean")} as r semi join (select best_right_key as right_key from {T(p + "judge_rows")} where race_id_value is null and race_name is null) as j using (right_key)"
                : "")
            + ")";
    }

    /// <summary>
    /// The columns a race is joined on: its id, date and type (the judge's <c>race_key</c> is their text, which right_clean
    /// does not store: at a million candidacies 186 MB written for 7.2M rows, and only the judge's 30k rows show it).
    /// A null in any of them joins nothing, as the null text did; a race without an id is joined by its name instead
    /// (<see cref="RaceByNameColumns"/>).
    /// </summary>
    private static string RaceColumns(string r) => $"{r}race_id_value, {r}election_date, {r}election_type";

    /// <summary>
    /// A race whose results rows have no race id is the rows of its name, date and type that have none either. Without it
    /// the judge was shown no race for a row whose best candidate had no race id: the row got no answer and was published
    /// as "best candidate … is linked to another row (?)". Only joined when a judge row needs it (<see cref="RacesWithoutId"/>).
    /// </summary>
    private static string RaceByNameColumns(string r) => $"{r}race_name, {r}election_date, {r}election_type";

    /// <summary>
    /// Whether a judge row's best candidate has no race id but a race name to find its race by, and whether one has
    /// neither: that candidate is a race of its own, the only one the judge can be shown as its race (before, the judge
    /// was shown nothing for it, and the row was published as "best candidate … is linked to another row (?)").
    /// </summary>
    private (bool ByName, bool Alone) RacesWithoutId(string p) =>
        _warehouse.Query(
            $"select count(*) filter (where race_id_value is null and race_name is not null) > 0, count(*) filter (where race_id_value is null and race_name is null) > 0 from {T(p + "judge_rows")}",
            r => (r.GetBoolean(0), r.GetBoolean(1)))[0];

    private static string Derived(string column) => CandidacyDdhqCleaning.DerivedColumn(column, "r.");

    /// <summary>
    /// What the judge is shown of a candidacy beside its name, race and date: each of these roles electionmatch.yml maps,
    /// as the left input has it (trimmed, null when blank). The name the model reads is the first and last name alone,
    /// so without them it could not see the middle name a candidate goes by on the ballot.
    /// </summary>
    private static readonly string[] JudgedLeftRoles = ["middle_name", "nickname", "suffix", "gender", "party"];

    /// <summary>What the judge is shown of a results row beside its name: each of these roles electionmatch.yml maps.</summary>
    private static readonly string[] JudgedRightRoles = ["party"];

    // The judge's attributes of one side with its mapped roles' values added, read from the columns at `first` on.
    private static Dictionary<string, string?> Attributes(System.Data.Common.DbDataReader reader, Dictionary<string, string?> attributes, IReadOnlyList<string> roles, int first)
    {
        for (var i = 0; i < roles.Count; i++)
        {
            attributes[roles[i]] = reader.IsDBNull(first + i) ? null : reader.GetString(first + i);
        }

        return attributes;
    }

    /// <summary>Sends each race's ambiguous rows with all its candidates to the judge, in capped batches.</summary>
    private JudgeStageCount RunJudge(string p, CancellationToken cancellationToken)
    {
        var comparisons = _model.Comparisons;
        var gammas = string.Join(", ", comparisons.Select(c => "e." + c.GammaColumn));
        var leftRoles = JudgedLeftRoles.Where(role => _settings.Left.Column(role) is not null).ToList();
        var rightRoles = JudgedRightRoles.Where(role => _settings.Right.Column(role) is not null).ToList();
        // After the gammas and the left id: the left roles, then the right ones.
        var extra = 15 + comparisons.Count;
        var evidence = _warehouse.Stream($"""
            select
                j.race_key, r.race_name, e.left_key, concat_ws(' ', trim(l.first_name_raw), trim(l.last_name_raw)),
                l.state, l.office, l.district, cast(l.election_date as varchar), l.election_type,
                e.right_key, r.candidate, r.state, r.district,
                exists (select 1 from {T("links")} as k where k.right_key = e.right_key)
                    or exists (select 1 from {T(p + "links")} as k where k.right_key = e.right_key) as linked,
                {gammas}, l.left_id{string.Concat(leftRoles.Select(role => $", nullif(trim(i.{role}), '')"))}{string.Concat(rightRoles.Select(role => $", nullif(trim(r.{role}), '')"))}
            from {T(p + "judge_evidence")} as e
            join {T(p + "judge_rows")} as j using (left_key)
            join {T(p + "left_keyed")} as l using (left_key)
            join {JudgeRaceRows(p)} as r on r.right_key = e.right_key
            {(leftRoles.Count > 0 ? $"join {T("left_input")} as i on i.row_number = l.row_number" : "")}
            order by {(_batch is null ? "" : "l.state, ")}j.race_key, e.left_key, e.right_key
            """, r => new JudgeEvidence(
                r.GetString(0), r.IsDBNull(1) ? "" : r.GetString(1), r.GetInt64(2), r.GetString(3),
                Attributes(r, new Dictionary<string, string?>(StringComparer.Ordinal)
                {
                    ["state"] = r.IsDBNull(4) ? null : r.GetString(4),
                    ["office"] = r.IsDBNull(5) ? null : r.GetString(5),
                    ["district"] = r.IsDBNull(6) ? null : r.GetString(6),
                    ["election_date"] = r.GetString(7),
                    ["election_type"] = r.GetString(8),
                }, leftRoles, extra),
                r.GetInt64(9), r.GetInt64(9), r.GetString(10),
                Attributes(r, new Dictionary<string, string?>(StringComparer.Ordinal)
                {
                    ["state"] = r.IsDBNull(11) ? null : r.GetString(11),
                    ["district"] = r.IsDBNull(12) ? null : r.GetString(12),
                    [CandidacyRuleJudge.LinkedElsewhere] = r.GetBoolean(13) ? "yes" : "no",
                }, rightRoles, extra + leftRoles.Count),
                _model.ReadLevels(r, 14),
                r.IsDBNull(14 + comparisons.Count) ? null : r.GetValue(14 + comparisons.Count).ToString())
            {
                // A batch's partitions are judged apart: a contest is a partition's, as in its own run.
                Part = _batch is null || r.IsDBNull(4) ? "" : r.GetString(4),
            });

        var judged = new JudgeStage(_warehouse, _run, Judge, JudgeRowsPerRequest).Run(evidence, p + "judge_answers", cancellationToken);
        var judgeAccept = _settings.Threshold("judge_accept");

        // The judge's choice links when confident enough, its candidate is still free and no other row's answer claims
        // that candidate as confidently. Two rows tied at the top are both left undecided, as a score tie is and as the
        // judge leaves two equal claims in one request: which row is judged in which request (max_rows_per_request)
        // must not pick the winner, and neither must row order.
        _warehouse.Execute($"""
            insert into {T(p + "links")}
            select a.left_key, a.right_key, 'judge', a.confidence, a.reasoning
            from {T(p + "judge_answers")} as a
            anti join {T(p + "links")} as k on k.right_key = a.right_key
            where a.right_key is not null and a.confidence >= {Sql.Number(judgeAccept)}
            qualify a.confidence = max(a.confidence) over (partition by a.right_key)
                and count(*) over (partition by a.right_key, a.confidence) = 1
            """);

        // The judge sees every candidate of its row's race, so it may choose a results row no blocking rule found. That
        // pair joins the comparisons with the levels the judge was shown (rule judge_race, no rank; a cosine only where
        // retrieval computed one), so the output shows and weighs the candidate it chose and `explain` lists it.
        _warehouse.Execute($"""
            insert into {T(p + "comparisons")} by name
            select e.left_key, e.right_key, cast(null as integer) as rank, e.cosine, {PairRules.JudgeRace} as found_by, {string.Join(", ", FrequencyColumns.Select(c => "e." + c))}, {Gammas}
            from {T(p + "judge_evidence")} as e
            semi join {T(p + "judge_answers")} as a on a.left_key = e.left_key and a.right_key = e.right_key
            anti join (
                select c.left_key, c.right_key
                from {T(p + "comparisons")} as c
                semi join {T(p + "judge_answers")} as a using (left_key)
            ) as c on c.left_key = e.left_key and c.right_key = e.right_key
            """);
        return judged;
    }

    // Spec 000 step 6: a candidate linked in a primary or general may have gone on to a runoff the CRM does
    // not list. Runoff rows of the same race family in the same state within the window become left rows.
    // The race-name similarity is tested once per linked race, not once per linked candidate: a race links
    // several candidates, and at a million rows the per-candidate test was 30 s of string comparisons.
    // The cutoff argument lets the similarity give up early on pairs that cannot reach it (same pairs kept).
    // A runoff date reached from two linked elections (a primary and a general) follows the later one.
    // The numbers in the two race names must be the same (district 5's runoff is not district 15's or 100's): the
    // similarity alone let "… district 100" follow "… district 24", so most discovered rows were other races'.
    // The linked rows are keys until a runoff is found: their wide columns are joined for the found rows alone (at
    // 100k 3,049 of 104,786 linked rows; carrying every linked row's columns through the joins was half the stage).
    private string DiscoverRunoffsSql() => $"""
        create table {T("runoff_left")} as
        with
            linked as (
                select l.left_key, l.left_id, coalesce(r.race_normalised, '') as linked_race, r.election_date as linked_date, r.state as linked_state
                from {T("links")} as k
                join {T("left_keyed")} as l using (left_key)
                join {T("right_keyed")} as r on r.right_key = k.right_key
                where l.election_type <> 'runoff'
            ),

            linked_races as (
                select *, regexp_extract_all(linked_race, '[0-9]+') as race_numbers
                from (select distinct linked_race, linked_date, linked_state from linked)
            ),

            runoff_races as (
                select *, regexp_extract_all(race_family, '[0-9]+') as race_numbers
                from (select distinct coalesce(race_normalised, '') as race_family, election_date, state from {T("right_keyed")} where election_type = 'runoff')
            ),

            followed as (
                select distinct r.linked_race, r.linked_date, r.linked_state, o.election_date as runoff_date
                from linked_races as r
                join runoff_races as o
                    on o.state = r.linked_state and o.race_numbers = r.race_numbers and o.election_date > r.linked_date
                    and o.election_date <= r.linked_date + interval {RunoffWindowDays} day
                    and jaro_winkler_similarity(o.race_family, r.linked_race, 0.93) >= 0.93
            ),

            found as (
                select l.left_key, l.left_id, l.linked_date, f.runoff_date
                from linked as l
                join followed as f on f.linked_race = l.linked_race and f.linked_date = l.linked_date and f.linked_state = l.linked_state
                -- A runoff the candidacy lists is its own row, searched on its date (or the date fallback's, match_date);
                -- a runoff on another date is discovered (Georgia's primary runoff of a candidacy that lists its general
                -- runoff). Before, a candidacy that listed any runoff was given none.
                anti join {T("left_filtered")} as x on x.left_id = l.left_id and x.election_type = 'runoff' and x.match_date = f.runoff_date
            ),

            -- Two linked rows of one candidacy reaching the same runoff date share every column kept below.
            chosen as (
                select distinct on (left_id, runoff_date) * from found order by left_id, runoff_date, linked_date desc
            )

        select
            l.* exclude (left_key, group_id, match_date, date_fallback, base_date, election_date, election_type),
            'runoff' as election_type, c.runoff_date as election_date, c.linked_date as base_date, c.runoff_date as match_date, false as date_fallback
        from chosen as c
        join {T("left_keyed")} as l using (left_key)
        order by l.left_id, c.runoff_date
        """;

    /// <summary>
    /// The run's output (every row the snapshot publishes), then <see cref="UnlinkedRunoffsTable"/>: the discovered runoffs
    /// left unlinked, which the snapshot does not hold, with the reasoning the same query gives them, for <c>explain</c>.
    /// </summary>
    private string OutputSql(ModelParameters parameters) =>
        DecisionsSql(parameters, published: true) + ";\n" + DecisionsSql(parameters, published: false);

    /// <summary>
    /// The discovered runoffs the runoff pass left unlinked, in the output's columns: not published (the snapshot holds a
    /// discovered runoff only when it is linked), but explained as a published row is (its best candidate, rejected by score…).
    /// </summary>
    public const string UnlinkedRunoffsTable = "runoff_unlinked";

    /// <summary>A batch's output column that tells each row's partition by its left row's key (<see cref="PartitionBatch"/>): not published.</summary>
    public const string BatchOutputKey = "em_left_key";

    /// <param name="published">The output's rows (the main pass's and the linked discovered runoffs); otherwise the
    /// unlinked discovered runoffs, whose pairs are the runoff pass's alone, and whose rivals and takers are named from
    /// every row of both passes (none of them is among those rows).</param>
    private string DecisionsSql(ModelParameters parameters, bool published)
    {
        var levels = _model.LevelWordsSql("s");
        // A pass's pairs table: both passes' for the output, the runoff pass's alone for the unlinked runoffs.
        string Pairs(string table, string columns) =>
            (published ? $"select {columns} from {T(table)} union all " : "") + $"select {columns} from {T("runoff_" + table)}";
        return $"""
            create table {T(published ? "output" : UnlinkedRunoffsTable)} as
            with
                keyed as (
                    {(published ? $"""
                    select *, false as discovered_runoff from {T("left_keyed")}
                    union all by name
                    select *, true as discovered_runoff from {T("runoff_left_keyed")} semi join {T("runoff_links")} using (left_key)
                    """ : $"""
                    select *, true as discovered_runoff from {T("runoff_left_keyed")} anti join {T("runoff_links")} using (left_key)
                    """)}
                ),

                -- The rows a rival's or a taker's id is read from.
                named as (
                    {(published ? "select left_key, left_id from keyed" : $"select left_key, left_id from {T("left_keyed")} union all select left_key, left_id from {T("runoff_left_keyed")}")}
                ),

                links as (
                    select * from {T("links")} union all select * from {T("runoff_links")}
                ),

                answers as (
                    select * from {T("judge_answers")} union all select * from {T("runoff_judge_answers")}
                ),

                -- Pairs compared per row: keys alone, no weights.
                compared as (
                    select left_key, count(*) as candidates_compared
                    from ({Pairs("comparisons", "left_key")})
                    group by left_key
                ),

                -- The best scored pair (highest weight, then lowest right_key), for the rows neither linked nor given a pair
                -- by the judge: only those show it. It reads the keys and weights alone: a scored-pairs table of every
                -- column, written once and read twice, was half of the stage at a million candidacies (9.5M pairs); and
                -- the weights of a linked row's pairs, most of them, were computed only to be passed over.
                best as (
                    select left_key, arg_max(right_key, struct_pack(w := match_weight, r := -right_key)) as best_right_key
                    from ({Pairs("scored_pairs", "left_key, right_key, match_weight")})
                    anti join (
                        select left_key from links
                        union all
                        select left_key from answers where right_key is not null
                    ) as decided using (left_key)
                    group by left_key
                ),

                -- The pair to show: the linked one, else the judge's choice, else the best scored.
                picked as (
                    select l.left_key, coalesce(k.right_key, a.right_key, b.best_right_key) as right_key
                    from keyed as l
                    left join links as k using (left_key)
                    left join answers as a using (left_key)
                    left join best as b using (left_key)
                ),

                -- Its weights, computed for the shown pairs only, by the scored pairs' own query (scored_pairs).
                shown_pairs as (
                    {_model.WeightsQuery(parameters, $"(select c.* from ({Pairs("comparisons", "*")}) as c semi join picked as p on p.left_key = c.left_key and p.right_key = c.right_key)", ScoredColumns)}
                ),

                -- Confident judge answers that another row's answer claims as confidently (or more): the rows that stopped
                -- them, named in their words.
                judge_rivals as (
                    {UnlinkedJudgeAnswerWords.RivalsSql("answers", "named", _settings.Threshold("judge_accept"))}
                ),

                -- The row a shown candidate is linked to when it is not this row: the words of the row that lost it name it.
                -- Only the unlinked rows' shown candidates are looked up (links are one-to-one on the results row).
                taken_by as (
                    select k.right_key, l.left_id
                    from links as k
                    semi join (select p.right_key from picked as p anti join links as x using (left_key)) as lost using (right_key)
                    join named as l on l.left_key = k.left_key
                )

            select
                l.left_id as gp_candidacy_id,
                l.first_name_raw as hubspot_first_name,
                l.last_name_raw as hubspot_last_name,
                l.election_date as hubspot_election_date,
                l.election_type as hubspot_election_type,
                shown.candidate as llm_best_match,
                -- Confidence that llm_best_match is the row's candidate, as on every row: a judge that chose no candidate gave
                -- the shown one (the score's best) none; its own confidence in that answer is in the reasoning.
                cast(case
                    when k.left_key is null and a.left_key is not null and a.right_key is null then 0
                    else coalesce(a.confidence, k.confidence, round(100 * s.match_probability), 0)
                end as integer) as llm_confidence,
                case
                    when k.decided_by = 'judge' then 'judge: ' || k.reasoning
                    when k.decided_by is not null then k.reasoning || ' (' || concat_ws(', ', {levels}) || ')'
                    {UnlinkedJudgeAnswerWords.WhenSql(_settings.Threshold("judge_accept"))}
                    -- No pair at all: retrieval ranks every results row of the partition, so either there was none or
                    -- (a partition searched by first-name initial) none in the row's block and none whose surname sounds alike.
                    -- A discovered runoff was found from runoff results of its date and state, so an empty partition of the
                    -- runoff pass means the main pass linked them all: that pass never offers a linked results row.
                    when s.left_key is null and coalesce(z.right_rows, 0) = 0 and l.discovered_runoff
                        then 'no candidate: every results row of this election type on this date' || case when l.state is null then ' in any state (state blank)' else ' in this state' end
                            || ' is linked to another election row, and a discovered runoff is offered only the results rows left unlinked'
                    when s.left_key is null and coalesce(z.right_rows, 0) = 0
                        then 'no candidate: no results row of this election type on this date' || case when l.state is null then ' in any state (state blank)' else ' in this state' end
                    when s.left_key is null then 'no candidate: retrieval and the sounds-alike rule found no results row for this row among those of its date, election type and state'
                    when s.match_probability <= {Sql.Number(_settings.Threshold("reject"))}
                        then printf('best candidate %s rejected by score: match probability %.4f (', shown.candidate, s.match_probability) || concat_ws(', ', {levels}) || ')'
                    when s.{CandidacyDdhqComparisons.OtherOffice}
                        then printf('best candidate %s is on the ballot of another office (%s)', shown.candidate, shown.race_name)
                    else printf('best candidate %s is linked to another row (%s)', shown.candidate, coalesce(t.left_id, '?'))
                end as llm_reasoning,
                k.left_key is not null as has_match,
                case when k.left_key is not null then shown.candidate end as ddhq_candidate,
                case when k.left_key is not null then shown.race_name end as ddhq_race_name,
                case when k.left_key is not null then shown.race_id_value end as ddhq_race_id,
                case when k.left_key is not null then shown.right_id_value end as ddhq_candidate_id,
                case when k.left_key is not null then shown.is_winner end as ddhq_is_winner,
                cast(s.cosine as double) as match_similarity,
                l.embedding_text,
                s.match_probability,
                s.match_weight,
                case
                    when k.decided_by is not null then k.decided_by
                    when a.left_key is not null then 'judge'
                    when s.left_key is not null then 'score'
                    else 'none'
                end as decided_by,
                case when s.left_key is not null then {_model.ExplanationByLevelSql(parameters, "s", [("candidates_compared", "c.candidates_compared"), ("found_by", "s.rules"), ("runoff_date_fallback", "l.date_fallback"), ("discovered_runoff", "l.discovered_runoff")])} end as match_explanation{(_batch is null ? "" : $",\n                l.left_key as {BatchOutputKey}")}
            from keyed as l
            left join links as k on k.left_key = l.left_key
            left join answers as a on a.left_key = l.left_key
            left join compared as c on c.left_key = l.left_key
            left join shown_pairs as s on s.left_key = l.left_key
            left join {T("right_keyed")} as shown on shown.right_key = s.right_key
            left join taken_by as t on t.right_key = s.right_key
            left join judge_rivals as jr on jr.left_key = l.left_key
            -- Equalities alone (a second condition made this join a nested loop: 19 → 180 CPU-s for the stage at a million
            -- candidacies). A discovered runoff's group is the runoff pass's: its size is read there.
            left join (
                select group_id, right_rows, false as discovered_runoff from {T("partition_sizes")}
                union all
                select group_id, right_rows, true from {T("runoff_partition_sizes")}
            ) as z on z.group_id = l.group_id and z.discovered_runoff = l.discovered_runoff
            """;
    }

}
