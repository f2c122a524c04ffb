namespace ElectionMatch.Matching;

/// <summary>
/// A format an input may set for a CSV file's temporal columns: the key in electionmatch.yml, DuckDB's reader option
/// that takes it, the column type the sniffer gives the values it reads, and the words and examples errors use.
/// </summary>
public sealed record TemporalFormat(string Key, string Option, string Type, string Values, string Example)
{
    /// <summary>One value of this kind, as messages name it: a date, a timestamp.</summary>
    public string Value => Values[..^1];

    public static readonly TemporalFormat Date = new("date_format", "dateformat", "DATE", "dates",
        "'%m/%d/%Y' for 11/05/2024 month first or '%d/%m/%Y' day first");

    public static readonly TemporalFormat Timestamp = new("timestamp_format", "timestampformat", "TIMESTAMP", "timestamps",
        "'%m/%d/%Y %H:%M:%S' for 11/05/2024 15:30:00 month first or '%d/%m/%Y %H:%M:%S' day first");

    public static IReadOnlyList<TemporalFormat> All { get; } = [Date, Timestamp];

    /// <summary>The format DuckDB's reader option <paramref name="option"/> sets.</summary>
    public static TemporalFormat ForOption(string option) => All.Single(f => f.Option == option);
}
