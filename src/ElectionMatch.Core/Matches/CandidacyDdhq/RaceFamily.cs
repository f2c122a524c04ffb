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
    /// <remarks>
    /// Every office of the candidacies and every distinct race name comes here (about 2M texts at a million candidacies):
    /// the words are slices of one lower-cased copy, each looked up once (<see cref="Words"/>' kinds), and the family is
    /// written into one buffer, one string allocated a text. Words as strings in a list, two builders and four set
    /// lookups a word took 1.1-2.0 µs of CPU a race name of the 100k set (session 56).
    /// </remarks>
    public static string? Of(string text)
    {
        if (!System.Text.Ascii.IsValid(text))
        {
            return null;
        }

        // A word read may grow ("pos" is "position"), to under three times its length.
        var capacity = text.Length * 4 + 16;
        var rented = capacity > 2048 ? System.Buffers.ArrayPool<char>.Shared.Rent(capacity) : null;
        try
        {
            var chars = rented is null ? stackalloc char[capacity] : rented.AsSpan(0, capacity);
            var lower = chars[..text.Length];
            var family = chars[text.Length..];
            System.Text.Ascii.ToLower(text, lower, out _);

            var length = 0;
            var before = Words.Kind.None;
            var twoBefore = Words.Kind.None;
            var i = 0;
            while (i < lower.Length)
            {
                if (!IsWord(lower[i]))
                {
                    i++;
                    continue;
                }

                var start = i;
                while (i < lower.Length && IsWord(lower[i]))
                {
                    i++;
                }

                var run = lower[start..i];
                var whole = Words.Of(run);
                if ((whole.Kinds & Words.Kind.Election) != 0)
                {
                    continue;
                }

                // Each piece between underscores is a word (a run without one is its one piece).
                var pieces = run;
                while (pieces.Length > 0)
                {
                    var underscore = pieces.IndexOf('_');
                    var word = underscore < 0 ? pieces : pieces[..underscore];
                    pieces = underscore < 0 ? default : pieces[(underscore + 1)..];
                    if (word.Length == 0)
                    {
                        continue;
                    }

                    var known = word.Length == run.Length ? whole : Words.Of(word);
                    var into = family[(length + (length > 0 ? 1 : 0))..];
                    var written = Words.Read(word, known, before, twoBefore, into);
                    twoBefore = before;
                    before = known.Kinds | Words.Kind.Word;
                    if (written == 0)
                    {
                        continue;
                    }

                    if (length > 0)
                    {
                        family[length] = ' ';
                        length++;
                    }

                    length += written;
                }
            }

            return new string(family[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<char>.Shared.Return(rented);
            }
        }
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

        /// <summary>What a word is to the family, as flags; <see cref="Word"/> marks a word that is there at all.</summary>
        [Flags]
        public enum Kind
        {
            None = 0,
            Word = 1,
            Election = 2,
            NumberSign = 4,
            Numbering = 8,
        }

        /// <summary>A word's kinds, its full word when it is an abbreviation, and its number when it is a Roman numeral or a number word (else 0).</summary>
        public readonly record struct Known(Kind Kinds, string? Full, int Number);

        // Every word the family reads other than as written, with all it is: one lookup a word.
        private static readonly Dictionary<string, Known>.AlternateLookup<ReadOnlySpan<char>> KnownWords = KnownTable().GetAlternateLookup<ReadOnlySpan<char>>();

        private static Dictionary<string, Known> KnownTable()
        {
            var known = new Dictionary<string, Known>(StringComparer.Ordinal);
            void Add(string word, Kind kinds = Kind.None, string? full = null, int number = 0)
            {
                var had = known.GetValueOrDefault(word);
                // A Roman numeral's number before a number word's, as the macro tests them.
                known[word] = new Known(had.Kinds | kinds, had.Full ?? full, had.Number != 0 ? had.Number : number);
            }

            foreach (var word in ElectionWords)
            {
                Add(word, Kind.Election);
            }

            foreach (var word in NumberSigns)
            {
                Add(word, Kind.NumberSign);
            }

            // A word numbers seats when its full word does.
            foreach (var word in Numbering.Where(w => !Abbreviations.ContainsKey(w)))
            {
                Add(word, Kind.Numbering);
            }

            foreach (var (word, full) in Abbreviations)
            {
                Add(word, Numbering.Contains(full) ? Kind.Numbering : Kind.None, full);
            }

            for (var i = 0; i < NumberNames.RomanNumerals.Length; i++)
            {
                Add(NumberNames.RomanNumerals[i], number: i + 1);
            }

            for (var i = 0; i < NumberNames.NumberWords.Length; i++)
            {
                Add(NumberNames.NumberWords[i], number: i + 1);
            }

            return known;
        }

        /// <summary>What <paramref name="word"/> (lower case) is to the family; nothing for most words.</summary>
        public static Known Of(ReadOnlySpan<char> word) => KnownWords.TryGetValue(word, out var known) ? known : default;

        /// <summary>
        /// Writes the word as the family keeps it into <paramref name="into"/>, given its kinds and the kinds of the one
        /// or two words before it (<see cref="Kind.None"/> before the first); returns the characters written, none to drop it.
        /// </summary>
        public static int Read(ReadOnlySpan<char> word, Known known, Kind before, Kind twoBefore, Span<char> into)
        {
            if ((known.Kinds & Kind.NumberSign) != 0 && (before & Kind.Numbering) != 0)
            {
                return 0;
            }

            if (!word.ContainsAnyExceptInRange('0', '9'))
            {
                var number = word.TrimStart('0');
                if (number.Length == 0)
                {
                    into[0] = '0';
                    return 1;
                }

                number.CopyTo(into);
                return number.Length;
            }

            if (known.Number != 0
                && ((before & Kind.Numbering) != 0 || ((before & Kind.NumberSign) != 0 && (twoBefore & Kind.Numbering) != 0)))
            {
                known.Number.TryFormat(into, out var digits, provider: System.Globalization.CultureInfo.InvariantCulture);
                return digits;
            }

            var full = known.Full is null ? word : known.Full.AsSpan();
            full.CopyTo(into);
            return full.Length;
        }

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

    // Over the lower-cased text.
    private static bool IsWord(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_';

    /// <summary>Registers <see cref="Function"/> in the warehouse, once (an incremental run matches many partitions on one connection).</summary>
    public static void Register(DuckDbWarehouse warehouse) => TextFunction.Register(warehouse, Function, Of);
}
