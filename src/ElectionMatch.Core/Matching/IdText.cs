using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>
/// The text ids are compared by. A run reads an id without the spaces and tabs at its ends (' gpc-000133 ' is
/// 'gpc-000133', so a padded copy of an id is a repeated id), nor the characters an export or a paste leaves there
/// unseen (<see cref="EndCharacters"/>: a carriage return, a no-break or zero-width space), and evaluate reads an integral floating value as its
/// integer: pandas writes an integer column with nulls as DOUBLE, whose text is '1402844.0' (or '1e+16') where a
/// truth file says '1402844'. A run publishes its left candidacy id as that text too (<see cref="OfColumn"/>).
/// </summary>
internal static class IdText
{
    /// <summary>SQL for the id text of <paramref name="sql"/>, a value of any type (a truth file's text too).</summary>
    /// <remarks>
    /// Only text that is a number with a zero fraction ('1402844.0', DECIMAL's '1402844.000', '-5.0') or an integral
    /// exponent form ('1e+16', DOUBLE's text from 10^16 up) changes; any other id ('007', 'gpc-000132', '0.5') is its
    /// text, trimmed (<see cref="EndCharacters"/>).
    /// </remarks>
    public static string Of(string sql)
    {
        var text = Trimmed($"cast({sql} as varchar)");
        var number = $"try_cast({text} as double)";
        return $"""
            case
                when regexp_full_match({text}, '-?[0-9]+(\.[0-9]+)?[eE]\+?[0-9]+') and {number} = trunc({number}) and abs({number}) < 1e38
                    then cast(cast({number} as hugeint) as varchar)
                else regexp_replace({text}, '^(-?[0-9]+)\.0+$', '\1')
            end
            """;
    }

    /// <summary>
    /// SQL for the text of an input's id column <paramref name="sql"/> whose DuckDB type is <paramref name="type"/>
    /// (null when not known: told by the value's own type): a floating or decimal id as <see cref="Of"/> reads it when
    /// <paramref name="integral"/>, otherwise as its text; any other id as its text, trimmed (<see cref="EndCharacters"/>).
    /// </summary>
    public static string OfColumn(string sql, string? type, bool integral)
    {
        var text = Trimmed($"cast({sql} as varchar)");
        if (!integral)
        {
            return text;
        }

        return type switch
        {
            null => $"case when typeof({sql}) in ('FLOAT', 'DOUBLE') or starts_with(typeof({sql}), 'DECIMAL') then {Of(sql)} else {text} end",
            _ when IsFloating(type) => Of(sql),
            _ => text,
        };
    }

    /// <summary>
    /// SQL for an input's id column <paramref name="sql"/> in its own type, as a run publishes it: text trimmed
    /// (<see cref="EndCharacters"/>), any other type as it is. A column of unknown type (null) is left as it is.
    /// </summary>
    public static string Value(string sql, string? type) =>
        string.Equals(type, "VARCHAR", StringComparison.OrdinalIgnoreCase) ? Trimmed(sql) : sql;

    private static bool IsFloating(string type) =>
        type.Equals("FLOAT", StringComparison.OrdinalIgnoreCase) || type.Equals("DOUBLE", StringComparison.OrdinalIgnoreCase)
        || type.StartsWith("DECIMAL", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The characters an id is read without at its ends: spaces and tabs, and those an export or a paste leaves there
    /// unseen: a carriage return or line feed (a quoted id holding its line's end), no-break spaces (U+00A0, U+2007,
    /// U+202F), zero-width spaces and joiners (U+200B-U+200D, U+2060) and the byte order mark. Before, only spaces and
    /// tabs: 'gpc-000132' followed by a no-break space was published as a second candidacy. Any character inside an id,
    /// and its case, stay as written.
    /// </summary>
    public const string EndCharacters = " \t\r\n\u00A0\u2007\u202F\u200B\u200C\u200D\u2060\uFEFF";

    /// <summary>An id given on a command line or read from a truth file, as a run reads it (<see cref="EndCharacters"/>).</summary>
    public static string Trim(string id) => id.Trim(EndCharacters.ToCharArray());

    /// <summary>SQL: <paramref name="text"/> without <see cref="EndCharacters"/> at its ends.</summary>
    public static string Trimmed(string text) => $"trim({text}, {Sql.Literal(EndCharacters)})";
}
