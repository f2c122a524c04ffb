using System.Text;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matches.CandidacyDdhq;

/// <summary>
/// The race family of an ASCII office or race name in C#, the steps of the <c>em_race_family</c> macro: lower case, the
/// election's words dropped, every run of other characters one space. The macro's two global regular expressions cost
/// about 1.8 µs a name (1.8 CPU-s over the 974,616 distinct race names of the million-candidacy set, as much again
/// over the million offices of the left rows); this is a scan. Other names (null here) stay with the macro, which is
/// the reference (<c>RaceFamilyTests</c> compares the two).
/// </summary>
internal static class RaceFamily
{
    public const string Function = "em_race_family_ascii";

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

        var family = new StringBuilder(text.Length);
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

            foreach (var piece in word.Split('_', StringSplitOptions.RemoveEmptyEntries))
            {
                if (family.Length > 0)
                {
                    family.Append(' ');
                }

                family.Append(piece);
            }
        }

        return family.ToString();
    }

    private static bool IsWord(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary>Registers <see cref="Function"/> in the warehouse, once (an incremental run matches many partitions on one connection).</summary>
    public static void Register(DuckDbWarehouse warehouse) => TextFunction.Register(warehouse, Function, Of);
}
