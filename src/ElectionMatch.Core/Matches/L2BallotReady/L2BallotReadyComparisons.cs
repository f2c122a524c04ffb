using ElectionMatch.Matching.Scoring;

namespace ElectionMatch.Matches.L2BallotReady;

/// <summary>
/// The Fellegi–Sunter comparisons for a BallotReady position against one of its candidate L2 districts.
/// Conditions read the pair projection's columns: <c>l_kind</c>/<c>r_kind</c> (<see cref="OfficeKind"/>),
/// <c>l_whole</c> (the kind of district an at-large seat of the office is elected by), <c>l_number</c>/<c>r_number</c>,
/// <c>l_places</c>/<c>r_places</c> (place words, the position's initials of the district's place read as its words), <c>l_initials</c> (they were), <c>l_at_large</c>/<c>r_at_large</c>, <c>l_level</c> and <c>r_levels</c>,
/// <c>l_names_number</c> (the position's name writes a district number, read or not: no such seat is elected at large),
/// <c>r_state_wide</c> (the district's kind is numbered across the state, so its name need name no place: <see cref="OfficeKind.StateWide"/>),
/// <c>other_school</c> (both names carry a school district's number and the numbers differ),
/// <c>place_clash</c> (the names share a place word but name other places: San Jose and SAN DIEGO, West Sacramento and SACRAMENTO).
/// The embedding's similarity chose the candidates and is not weighed again: with 13 candidates a state, what tells
/// them apart is meaning.
/// m is fixed from the domain (<see cref="ParameterSource.FixedM"/>). No EM (<c>byRule</c>): λ is the deterministic
/// rule's share of the candidate pairs, and u each level's share of the candidate pairs outside that rule.
/// </summary>
internal static class L2BallotReadyComparisons
{
    // The place comparison's null level and its agreeing levels (all, some): a shared word agrees only where neither name
    // makes it another place (place_clash).
    private const string PlaceUnknown = "len(r_places) = 0 or len(l_places) = 0";
    private const string PlaceAgrees = "not other_school and list_has_any(l_places, r_places) and not place_clash";
    private const string PlaceInDoubt = "not other_school and place_clash";

    // The office's roles: the same district by number, the same district with no number on either side, an at-large seat
    // and the whole jurisdiction that elects it.
    private const string SameNumber = "l_kind = r_kind and l_number = r_number";
    private const string SameUnnumbered = "l_kind = r_kind and l_number is null and r_number is null";
    private const string Whole = "l_number is null and not coalesce(l_names_number, false) and r_kind = l_whole";
    private const string SameRole = $"(({SameNumber}) or ({SameUnnumbered}) or ({Whole}))";

    // The place fits: it agrees, or the district is named for its state alone (STATE HOUSE 015 names no place). Any other
    // district whose name names no place (CITY CNCL 05, ISD 11, #N/A) is in a place unknown: neither fits nor differs.
    private const string PlaceFits = $"((len(r_places) = 0 and r_state_wide) or {PlaceAgrees})";

    public static IReadOnlyList<Comparison> All { get; } =
    [
        // The office's levels that name a role hold only where the place fits, because a role's agreement means
        // nothing apart from the place: in a state of many cities with numbered councils, District 2 of another city
        // is a common candidate, District 2 of the position's own city is the match. As two comparisons assumed
        // independent, the number and the place each looked common among candidates and the match weighed too little
        // (docs/quality.md, "a state of many numbered council districts").
        new(
            "office",
            "office against district: the same kind of office and district (State Assembly or House of Delegates ↔ State_House, County Commission ↔ County_Commissioner_District, School Board ↔ school districts, City Council ↔ council districts and wards, judicial, special districts, a mayor ↔ the city, a county-wide office ↔ the county, a statewide office ↔ the state) with the same district number, or with none on either side, or an at-large seat ↔ the whole city or county, each where the place agrees or the district is named for its state; the same, where the position's name names no place and the district's does, or the district's names none and its kind is not numbered across the state (CITY CNCL 05, ISD 11: unknown, the judge decides), or the names share a place word but may name other places (San Jose, SAN DIEGO: in doubt, the judge decides); the same, in another place (District 2 of Oakland is not District 2 of Berkeley); the whole district of which the position's numbered district is a part; another district of the same kind (District 15 is not District 5); a different kind",
            "l_kind is null or r_kind is null",
            [
                new("same_district", $"{SameNumber} and {PlaceFits}", 0.69),
                new("same_kind", $"{SameUnnumbered} and {PlaceFits}", 0.25),
                new("whole", $"{Whole} and {PlaceFits}", 0.03),
                new("place_unknown", $"{SameRole} and (len(l_places) = 0 or len(r_places) = 0 or ({PlaceInDoubt}))", 0.006),
                new("elsewhere", SameRole, 0.004, Veto: true),
                new("part_of_whole", "l_kind = r_kind and r_number is null", 0.007, Veto: true),
                new("other_district", "l_kind = r_kind", 0.007, Veto: true),
                new("different", null, 0.006, Veto: true),
            ],
            Source: ParameterSource.FixedM),
        new(
            "place",
            "the place words of the district's name (its city, county or school district, and a school district's number when both names write one: USD 259 is not USD 260): written in the position's name as the initials of the district's place (LA for LOS ANGELES, KC for KANSAS CITY: likely the place, not sure, so never a match by rule), all in it, some, some but each name has place words the other lacks or a word beside a shared one that makes it another place (San Jose and SAN DIEGO, West Sacramento and SACRAMENTO: maybe an abbreviation, more often another place), none (null when either name has none: the district is named for its state only, as STATE HOUSE 015 is, or its name names no place though its kind has one, as CITY CNCL 05 does, or the position's name names no place, as City Council - District 2 does; a missing place is unknown, not a different one)",
            PlaceUnknown,
            [
                new("initials", "not other_school and l_initials", 0.01),
                new("all", "not other_school and list_has_all(l_places, r_places) and not place_clash", 0.935),
                new("some", PlaceAgrees, 0.03),
                new("clash", PlaceInDoubt, 0.005),
                new("different", null, 0.02, Veto: true),
            ],
            Source: ParameterSource.FixedM),
        new(
            "at_large",
            "an at-large seat against a district L2 names at large (JACKSON CNTY LEG AT LARGE DIST 01 is not JACKSON CNTY LEG DIST 01): both, or one side only (null when neither says so, or when an at-large seat meets the unnumbered district of the whole jurisdiction)",
            "not r_at_large and (not l_at_large or r_number is null)",
            [
                new("both", "l_at_large and r_at_large", 0.97),
                new("differ", null, 0.03),
            ],
            Source: ParameterSource.FixedM),
        new(
            "level",
            "the position's BallotReady level against the levels offices of the district's kind have",
            "l_level is null or r_levels is null",
            [
                new("same", "list_contains(r_levels, l_level)", 0.9),
                new("different", null, 0.1),
            ],
            Source: ParameterSource.FixedM),
    ];

    /// <summary>
    /// Pairs that are almost surely matches, whose share of the candidate pairs is λ and which u is not counted over: the
    /// office and number agree (or an at-large seat meets its whole city or county), and so does the whole place, or the
    /// district is named for its state (the office's levels hold for a district that names no place only when it is numbered across the state).
    /// </summary>
    public static string DeterministicRule { get; } =
        $"({Named("office").At("same_district")} or {Named("office").At("same_kind")} or {Named("office").At("whole")}) and ({Named("place").At("all")} or (len(r_places) = 0 and r_state_wide))";

    /// <summary>The comparison of that name.</summary>
    public static Comparison Named(string name) => All.Single(c => c.Name == name);

    /// <summary>No comparison takes u from candidate pairs by rule (<see cref="ParameterSource.CandidatePairs"/>), so no pair is named a sure non-match.</summary>
    public const string NonMatchRule = "false";
}
