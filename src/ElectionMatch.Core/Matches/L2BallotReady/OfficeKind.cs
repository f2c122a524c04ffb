using ElectionMatch.Warehouse;

namespace ElectionMatch.Matches.L2BallotReady;

/// <summary>
/// A kind of office and the L2 district types that elect it: State Assembly and House of Delegates sit for
/// State_House districts, a County Commission for County_Commissioner districts, a School Board for school
/// districts, and so on. BallotReady positions and L2 district types are both classified into these kinds
/// (first pattern that matches wins), so compatibility is the same kind on both sides.
/// </summary>
/// <param name="PositionPattern">RE2 pattern over the lower-cased position name; null for a kind found only by level.</param>
/// <param name="DistrictTypePattern">RE2 pattern over the lower-cased L2 district type.</param>
/// <param name="Levels">BallotReady levels an office of this kind normally has.</param>
/// <param name="Whole">The kind of district that covers the whole jurisdiction, for an at-large seat of this kind
/// (an at-large city council seat is elected by the whole city).</param>
/// <param name="StateWide">Its districts are numbered across the state, so their names need name no place (STATE HOUSE 015,
/// DISTRICT COURT 151); any other district's name that names none is no state's.</param>
/// <param name="NormalizedFirst">BallotReady's <c>normalized_position_name</c> naming an office of this kind (City Legislature,
/// Local School Board) is taken over a name whose words read another kind: such a body's name starts with its place's,
/// whose words may be an office's (Congress Town Council, Justice Village Board).</param>
internal sealed record OfficeKind(string Name, string? PositionPattern, string DistrictTypePattern, IReadOnlyList<string> Levels, string? Whole = null, bool StateWide = false, bool NormalizedFirst = false)
{
    public const string Federal = "federal";

    /// <summary>The column a position's office kind was read from (<see cref="PositionKindSql"/>'s <c>office_kind_source</c>).</summary>
    public const string FromName = "name";

    public const string FromNormalizedName = "normalized_position_name";

    public const string FromLevel = "level";

    // A special district's word names an office only before the word for what it is ("Fire District", "Municipal Water
    // District Director", "Fire Protection District", "Port of Seattle Commission"): alone it may be the place's
    // (Overland Park, Menlo Park, Port St. Lucie, Park County, Water Valley), which BallotReady writes first.
    private const string Between = @"(?:\s+(?:and|&|protection|control|conservation|improvement|abatement|recreation|navigation|rescue|services?|supply|authority|municipal|public|utility))*";
    private const string Body = @"\s+(?:district|dist|authority|board|commission|commissioners?|directors?|trustees?|department|service area)\b";

    /// <summary>RE2 over a lower-cased position name: one of <paramref name="words"/> before the word for what it is, or an abbreviation of its own (ESD, MUD).</summary>
    private static string SpecialPattern(string words, string? alone = null) => $@"\b(?:{words}){Between}{Body}" + (alone is null ? "" : $@"|\b(?:{alone})\b");

    private static readonly string[] SpecialLevels = ["regional", "local", "county", "city"];

    /// <summary>
    /// In the order they are tried, the more specific first: a U.S. House seat is no state house seat, a Board of
    /// Education is no county board, and a Texas Commissioners Court is a county legislature, not a court. A council's
    /// member (Councilmember, Council Member, Alderperson, Council District 4) is a city council's once no tribal
    /// nation, county council, school board or court has claimed the name, and a city's legislature is no state's.
    /// </summary>
    public static IReadOnlyList<OfficeKind> All { get; } =
    [
        new(Federal, @"\bu\.?\s?s\.?\s+(house|senate|representative|senator)|\bunited states\b|\bcongress", @"^us_|congress", ["federal"], StateWide: true),
        // A tribal nation's council or court is no city's or county's: L2's district types name none, so it matches no district.
        new("tribal", @"\btribal\b", @"tribal|reservation", ["local", "regional"]),
        new("school", @"\b(school|education|isd)\b|\bunified (school|district|board)\b", @"school|education|isd", ["local", "county", "city", "regional"], NormalizedFirst: true),
        // Special districts by what they do: an Emergency Services District is no Municipal Utility District of the same
        // number. Transit before port, whose type pattern would take Transportation_District.
        new("special_fire", SpecialPattern("fire|emergency services|emergency medical|ambulance", "esd"), "fire|esd|emergency|ambulance", SpecialLevels),
        new("special_water", SpecialPattern("water|utility|utilities|sanitation|sanitary|sewer|wastewater|irrigation|levee|drainage|flood|reclamation|conservation", "mud|pud|wcid"), "water|utilit|mud|sanita|sewer|irrigation|levee|drainage|flood|reclamation|conservation", SpecialLevels),
        new("special_hospital", SpecialPattern("hospital|health care|healthcare"), "hospital|health", SpecialLevels),
        new("special_park", SpecialPattern("park|parks|recreation"), "park|recreation", SpecialLevels),
        new("special_library", SpecialPattern("library|libraries"), "library", SpecialLevels),
        new("special_transit", SpecialPattern("transit|transportation"), "transit|transport", SpecialLevels),
        new("special_port", SpecialPattern("port|harbor|airport", "port of"), "port|harbor", SpecialLevels),
        new("special_cemetery", SpecialPattern("cemetery"), "cemetery", SpecialLevels),
        new("special_mosquito", SpecialPattern("mosquito|vector control"), "mosquito|vector", SpecialLevels),
        // A county's commission, also where a consolidated government names the city too ("Unified Government of
        // Wyandotte County and Kansas City Commission"); a bare Legislature is a state's (Nebraska's) unless a county's.
        new("county_legislative", @"\b(county commission|commissioners court|board of supervisors|county legislat(ure|ors?)|county council|board of commissioners|county board)\b|\bcounty\b[^-]*\bcommission\b", @"county_(commission|supervisor|legislat|board|council)", ["county"], Whole: "county"),
        // A county's executive called its mayor: Tennessee's County Mayor, Mayor of Los Angeles County; the mayor's word
        // would read a city's. Not a County Judge: the county's executive in Texas and Arkansas, but a court's judge in
        // Florida, Nebraska and New York, which the name alone cannot tell apart.
        new("county", @"\bcounty (mayor|executive)\b|\bmayor of [a-z .'-]+ county\b", @"^county$", ["county"]),
        new("judicial", @"\b(judge|judicial|court|justice|magistrate)\b", @"judicial|court|justice|magistrate", ["county", "state", "city", "local", "regional"], StateWide: true),
        // BallotReady's normalized_position_name writes a city council as "City Legislature", which is no state's legislature.
        new("city_council", @"\b(city council|town council|village board|board of aldermen|aldermen|alderman|alderwoman|alderperson|alders?|common council|city commission|council ?members?|council ?(wo)?man|councilperson|councill?ors?|council district|(city|town|village) legislat(ure|ors?))\b", @"city_council|ward|town_council|alder|village_board", ["city"], Whole: "city", NormalizedFirst: true),
        new("state_upper", @"\bsenate\b|\bstate senator\b|\blegislature\b", @"state_senate|state_upper", ["state"], StateWide: true),
        new("state_lower", @"\b(assembly|house of representatives|house of delegates|state house|state representative)\b", @"state_house|state_assembly|state_lower", ["state"], StateWide: true),
        new("city", @"\bmayor\b", @"^(city|town|village|township|borough|municipality)$", ["city"]),
        new("state", null, @"^(state|statewide)$", ["state"], StateWide: true),
    ];

    /// <summary>Whether districts of the kind named <paramref name="name"/> are numbered across the state (<see cref="StateWide"/>).</summary>
    public static bool IsStateWide(string? name) => All.Any(k => k.Name == name && k.StateWide);

    /// <summary>SQL: whether a district of the kind in <paramref name="kind"/> is numbered across the state (<see cref="StateWide"/>), so its name need name no place; false for no kind.</summary>
    public static string StateWideSql(string kind) =>
        $"coalesce({kind} in ({string.Join(", ", All.Where(k => k.StateWide).Select(k => Sql.Literal(k.Name)))}), false)";

    /// <summary>
    /// SQL: <paramref name="relation"/>'s rows with the office kind of each position (<c>office_kind</c>), the column it was
    /// read from (<c>office_kind_source</c>: <see cref="FromName"/>, <see cref="FromNormalizedName"/> or <see cref="FromLevel"/>)
    /// and, where <c>normalized_position_name</c> set it or reads another kind than the name, a note saying so
    /// (<c>office_kind_note</c>). The level first for a federal office; then the name's words, unless they name no kind, or
    /// another than a normalized name of a <see cref="NormalizedFirst"/> kind; then the normalized name; then the level.
    /// The name's words in its place's slot (<see cref="PlaceSlot"/>: Congress Town Council) name its place, not its kind.
    /// </summary>
    /// <param name="name">The position's name; <paramref name="normalizedName"/> BallotReady's normalized_position_name (or null).</param>
    /// <param name="level">The lower-cased level.</param>
    public static string PositionKindSql(string relation, string name, string normalizedName, string level)
    {
        var normalizedFirst = string.Join(", ", All.Where(k => k.NormalizedFirst).Select(k => Sql.Literal(k.Name)));
        return $"""
            select
                *,
                case office_kind_source
                    when {Sql.Literal(FromName)} then name_kind
                    when {Sql.Literal(FromNormalizedName)} then normalized_kind
                    when {Sql.Literal(FromLevel)} then {level}
                end as office_kind,
                case
                    when office_kind_source = {Sql.Literal(FromNormalizedName)} then printf('the office kind, %s, is read from normalized_position_name ''%s''%s',
                        normalized_kind, trim({normalizedName}), coalesce(', over the name''s words, which read ' || name_kind, ': the name''s words name none'))
                    when office_kind_source = {Sql.Literal(FromName)} and normalized_kind <> name_kind then printf('the office kind, %s, is read from the name; normalized_position_name ''%s'' reads %s',
                        name_kind, trim({normalizedName}), normalized_kind)
                end as office_kind_note
            from (
                select
                    *,
                    case
                        when {level} = 'federal' then {Sql.Literal(FromLevel)}
                        when name_kind is not null and (normalized_kind is null or normalized_kind = name_kind or normalized_kind not in ({normalizedFirst})) then {Sql.Literal(FromName)}
                        when normalized_kind is not null then {Sql.Literal(FromNormalizedName)}
                        when {level} in ('county', 'city', 'state') then {Sql.Literal(FromLevel)}
                    end as office_kind_source
                from (
                    select *, {WordsKindSql(PlaceSlot.OfficeTextSql(name, "name_place_slot"))} as name_kind, {WordsKindSql($"lower({normalizedName})")} as normalized_kind
                    from (select *, {PlaceSlot.WordsSql(name)} as name_place_slot from {relation})
                )
            )
            """;
    }

    // SQL: the kind the words of a lower-cased position name (or normalized name) name, first pattern first; null for none.
    private static string WordsKindSql(string text) =>
        $"case {string.Join(" ", All.Where(k => k.PositionPattern is not null).Select(k => $"when regexp_matches({text}, {Sql.Literal(k.PositionPattern)}) then {Sql.Literal(k.Name)}"))} end";

    /// <summary>SQL: the kind of an L2 district from its lower-cased type.</summary>
    public static string DistrictKindSql(string type) =>
        $"case {string.Join(" ", All.Select(k => $"when regexp_matches({type}, {Sql.Literal(k.DistrictTypePattern)}) then {Sql.Literal(k.Name)}"))} end";

    /// <summary>SQL: the BallotReady levels that fit a district of the kind in <paramref name="kind"/>.</summary>
    public static string LevelsSql(string kind) =>
        $"case {kind} {string.Join(" ", All.Select(k => $"when {Sql.Literal(k.Name)} then [{string.Join(", ", k.Levels.Select(Sql.Literal))}]"))} end";

    /// <summary>SQL: the district kind that covers the whole jurisdiction of an office of the kind in <paramref name="kind"/>.</summary>
    public static string WholeSql(string kind) =>
        $"case {kind} {string.Join(" ", All.Where(k => k.Whole is not null).Select(k => $"when {Sql.Literal(k.Name)} then {Sql.Literal(k.Whole)}"))} end";
}
