namespace ElectionMatch.Evaluation;

/// <summary>
/// The text evaluate compares ids by, on every side (snapshot, truth file, right input, retrieval tables, quarantine):
/// an integral floating value reads as its integer. pandas writes an integer column with nulls as DOUBLE, which a run
/// keeps, and whose text is '1402844.0' (or '1e+16') where a truth file says '1402844'.
/// </summary>
internal static class IdText
{
    /// <summary>SQL for the id text of <paramref name="sql"/>, a value of any type (a truth file's text too).</summary>
    /// <remarks>
    /// Only text that is a number with a zero fraction ('1402844.0', DECIMAL's '1402844.000', '-5.0') or an integral
    /// exponent form ('1e+16', DOUBLE's text from 10^16 up) changes; any other id ('007', 'gpc-000132', '0.5') is its text.
    /// </remarks>
    public static string Of(string sql)
    {
        var text = $"cast({sql} as varchar)";
        var number = $"try_cast({text} as double)";
        return $"""
            case
                when regexp_full_match({text}, '-?[0-9]+(\.[0-9]+)?[eE]\+?[0-9]+') and {number} = trunc({number}) and abs({number}) < 1e38
                    then cast(cast({number} as hugeint) as varchar)
                else regexp_replace({text}, '^(-?[0-9]+)\.0+$', '\1')
            end
            """;
    }
}
