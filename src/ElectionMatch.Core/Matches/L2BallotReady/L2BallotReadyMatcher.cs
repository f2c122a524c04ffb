using System.Globalization;
using ElectionMatch.Matching;
using ElectionMatch.Matching.Embeddings;
using ElectionMatch.Matching.Judging;
using ElectionMatch.Matching.Retrieval;
using ElectionMatch.Matching.Scoring;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;
using static ElectionMatch.Warehouse.QueryValues;

namespace ElectionMatch.Matches.L2BallotReady;

/// <summary>
/// L2 districts → BallotReady positions (spec 000, match type 2) on the tiered engine: clean and quarantine,
/// one partition per state, per-state vector stores of spec 000's district texts searched with the
/// position's <c>race name: …</c> query — the top 10 by similarity, the generic state-level district and 2
/// buffer results, 13 candidates kept with their scores — then Fellegi–Sunter scoring of the 13 (office ↔
/// district type, district number, place, level, similarity), decisions by score where clear, the judge
/// (spec 000's decision rules, one request per position) for the rest, and a rule for offices above state
/// level. Every stage is a table in the run schema.
/// </summary>
internal sealed class L2BallotReadyMatcher
{
    /// <summary>Spec 000: after the top results and the state-level one, this many more by similarity.</summary>
    public const int BufferCandidates = 2;

    /// <summary>The best pair must beat the runner-up by this many bits to link without the judge.</summary>
    private const double Margin = 3;

    private const int USampleLeftRows = 2000;
    private const int USamplePairsPerRow = 50;
    private const int RuleConfidence = 100;

    private readonly DuckDbWarehouse _warehouse;
    private readonly MatchSettings _settings;
    private readonly RunSchema _run;
    private readonly L2BallotReadyCleaning _cleaning;
    private readonly BlankStateSearch _blankStates;
    private readonly FellegiSunter _model = new(L2BallotReadyComparisons.All, L2BallotReadyComparisons.DeterministicRule, L2BallotReadyComparisons.NonMatchRule, byRule: true);
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private static Comparison Office { get; } = L2BallotReadyComparisons.Named("office");
    private static Comparison Place { get; } = L2BallotReadyComparisons.Named("place");
    private string? _cachedModel;

    /// <summary>This run interleaved the provider's ranking with the offline one: pairs carry <c>retrievers</c>.</summary>
    private bool _united;

    public L2BallotReadyMatcher(DuckDbWarehouse warehouse, MatchSettings settings, RunSchema run)
    {
        _warehouse = warehouse;
        _settings = settings;
        _run = run;
        _cleaning = new L2BallotReadyCleaning(settings, run);
        _blankStates = new BlankStateSearch(run, _model);
    }

    /// <summary>The embedder for retrieval; the offline one unless a test or provider sets another.</summary>
    public Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>? Embeddings { get; init; }

    public IMatchJudge Judge { get; init; } = new DistrictRuleJudge();

    public int Threads { get; init; } = Environment.ProcessorCount;

    private string T(string table) => _run.Table(table);

    public MatchResult Run(MatchInputs inputs, Action<StageReport>? progress = null, CancellationToken cancellationToken = default)
    {
        _warehouse.Execute($"drop schema if exists {Sql.Identifier(_run.Name)} cascade; create schema {Sql.Identifier(_run.Name)}");
        var pipeline = new Pipeline(_warehouse, _run, progress, cancellationToken);
        pipeline.Stage("reference", null, "states", () =>
        {
            ReferenceData.LoadStates(_warehouse, _run, "states");
            ReferenceData.LoadStateNames(_warehouse, _run, "state_names");
            CompatibilityFold.Register(_warehouse);
            _warehouse.Execute(_cleaning.MacrosSql());
        });
        pipeline.Input("left_input", inputs.Left, _cleaning.LeftInputSql(inputs.LeftRelation, inputs.Left.Csv, inputs.Left.ColumnType(_warehouse, inputs.LeftRelation, _settings.Left.Id), inputs.Left.Kept));
        pipeline.Input("right_input", inputs.Right, _cleaning.RightInputSql(inputs.RightRelation, inputs.Right.Csv, inputs.Right.ColumnType(_warehouse, inputs.RightRelation, _settings.Right.Id)));
        pipeline.Sql("right_checked", "right_input", "right_checked", _cleaning.RightCheckedSql());
        pipeline.Sql("quarantine", null, "quarantine", _cleaning.QuarantineSql());
        pipeline.Sql("left_clean", "left_input", "left_clean", _cleaning.LeftCleanSql());
        pipeline.Sql("right_clean", "right_input", "right_clean", _cleaning.RightCleanSql());
        pipeline.Sql("state_search", "left_clean", "state_search", _blankStates.SearchSql((pairs, left, right) => PairProjection(pairs, left, right, excludeRuleDecisions: false)));
        pipeline.Sql("state_resolution", "left_clean", "state_resolution", _blankStates.ResolutionSql(), () => _warehouse.Scalar<string>(_blankStates.NoteSql()));
        pipeline.Sql("partitions", "left_clean", "partitions", PartitionsSql());
        pipeline.Sql("left_keyed", "left_clean", "left_keyed", LeftKeyedSql());
        pipeline.Sql("right_keyed", "right_clean", "right_keyed", RightKeyedSql());
        pipeline.Sql("right_members", "right_keyed", "right_members", MembersSql("right_members", stateLevel: false));
        pipeline.Sql("state_members", "right_keyed", "state_members", MembersSql("state_members", stateLevel: true));

        var k = _settings.TopK + BufferCandidates;
        RetrievalReport? retrieval = null;
        pipeline.Stage("retrieval", "left_keyed", "retrieved", () => retrieval = Retrieve("right_members", "retrieved", k, cancellationToken), () =>
            string.Create(CultureInfo.InvariantCulture, $"top {_settings.TopK} + {BufferCandidates} buffer in {retrieval!.Partitions:N0} state vector stores, {retrieval.PairsCompared:N0} inner products, largest {retrieval.LargestLeft:N0} × {retrieval.LargestRight:N0}"));
        _united = RetrievalUnion.Applies(_settings.Embeddings, Embeddings);
        if (_united)
        {
            var union = new RetrievalUnion(_warehouse, _run);
            pipeline.Stage("retrieval_offline", "left_keyed", "retrieved_offline", () => union.RunOffline(RetrievalInputsFor("right_members"), "retrieved", k, HashedNgramStyle.Districts, Threads, cancellationToken),
                () => $"the offline embedder's top {k}, interleaved with the provider's (embeddings: union_offline)");
            RetrievalOverlap? overlap = null;
            pipeline.Stage("retrieval_union", "retrieved", "retrieved", () =>
            {
                overlap = union.Interleave("retrieved", k, RetrievalInputsFor("right_members"), _cachedModel!);
                overlap.AddTo(_counts, "");
            }, () => overlap!.Note());
        }

        pipeline.Stage("state_retrieval", "left_keyed", "retrieved_state", () => Retrieve("state_members", "retrieved_state", 1, cancellationToken), () => "the generic state-level district of each position's state");
        _counts["partitions"] = retrieval!.Partitions;
        _counts["pairs_compared_by_embedding"] = retrieval.PairsCompared;
        pipeline.Sql("candidates", "left_keyed", "candidates", CandidatesSql(), () => CandidatesNote(pipeline));

        pipeline.Sql("rule_decisions", "left_keyed", "rule_decisions", RuleDecisionsSql(), () => RuleDecisionsNote());
        pipeline.Sql("comparisons", "candidates", "comparisons", $"create table {T("comparisons")} as select *, {_model.GammaSelect()} from ({PairProjection($"(select *, score as cosine from {T("candidates")})")})");
        pipeline.Sql("u_sample", "left_keyed", "u_sample", USampleSql());
        ModelParameters? parameters = null;
        pipeline.Stage("training", "comparisons", "u_sample", () => parameters = _model.Train(_warehouse, T("comparisons"), T("u_sample")), () =>
            string.Create(CultureInfo.InvariantCulture, $"λ {parameters!.Lambda:G3} after {parameters.Training.Iterations} EM iterations over {parameters.Training.Patterns} patterns (converged: {parameters.Training.Converged})"));
        pipeline.Sql("scored_pairs", "comparisons", "scored_pairs", ScoredPairsSql(parameters!));
        pipeline.Sql("score_decisions", "scored_pairs", "score_decisions", ScoreDecisionsSql(), () =>
            $"{_warehouse.Scalar<long>($"select count(*) from {T("score_decisions")} where is_matched")} linked, {_warehouse.Scalar<long>($"select count(*) from {T("score_decisions")} where not is_matched")} rejected by score");
        pipeline.Sql("judge_rows", "left_keyed", "judge_rows", JudgeRowsSql());
        JudgeStageCount? judged = null;
        pipeline.Stage("judge", "judge_rows", "judge_answers", () => judged = RunJudge(cancellationToken), () => judged!.Note(Judge.Name));
        _counts["judge_rows"] = pipeline.Count("judge_rows");
        _counts["judge_contests"] = judged!.Contests;
        _counts["judge_rows_undecided"] = _warehouse.Scalar<long>($"select count(*) from {T("judge_answers")} where undecided");
        pipeline.Sql("decisions", "left_keyed", "decisions", DecisionsSql());
        pipeline.Sql("output", "left_keyed", "output", OutputSql(inputs.Left.Kept));
        pipeline.Sql("state_summary", "output", "state_summary", StateSummarySql());

        var counted = new CountScope(_warehouse, _run, _counts);
        InputRowAccount.Count(counted);
        DecisionCounts.Add(counted, "output", "is_matched", "llm_reason", ["score", "judge", "rule", "none"]);
        _counts["judge_answers_none"] = _warehouse.Scalar<long>($"select count(*) from {T("judge_answers")} where candidate_number = 0");
        return new MatchResult(T("output"), T("quarantine"), "br_database_id", pipeline.Stages, _counts, parameters!.ToJson())
        {
            Accounts = [InputRowAccount.Of(counted, "left")[CountScope.Whole], InputRowAccount.Of(counted, "right")[CountScope.Whole], OutputAccount()],
            Summary = StateSummary(),
            OutputInCanonicalOrder = true,
        };
    }

    // An undecided position, and one whose district the judge chose below judge_accept, is published unlinked like an
    // answer 0, but nobody found that no district fits: each is counted apart.
    private RowAccount OutputAccount()
    {
        var undecided = _warehouse.Scalar<long>($"select count(*) from {T("judge_answers")} where undecided");
        var belowThreshold = JudgeChoicesBelowThreshold();
        return new("output", "snapshot rows", Rows("left_clean"),
        [
            new("used", "positions matched to a district", _warehouse.Scalar<long>($"select count(*) from {T("output")} where is_matched")),
            new("used", "positions no district fits (answer 0)", _warehouse.Scalar<long>($"select count(*) from {T("output")} where not is_matched") - undecided - belowThreshold),
            new("used", "positions whose district the judge chose below judge_accept (published unlinked)", belowThreshold),
            new("used", "positions the judge could not decide (its reply was invalid twice; published unlinked)", undecided),
        ]);
    }

    private long JudgeChoicesBelowThreshold() => _warehouse.Scalar<long>(
        $"select count(*) from {T("output")} where decided_by = 'judge' and not is_matched and selected_candidate_number > 0");

    private long Rows(string table) => _warehouse.Scalar<long>($"select count(*) from {T(table)}");

    private string RuleDecisionsNote()
    {
        var blank = _warehouse.Scalar<long>($"select count(*) from {T("state_resolution")} where state is null");
        var federal = Rows("rule_decisions") - blank;
        return string.Create(CultureInfo.InvariantCulture, $"{federal} offices above state level") +
            (blank > 0 ? string.Create(CultureInfo.InvariantCulture, $", {blank} positions with a blank state whose fitting districts are in no one state") : "");
    }

    private string CandidatesNote(Pipeline pipeline)
    {
        var positions = _warehouse.Scalar<long>($"select count(distinct left_key) from {T("candidates")}");
        var full = _warehouse.Scalar<long>($"select count(*) from (select left_key from {T("candidates")} group by left_key having count(*) = {_settings.TopK + 1 + BufferCandidates})");
        var whole = _warehouse.Scalar<long>($"select count(*) from {T("candidates")} where found_by = 'whole'");
        var numbered = _warehouse.Scalar<long>($"select count(*) from {T("candidates")} where found_by = 'number'");
        return string.Create(CultureInfo.InvariantCulture, $"{pipeline.Count("candidates"):N0} candidates for {positions:N0} positions, {full:N0} with all {_settings.TopK + 1 + BufferCandidates}, {whole:N0} with their whole place in the last buffer's stead")
            + (numbered > 0 ? string.Create(CultureInfo.InvariantCulture, $", {numbered:N0} with the district of their office's kind and number, which similarity did not find, in a buffer's stead") : "");
    }

    // Spec 000: one vector store per state; a position searches its own state's districts only, and a position whose
    // state is blank those of the one state the blank-state search placed it in (none when it placed it nowhere).
    private string PartitionsSql() => $"""
        create table {T("partitions")} as
        select row_number() over (order by state) as group_id, state
        from (
            select distinct coalesce(l.state, s.state) as state
            from {T("left_clean")} as l
            left join {T("state_resolution")} as s using (row_number)
        )
        where state is not null
        """;

    private string LeftKeyedSql() => $"""
        create table {T("left_keyed")} as
        select
            row_number() over (order by l.left_id) as left_key, g.group_id,
            l.* replace (coalesce(l.state, s.state) as state),
            l.state is null as state_blank, s.note as state_note, s.explanation as state_search,
            -- The sub-area's district is read before the name's; where the name says another, the reason says so.
            case when name_number <> l.district_number
                then printf('the name says district %s and sub_area_value district %s; the sub-area''s is used', name_number, l.district_number)
            end as number_conflict
        from {T("left_clean")} as l
        cross join lateral (
            select em_position_number({L2BallotReadyCleaning.WithoutSchoolNumberSql("l.read_name", "l.office_kind")}, l.office_kind, null, null) as name_number
        ) as n
        left join {T("state_resolution")} as s using (row_number)
        left join {T("partitions")} as g on g.state = coalesce(l.state, s.state)
        """;

    private string RightKeyedSql() => $"""
        create table {T("right_keyed")} as
        select row_number() over (order by r.row_number) as right_key, g.group_id, r.*
        from {T("right_clean")} as r
        left join {T("partitions")} as g using (state)
        """;

    // The generic state-level district is kept apart: it is always offered, in its own place in the list.
    private string MembersSql(string table, bool stateLevel) => $"""
        create table {T(table)} as
        select group_id, right_key
        from {T("right_keyed")}
        where group_id is not null and {(stateLevel ? "" : "not ")}coalesce(district_kind = 'state', false)
        """;

    private RetrievalReport Retrieve(string members, string table, int k, CancellationToken cancellationToken)
    {
        var retrieval = new EmbeddingRetrieval(_warehouse, _settings.Embeddings, Embeddings, HashedNgramStyle.Districts) { Threads = Threads };
        var report = retrieval.Run(RetrievalInputsFor(members), _run, table, k, _counts, table == "retrieved" ? "" : "state_", cancellationToken);
        _cachedModel ??= retrieval.CachedModelId;
        return report;
    }

    // A position placed in no state (its state blank, and no one state's districts fit it) has nothing to search.
    private RetrievalInputs RetrievalInputsFor(string members) =>
        new($"(select * from {T("left_keyed")} where group_id is not null)", "embedding_queried_term", T(members), T("right_keyed"), "embedding_text");

    // Spec 000's list: the top k by similarity keep places 1..k, the state-level district comes next, then
    // the buffer (similarity ranks k+1 and k+2). Numbers stay contiguous when a state has fewer districts.
    private string CandidatesSql() => $"""
        create table {T("candidates")} as
        with
            by_similarity as (
                select
                    left_key, right_key, score, rank as similarity_rank,
                    case when rank <= {_settings.TopK} then rank else rank + 1 end as slot,
                    case when rank <= {_settings.TopK} then 'top_k' else 'buffer' end as found_by{Retrievers(", retrievers")}
                from {T("retrieved")}
            ),

            state_level as (
                select left_key, right_key, score, null as similarity_rank, {_settings.TopK + 1} as slot, 'state_level' as found_by{Retrievers(", cast(null as varchar[]) as retrievers")}
                from {T("retrieved_state")}
            ),

            -- An office elected at large by a whole city or county, whose district similarity did not find: its
            -- council's numbered districts can fill the top k ("Alton City Council - At Large" against 12 ALTON CITY CNCL
            -- districts). The district of the whole place is offered too, after the state-level district, as that one is
            -- for a statewide office.
            whole as (
                select
                    l.left_key, r.right_key, cast(null as float) as score, null as similarity_rank, {_settings.TopK + 1} as slot,
                    'whole' as found_by{Retrievers(", cast(null as varchar[]) as retrievers")}
                from {T("left_keyed")} as l
                join {T("right_keyed")} as r on r.group_id = l.group_id and r.district_kind = {OfficeKind.WholeSql("l.office_kind")}
                where l.district_number is null and not coalesce(l.names_number, false)
                    and len(r.place_words) > 0 and list_has_all(l.place_words, r.place_words)
                    and not exists (select 1 from {T("retrieved")} as t where t.left_key = l.left_key and t.right_key = r.right_key)
                    and not exists (select 1 from {T("retrieved_state")} as t where t.left_key = l.left_key and t.right_key = r.right_key)
                qualify row_number() over (partition by l.left_key order by len(r.place_words) desc, r.right_key) = 1
            ),

            -- A district of the office's own kind and number whose place fits, which similarity did not find:
            -- "California State Assembly - District 30" shares no n-gram with STATE HOUSE 030, and a state of 80
            -- Assembly and 40 Senate districts fills the top k with others. Offered after the state-level district.
            numbered as (
                select
                    l.left_key, r.right_key, cast(null as float) as score, null as similarity_rank, {_settings.TopK + 1} as slot,
                    'number' as found_by{Retrievers(", cast(null as varchar[]) as retrievers")}
                from {T("left_keyed")} as l
                join {T("right_keyed")} as r
                    on r.group_id = l.group_id and r.district_kind = l.office_kind and r.district_number = l.district_number
                where ((len(r.place_words) = 0 and {OfficeKind.StateWideSql("r.district_kind")}) or (len(r.place_words) > 0 and list_has_all(l.place_words, r.place_words)))
                    and not exists (select 1 from {T("retrieved")} as t where t.left_key = l.left_key and t.right_key = r.right_key)
                qualify row_number() over (partition by l.left_key order by len(r.place_words) desc, r.right_key) = 1
            ),

            slotted as (
                select * from by_similarity
                union all
                select * from state_level
                union all
                select * from numbered
                union all
                select * from whole
            )

        -- The district of the office's number and the whole place take the buffers' places, so a list keeps spec 000's length.
        select
            left_key, right_key, score, similarity_rank, found_by,{Retrievers(" retrievers,")}
            row_number() over (partition by left_key order by slot, found_by = 'whole', found_by = 'number', right_key) as candidate_number
        from slotted
        qualify candidate_number <= {_settings.TopK + 1 + BufferCandidates}
        """;

    /// <summary><paramref name="sql"/>, naming the <c>retrievers</c> column, in a run that interleaved rankings; nothing otherwise.</summary>
    private string Retrievers(string sql) => _united ? sql : "";

    // Spec 000: offices above state level are rejected outright; they are never scored or judged. Nor is a position
    // whose state is blank and which the blank-state search placed in no one state.
    private string RuleDecisionsSql() => $"""
        create table {T("rule_decisions")} as
        select left_key, {RuleConfidence} as confidence, 'rule: the office is above state level (federal); spec 000 matches no such office to an L2 district' as reasoning
        from {T("left_keyed")}
        where office_kind = {Sql.Literal(OfficeKind.Federal)}
        union all
        select l.left_key, s.confidence, s.reasoning
        from {T("left_keyed")} as l
        join {T("state_resolution")} as s using (row_number)
        where s.state is null
        """;

    /// <summary>A pairs table joined to both sides, with the columns the comparisons read; federal offices and other rule decisions left out.</summary>
    private string PairProjection(string pairs) => PairProjection(pairs, T("left_keyed"), T("right_keyed"), excludeRuleDecisions: true);

    // A position whose place words are the district's, one or more written as the initials of its place (LA City Council
    // ↔ LOS ANGELES CITY CNCL 04, KC ↔ KANSAS CITY), takes the district's place words for them: the place is abbreviated,
    // not different. Every word must be the district's, so St Louis is not SANTA TERESA (st) with louis to spare.
    private const string Initials = "(len(r.place_initials) > 0 and list_has_any(l.place_words, r.place_initials) and list_has_all(list_concat(r.place_words, r.place_initials), l.place_words) and not list_has_all(l.place_words, r.place_words))";
    private const string Written = $"case when {Initials} then list_distinct(list_concat(list_filter(l.place_words, w -> not list_contains(r.place_initials, w)), r.place_words)) else l.place_words end";

    // Two place names that share a word but are other places: each has words the other lacks (San Jose, SAN DIEGO; Palm
    // Desert, PALM SPRINGS), or one has a word beside a shared word that makes it another place (West Sacramento,
    // SACRAMENTO; Covina, WEST COVINA). A word one name lacks is not another place's when the other name writes it
    // shortened (Colorado, COLO; Metropolitan, METRO) or as its plural (George, GEORGES). A missing place is unknown,
    // not another (the lists are empty then).
    private const string PlaceClash = $"""
        list_has_any(l_places, r_places) and (
            (len(list_filter(l_places, w -> not list_contains(r_places, w) and not list_bool_or(list_transform(r_places, v -> {Shortened})))) > 0
                and len(list_filter(r_places, v -> not list_contains(l_places, v) and not list_bool_or(list_transform(l_places, w -> {Shortened})))) > 0)
            or len(list_filter(l_modified, p -> list_contains(r_places, p.word) and not list_contains(r_places, p.modifier))) > 0
            or len(list_filter(r_modified, p -> list_contains(l_places, p.word) and not list_contains(l_places, p.modifier))) > 0)
        """;

    // Whether two different place words w and v are one written shortened or as a plural: one starts with the other, of
    // three letters or more (COLO, Colorado), or one is the other with an s (Georges, George).
    private const string Shortened = "w <> v and least(length(w), length(v)) >= 3 and (starts_with(w, v) or starts_with(v, w))";

    private string PairProjection(string pairs, string left, string right, bool excludeRuleDecisions) => $"""
        select * exclude (l_modified, r_modified), {PlaceClash} as place_clash
        from (
        select
            pr.*,
            l.office_kind as l_kind, {OfficeKind.WholeSql("l.office_kind")} as l_whole, l.district_number as l_number,
            -- A school district's number is one more place word when both sides write one ("USD 259" ↔ "Wichita USD 259").
            case when l.school_number is not null and r.school_number is not null then list_append({Written}, '#' || l.school_number) else {Written} end as l_places,
            {Initials} as l_initials,
            l.at_large as l_at_large, l.level as l_level, l.names_number as l_names_number,
            coalesce(l.school_number <> r.school_number, false) as other_school,
            r.district_kind as r_kind, r.district_number as r_number, {OfficeKind.StateWideSql("r.district_kind")} as r_state_wide,
            case when l.school_number is not null and r.school_number is not null then list_append(r.place_words, '#' || r.school_number) else r.place_words end as r_places,
            r.at_large as r_at_large,
            {OfficeKind.LevelsSql("r.district_kind")} as r_levels,
            l.place_modified as l_modified, r.place_modified as r_modified
        from {pairs} as pr
        join {left} as l using (left_key)
        join {right} as r using (right_key)
        {(excludeRuleDecisions ? $"anti join {T("rule_decisions")} as x using (left_key)" : "")}
        )
        """;

    // u is P(level | non-match): random districts of a position's own state are nearly all non-matches.
    private string USampleSql() =>
        $"create table {T("u_sample")} as select *, {_model.GammaSelect()} from ({PairProjection($"({RandomPairs.Sql(T("left_keyed"), T("right_keyed"), USampleLeftRows, USamplePairsPerRow)})")})";

    private string ScoredPairsSql(ModelParameters parameters) => $"""
        create table {T("scored_pairs")} as
        select
            c.left_key, c.right_key, c.candidate_number, c.found_by, c.cosine,{Retrievers(" c.retrievers,")}
            {string.Join(", ", _model.Comparisons.Select(x => "c." + x.GammaColumn))},
            {_model.AcceptableByScoreSql()} as acceptable,
            {_model.ScoreSelect(parameters)}
        from {T("comparisons")} as c
        """;

    // A position's best candidate links by score when it is probable enough, at no veto level, and clear of
    // the runner-up; a position whose best candidate is improbable is rejected by score. A position whose name names no
    // place, against a best district whose name names one, is left to the judge, as is a best district whose name names
    // no place and whose kind is not numbered across the state. Districts are not
    // one-to-one: a mayor and an at-large council seat share the city.
    private string ScoreDecisionsSql() => $"""
        create table {T("score_decisions")} as
        with
            ranked as (
                select
                    *,
                    row_number() over by_weight as place,
                    nth_value(match_weight, 2) over (by_weight rows between unbounded preceding and unbounded following) as runner_up
                from {T("scored_pairs")}
                window by_weight as (partition by left_key order by match_weight desc, candidate_number)
            ),

            best as (
                select
                    *,
                    acceptable and match_probability >= {Sql.Number(_settings.Threshold("accept"))}
                        and match_weight - coalesce(runner_up, -1e9) >= {Sql.Number(Margin)} as linked,
                    -- The position's name or its best district's names no place (one not numbered across the state): only the judge can tell whose it is.
                    {Office.At("place_unknown")} as unplaced
                from ranked
                where place = 1
            )

        select
            b.left_key,
            case when b.linked then b.right_key end as right_key,
            case when b.linked then b.candidate_number else 0 end as selected_candidate_number,
            b.linked as is_matched,
            cast(round(100 * case when b.linked then b.match_probability else 1 - b.match_probability end) as integer) as confidence,
            case
                when b.linked then printf('linked by score: candidate %d (%s) at match probability %.4f, %s (', b.candidate_number, r.district_name, b.match_probability,
                    coalesce(printf('%.1f bits ahead of the next candidate', b.match_weight - b.runner_up), 'the only candidate'))
                else printf('no district fits by score: the best candidate, %d (%s), has match probability %.4f (', b.candidate_number, r.district_name, b.match_probability)
            end || concat_ws(', ', {_model.LevelWordsSql("b")}) || ')' as reasoning
        from best as b
        join {T("right_keyed")} as r using (right_key)
        where not b.unplaced and (b.linked or b.match_probability <= {Sql.Number(_settings.Threshold("reject"))})
        """;

    // The ambiguous band: positions with candidates that neither a rule nor the score tier decided.
    private string JudgeRowsSql() => $"""
        create table {T("judge_rows")} as
        select distinct s.left_key
        from {T("scored_pairs")} as s
        anti join {T("score_decisions")} as d using (left_key)
        """;

    /// <summary>One request per position with all its candidates, numbered as in the embeddings list.</summary>
    private JudgeStageCount RunJudge(CancellationToken cancellationToken)
    {
        var comparisons = _model.Comparisons;
        var gammas = string.Join(", ", comparisons.Select(c => "s." + c.GammaColumn));
        var evidence = _warehouse.Query($"""
            select
                l.left_id, l.name, s.left_key, l.state, l.level, l.office_kind, l.district_number, l.seat,
                s.right_key, s.candidate_number, r.district_name, r.district_type, r.district_kind, r.district_number,
                cast(round(s.cosine, 4) as varchar), l.school_number, r.school_number,
                -- The place is null for a district that names one only when the position's name names none: unknown.
                case when s.gamma_place = 0 and len(r.place_words) > 0 then {Sql.Literal(DistrictRuleJudge.UnknownPlace)} end,
                {gammas}
            from {T("scored_pairs")} as s
            semi join {T("judge_rows")} as j using (left_key)
            join {T("left_keyed")} as l using (left_key)
            join {T("right_keyed")} as r using (right_key)
            order by l.left_id, s.candidate_number
            """, r => new JudgeEvidence(
                r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(1),
                WithOptional(r, 15, DistrictRuleJudge.SchoolNumberAttribute, new Dictionary<string, string?>(StringComparer.Ordinal)
                {
                    ["state"] = r.GetString(3),
                    ["level"] = Text(r, 4),
                    [DistrictRuleJudge.OfficeKindAttribute] = Text(r, 5),
                    ["district_number"] = Text(r, 6),
                    ["seat"] = Text(r, 7),
                }),
                r.GetInt64(8), r.GetInt64(9), r.GetString(10),
                WithOptional(r, 17, DistrictRuleJudge.PlaceAttribute, WithOptional(r, 16, DistrictRuleJudge.SchoolNumberAttribute, new Dictionary<string, string?>(StringComparer.Ordinal)
                {
                    ["district_type"] = r.GetString(11),
                    ["district_kind"] = Text(r, 12),
                    ["district_number"] = Text(r, 13),
                    ["score"] = Text(r, 14),
                })),
                _model.ReadLevels(r, 18)));
        return new JudgeStage(_warehouse, _run, Judge, rowsPerRequest: 1).Run(evidence, "judge_answers", cancellationToken);
    }

    // An attribute only where the row has it (a school district's number, a place the position does not name): an
    // absent attribute leaves the judge's request, and an LLM's cache key, as before.
    private static Dictionary<string, string?> WithOptional(System.Data.Common.DbDataReader r, int i, string attribute, Dictionary<string, string?> attributes)
    {
        if (Text(r, i) is { } value)
        {
            attributes[attribute] = value;
        }

        return attributes;
    }

    // One decision per position: a rule, the score tier, or the judge (whose choice links at judge_accept).
    private string DecisionsSql() => $"""
        create table {T("decisions")} as
        with
            -- Spec 000's close alternatives for rows the judge did not see: the next districts of the office's own kind and place.
            alternatives as (
                select s.left_key, list(r.district_name order by s.match_weight desc, s.candidate_number)[1:3] as names
                from {T("scored_pairs")} as s
                join {T("right_keyed")} as r using (right_key)
                anti join {T("score_decisions")} as d on d.left_key = s.left_key and d.right_key = s.right_key
                where s.gamma_office > 0 and not s.{Office.At("different")} and not s.{Place.At("different")}
                group by s.left_key
            )

        select
            left_key, cast(null as bigint) as right_key, 0 as selected_candidate_number, false as is_matched, 'rule' as decided_by,
            confidence, reasoning, cast([] as varchar[]) as close_alternatives, cast(null as json) as selection
        from {T("rule_decisions")}
        union all
        select
            d.left_key, d.right_key, d.selected_candidate_number, d.is_matched, 'score', d.confidence, d.reasoning,
            coalesce(a.names, []), null
        from {T("score_decisions")} as d
        left join alternatives as a using (left_key)
        union all
        select
            a.left_key,
            case when a.confidence >= {Sql.Number(_settings.Threshold("judge_accept"))} then a.right_key end,
            a.candidate_number,
            a.right_key is not null and a.confidence >= {Sql.Number(_settings.Threshold("judge_accept"))},
            'judge',
            -- A choice below judge_accept is not linked: the row's confidence is in 'no district fits', as for every
            -- unlinked row (the judge's own stays in match_explanation.selection).
            case when a.right_key is not null and a.confidence < {Sql.Number(_settings.Threshold("judge_accept"))} then 100 - a.confidence else a.confidence end,
            case
                -- An undecided row's reasoning starts 'undecided:' as published, so a filter on it finds the row.
                when a.undecided then a.reasoning
                when a.right_key is null or a.confidence >= {Sql.Number(_settings.Threshold("judge_accept"))} then 'judge: ' || a.reasoning
                else 'judge did not accept (confidence below ' || {Sql.Number(_settings.Threshold("judge_accept"))} || '): ' || a.reasoning
            end,
            a.close_alternatives,
            json_object('selected_candidate_number', a.candidate_number, 'selection_confidence', a.confidence,
                'reasoning', a.reasoning, 'close_alternatives', a.close_alternatives)
        from {T("judge_answers")} as a
        """;

    /// <param name="kept">The position row's columns <c>keep_columns:</c> publishes after ours, read from left_input as they are.</param>
    private string OutputSql(IReadOnlyList<string> kept) => $"""
        create table {T("output")} as
        with
            candidate_lists as (
                select
                    c.left_key,
                    -- Scores to 4 decimals as spec 000's table has them, rounded as doubles: a float's 0.3301 is 0.33009999990463257.
                    to_json(list(struct_pack(district_name := r.district_name, district_type := r.district_type, score := round(cast(c.score as double), 4)) order by c.candidate_number)) as embeddings,
                    -- The first candidate's score, as spec 000's table has it: not the highest, which may be the state district's.
                    round(cast(arg_min(c.score, c.candidate_number) as double), 4) as top_embedding_score,
                    count(*) as candidates
                from {T("candidates")} as c
                join {T("right_keyed")} as r using (right_key)
                group by c.left_key
            ),

            best as (
                select * from {T("scored_pairs")} qualify row_number() over (partition by left_key order by match_weight desc, candidate_number) = 1
            ),

            -- The names of the rows quarantined as repeats of a district (EMQ301), in the input's order.
            other_names as (
                select repeats_id, list(name order by row_number) as names
                from {T("right_checked")}
                where repeats_id is not null
                group by repeats_id
            )

        select
            l.left_id_value as br_database_id,
            l.name,
            l.state,
            linked.district_name as l2_district_name,
            linked.district_type as l2_district_type,
            coalesce(d.is_matched, false) as is_matched,
            -- A blank-state position's note comes first, but after an undecided reasoning, which must start the reason.
            case
                when d.decided_by = 'judge' and starts_with(d.reasoning, {Sql.Literal(JudgeAnswer.UndecidedMarker)}) then d.reasoning || coalesce('; ' || rtrim(l.state_note, ';'), '')
                else coalesce(l.state_note || ' ', '') || coalesce(d.reasoning, 'no L2 district in this state to compare')
            end || coalesce('; ' || l.number_conflict, '') || coalesce('; ' || l.office_kind_note, '') as llm_reason,
            coalesce(d.confidence, 0) as confidence,
            cl.top_embedding_score,
            cast(coalesce(cl.embeddings, '[]') as varchar) as embeddings,
            cast(to_json(coalesce(d.close_alternatives, [])) as varchar) as alternative_matches,
            l.embedding_queried_term,
            linked.right_id_value as l2_district_id,
            coalesce(d.selected_candidate_number, 0) as selected_candidate_number,
            s.match_probability,
            s.match_weight,
            coalesce(d.decided_by, 'none') as decided_by,
            json_merge_patch(
                coalesce(s.match_explanation, json_object()),
                json_object(
                    'candidate_number', s.candidate_number,
                    'found_by', s.found_by,{Retrievers(" 'retrievers', s.retrievers,")}
                    'candidates', cl.candidates,
                    'office_kind', l.office_kind,
                    'office_kind_from', l.office_kind_source,
                    'district_number', l.district_number,
                    'seat_ignored', l.seat,
                    'selection', d.selection,
                    'state_search', l.state_search)) as match_explanation,
            case when linked.right_key is not null then coalesce(o.names, cast([] as varchar[])) end as l2_district_other_names{KeptColumnSql.Output(kept, "kept")}
        from {T("left_keyed")} as l
        left join {T("decisions")} as d using (left_key)
        left join {T("right_keyed")} as linked on linked.right_key = d.right_key
        left join other_names as o on o.repeats_id = linked.right_id
        left join candidate_lists as cl on cl.left_key = l.left_key
        left join best on best.left_key = l.left_key
        -- The pair to show: the linked one, else the one chosen (below the judge's threshold), else the best scored.
        left join {T("scored_pairs")} as s on s.left_key = l.left_key
            and s.candidate_number = coalesce(nullif(d.selected_candidate_number, 0), best.candidate_number)
        {(kept.Count > 0 ? $"left join {T("left_input")} as kept on kept.row_number = l.row_number" : "")}
        order by br_database_id
        """;

    // merge_all_states.py's report: match rate and confidence per state, and over all states. Positions whose state was
    // blank are a line of their own wherever they were linked: a state's line is the positions that state's input holds.
    private string StateSummarySql() => $"""
        create table {T("state_summary")} as
        with
            by_input_state as (
                select o.*, case when l.state_blank then 'blank' else o.state end as input_state
                from {T("output")} as o
                join {T("left_keyed")} as l on l.left_id_value = o.br_database_id
            )

        select
            coalesce(input_state, 'all') as state,
            count(*) as positions,
            count(*) filter (where is_matched) as matched,
            count(*) filter (where is_matched) / nullif(count(*), 0) as match_rate,
            avg(confidence) filter (where is_matched) as mean_confidence,
            count(*) filter (where is_matched and confidence >= 90) as confidence_90_100,
            count(*) filter (where is_matched and confidence >= 70 and confidence < 90) as confidence_70_89,
            count(*) filter (where is_matched and confidence < 70) as confidence_below_70,
            count(*) filter (where decided_by = 'judge') as judged
        from by_input_state
        group by grouping sets ((input_state), ())
        order by grouping(input_state), input_state = 'blank', input_state
        """;

    private List<string> StateSummary()
    {
        var lines = new List<string> { "state  positions  matched  match rate  mean confidence  90-100  70-89  <70  judged" };
        lines.AddRange(_warehouse.Query($"select * from {T("state_summary")}", r => string.Create(CultureInfo.InvariantCulture,
            $"{r.GetString(0),-5}  {r.GetInt64(1),9}  {r.GetInt64(2),7}  {(r.IsDBNull(3) ? "-" : r.GetDouble(3).ToString("P1", CultureInfo.InvariantCulture)),10}  {(r.IsDBNull(4) ? "-" : r.GetDouble(4).ToString("0.0", CultureInfo.InvariantCulture)),15}  {r.GetInt64(5),6}  {r.GetInt64(6),5}  {r.GetInt64(7),3}  {r.GetInt64(8),6}")));
        // The confidence columns leave unlinked positions out: an undecided judge row is published at confidence 0 and
        // would pull the mean down as if the judge had doubted a link.
        var unmatched = _warehouse.Scalar<long>($"select count(*) from {T("output")} where not is_matched");
        var belowThreshold = JudgeChoicesBelowThreshold();
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"mean confidence and 90-100 / 70-89 / <70 count matched positions only; {unmatched} unmatched ({_counts["judge_rows_undecided"]} of them undecided by the judge, published at confidence 0")
            + (belowThreshold > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {belowThreshold} whose district the judge chose below judge_accept {Sql.Number(_settings.Threshold("judge_accept"))}, published at 100 less its confidence") : "")
            + ")");
        return lines;
    }
}
