using System.Buffers;
using System.Text;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>
/// Names are compared after Unicode compatibility folding (NFKC): full-width letters typed with a Japanese or Chinese
/// input method (<c>Ｗｒｉｇｈｔ</c>), ligatures (<c>ﬁ</c>), Roman numeral signs (<c>Ⅲ</c>), mathematical bold letters
/// and the like are the ASCII letters they stand for. DuckDB has only NFC (<c>nfc_normalize</c>), so the fold is .NET's,
/// registered as a scalar function; the macro <c>em_compat</c> calls it only for a text holding a character outside
/// ASCII, which NFKC alone can change.
/// </summary>
internal static class CompatibilityFold
{
    /// <summary>The DuckDB scalar function <c>em_nfkc(varchar) → varchar</c>: <see cref="Fold"/>.</summary>
    public const string Function = "em_nfkc";

    /// <summary>The macro <c>em_compat(t)</c>: <paramref name="t"/> folded (NFKC) when it holds a character outside ASCII, else as it is.</summary>
    public static string MacroSql => $"""
        create or replace temp macro em_compat(t) as
            {FoldedSql("t")};
        """;

    /// <summary>SQL: <paramref name="text"/> (an expression read twice, so a column or a macro's parameter) folded when it holds a character outside ASCII, else as it is.</summary>
    public static string FoldedSql(string text) => $"case when {HoldsNonAsciiSql(text)} then {Function}({text}) else {text} end";

    /// <summary>
    /// SQL: whether <paramref name="text"/> holds a character outside ASCII: its UTF-8 bytes outnumber its characters.
    /// A fifth of the cost of <c>regexp_matches(t, '[^\x00-\x7f]')</c>, which every row's state key paid (7.2M
    /// results rows: 0.1 CPU-s against 0.5 more than the key without the test).
    /// </summary>
    public static string HoldsNonAsciiSql(string text) => $"strlen({text}) <> length({text})";

    // NFKC writes ½ as 1⁄2 (U+2044 FRACTION SLASH), and ¹⁄₂ so too: District 4½ would be District 41⁄2, whose number
    // reads as 41. A fraction written after a digit is set apart by a space and its slash is a slash (4 1/2), as one
    // types it in ASCII; what a number with a fraction reads as is the reader's to say (a position's reads none).
    private static readonly SearchValues<char> FractionParts = SearchValues.Create("¼½¾⅐⅑⅒⅓⅔⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞⅟↉⁄");

    private static readonly SearchValues<char> SuperscriptDigits = SearchValues.Create("⁰¹²³⁴⁵⁶⁷⁸⁹");

    /// <summary>The text in Unicode normalisation form KC, a fraction after a digit set apart by a space and written with <c>/</c> (<c>4½</c> is <c>4 1/2</c>).</summary>
    public static string Fold(string text)
    {
        try
        {
            var folded = FractionsApart(text).Normalize(NormalizationForm.FormKC);
            return folded.Contains('⁄', StringComparison.Ordinal) ? folded.Replace('⁄', '/') : folded;
        }
        catch (ArgumentException)
        {
            // An unpaired surrogate cannot be normalised; DuckDB's UTF-8 holds none, but a text is better kept than failed.
            return text;
        }
    }

    // A space before a vulgar fraction (½) or a superscript numerator (¹⁄₂) that follows a digit (a full-width one too).
    private static string FractionsApart(string text)
    {
        if (text.AsSpan().IndexOfAny(FractionParts) < 0)
        {
            return text;
        }

        var apart = new StringBuilder(text.Length + 2);
        for (var i = 0; i < text.Length; i++)
        {
            if (i > 0 && char.IsDigit(text[i - 1]) && (IsVulgarFraction(text[i]) || IsSuperscriptNumerator(text, i)))
            {
                apart.Append(' ');
            }

            apart.Append(text[i]);
        }

        return apart.ToString();
    }

    private static bool IsVulgarFraction(char c) => c != '⁄' && FractionParts.Contains(c);

    private static bool IsSuperscriptNumerator(string text, int start)
    {
        var end = start;
        while (end < text.Length && SuperscriptDigits.Contains(text[end]))
        {
            end++;
        }

        return end > start && end < text.Length && text[end] == '⁄';
    }

    /// <summary>Registers <see cref="Function"/> in the warehouse, once: an incremental run matches many partitions on one connection.</summary>
    public static void Register(DuckDbWarehouse warehouse) => TextFunction.Register(warehouse, Function, Fold);
}
