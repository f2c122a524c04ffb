namespace ElectionMatch.Matching;

/// <summary>
/// Whether a CSV column's declared <c>data_type</c> (as DuckDB names it: <c>int8</c> is BIGINT) can hold what the match
/// takes from the column: an identifier, or a date. DuckDB casts text to almost any type, so a declaration that reads
/// ids as durations (<c>interval</c>: race 281028 became a length of time) or dates as numbers ran without a word.
/// </summary>
internal static class DeclaredTypeFit
{
    private static readonly HashSet<string> Integers = new(StringComparer.Ordinal)
    {
        "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
    };

    // DATE, and TIMESTAMP in each precision: their text starts with the date written, which is what InputDate reads.
    // TIMESTAMP WITH TIME ZONE is refused on its own (RunOperation.Resolve), as it keeps the instant, not the date.
    private static readonly HashSet<string> Dates = new(StringComparer.Ordinal)
    {
        "DATE", "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS",
    };

    /// <summary>
    /// Why an identifier cannot be read as <paramref name="type"/>, or null when it can: a whole number (DECIMAL with no
    /// scale too), text, or a UUID.
    /// </summary>
    /// <remarks>
    /// UUID is accepted: it is a type made for identifiers, DuckDB reads into it only a value that is one (any other is
    /// its row's EMQ010 quarantine, as for bigint), and it is published as a UUID in the same form every run.
    /// </remarks>
    public static string? IdentifierFault(string type) => type switch
    {
        "VARCHAR" or "UUID" => null,
        _ when Integers.Contains(type) || IsWholeDecimal(type) => null,
        "INTERVAL" => "reads each id as a length of time",
        "BOOLEAN" => "keeps of each id only true or false",
        "FLOAT" or "DOUBLE" => "rounds an id of more digits than it holds and publishes each id as a floating number",
        _ when type.StartsWith("DECIMAL", StringComparison.Ordinal) => "publishes each id as a number with a fraction",
        _ when IsTemporal(type) => "reads each id as a date or a time",
        _ => "is neither a whole number, text nor a UUID",
    };

    /// <summary>Why a date the match reads cannot be read from a column of <paramref name="type"/>, or null when it can.</summary>
    public static string? DateFault(string type) => type switch
    {
        "VARCHAR" => null,
        _ when Dates.Contains(type) => null,
        _ when Integers.Contains(type) || type is "FLOAT" or "DOUBLE" || type.StartsWith("DECIMAL", StringComparison.Ordinal) =>
            "reads each date as a number, and a number (20241105) is no date the match reads; it reads the date written at a value's start, 2024-11-05",
        _ => "holds no calendar date",
    };

    private static bool IsWholeDecimal(string type) =>
        type.StartsWith("DECIMAL(", StringComparison.Ordinal) && type.EndsWith(",0)", StringComparison.Ordinal);

    private static bool IsTemporal(string type) =>
        type.StartsWith("DATE", StringComparison.Ordinal) || type.StartsWith("TIME", StringComparison.Ordinal);
}
