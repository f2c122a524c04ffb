using ElectionMatch.Warehouse;

namespace ElectionMatch.Matches.L2BallotReady;

/// <summary>
/// The words a position's or district's name writes where its place goes, whatever they are: the words it starts with
/// before its jurisdiction's word ("Congress Town Council", "JUSTICE VILLAGE BRD", "Ward County Commission"), and the
/// word after that word and "of" ("Town of Congress Council Member"). There a word that elsewhere says what an office is
/// (Congress, Justice, Superior, Ward) is the place's name: it stays a place word and names no office kind. "U.S.
/// Congress" and "Congressional District 5" name no jurisdiction, so their words are read as before.
/// </summary>
internal static class PlaceSlot
{
    // A jurisdiction's words as BallotReady and L2 write them.
    private static readonly string[] JurisdictionWords = ["town", "city", "village", "borough", "township", "twp", "county", "cnty"];

    // Words that make the run before a jurisdiction's word a phrase, not a place's name: "Board of County Commissioners",
    // "Unified Government of Wyandotte County and Kansas City Commission".
    private static readonly string[] PhraseWords = ["of", "the", "and", "for"];

    private static string List(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(Sql.Literal)) + "]";

    /// <summary>SQL: a name's words, lower case without accents, every run of other characters one separator.</summary>
    public static string NameWordsSql(string name) =>
        $"regexp_split_to_array(trim(regexp_replace(lower(strip_accents(coalesce({name}, ''))), '[^a-z0-9]+', ' ', 'g')), ' ')";

    /// <summary>SQL: the words of the word list <paramref name="words"/> (<see cref="NameWordsSql"/>) in its place's slot; empty for none.</summary>
    public static string WordsSql(string words)
    {
        var jurisdiction = List(JurisdictionWords);
        var isNameWord = $"t -> regexp_matches(t, '^[a-z]+$') and not list_contains({List(PhraseWords)}, t)";
        // The first jurisdiction word's position (0 for none); "School City of Mishawaka" names its place after it, not before.
        var at = $"coalesce(list_position(list_transform({words}, t -> list_contains({jurisdiction}, t)), true), 0)";
        return $"""
            list_concat(
                case
                    when {at} > 1 and ({at} = len({words}) or {words}[{at} + 1] <> 'of')
                        and list_bool_and(list_transform({words}[1:{at} - 1], {isNameWord}))
                        then {words}[1:{at} - 1]
                    else []
                end,
                list_filter(
                    list_transform(range(1, len({words}) - 1), i -> case when list_contains({jurisdiction}, {words}[i]) and {words}[i + 1] = 'of' then {words}[i + 2] end),
                    {isNameWord.Replace("t -> ", "t -> t is not null and ", StringComparison.Ordinal)}))
            """;
    }

    /// <summary>
    /// SQL: the lower-cased name whose words an office kind is read from: without the words of its place's slot when it
    /// has one ("Congress Town Council - District 2" → "town council district 2"), else as written.
    /// </summary>
    public static string OfficeTextSql(string name, string slot) =>
        $"case when len({slot}) > 0 then array_to_string(list_filter({NameWordsSql(name)}, t -> not list_contains({slot}, t)), ' ') else lower({name}) end";
}
