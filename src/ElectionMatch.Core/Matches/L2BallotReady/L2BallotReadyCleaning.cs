using ElectionMatch.Matching;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matches.L2BallotReady;

/// <summary>
/// Cleaning for L2 districts → BallotReady positions: inputs read into fixed columns, bad rows quarantined
/// with their original row, and the features the comparisons read: the office kind of a position and of a
/// district type (<see cref="OfficeKind"/>), the district number (District 15 is 15 and never 5; District IV
/// is 4; seats, places and offices are not districts), the place words of each name, and spec 000's texts.
/// </summary>
internal sealed class L2BallotReadyCleaning
{
    // Words that say what an office or district is, not where: a name's place words are what is left, and those where its
    // place goes (PlaceSlot: Congress Town Council).
    // L2's abbreviations are here too, so "FULTON CNTY SCHOOL BRD DIST 02" leaves only "fulton".
    private static readonly string[] GenericWords =
    [
        "state", "house", "senate", "assembly", "representatives", "representative", "delegates", "general", "district", "districts",
        "county", "city", "town", "village", "township", "borough", "council", "commission", "commissioner", "commissioners",
        "court", "courts", "supervisor", "supervisors", "supervisorial", "board", "school", "schools", "unified", "independent",
        "public", "education", "of", "the", "and", "for", "trustee", "trustees", "precinct", "ward", "judicial", "circuit",
        "superior", "justice", "peace", "fire", "protection", "emergency", "services", "municipal", "water", "utility",
        "legislature", "legislative", "division", "sub", "subdistrict", "no", "at", "large", "seat", "place", "office",
        "position", "post", "appeals", "directors", "director", "member", "members", "mayor", "sheriff", "judge", "executive",
        "clerk", "auditor", "governor", "secretary", "aldermen", "alderman", "congressional", "congress", "us", "united",
        "states", "senator", "cnty", "cncl", "comm", "supv", "brd", "dist", "pct", "isd", "esd", "jp", "leg", "div", "twp",
        "usd", "mud", "sch", "bd", "zone", "unit", "community", "elementary", "cusd", "ccsd", "chsd", "thsd", "csd", "cesd",
        "hsd", "gsd", "sd", "ud", "cud", "councilmember", "councilmembers", "councilman", "councilwoman", "councilperson",
        "councilor", "councillor", "alder", "alders", "alderperson", "alderwoman", "area", "region",
    ];

    // Words a place's name abbreviates or spells out, each read as one spelling: St. Louis is Saint Louis, Ft. Worth Fort
    // Worth, and L2's SANTA CLARA VLY WATER DIST is Santa Clara Valley's.
    private static readonly (string Written, string Read)[] PlaceWordForms =
    [
        ("saint", "st"), ("fort", "ft"), ("mount", "mt"),
        ("vly", "valley"), ("hts", "heights"), ("spgs", "springs"), ("bch", "beach"),
    ];

    // Words that, beside a place's name, name another place: a direction (West Sacramento, EAST PALO ALTO), a prefix of
    // many places' names (FORT BEND, Lake Elsinore, San Jose), or a suffix (HUNTINGTON BEACH, Palm Springs). Written as
    // PlaceWordForms leaves them (ft, mt, st).
    private static readonly string[] PlaceModifiers =
    [
        "north", "south", "east", "west", "northern", "southern", "eastern", "western", "northeast", "northwest", "southeast",
        "southwest", "upper", "lower", "new", "old", "little", "big", "great", "grand", "ft", "mt", "st", "port", "lake",
        "san", "santa", "los", "las", "la", "el", "beach", "heights", "springs", "park", "hills", "falls", "valley", "grove",
        "gardens", "harbor", "island", "bay", "point", "creek",
    ];

    // The words a position's name puts before its district's number, as BallotReady and L2 abbreviate them
    // (District 4, Dist. 04, Pct. 1, Div 2), and what may stand between: "No. 11", "#4".
    // California's school boards elect by "Trustee Area", some boards by "Region".
    private const string DistrictWords = @"(?:district|dist|precinct|pct|ward|zone|sub-?district|division|div|area|region)";
    private const string NumberSign = @"(?:\s*[.#]\s*|\s+)(?:(?:no|number)\.?\s*|#\s*)?";

    // The words after which a number names a school district itself, not a seat of its board, as BallotReady and L2
    // write them: "School District 186", "SCHOOL DIST 186", "Unit District No. 5", "USD 259", "ISD 625", "CUSD 300"
    // (Illinois' community unit, consolidated, high school, elementary and grade school districts).
    private const string SchoolDistrictWords =
        @"(?:(?:school|schools|sch|unit|elementary|elem)\s+(?:district|dist)|usd|isd|cusd|ccsd|chsd|thsd|csd|cesd|esd|hsd|gsd|sd|ud|cud)";

    /// <summary>RE2 over a lower-cased name: a school district's words (group 1) and its number (group 2), "usd 259".</summary>
    private const string SchoolNumberAfter = $@"\b({SchoolDistrictWords}){NumberSign}([0-9]+)\b";

    /// <summary>RE2: the number L2 puts before the words (group 1), then the words (group 2): "KANSAS CITY 33 SCHOOL DIST".</summary>
    private const string SchoolNumberBefore = @"\b([0-9]+)\s+((?:school|sch)\s+(?:district|dist))\b";

    private readonly MatchSettings _settings;
    private readonly RunSchema _run;

    public L2BallotReadyCleaning(MatchSettings settings, RunSchema run)
    {
        _settings = settings;
        _run = run;
    }

    /// <summary>
    /// RE2: the number after a district word in a lower-cased position name (a judge's Division is a seat). A fraction after
    /// it is taken with it (District 4 1/2, and 4½ folded), so no district number is read: 4½ is neither district 4 nor 41.
    /// </summary>
    private static string PositionNumberPattern(bool judicial) =>
        (judicial ? DistrictWords.Replace("|division|div", "", StringComparison.Ordinal) : DistrictWords)
        + NumberSign + $@"([0-9]+(?:\s+[0-9]+/[0-9]+)?[a-z]?|[ivxlc]+|{string.Join("|", NumberNames.NumberWords)}|[a-z])\b";

    /// <summary>RE2: a district word followed by a number in a lower-cased position name, whether or not the number can be read.</summary>
    private static string PositionNamesNumberPattern(bool judicial) =>
        (judicial ? DistrictWords.Replace("|division|div", "", StringComparison.Ordinal) : DistrictWords) + NumberSign + "[0-9]";

    public string MacrosSql() => $"""
        {ReferenceData.StateMacroSql(_run, "states")}
        {CompatibilityFold.MacroSql}
        {NameLetters.MacroSql}
        -- A district number as written on either side: 015 and 15 are 15, IV is 4, C stays c.
        create or replace temp macro em_district_number_of(v) as
            case
                when list_position({Sql.ListLiteral(NumberNames.RomanNumerals)}, lower(trim(v))) > 0 then cast(list_position({Sql.ListLiteral(NumberNames.RomanNumerals)}, lower(trim(v))) as varchar)
                when list_position({Sql.ListLiteral(NumberNames.NumberWords)}, lower(trim(v))) > 0 then cast(list_position({Sql.ListLiteral(NumberNames.NumberWords)}, lower(trim(v))) as varchar)
                when list_position({Sql.ListLiteral(NumberNames.OrdinalWords)}, lower(trim(v))) > 0 then cast(list_position({Sql.ListLiteral(NumberNames.OrdinalWords)}, lower(trim(v))) as varchar)
                when regexp_matches(trim(v), '^[0-9]+$') then coalesce(nullif(ltrim(trim(v), '0'), ''), '0')
                when regexp_matches(lower(trim(v)), '^[0-9]+[a-z]$') then coalesce(nullif(ltrim(lower(trim(v)), '0'), ''), '0')
                when regexp_matches(lower(trim(v)), '^[a-z]$') then lower(trim(v))
            end;
        -- A position's district: the sub-area when it is a district (a judge's division is a seat), else the
        -- name's "151st District Court", "8th Ward", "District No. 11", "Dist. 04", "District #4" or "District Four".
        -- A district named by its county and number, as Massachusetts' and New Hampshire's legislatures name theirs
        -- ("18th Suffolk District", sub-area "Strafford 12"), is that number: L2 writes 18TH SUFFOLK, whose place the
        -- comparisons read. Seats, places and offices are never districts.
        create or replace temp macro em_position_number(name, kind, sub_name, sub_value) as
            coalesce(
                case
                    when regexp_matches(lower(trim(coalesce(sub_name, ''))), '^([a-z]+ )*(district|precinct|ward|zone|sub-?district|division|area|region)$')
                        and not (kind = 'judicial' and lower(trim(sub_name)) = 'division')
                        then em_district_number_of(coalesce(
                            nullif(regexp_extract(lower(trim(sub_value)), '^([0-9]+)(?:st|nd|rd|th)\s+[a-z]', 1), ''),
                            nullif(regexp_extract(lower(trim(sub_value)), '^[a-z][a-z.'' -]*\s([0-9]+)$', 1), ''),
                            sub_value))
                end,
                em_district_number_of(nullif(regexp_extract(lower(name), '\b(\d+)(?:st|nd|rd|th)\s+(?:judicial|district|circuit|court|ward|precinct)\b', 1), '')),
                em_district_number_of(nullif(regexp_extract(lower(name), '\b(\d+)(?:st|nd|rd|th)\s+[a-z]+(?:\s+(?:and\s+)?[a-z]+)?\s+district\b', 1), '')),
                em_district_number_of(nullif(regexp_extract(lower(name), '\b({string.Join("|", NumberNames.OrdinalWords)})\s+(?:judicial|district|circuit|court|ward|precinct)\b', 1), '')),
                case
                    when kind = 'judicial' then em_district_number_of(nullif(regexp_extract(lower(name), {Sql.Literal(PositionNumberPattern(judicial: true))}, 1), ''))
                    else em_district_number_of(nullif(regexp_extract(lower(name), {Sql.Literal(PositionNumberPattern(judicial: false))}, 1), ''))
                end);
        -- Whether a position's name writes a district number, read or not ("District 4½"): such a seat is never at large.
        create or replace temp macro em_position_names_number(name, kind) as
            case
                when kind = 'judicial' then regexp_matches(lower(name), {Sql.Literal(PositionNamesNumberPattern(judicial: true))})
                else regexp_matches(lower(name), {Sql.Literal(PositionNamesNumberPattern(judicial: false))})
            end;
        -- The seat a position names, which the decision rules ignore: "at large seat 7", "place 4", "office 47".
        create or replace temp macro em_position_seat(name, kind, sub_name, sub_value) as
            coalesce(
                case
                    when regexp_matches(lower(trim(coalesce(sub_name, ''))), '^(seat|place|position|office|post)$')
                        or (kind = 'judicial' and lower(trim(coalesce(sub_name, ''))) = 'division')
                        then lower(trim(sub_name)) || ' ' || trim(sub_value)
                end,
                nullif(regexp_extract(lower(name), '\b((?:at[- ]large\s+)?(?:seat|place|position|office|post)\s+\S+|at[- ]large)', 1), ''));
        -- The number a school district's name carries ("Springfield School District 186", "USD 259", "KANSAS CITY 33
        -- SCHOOL DIST"): part of which district it is, like a place word, never the number of a seat of its board.
        create or replace temp macro em_school_number(name) as
            em_district_number_of(coalesce(
                nullif(regexp_extract(lower(name), {Sql.Literal(SchoolNumberAfter)}, 2), ''),
                nullif(regexp_extract(lower(name), {Sql.Literal(SchoolNumberBefore)}, 1), '')));
        -- The name without the school district's number, for reading the seat's district: "Wichita USD 259 Board of
        -- Education - Member District 3" → "wichita usd board of education - member district 3" → district 3.
        create or replace temp macro em_without_school_number(name) as
            regexp_replace(regexp_replace(lower(name), {Sql.Literal(SchoolNumberAfter)}, '\1'), {Sql.Literal(SchoolNumberBefore)}, '\2');
        -- An L2 district's number: the last word when it is a number ("STATE HOUSE 015", "CNCL DIST #4"), a district
        -- letter or Roman numeral ("HOUSTON CITY CNCL DIST C", "CITY WARD VIII"), or an ordinal ("14TH COURT OF APPEALS").
        create or replace temp macro em_district_number(name) as
            em_district_number_of(coalesce(
                nullif(regexp_extract(lower(name), '\s#?([0-9]+[a-z]?)$', 1), ''),
                nullif(regexp_extract(lower(name), '\b(?:dist|district|pct|precinct|ward|div|division|zone|area|region)\.?\s+#?([a-z]|[ivxlc]+)$', 1), ''),
                nullif(regexp_extract(lower(name), '\b([0-9]+)(?:st|nd|rd|th)\b', 1), '')));
        create or replace temp macro em_at_large(s) as regexp_matches(lower(s), '\bat[- ]?large\b');
        create or replace temp macro em_name_words(s) as {PlaceSlot.NameWordsSql("s")};
        -- Every number a name writes, read alike (024 is 24): two districts whose names differ in one are two districts.
        create or replace temp macro em_name_numbers(s) as
            list_transform(list_filter(em_name_words(s), t -> regexp_matches(t, '^[0-9]+[a-z]?$')), t -> em_district_number_of(t));
        -- A name's first word N, S, E or W, standing alone before a word of letters, is the direction it abbreviates:
        -- N LAS VEGAS is North Las Vegas. Not #N/A, N/A or S/D, whose letters are no direction.
        create or replace temp macro em_lead_direction(s, w) as
            list_transform(w, (t, i) -> case when i = 1 and regexp_matches(lower(coalesce(s, '')), '^\s*[nsew]\.?\s+[a-z][a-z]+') then {DirectionLetterSql("t")} else t end);
        -- The words of a name that say where: "Fulton County Board of Education - District 2" → [fulton]; a word that
        -- says what an office is, where the name's place goes, is the place's: "Congress Town Council" → [congress].
        create or replace temp macro em_place_words(s) as
            list_sort(list_distinct(list_transform(list_filter(
                list_concat(list_filter(em_lead_direction(s, em_name_words(s)), t -> not list_contains({Sql.ListLiteral(GenericWords)}, t)), {PlaceSlot.WordsSql("s")}),
                t -> length(t) > 1 and not regexp_matches(t, '^[0-9]+(st|nd|rd|th)?$')),
                t -> {PlaceWordFormSql("t")})));
        -- Each word that makes a place another place (West Sacramento is not Sacramento, FORT BEND not Bend, HUNTINGTON
        -- BEACH not Huntington), with each place word of the name beside it: the comparisons ask whether the other name has
        -- that place word without the modifier.
        create or replace temp macro em_modified_words(q, place_words) as
            flatten(list_transform(
                list_filter(range(1, len(q) + 1), i -> list_contains({Sql.ListLiteral(PlaceModifiers)}, q[i])),
                i -> list_transform(
                    list_filter([q[i - 1], q[i + 1]], x -> x is not null and x <> q[i] and list_contains(place_words, x)),
                    x -> struct_pack(modifier := q[i], word := x))));
        create or replace temp macro em_place_modified(s) as
            em_modified_words(list_transform(em_lead_direction(s, em_name_words(s)), t -> {PlaceWordFormSql("t")}), em_place_words(s));
        -- The initials of the place an L2 district's name starts with, over its first two and three words when those are
        -- words and the first a place word: LOS ANGELES CITY CNCL 04 → [la, lac], KANSAS CITY CITY CNCL 04 → [kc, kcc].
        -- A position may write its place so (LA City Council), which the comparisons read as the place, not a different one.
        create or replace temp macro em_place_initials(s) as
            list_transform(
                list_filter([2, 3], n -> len(em_name_words(s)) >= n
                    and list_bool_and(list_transform(em_name_words(s)[1:n], t -> regexp_matches(t, '^[a-z]+$')))
                    and len(em_place_words(em_name_words(s)[1])) > 0),
                n -> array_to_string(list_transform(em_name_words(s)[1:n], t -> t[1]), ''));
        """;

    // SQL: a direction's letter as the word it abbreviates; any other word as it is.
    private static string DirectionLetterSql(string word) =>
        $"case {word} when 'n' then 'north' when 's' then 'south' when 'e' then 'east' when 'w' then 'west' else {word} end";

    // SQL: one spelling for a place word written either way (saint → st).
    private static string PlaceWordFormSql(string word) =>
        $"case {word} {string.Join(" ", PlaceWordForms.Select(f => $"when {Sql.Literal(f.Written)} then {Sql.Literal(f.Read)}"))} else {word} end";

    private static string Column(InputSettings input, string role) =>
        input.Column(role) is { } column ? $"cast(src.{Sql.Identifier(column)} as varchar)" : "cast(null as varchar)";

    // An id's text, by which repeats are found: that of the id as published (its input's type, text trimmed).
    private static string IdSql(string column, string? idType) => IdText.OfColumn(IdText.Value(column, idType), idType, integral: false);

    // The roles each input table holds as text, checked for control characters and length.
    private static readonly string[] LeftTextRoles = ["name", "state", "level", "normalized_position_name", "sub_area_name", "sub_area_value"];
    private static readonly string[] RightTextRoles = ["district_name", "district_type", "state"];

    // The text a row must have besides its id and state (EMQ300), and the name whose letters are compared (EMQ003).
    private static readonly string[] LeftRequiredRoles = ["name"];
    private static readonly string[] RightRequiredRoles = ["district_name", "district_type"];

    /// <param name="csv">When the input is a CSV file: its unreadable lines are appended as rows to quarantine.</param>
    /// <param name="idType">The id column's DuckDB type, when known: a text id is read trimmed as IdText trims them (<see cref="IdText"/>).</param>
    /// <param name="kept">The columns <c>keep_columns:</c> publishes (<see cref="InputRelation.Kept"/>), carried as they are.</param>
    public string LeftInputSql(string relation, CsvInput? csv = null, string? idType = null, IReadOnlyList<string>? kept = null)
    {
        var l = _settings.Left;
        return $"""
            create table {_run.Table("left_input")} as
            select
                row_number() over () as row_number,
                {IdSql("src." + Sql.Identifier(l.Id), idType)} as left_id,
                {IdText.Value("src." + Sql.Identifier(l.Id), idType)} as left_id_value,
                {Column(l, "name")} as name,
                {Column(l, "state")} as state,
                {Column(l, "level")} as level,
                {Column(l, "normalized_position_name")} as normalized_position_name,
                {Column(l, "sub_area_name")} as sub_area_name,
                {Column(l, "sub_area_value")} as sub_area_value,
                {KeptColumnSql.Input(kept ?? [], "src")}to_json(src) as original,
                cast(null as varchar) as reject_code,
                cast(null as varchar) as reject_detail
            from {relation} as src
            ;
            {csv?.AppendRejectsSql(_run.Table("left_input"))}
            """;
    }

    /// <param name="csv">When the input is a CSV file: its unreadable lines are appended as rows to quarantine.</param>
    /// <param name="idType">The id column's DuckDB type, when known: a text id is read trimmed as IdText trims them (<see cref="IdText"/>).</param>
    public string RightInputSql(string relation, CsvInput? csv = null, string? idType = null)
    {
        var r = _settings.Right;
        return $"""
            create table {_run.Table("right_input")} as
            select
                row_number() over () as row_number,
                {IdSql("src." + Sql.Identifier(r.Id), idType)} as right_id,
                {IdText.Value("src." + Sql.Identifier(r.Id), idType)} as right_id_value,
                {Column(r, "district_name")} as district_name,
                {Column(r, "district_type")} as district_type,
                {Column(r, "state")} as state,
                to_json(src) as original,
                cast(null as varchar) as reject_code,
                cast(null as varchar) as reject_detail
            from {relation} as src
            ;
            {csv?.AppendRejectsSql(_run.Table("right_input"))}
            """;
    }

    // A district without a state cannot be placed in a partition, so its state is required. A position's blank state
    // is unknown, not wrong: it is searched in every state (BlankStateSearch); a state that is no state is EMQ005.
    // A name with no Latin letter has nothing the comparisons read but its numbers (EMQ003, as a candidacy's name).
    public string QuarantineSql()
    {
        var leftText = TextChecks.Mapped(_settings.Left, "left_id", LeftTextRoles);
        return $"""
        create table {_run.Table("quarantine")} as
        with
            left_checked as (
                select
                    row_number, original,
                    coalesce({QuarantineCodes.CommonDetailSql(_settings.Quarantine)}, {RowDetailSql(_settings.Left, "left", LeftRequiredRoles, "name")}) as detail,
                    error_code
                from {CodedSql("left_id", TextChecks.ScreenedSql(_run.Table("left_input"), leftText, _settings.Quarantine.MaxTextLength), RowChecksSql(LeftRequiredRoles, "name", blankStateAllowed: true))}
            ),

            failed as (
                select 'left' as input, * from left_checked where error_code is not null
                union all
                select 'right' as input, row_number, original, detail, error_code from {_run.Table("right_checked")} where error_code is not null
            )

        {QuarantineCodes.SelectSql("failed")}
        """;
    }

    /// <summary>
    /// <c>right_checked</c>: every district row with its quarantine code (null when usable), and for a repeat (EMQ301)
    /// the id of the district it repeats (<c>first_id</c>). A district equal to an earlier usable row on state and type,
    /// and on what the comparisons read of its name (place words, numbers, at large), is the same district twice however
    /// its name is written (STATE HOUSE 24 and STATE HOUSE 024): kept, both would tie for every position they fit. Its
    /// name is still one the voter file may use, so the output lists it with the district kept
    /// (<c>l2_district_other_names</c>), and the zip code models join on it too.
    /// </summary>
    public string RightCheckedSql()
    {
        var rightText = TextChecks.Mapped(_settings.Right, "right_id", RightTextRoles);
        return $"""
        create table {_run.Table("right_checked")} as
        with
            right_screened as (
                select *
                from {CodedSql("right_id", TextChecks.ScreenedSql(_run.Table("right_input"), rightText, _settings.Quarantine.MaxTextLength), RowChecksSql(RightRequiredRoles, "district_name", blankStateAllowed: false))}
            ),

            -- What the comparisons read of a district's name, by which a repeat is found (see above): of its folded name
            -- and type (RightCleanSql), so ＳＴＡＴＥ ＨＯＵＳＥ ２４ repeats STATE HOUSE 24; the names said are as written.
            right_read as (
                select
                    *,
                    [em_state(state), type] as state_and_type,
                    struct_pack(
                        place_words := em_place_words(name),
                        district_number := {DistrictNumberSql("name", "kind")},
                        school_number := {SchoolNumberSql("name", "kind")},
                        numbers := em_name_numbers(name),
                        at_large := em_at_large(name)) as name_reads
                from (
                    select *, {OfficeKind.DistrictKindSql("type")} as kind
                    from (select *, trim(em_compat(district_name)) as name, trim(district_name) as written_name, lower(trim(em_compat(district_type))) as type from right_screened)
                )
            ),

            right_repeats as (
                select
                    *,
                    error_code is null and row_number() over same_district > 1 as repeats,
                    first_value(right_id) over same_district as first_id,
                    first_value(written_name) over same_district as first_name
                from right_read
                window same_district as (partition by error_code is null, state_and_type, name_reads order by row_number)
            )

        select
            row_number, original, written_name as name,
            case
                when repeats then 'district ' || first_id || ' (' || first_name || ') is the one used'
                else coalesce({QuarantineCodes.CommonDetailSql(_settings.Quarantine)}, {RowDetailSql(_settings.Right, "right", RightRequiredRoles, "district_name")})
            end as detail,
            case when repeats then {Sql.Literal(QuarantineCodes.RepeatedDistrict)} else error_code end as error_code,
            case when repeats then first_id end as repeats_id
        from right_repeats
        """;
    }

    // What a quarantined row's detail names for the code the row checks gave it: the earlier row of its id (EMQ002), the
    // empty column (EMQ300), the name with no Latin letter (EMQ003), the state (EMQ005, a blank one unknown, not misspelt).
    private static string RowDetailSql(InputSettings input, string side, IEnumerable<string> required, string nameRole) => $"""
        case error_code
            when {Sql.Literal(QuarantineCodes.DuplicateId)} then {QuarantineCodes.DuplicateIdDetailSql(input, side, side + "_id", "first_usable_row")}
            when {Sql.Literal(QuarantineCodes.EmptyOfficeOrDistrict)} then coalesce({string.Join(", ", required.Select(role => $"case when nullif(trim({role}), '') is null then {QuarantineCodes.FieldSql(input, role, "null")} end"))})
            when {Sql.Literal(QuarantineCodes.UnparsableName)} then {NameLetters.DetailSql(input, nameRole, nameRole, nameRole)}
            when {Sql.Literal(QuarantineCodes.UnknownState)} then
                case
                    when nullif(trim(state), '') is null then {Sql.Literal($"column {input.Column("state")} is blank, and a district is searched only by positions of its own state")}
                    else {QuarantineCodes.FieldSql(input, "state", "state")}
                end
        end
        """;

    // The rows of a screened input with their code (QuarantineCodes.CodeSql): a repeated id is counted from the id's
    // first row that passes every other check, so a valid row after a quarantined one of its id is used.
    private static string CodedSql(string id, string screened, string rowChecks) => $"""
        (
                    select *, {QuarantineCodes.CodeSql(id, "first_usable_row", "row_code")} as error_code
                    from (
                        select *, min(row_number) filter (where {QuarantineCodes.UsableSql(id, "row_code")}) over (partition by {id}) as first_usable_row
                        from (select *, {rowChecks} as row_code from {screened})
                    )
                )
        """;

    // A position's or a district's own checks, after the common and id checks: its required text, its name's letters, its state.
    private static string RowChecksSql(IEnumerable<string> required, string name, bool blankStateAllowed) => $"""
        case
            when {string.Join(" or ", required.Select(role => $"nullif(trim({role}), '') is null"))} then {Sql.Literal(QuarantineCodes.EmptyOfficeOrDistrict)}
            when not em_has_name({name}) then {Sql.Literal(QuarantineCodes.UnparsableName)}
            when em_state(state) is null{(blankStateAllowed ? " and nullif(trim(state), '') is not null" : "")} then {Sql.Literal(QuarantineCodes.UnknownState)}
        end
        """;

    // A district's number and its school district's number, as the comparisons read them (and the repeat check):
    // SPRINGFIELD SCHOOL DIST 186 is the whole of school district 186, not its sub-district 186.
    private static string DistrictNumberSql(string name, string kind) => $"em_district_number({WithoutSchoolNumberSql(name, kind)})";

    private static string SchoolNumberSql(string name, string kind) => $"case when {kind} = 'school' then em_school_number({name}) end";

    /// <summary>SQL: a school district's or school board's name without its school district's number, which no seat's or sub-district's is; any other name as it is.</summary>
    internal static string WithoutSchoolNumberSql(string name, string kind) =>
        $"case when {kind} = 'school' then em_without_school_number({name}) else {name} end";

    private string Usable(string side) => $"""
        select i.*
        from {_run.Table(side + "_input")} as i
        anti join (select row_number from {_run.Table("quarantine")} where input = {Sql.Literal(side)}) as q using (row_number)
        """;

    public string LeftCleanSql() => $"""
        create table {_run.Table("left_clean")} as
        with
            usable as ({Usable("left")}),

            -- Compatibility forms are read as the ASCII they stand for (em_compat, NFKC, as candidacies' names are): the
            -- place words and number of ＣＩＴＹ ＯＦ ＡＵＳＴＩＮ ＣＯＵＮＣＩＬ ＤＩＳＴＲＩＣＴ ５ are City of Austin Council District 5's.
            -- So is the level (ｃｉｔｙ is city, an office kind); em_state folds the state. Only a text holding a character
            -- outside ASCII pays for the fold. The name is published as written.
            folded as (
                select
                    trim(name) as written_name,
                    * replace (
                        em_compat(name) as name,
                        em_compat(normalized_position_name) as normalized_position_name,
                        em_compat(sub_area_name) as sub_area_name,
                        em_compat(sub_area_value) as sub_area_value,
                        em_compat(level) as level)
                from usable
            ),

            -- The office kind from the name's words, else BallotReady's normalized_position_name, else the level (OfficeKind).
            classified as (
                {OfficeKind.PositionKindSql("(select *, trim(name) as position_name, nullif(lower(trim(level)), '') as position_level from folded)", "name", "nullif(trim(normalized_position_name), '')", "position_level")}
            ),

            -- A school board's name may carry its school district's number, which is no seat's: the seat is read without it.
            numbered as (
                select
                    *,
                    {SchoolNumberSql("position_name", "office_kind")} as school_number,
                    {WithoutSchoolNumberSql("position_name", "office_kind")} as seat_name
                from classified
            )

        select
            row_number,
            left_id,
            left_id_value,
            written_name as name,
            position_name as read_name,
            em_state(state) as state,
            position_level as level,
            office_kind,
            office_kind_source,
            office_kind_note,
            em_position_number(seat_name, office_kind, sub_area_name, sub_area_value) as district_number,
            em_position_names_number(seat_name, office_kind) as names_number,
            em_position_seat(seat_name, office_kind, sub_area_name, sub_area_value) as seat,
            school_number,
            em_place_words(position_name) as place_words,
            em_place_modified(position_name) as place_modified,
            em_at_large(position_name) as at_large,
            -- A number the name writes in letters (Ward XIV, District Four, First Ward) is added in digits, as L2 writes it
            -- (CITY WARD 14): the embedding's n-grams cannot tell XIV is 14, so among forty wards the right one was not found.
            'race name: ' || position_name || coalesce(' (' || {WrittenInLettersSql("position_name", "em_position_number(seat_name, office_kind, sub_area_name, sub_area_value)")} || ')', '') as embedding_queried_term
        from numbered
        """;

    // SQL: the district number when it is a number the name does not write in digits (null otherwise).
    private static string WrittenInLettersSql(string name, string number) =>
        $"case when regexp_matches({number}, '^[0-9]+$') and not regexp_matches({name}, '(^|[^0-9])0*' || {number} || '([^0-9]|$)') then {number} end";

    public string RightCleanSql() => $"""
        create table {_run.Table("right_clean")} as
        with
            usable as ({Usable("right")}),

            -- Read folded, published as written, as a position's name (LeftCleanSql): ＡＵＳＴＩＮ ＣＩＴＹ ＣＮＣＬ ＤＩＳＴ ５, and
            -- its type (Ｃｉｔｙ＿Ｃｏｕｎｃｉｌ＿Ｃｏｍｍｉｓｓｉｏｎｅｒ＿Ｄｉｓｔｒｉｃｔ is a city council's); em_state folds the state.
            folded as (
                select *, trim(em_compat(district_name)) as name, trim(district_name) as written_name, trim(em_compat(district_type)) as read_type
                from usable
            ),

            classified as (
                select *, trim(district_type) as type, em_state(state) as postal_code, {OfficeKind.DistrictKindSql("lower(read_type)")} as kind
                from folded
            )

        select
            row_number,
            right_id,
            right_id_value,
            written_name as district_name,
            type as district_type,
            postal_code as state,
            kind as district_kind,
            {DistrictNumberSql("name", "kind")} as district_number,
            {SchoolNumberSql("name", "kind")} as school_number,
            em_place_words(name) as place_words,
            em_place_initials(name) as place_initials,
            em_place_modified(name) as place_modified,
            em_at_large(name) as at_large,
            'state: ' || postal_code || ', district type: ' || read_type || ', district name: ' || name as embedding_text
        from classified
        """;
}
