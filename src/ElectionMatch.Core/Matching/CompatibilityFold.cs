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
    public static string FoldedSql(string text) => $@"case when regexp_matches({text}, '[^\x00-\x7f]') then {Function}({text}) else {text} end";

    /// <summary>The text in Unicode normalisation form KC.</summary>
    public static string Fold(string text)
    {
        try
        {
            return text.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            // An unpaired surrogate cannot be normalised; DuckDB's UTF-8 holds none, but a text is better kept than failed.
            return text;
        }
    }

    /// <summary>Registers <see cref="Function"/> in the warehouse, once: an incremental run matches many partitions on one connection.</summary>
    public static void Register(DuckDbWarehouse warehouse) => TextFunction.Register(warehouse, Function, Fold);
}
