namespace ElectionMatch.Matching;

/// <summary>
/// How a match reads a date of its inputs (an election date on either side, and the quarantine's test of one): the
/// calendar date written at the value's start. <c>2026-11-03</c>, <c>2026-11-03 15:30:00</c>,
/// <c>2026-11-03T00:00:00+02:00</c> and <c>2026-11-03T20:30:00-05:00</c> are all 3 November, whatever the offset: the
/// date a person wrote, not the UTC date of the instant, which east of Greenwich is the day before (and late in the day
/// west of it the day after). Every reader of a date calls this, so the matching and the quarantine cannot disagree.
/// </summary>
/// <remarks>
/// The value arrives as text (the cleaning casts each mapped column to VARCHAR), and DuckDB's cast of text to DATE
/// reads the date at its start and ignores a time and an offset after it, so a plain date and a zoned one cost one cast
/// alike (no second parse). A CSV file's zoned column is read as its text (<see cref="CsvInput"/>), not as TIMESTAMP
/// WITH TIME ZONE, which would keep only the instant. A column stored as TIMESTAMP WITH TIME ZONE (a parquet file, a
/// warehouse table) has no offset left to read: its text, in the UTC every connection sets, gives its UTC date.
/// </remarks>
internal static class InputDate
{
    /// <summary>SQL for the date of <paramref name="text"/> (an expression of type VARCHAR), null when it has none.</summary>
    public static string Sql(string text) => $"try_cast({text} as date)";
}
