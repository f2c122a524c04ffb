using System.Text;
using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matches.CandidacyDdhq;

/// <summary>
/// The race family of an ASCII office or race name in C#, the steps of the <c>em_race_family</c> macro: lower case, the
/// election's words dropped, every run of other characters one space, then each word read as its number or full word
/// where people write one several ways (<see cref="Words"/>: the CRM's "Dist. 03" and the ballot's "District 3"). The macro's two global regular expressions cost
/// about 1.8 µs a name (1.8 CPU-s over the 974,616 distinct race names of the million-candidacy set, as much again
/// over the million offices of the left rows); this is a scan. Other names (null here) stay with the macro, which is
/// the reference (<c>RaceFamilyTests</c> compares the two).
/// </summary>
internal static class RaceFamily
{
    public const string Function = "em_race_family_ascii";

    /// <summary>
    /// The race family of <paramref name="text"/> (SQL) as the <c>em_race_family</c> macro gives it, by the C# function
    /// (null where the macro gives empty text, which every reader makes null). Text beyond ASCII is lower-cased and each
    /// run of non-ASCII characters made a space first: the macro lower-cases, and then its word boundaries (RE2's ASCII
    /// <c>\b</c>) and its <c>[^a-z0-9]+</c> treat such a character as they treat a space, so the words are the same.
    /// </summary>
    /// <remarks>
    /// Before, a non-ASCII text went to the macro itself, in a case beside the function. Its list lambda is planned with
    /// the statement whether or not a row takes that branch: about 20 ms of planning in each cleaning statement, the
    /// fixed cost of every run and of every partition of an incremental run. (Under coalesce, not case, it was also
    /// evaluated on every row: session 52's first 1M run.)
    /// </remarks>
    public static string SqlOf(string text) =>
        $"{Function}(case when strlen({text}) = length({text}) then {text} else regexp_replace(lower({text}), '[^\\x00-\\x7F]+', ' ', 'g') end)";

    // The macro's \b(general|...)\b: a whole run of word characters ([a-z0-9_] once lower-cased, RE2's ASCII \w).
    private static readonly HashSet<string> ElectionWords = new(StringComparer.Ordinal)
    {
        "general", "primary", "runoff", "special", "election", "democratic", "republican", "nonpartisan", "party",
    };

    /// <summary>
    /// The family of an ASCII text, or null for any other text. The macro's result is the runs of <c>[a-z0-9]</c> left
    /// after dropping the election words, joined by single spaces; a word run's underscores split it.
    /// </summary>
    public static string? Of(string text)
    {
        foreach (var c in text)
        {
            if (c > '\u007f')
            {
                return null;
            }
        }

        var words = new List<string>();
        var run = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (!IsWord(text[i]))
            {
                i++;
                continue;
            }

            run.Clear();
            while (i < text.Length && IsWord(text[i]))
            {
                run.Append(char.ToLowerInvariant(text[i]));
                i++;
            }

            var word = run.ToString();
            if (ElectionWords.Contains(word))
            {
                continue;
            }

            words.AddRange(word.Split('_', StringSplitOptions.RemoveEmptyEntries));
        }

        var family = new StringBuilder(text.Length);
        for (var w = 0; w < words.Count; w++)
        {
            var read = Words.Read(words[w], w > 0 ? words[w - 1] : null, w > 1 ? words[w - 2] : null);
            if (read.Length == 0)
            {
                continue;
            }

            if (family.Length > 0)
            {
                family.Append(' ');
            }

            family.Append(read);
        }

        return family.ToString();
    }

    /// <summary>
    /// A family's words read alike however they are written, the same in C# (<see cref="Read"/>) and in the macro
    /// (<see cref="MacroSql"/>): the CRM's office "Dist. 03" or "District III" and the ballot's "District 3" are one
    /// office, which the office comparison's containment needs (before, it vetoed such a pair as another office, and
    /// the offline judge then rejected the same person). A number in digits loses its leading zeros; after a word that
    /// numbers seats (district, ward, seat, division, ...) a Roman numeral or a number word is its number, and
    /// "no"/"number" between the two is dropped; a few abbreviations are their word. Each reading is the same on both
    /// sides, so it can only join what one of the two wrote another way.
    /// </summary>
    internal static class Words
    {
        private static readonly Dictionary<string, string> Abbreviations = new(StringComparer.Ordinal)
        {
            ["dist"] = "district", ["subdist"] = "subdistrict", ["pct"] = "precinct", ["pos"] = "position", ["div"] = "division",
            ["dept"] = "department", ["twp"] = "township", ["cnty"] = "county", ["cncl"] = "council", ["bd"] = "board",
            ["brd"] = "board", ["sch"] = "school", ["supv"] = "supervisor",
        };

        private static readonly HashSet<string> Numbering = new(StringComparer.Ordinal)
        {
            "district", "subdistrict", "ward", "seat", "position", "place", "post", "division", "precinct", "zone", "area",
            "region", "department", "branch", "group", "circuit", "unit", "office", "beat",
        };

        private static readonly HashSet<string> NumberSigns = new(StringComparer.Ordinal) { "no", "nbr", "num", "number" };

        /// <summary>The word as the family keeps it, given the one or two words before it (null at the start); empty to drop it.</summary>
        public static string Read(string word, string? before, string? twoBefore)
        {
            if (NumberSigns.Contains(word) && IsNumbering(before))
            {
                return "";
            }

            if (!word.AsSpan().ContainsAnyExceptInRange('0', '9'))
            {
                var number = word.TrimStart('0');
                return number.Length == 0 ? "0" : number;
            }

            if (IsNumbering(before) || (before is not null && NumberSigns.Contains(before) && IsNumbering(twoBefore)))
            {
                var roman = Array.IndexOf(NumberNames.RomanNumerals, word);
                if (roman >= 0)
                {
                    return (roman + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                var spelled = Array.IndexOf(NumberNames.NumberWords, word);
                if (spelled >= 0)
                {
                    return (spelled + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            return Abbreviations.GetValueOrDefault(word, word);
        }

        private static bool IsNumbering(string? word) => word is not null && Numbering.Contains(Abbreviations.GetValueOrDefault(word, word));

        /// <summary>
        /// <c>em_race_words(words)</c>: the macro's twin of <see cref="Read"/> over a list of words, joined by one space
        /// (a lambda's second argument is the word's position, so the words before it are read from the list).
        /// </summary>
        public static string MacroSql => $"""
            create or replace temp macro em_race_word_full(t) as
                coalesce({Sql.ListLiteral(Abbreviations.Values)}[list_position({Sql.ListLiteral(Abbreviations.Keys)}, t)], t);
            create or replace temp macro em_race_word_numbering(t) as
                t is not null and list_contains({Sql.ListLiteral(Numbering)}, em_race_word_full(t));
            create or replace temp macro em_race_word_sign(t) as
                t is not null and list_contains({Sql.ListLiteral(NumberSigns)}, t);
            create or replace temp macro em_race_word_numbered(before, two_before) as
                em_race_word_numbering(before) or (em_race_word_sign(before) and em_race_word_numbering(two_before));
            create or replace temp macro em_race_word(t, before, two_before) as
                case
                    when em_race_word_sign(t) and em_race_word_numbering(before) then ''
                    when regexp_full_match(t, '[0-9]+') then coalesce(nullif(ltrim(t, '0'), ''), '0')
                    when em_race_word_numbered(before, two_before) and coalesce(list_position({Sql.ListLiteral(NumberNames.RomanNumerals)}, t), 0) > 0
                        then cast(list_position({Sql.ListLiteral(NumberNames.RomanNumerals)}, t) as varchar)
                    when em_race_word_numbered(before, two_before) and coalesce(list_position({Sql.ListLiteral(NumberNames.NumberWords)}, t), 0) > 0
                        then cast(list_position({Sql.ListLiteral(NumberNames.NumberWords)}, t) as varchar)
                    else em_race_word_full(t)
                end;
            create or replace temp macro em_race_words(w) as
                array_to_string(list_filter(
                    list_transform(w, (t, i) -> em_race_word(t, case when i > 1 then w[i - 1] end, case when i > 2 then w[i - 2] end)),
                    t -> t <> ''), ' ');
            """;
    }

    private static bool IsWord(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary>Registers <see cref="Function"/> in the warehouse, once (an incremental run matches many partitions on one connection).</summary>
    public static void Register(DuckDbWarehouse warehouse) => TextFunction.Register(warehouse, Function, Of);
}
