using System.Diagnostics;
using System.Globalization;
using ElectionMatch.Matching;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matches.CandidacyDdhq;

/// <summary>
/// HubSpot candidacies → DDHQ results, the first honest matcher: cleaned and parsed names,
/// primary/general/runoff expansion, the exact-date temporal filter, date·state·type partitions,
/// rule levels for first and last name (exact, nickname, fuzzy, initial) and a one-to-one link per
/// results row. Every stage is a table in the run schema.
/// </summary>
internal sealed class CandidacyDdhqMatcher
{
    private const string Suffixes = "['jr', 'sr', 'ii', 'iii', 'iv', 'v', 'md', 'phd', 'esq']";

    private readonly DuckDbWarehouse _warehouse;
    private readonly MatchSettings _settings;
    private readonly RunSchema _run;
    private readonly List<StageReport> _stages = [];

    public CandidacyDdhqMatcher(DuckDbWarehouse warehouse, MatchSettings settings, RunSchema run)
    {
        _warehouse = warehouse;
        _settings = settings;
        _run = run;
    }

    public MatchResult Run(MatchInputs inputs, Action<StageReport>? progress = null)
    {
        _warehouse.Execute($"drop schema if exists {Sql.Identifier(_run.Name)} cascade; create schema {Sql.Identifier(_run.Name)}");
        CreateMacros();
        Stage("reference", progress, () =>
        {
            ReferenceData.LoadNicknames(_warehouse, _run, "nicknames");
            ReferenceData.LoadFirstNameSex(_warehouse, _run, "first_name_sex");
        }, null, "nicknames");
        Stage("left_input", progress, () => _warehouse.Execute(LeftInputSql(inputs.LeftRelation)), null, "left_input");
        Stage("right_input", progress, () => _warehouse.Execute(RightInputSql(inputs.RightRelation)), null, "right_input");
        Stage("quarantine", progress, () => _warehouse.Execute(QuarantineSql()), null, "quarantine");
        Stage("left_clean", progress, () => _warehouse.Execute(LeftCleanSql()), "left_input", "left_clean");
        Stage("right_clean", progress, () => _warehouse.Execute(RightCleanSql()), "right_input", "right_clean");
        Stage("left_expanded", progress, () => _warehouse.Execute(ExpandSql()), "left_clean", "left_expanded");
        Stage("left_filtered", progress, () => _warehouse.Execute(TemporalFilterSql()), "left_expanded", "left_filtered", RetentionNote);
        Stage("pairs", progress, () => _warehouse.Execute(PairsSql()), "left_filtered", "pairs");
        Stage("links", progress, () => _warehouse.Execute(LinksSql()), "pairs", "links");
        Stage("output", progress, () => _warehouse.Execute(OutputSql()), "left_filtered", "output");

        var counts = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["left_rows_read"] = Count("left_input"),
            ["right_rows_read"] = Count("right_input"),
            ["left_rows_quarantined"] = _warehouse.Scalar<long>($"select count(*) from {_run.Table("quarantine")} where input = 'left'"),
            ["right_rows_quarantined"] = _warehouse.Scalar<long>($"select count(*) from {_run.Table("quarantine")} where input = 'right'"),
            ["left_stages_expanded"] = Count("left_expanded"),
            ["left_stages_excluded_by_temporal_filter"] = Count("left_expanded") - Count("left_filtered"),
            ["output_rows"] = Count("output"),
            ["matched"] = _warehouse.Scalar<long>($"select count(*) from {_run.Table("output")} where has_match"),
            ["candidate_pairs"] = Count("pairs"),
        };

        return new MatchResult(_run.Table("output"), _run.Table("quarantine"), "gp_candidacy_id, hubspot_election_type, hubspot_election_date", _stages, counts);
    }

    private string RetentionNote()
    {
        var expanded = Count("left_expanded");
        var kept = Count("left_filtered");
        var rate = expanded == 0 ? 0 : (double)kept / expanded;
        return string.Create(CultureInfo.InvariantCulture, $"temporal filter kept {kept} of {expanded} election rows ({rate:P1})");
    }

    private long Count(string table) => _warehouse.Scalar<long>($"select count(*) from {_run.Table(table)}");

    private void Stage(string name, Action<StageReport>? progress, Action work, string? input, string output, Func<string>? note = null)
    {
        var clock = Stopwatch.StartNew();
        work();
        var report = new StageReport(name, input is null ? 0 : Count(input), Count(output), clock.Elapsed, note?.Invoke());
        _stages.Add(report);
        progress?.Invoke(report);
    }

    private void CreateMacros()
    {
        // Lower case, accents and punctuation dropped, hyphens and runs of space made one space.
        _warehouse.Execute("""
            create or replace temp macro em_norm(s) as
                nullif(trim(regexp_replace(regexp_replace(lower(strip_accents(coalesce(cast(s as varchar), ''))), '[^a-z\s-]', '', 'g'), '[\s-]+', ' ', 'g')), '');
            create or replace temp macro em_quoted(s) as
                nullif(em_norm(regexp_extract(cast(s as varchar), '["“(]([^"”)]+)["”)]', 1)), '');
            create or replace temp macro em_unquoted(s) as
                regexp_replace(cast(s as varchar), '["“(][^"”)]*["”)]', ' ', 'g');
            create or replace temp macro em_tokens(s) as
                coalesce(string_split(em_norm(s), ' '), []);
            """);
        _warehouse.Execute($"""
            create or replace temp macro em_strip_suffix(tokens) as
                case when len(tokens) > 1 and list_contains({Suffixes}, tokens[-1]) then tokens[:-2] else tokens end;
            create or replace temp macro em_suffix(tokens) as
                case when len(tokens) > 1 and list_contains({Suffixes}, tokens[-1]) then tokens[-1] end;
            """);
    }

    private string Column(InputSettings input, string role, string type = "varchar") =>
        input.Column(role) is { } column ? $"cast(src.{Sql.Identifier(column)} as {type})" : $"cast(null as {type})";

    private string LeftInputSql(string relation)
    {
        var l = _settings.Left;
        return $"""
            create table {_run.Table("left_input")} as
            select
                row_number() over () as row_number,
                cast(src.{Sql.Identifier(l.Id)} as varchar) as left_id,
                {Column(l, "first_name")} as first_name,
                {Column(l, "middle_name")} as middle_name,
                {Column(l, "last_name")} as last_name,
                {Column(l, "suffix")} as suffix,
                {Column(l, "nickname")} as nickname,
                {Column(l, "gender")} as gender,
                {Column(l, "state")} as state,
                {Column(l, "office")} as office,
                {Column(l, "district")} as district,
                {Column(l, "primary_election_date")} as primary_election_date,
                {Column(l, "general_election_date")} as general_election_date,
                {Column(l, "runoff_election_date")} as runoff_election_date,
                {Column(l, "election_date")} as election_date,
                {Column(l, "election_type")} as election_type,
                to_json(src) as original
            from {relation} as src
            """;
    }

    private string RightInputSql(string relation)
    {
        var r = _settings.Right;
        var winner = r.Column("is_winner") is { } w ? $"src.{Sql.Identifier(w)}" : "cast(null as boolean)";
        return $"""
            create table {_run.Table("right_input")} as
            select
                row_number() over () as row_number,
                cast(src.{Sql.Identifier(r.Id)} as varchar) as right_id,
                src.{Sql.Identifier(r.Id)} as right_id_value,
                src.{Sql.Identifier(r.Column("race_id")!)} as race_id_value,
                {Column(r, "candidate")} as candidate,
                {Column(r, "race_name")} as race_name,
                {Column(r, "election_date")} as election_date,
                {Column(r, "election_type")} as election_type,
                {Column(r, "state")} as state,
                {winner} as is_winner,
                to_json(src) as original
            from {relation} as src
            """;
    }

    private string QuarantineSql() => $"""
        create table {_run.Table("quarantine")} as
        with
            left_checked as (
                select
                    row_number, original,
                    case
                        when nullif(trim(left_id), '') is null then 'EMQ001'
                        when row_number() over (partition by left_id order by row_number) > 1 then 'EMQ002'
                        when em_norm(last_name) is null or em_norm(first_name) is null then 'EMQ003'
                        when {InvalidDate("primary_election_date")} or {InvalidDate("general_election_date")}
                            or {InvalidDate("runoff_election_date")} or {InvalidDate("election_date")} then 'EMQ004'
                    end as error_code
                from {_run.Table("left_input")}
            ),

            right_checked as (
                select
                    row_number, original,
                    case
                        when nullif(trim(right_id), '') is null then 'EMQ001'
                        when row_number() over (partition by right_id order by row_number) > 1 then 'EMQ002'
                        when em_norm(em_unquoted(candidate)) is null then 'EMQ003'
                        when election_date is null or {InvalidDate("election_date")} then 'EMQ004'
                    end as error_code
                from {_run.Table("right_input")}
            ),

            failed as (
                select 'left' as input, * from left_checked where error_code is not null
                union all
                select 'right' as input, * from right_checked where error_code is not null
            )

        select
            input,
            'input' as stage,
            row_number,
            error_code,
            case error_code
                when 'EMQ001' then 'the id column is empty'
                when 'EMQ002' then 'the id appears on an earlier row; only the first is used'
                when 'EMQ003' then 'the name cannot be parsed into first and last name'
                when 'EMQ004' then 'a date is missing or is not a valid date'
            end as message,
            original
        from failed
        order by input, row_number
        """;

    private static string InvalidDate(string column) =>
        $"(nullif(trim({column}), '') is not null and try_cast({column} as date) is null)";

    private string LeftCleanSql() => $"""
        create table {_run.Table("left_clean")} as
        with
            usable as (
                select l.*
                from {_run.Table("left_input")} as l
                anti join (select row_number from {_run.Table("quarantine")} where input = 'left') as q using (row_number)
            ),

            tokens as (
                select
                    *,
                    em_tokens(em_unquoted(first_name)) as first_tokens,
                    em_tokens(last_name) as last_tokens
                from usable
            )

        select
            row_number,
            left_id,
            first_name as first_name_raw,
            last_name as last_name_raw,
            first_tokens[1] as first_name,
            coalesce(em_norm(em_unquoted(middle_name)), nullif(array_to_string(first_tokens[2:], ' '), '')) as middle_name,
            array_to_string(em_strip_suffix(last_tokens), ' ') as last_name,
            coalesce(em_norm(suffix), em_suffix(last_tokens)) as suffix,
            -- A nickname may sit in its own column, or in quotes or brackets in the first or middle name: William (bill).
            coalesce(em_norm(nickname), em_quoted(first_name), em_quoted(middle_name)) as nickname,
            upper(nullif(trim(state), '')) as state,
            office,
            try_cast(primary_election_date as date) as primary_election_date,
            try_cast(general_election_date as date) as general_election_date,
            try_cast(runoff_election_date as date) as runoff_election_date,
            try_cast(election_date as date) as election_date,
            lower(trim(election_type)) as election_type
        from tokens
        """;

    private string RightCleanSql() => $"""
        create table {_run.Table("right_clean")} as
        with
            usable as (
                select r.*
                from {_run.Table("right_input")} as r
                anti join (select row_number from {_run.Table("quarantine")} where input = 'right') as q using (row_number)
            ),

            -- "Scott, Robert C." is reordered; "John Smith, Jr." only loses its comma.
            reordered as (
                select
                    *,
                    em_unquoted(candidate) as bare,
                    case
                        when bare like '%,%' and not list_contains({Suffixes}, em_norm(split_part(bare, ',', 2)))
                            then split_part(bare, ',', 2) || ' ' || split_part(bare, ',', 1)
                        else replace(bare, ',', ' ')
                    end as ordered
                from usable
            ),

            -- A ballot name can be only a quoted nickname and a surname: "MIKE" JOHNSON.
            tokens as (
                select
                    *,
                    case
                        when len(em_strip_suffix(em_tokens(ordered))) = 1 and em_quoted(candidate) is not null
                            then list_concat(string_split(em_quoted(candidate), ' '), em_strip_suffix(em_tokens(ordered)))
                        else em_strip_suffix(em_tokens(ordered))
                    end as name_tokens,
                    em_suffix(em_tokens(ordered)) as suffix
                from reordered
            )

        select
            row_number,
            right_id,
            right_id_value,
            race_id_value,
            candidate,
            race_name,
            is_winner,
            name_tokens[1] as first_name,
            case when len(name_tokens) > 1 then name_tokens[-1] end as last_name,
            array_to_string(name_tokens[2:], ' ') as name_rest,
            nullif(array_to_string(name_tokens[2:-2], ' '), '') as middle_name,
            suffix,
            em_quoted(candidate) as nickname,
            try_cast(election_date as date) as election_date,
            lower(trim(election_type)) as election_type,
            upper(nullif(trim(state), '')) as state
        from tokens
        """;

    private string ExpandSql() => $"""
        create table {_run.Table("left_expanded")} as
        with
            stages as (
                select *, 'primary' as stage_type, primary_election_date as stage_date from {_run.Table("left_clean")}
                union all
                select *, 'general', general_election_date from {_run.Table("left_clean")}
                union all
                select *, 'runoff', runoff_election_date from {_run.Table("left_clean")}
                union all
                select *, election_type, election_date from {_run.Table("left_clean")}
            )

        select * exclude (primary_election_date, general_election_date, runoff_election_date, election_date, election_type)
            rename (stage_type as election_type, stage_date as election_date)
        from stages
        where stage_date is not null and stage_type is not null
        """;

    // Spec 000 step 3: keep an election row only when DDHQ has results on exactly that date (in that state, when known).
    private string TemporalFilterSql() => $"""
        create table {_run.Table("left_filtered")} as
        select l.*
        from {_run.Table("left_expanded")} as l
        semi join (select distinct election_date, state from {_run.Table("right_clean")}) as r
            on r.election_date = l.election_date and (l.state is null or r.state is null or r.state = l.state)
        """;

    private string PairsSql() => $"""
        create table {_run.Table("pairs")} as
        with
            candidates as (
                select l.left_id, l.election_type, l.first_name as l_first, l.middle_name as l_middle, l.last_name as l_last, l.nickname as l_nick,
                    r.right_id, r.first_name as r_first, r.middle_name as r_middle, r.last_name as r_last, r.name_rest as r_rest, r.nickname as r_nick
                from {_run.Table("left_filtered")} as l
                join {_run.Table("right_clean")} as r
                    on r.election_date = l.election_date
                    and r.election_type = l.election_type
                    and (l.state is null or r.state is null or r.state = l.state)
            ),

            -- Both names are strongly of one sex, and not the same one (shares from SSA births).
            sexed as (
                select
                    c.*,
                    coalesce(abs(ls.male_share - rs.male_share) > 0.8, false) as sex_conflict
                from candidates as c
                left join {_run.Table("first_name_sex")} as ls on ls.first_name = c.l_first
                left join {_run.Table("first_name_sex")} as rs on rs.first_name = c.r_first
            ),

            levels as (
                select
                    *,
                    case
                        when l_last = r_last or l_last = r_rest or replace(l_last, ' ', '') = replace(r_rest, ' ', '') then 'exact'
                        when list_contains(string_split(l_last, ' '), r_last) or list_contains(string_split(r_rest, ' '), l_last) then 'partial'
                        when jaro_winkler_similarity(l_last, r_last) >= 0.92 then 'fuzzy'
                        else 'different'
                    end as last_level,
                    case
                        when l_first = r_first or l_nick = r_first or l_first = r_nick or l_nick = r_nick then 'exact'
                        when exists (
                            select 1 from {_run.Table("nicknames")} as a join {_run.Table("nicknames")} as b on a.name = b.name
                            where a.nickname = l_first and b.nickname = r_first
                        ) then 'nickname'
                        -- Close spellings of the same name, unless the names belong to different sexes (Gerald, Geraldine).
                        when left(l_first, 1) = left(r_first, 1) and jaro_winkler_similarity(l_first, r_first) >= 0.88
                            and not sex_conflict then 'fuzzy'
                        -- A short form that is the start of the full name: Ami for Amerish, Ro for Rohit.
                        when least(length(l_first), length(r_first)) >= 2
                            and (starts_with(l_first, r_first) or starts_with(r_first, l_first)) and not sex_conflict then 'prefix'
                        -- People who go by their middle name: "J. Michael Turner" is Michael Turner.
                        when l_middle is not null and split_part(l_middle, ' ', 1) = r_first then 'middle'
                        when r_middle is not null and split_part(r_middle, ' ', 1) = l_first then 'middle'
                        when (length(l_first) = 1 or length(r_first) = 1) and left(l_first, 1) = left(r_first, 1) then 'initial'
                        else 'different'
                    end as first_level
                from sexed
            )

        select
            left_id, election_type, right_id, first_level, last_level,
            (case last_level when 'exact' then 50 when 'partial' then 35 when 'fuzzy' then 35 else 0 end)
            + (case first_level when 'exact' then 50 when 'nickname' then 42 when 'fuzzy' then 38 when 'prefix' then 36 when 'middle' then 34 when 'initial' then 30 else 0 end)
                as score
        from levels
        where last_level <> 'different'
        """;

    // One-to-one: a pair links when each side is the other's best accepted candidate.
    private string LinksSql() => $"""
        create table {_run.Table("links")} as
        with
            ranked as (
                select
                    *,
                    row_number() over (partition by left_id, election_type order by score desc, right_id) as left_rank,
                    row_number() over (partition by right_id order by score desc, left_id, election_type) as right_rank,
                    count(*) over (partition by left_id, election_type) as compared
                from {_run.Table("pairs")}
            )

        select *, score >= {_settings.Threshold("accept", 70).ToString(CultureInfo.InvariantCulture)} and right_rank = 1 as accepted
        from ranked
        where left_rank = 1
        """;

    private string OutputSql() => $"""
        create table {_run.Table("output")} as
        select
            l.left_id as gp_candidacy_id,
            l.first_name_raw as hubspot_first_name,
            l.last_name_raw as hubspot_last_name,
            l.election_date as hubspot_election_date,
            l.election_type as hubspot_election_type,
            best.candidate as llm_best_match,
            cast(coalesce(k.score, 0) as integer) as llm_confidence,
            case
                when k.left_id is null then 'no results row in this date, state and election type shares the last name'
                when k.accepted then 'linked by rule: last name ' || k.last_level || ', first name ' || k.first_level
                when k.right_rank > 1 then 'best candidate ' || best.candidate || ' is linked to a stronger left row'
                else 'best candidate ' || best.candidate || ' scored ' || k.score || ', below the acceptance threshold'
            end as llm_reasoning,
            coalesce(k.accepted, false) as has_match,
            case when k.accepted then best.candidate end as ddhq_candidate,
            case when k.accepted then best.race_name end as ddhq_race_name,
            case when k.accepted then best.race_id_value end as ddhq_race_id,
            case when k.accepted then best.right_id_value end as ddhq_candidate_id,
            case when k.accepted then best.is_winner end as ddhq_is_winner,
            cast(case when best.right_id is not null then jaro_winkler_similarity(
                concat_ws(' ', l.first_name, l.last_name), concat_ws(' ', best.first_name, best.name_rest)) end as double) as match_similarity,
            'name: ' || concat_ws(' ', l.first_name_raw, l.last_name_raw) || ' | race: ' || coalesce(l.office, '') as embedding_text,
            cast(null as double) as match_probability,
            cast(null as double) as match_weight,
            case when k.left_id is null then 'none' else 'rule' end as decided_by,
            case when k.left_id is not null then json_object(
                'first_name', k.first_level, 'last_name', k.last_level, 'score', k.score, 'candidates_compared', k.compared) end as match_explanation
        from {_run.Table("left_filtered")} as l
        left join {_run.Table("links")} as k on k.left_id = l.left_id and k.election_type = l.election_type
        left join {_run.Table("right_clean")} as best on best.right_id = k.right_id
        order by gp_candidacy_id, hubspot_election_type, hubspot_election_date
        """;
}
