using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>
/// Names are compared by their Latin letters, a-z once accents are removed (<c>Nguyễn</c> is <c>nguyen</c>): a name
/// with none, written only in another script (<c>Бьюкенен</c>, <c>小明</c>), in emoji or in punctuation, has nothing to
/// compare and is quarantined (EMQ003), a person's, a position's or a district's alike. The Latin letters that carry no
/// accent to remove (ø, ł, ı, đ, ð, þ, æ, œ, ß) count as the ASCII letters the candidacy match reads them as (em_fold_letters).
/// </summary>
internal static class NameLetters
{
    /// <summary>Why a name that is not blank cannot be compared (EMQ003's detail after the column and its value).</summary>
    public const string NoLatinLetter = "has no Latin letter (a-z once accents are removed), which names are compared by";

    /// <summary>The macro <c>em_has_name(s)</c>: whether a name has a Latin letter, once accents are removed.</summary>
    /// <remarks>
    /// One pass and no replacement (a check in a filter is not shared like a column, so a long macro there runs whole
    /// each time). An ASCII letter answers at once; only a name without one is folded (strip_accents is most of the cost).
    /// </remarks>
    public const string MacroSql = """
        create or replace temp macro em_has_name(s) as
            case when regexp_matches(cast(s as varchar), '[A-Za-z]') then true
                else regexp_matches(lower(strip_accents(em_compat(coalesce(cast(s as varchar), '')))), '[a-zøłıđðþæœß]') end;
        """;

    /// <summary>
    /// The failed field of a name <c>em_has_name</c> refused (EMQ003), and why when it is not blank: without the why,
    /// a name in another script read as a parsing fault. Blank (<paramref name="tested"/>, the text checked): as before.
    /// </summary>
    public static string DetailSql(InputSettings input, string role, string value, string tested) =>
        $"{QuarantineCodes.FieldSql(input, role, value)} || case when nullif(trim({tested}), '') is not null then {Sql.Literal(" " + NoLatinLetter)} else '' end";
}
