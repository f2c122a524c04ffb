using ElectionMatch.Warehouse;

namespace ElectionMatch.Matches.L2BallotReady;

/// <summary>
/// The words a position's or district's name writes where its place goes, whatever they are: the words just before its
/// jurisdiction's word ("Congress Town Council", "JUSTICE VILLAGE BRD", "Ward County Commission", "Circuit Court Judge
/// Cook County"), back to the start of the name, of its part ("District Attorney - Harris County") or to a word that
/// names a court, an office or a seat ("District Court County Judge" names none), and the word after that word and
/// "of" ("Town of Congress Council Member"). There a word that elsewhere says what an office is (Congress, Justice,
/// Superior, Ward) is the place's name: it stays a place word and names no office kind. "U.S. Congress" and
/// "Congressional District 5" name no jurisdiction, so their words are read as before.
/// </summary>
internal static class PlaceSlot
{
    // A jurisdiction's words as BallotReady and L2 write them.
    private static readonly string[] JurisdictionWords = ["town", "city", "village", "borough", "township", "twp", "county", "cnty"];

    // Words that make the run before a jurisdiction's word a phrase, not a place's name: "Board of County Commissioners",
    // "Unified Government of Wyandotte County and Kansas City Commission".
    private static readonly string[] PhraseWords = ["of", "the", "and", "for"];

    // Words that name a court, an office, its holder or body, or a seat, and no place: a place's name before a
    // jurisdiction's word starts after the last of them. Not Congress, Justice, Superior, Ward, Council (Council Bluffs),
    // District (District Heights) or State (State College), which are places' names too.
    private static readonly string[] OfficeWords =
    [
        "court", "courts", "judge", "judges", "judicial", "magistrate", "probate", "circuit", "chancery", "pleas", "appeals",
        "attorney", "prosecutor", "clerk", "sheriff", "coroner", "treasurer", "assessor", "auditor", "recorder", "collector",
        "comptroller", "controller", "mayor", "board", "commission", "commissioner", "commissioners", "supervisor",
        "supervisors", "trustee", "trustees", "director", "directors", "member", "members", "seat", "large",
    ];

    // Where a name's parts meet: a dash with a space beside it ("Judge - Clark County"), a comma, colon, bracket or slash.
    // A hyphen inside a word (Macon-Bibb) joins a place's words. Read as the word PartBreak.
    private const string PartSeparator = @"\s+[-–—]+\s*|\s*[-–—]+\s+|[,;:()/|]";
    private const string PartBreak = "~";

    /// <summary>
    /// SQL: a name's words, lower case without accents, every run of other characters one separator but an apostrophe,
    /// which joins (Prince George's is PRINCE GEORGES, as L2 writes it).
    /// </summary>
    public static string NameWordsSql(string name) =>
        $"regexp_split_to_array(trim(regexp_replace({WithoutApostrophes($"lower(strip_accents(coalesce({name}, '')))")}, '[^a-z0-9]+', ' ', 'g')), ' ')";

    // SQL: text without its apostrophes (' and ’).
    private static string WithoutApostrophes(string text) => $"regexp_replace({text}, '[''’]', '', 'g')";

    // SQL: the name's words as NameWordsSql reads them, with PartBreak where two parts of the name meet.
    private static string PartedWordsSql(string name) =>
        $"regexp_split_to_array(trim(regexp_replace(regexp_replace({WithoutApostrophes($"lower(strip_accents(coalesce({name}, '')))")}, {Sql.Literal(PartSeparator)}, ' {PartBreak} ', 'g'), '[^a-z0-9{PartBreak}]+', ' ', 'g')), ' ')";

    /// <summary>SQL: the words of the name <paramref name="name"/> in its place's slot; empty for none.</summary>
    public static string WordsSql(string name)
    {
        var jurisdiction = Sql.ListLiteral(JurisdictionWords);
        var isNameWord = $"t -> regexp_matches(t, '^[a-z]+$') and not list_contains({Sql.ListLiteral(PhraseWords)}, t)";
        // Each jurisdiction word's position j: "School City of Mishawaka" names its place after it, not before. Every one
        // is read, not the first alone: "County Commission - Ward County" names its place before the second.
        // The last word before j that starts a place's name after it: a part's break, a word of an office, or another
        // jurisdiction's word ("Kansas City County Commission" names no place between City and County).
        var start = $"coalesce(list_max(list_filter(range(1, j), i -> w[i] = {Sql.Literal(PartBreak)} or list_contains({Sql.ListLiteral(OfficeWords)}, w[i]) or list_contains({jurisdiction}, w[i]))), 0)";
        // The parted words are read once, as the lambda's w.
        return $"""
            list_transform([{PartedWordsSql(name)}], w -> list_concat(
                flatten(list_transform(
                    list_filter(range(2, len(w) + 1), j -> list_contains({jurisdiction}, w[j]) and (j = len(w) or w[j + 1] <> 'of')),
                    j -> case
                        when list_bool_and(list_transform(w[{start} + 1:j - 1], {isNameWord})) then w[{start} + 1:j - 1]
                        else []
                    end)),
                list_filter(
                    list_transform(range(1, len(w) - 1), i -> case when list_contains({jurisdiction}, w[i]) and w[i + 1] = 'of' then w[i + 2] end),
                    {isNameWord.Replace("t -> ", "t -> t is not null and ", StringComparison.Ordinal)})))[1]
            """;
    }

    /// <summary>
    /// SQL: the lower-cased name whose words an office kind is read from: without the words of its place's slot when it
    /// has one ("Congress Town Council - District 2" → "town council district 2"), else as written.
    /// </summary>
    public static string OfficeTextSql(string name, string slot) =>
        $"case when len({slot}) > 0 then array_to_string(list_filter({NameWordsSql(name)}, t -> not list_contains({slot}, t)), ' ') else lower({name}) end";
}
