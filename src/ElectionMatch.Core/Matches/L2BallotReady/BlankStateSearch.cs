using ElectionMatch.Matching;
using ElectionMatch.Matching.Scoring;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matches.L2BallotReady;

/// <summary>
/// A position whose state is blank: its state is unknown, not wrong, so every state's districts are searched for it
/// before the per-state pipeline runs. Names such as "City Council District 2" fit districts in many states, so the
/// search keeps only districts that fit the office and the place outright, and the position takes a state only
/// when that is one state: the only state with such a district, or the only one of them its name names outside the
/// district's own place ("California State Assembly"; not "Kansas City", whose Kansas is the city's). A position so
/// placed is then matched among that state's districts like any other; one that fits districts in several states,
/// or in none, is answered 0 by rule, saying which states fit. No district wins for being the best of equals. A name that
/// names no place ("City Council - District 4") fits none outright, but its place is unknown, not different: districts of
/// its office and number in any state may be its own, so it is answered 0 at the confidence of several states, naming them.
/// So is a name that writes its place as initials ("LA City Council - District 4"): a district whose place they may stand
/// for (LOS ANGELES CITY CNCL 04) is likely its own, not surely, so it is a candidate, never a fit.
/// </summary>
internal sealed class BlankStateSearch
{
    /// <summary>Confidence in "no district fits" when no state's district fits the office and place.</summary>
    private const int NoFitConfidence = 90;

    /// <summary>Confidence in "no district fits" when districts in several states fit: some district may, but which is unknown.</summary>
    private const int SeveralStatesConfidence = 50;

    /// <summary>Districts of each state named in a reason.</summary>
    private const int ExamplesPerState = 2;

    private readonly RunSchema _run;
    private readonly FellegiSunter _model;

    public BlankStateSearch(RunSchema run, FellegiSunter model)
    {
        _run = run;
        _model = model;
    }

    private string T(string table) => _run.Table(table);

    /// <summary>SQL: the gamma of <paramref name="comparison"/> is one of the named levels (null for the null level).</summary>
    private static string Level(string comparison, params string[] levels)
    {
        var names = L2BallotReadyComparisons.All.Single(c => c.Name == comparison).LevelNames.ToList();
        var indices = levels.Select(l => names.IndexOf(l)).ToList();
        if (indices.Contains(-1))
        {
            throw new ArgumentException($"comparison {comparison} has levels {string.Join(", ", names)}, not {string.Join(", ", levels)}", nameof(levels));
        }

        return $"gamma_{comparison} in ({string.Join(", ", indices)})";
    }

    /// <summary>
    /// <c>state_search</c>: every district of any state of the office's own kind and number (or the whole of an
    /// at-large seat's city or county) whose place words are all in the position's name, or which is named for its
    /// state only (STATE HOUSE 015), or of its kind and number when the position's name names no place (<c>place_unknown</c>).
    /// It <c>fits</c> outright when it names its place, or when it is named for its state and the position's name names
    /// that state; one named for its state alone, or one whose place the position's name does not say, is a candidate, no fit.
    /// Only districts sharing a place word with the position, or of its kind and number and named for their state only or
    /// met by a name with no place, are compared: the rest cannot fit, and a run without blank states compares nothing.
    /// </summary>
    /// <param name="project">The pair projection the comparisons read, over a query of <c>(left_key, right_key)</c>,
    /// the left key a <c>left_clean</c> row number and the right key a <c>right_clean</c> one.</param>
    public string SearchSql(Func<string, string, string, string> project)
    {
        var left = $"(select row_number as left_key, * from {T("left_clean")} where state is null)";
        var right = $"(select row_number as right_key, * from {T("right_clean")})";
        return $"""
            create table {T("state_search")} as
            with
                blank as (
                    select row_number as left_key, read_name as name, office_kind, district_number, place_words
                    from {T("left_clean")}
                    where state is null and office_kind is distinct from {Sql.Literal(OfficeKind.Federal)}
                ),

                -- The states a name names word by word: "West Virginia" names West Virginia, not Virginia too.
                named as (
                    select b.left_key, s.code, s.name
                    from blank as b
                    join {T("state_names")} as s
                        on contains(' ' || trim(regexp_replace(lower(strip_accents(b.name)), '[^a-z]+', ' ', 'g')) || ' ', ' ' || s.name || ' ')
                ),

                named_outright as (
                    select n.left_key, list(n.code) as codes
                    from named as n
                    anti join named as o on o.left_key = n.left_key and o.code <> n.code and contains(' ' || o.name || ' ', ' ' || n.name || ' ')
                    group by n.left_key
                ),

                position_words as (select left_key, unnest(place_words) as word from blank),

                district_words as (select row_number as right_key, unnest(place_words) as word from {T("right_clean")}),

                blocked as (
                    select distinct p.left_key, d.right_key
                    from position_words as p
                    join district_words as d using (word)
                    union
                    -- A district named for its state only, or any district of the office when the position's name names
                    -- no place: its place is unknown, and such a district may be its own. A district of another kind that
                    -- names no place is in a place unknown, which a position's place words cannot be found in.
                    select b.left_key, r.row_number
                    from blank as b
                    join {T("right_clean")} as r
                        on r.district_kind = b.office_kind and coalesce(r.district_number, '') = coalesce(b.district_number, '')
                        and ((len(r.place_words) = 0 and {OfficeKind.StateWideSql("r.district_kind")}) or len(b.place_words) = 0)
                    union
                    -- A district whose place the position's name writes as its initials (LA for LOS ANGELES): likely its
                    -- place, not surely, so a candidate and never a fit.
                    select p.left_key, d.right_key
                    from position_words as p
                    join (select row_number as right_key, unnest(place_initials) as word from {T("right_clean")}) as d using (word)
                ),

                compared as (
                    select *, {_model.GammaSelect()} from ({project("blocked", left, right)})
                ),

                judged as (
                    select
                        c.left_key as row_number, c.right_key as right_row_number, r.state, r.district_name, r.district_type,
                        c.gamma_office, c.gamma_place, {Level("office", "place_unknown")} as place_unknown, {Level("place", "initials")} as initials,
                        list_contains(coalesce(n.codes, []), r.state) and not list_has_any(r.place_words, string_split(s.name, ' ')) as state_named
                    from compared as c
                    join {T("right_clean")} as r on r.row_number = c.right_key
                    left join named_outright as n using (left_key)
                    left join {T("state_names")} as s on s.code = r.state
                )

            select *, not place_unknown and ({Level("place", "all")} or state_named) as fits
            from judged
            where {Level("office", "same_district", "same_kind", "whole", "place_unknown")} and {Level("place", "all", "null", "initials")}
            """;
    }

    /// <summary>
    /// <c>state_resolution</c>: one row per blank-state position the search was for, with the state it is matched in
    /// (null when none or several fit), the note its output's reason starts with, or the rule's reason and confidence.
    /// </summary>
    public string ResolutionSql() => $"""
        create table {T("state_resolution")} as
        with
            by_state as (
                select
                    row_number, state, bool_or(fits) as state_fits, bool_or(fits and state_named) as state_named_fits, bool_or(place_unknown) as place_unknown, bool_or(initials) as initials,
                    state || ': ' || array_to_string(list(district_name order by not fits, district_name)[1:{ExamplesPerState}], ', ') as evidence
                from {T("state_search")}
                group by row_number, state
            ),

            found as (
                select
                    row_number,
                    coalesce(list(state order by state) filter (where state_fits), []) as states,
                    coalesce(list(state order by state) filter (where state_named_fits), []) as named_states,
                    count(*) as candidate_states,
                    bool_or(place_unknown) as place_unknown,
                    bool_or(initials) as initials,
                    array_to_string(list(evidence order by state) filter (where state_fits), '; ') as evidence,
                    array_to_string(list(evidence order by state), '; ') as candidates
                from by_state
                group by row_number
            ),

            chosen as (
                select
                    l.row_number,
                    coalesce(f.states, []) as states,
                    coalesce(f.named_states, []) as named_states,
                    coalesce(f.candidate_states, 0) as candidate_states,
                    coalesce(f.place_unknown, false) as place_unknown,
                    coalesce(f.initials, false) as initials,
                    f.evidence,
                    f.candidates,
                    case
                        when len(f.named_states) = 1 then f.named_states[1]
                        when len(f.named_states) = 0 and len(f.states) = 1 then f.states[1]
                    end as state
                from {T("left_clean")} as l
                left join found as f using (row_number)
                where l.state is null and l.office_kind is distinct from {Sql.Literal(OfficeKind.Federal)}
            )

        select
            row_number,
            state,
            states,
            named_states,
            candidate_states,
            case
                when state is null then null
                when len(states) = 1 then 'state blank: of every state''s districts, only ' || state || '''s fit the office and place (' || evidence || '), so it was matched among ' || state || '''s districts;'
                else 'state blank: districts in ' || len(states) || ' states fit the office and place (' || evidence || '), and its name names ' || state || ' alone, so it was matched among ' || state || '''s districts;'
            end as note,
            case
                when state is not null then null
                when len(states) > 1 then 'rule: the state is blank, and districts in ' || len(states) || ' states fit the office and place (' || evidence || ')'
                    || case when len(named_states) > 1 then ', its name naming ' || array_to_string(named_states, ', ') else '' end
                    || ', so none is chosen'
                when place_unknown then 'rule: the state is blank and the name names no place, and districts of the office in ' || candidate_states
                    || case when candidate_states = 1 then ' state (' else ' states (' end || candidates
                    || ') name a place, any of which may be its own, so none is chosen'
                when initials then 'rule: the state is blank and the name writes its place as initials, which the place of districts of the office in '
                    || candidate_states || case when candidate_states = 1 then ' state (' else ' states (' end || candidates
                    || ') may stand for, likely but not surely, so none is chosen'
                when candidate_states > 0 then 'rule: the state is blank, and districts of the office in ' || candidate_states || ' states ('
                    || candidates || ') are named for their state only, a state its name does not name, so none is chosen'
                else 'rule: the state is blank, and no district of any state fits the office and place, so none is chosen'
            end as reasoning,
            case when len(states) > 1 or candidate_states > 0 then {SeveralStatesConfidence} else {NoFitConfidence} end as confidence,
            json_object('state_blank', true, 'states_fitting', states, 'states_named', named_states, 'state_chosen', state) as explanation
        from chosen
        """;

    /// <summary>How the blank-state positions were placed, for the stage's note.</summary>
    public string NoteSql() => $"""
        select
            count(*) || ' positions with a blank state: ' || count(state) || ' placed in one state, '
            || count(*) filter (where state is null and candidate_states > 0) || ' fit districts in several states or name none of them, '
            || count(*) filter (where candidate_states = 0) || ' fit none'
        from {T("state_resolution")}
        """;
}
