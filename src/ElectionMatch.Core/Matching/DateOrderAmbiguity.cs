using System.Globalization;

namespace ElectionMatch.Matching;

/// <summary>
/// A CSV column whose dates read both day first and month first (<see cref="CsvInput.DatesOfEitherOrder"/>): every value
/// fits <paramref name="Other"/>, the sniffer's <paramref name="Format"/> with day and month swapped, and
/// <paramref name="Example"/> reads as another date under each.
/// </summary>
/// <param name="Option">The reader's option that sets the format: <c>dateformat</c>, or <c>timestampformat</c> for a TIMESTAMP column.</param>
/// <param name="AsFormat">The example's date under the sniffer's format; null when that format does not read it.</param>
/// <param name="Values">The column's values (not blank).</param>
/// <param name="ReadByFormat">How many of them the sniffer's format reads.</param>
public sealed record DateOrderAmbiguity(string Column, string Option, string Format, string Other, string Example, string? AsFormat, string AsOther, long Values, long ReadByFormat)
{
    /// <summary>The error's text: both readings, and the two ways out.</summary>
    public string Message(string description)
    {
        var (format, other) = ($"{Order(Format)} ({Format})", $"{Order(Other)} ({Other})");
        var which = ReadByFormat == Values
            ? string.Create(CultureInfo.InvariantCulture, $"every one of its {Values:N0} dates reads both {other} and {format}")
            : string.Create(CultureInfo.InvariantCulture, $"every one of its {Values:N0} dates reads {other}, while DuckDB's sniffer took {format} from the file's first rows, which {Values - ReadByFormat:N0} of them do not fit");
        var example = $"'{Example}' is {AsOther} {Order(Other)}" + (AsFormat is null ? "" : $", {AsFormat} {Order(Format)}");
        return $"cannot read {description}: the order of day and month in column '{Column}' cannot be told: {which} ({example}), so its dates would be read one way without a word; " +
            $"set the file's order on the input, {Key}: \"{Other}\" (or \"{Format}\"), beside its relation:, or write them as YYYY-MM-DD " +
            $"(a call as the source's external_location, read_csv('…', {Option} = '{Other}'), reads too, but without the reject store: an unreadable line then fails the run)";
    }

    /// <summary>The input's key that sets the format: <c>date_format</c>, or <c>timestamp_format</c> for a TIMESTAMP column.</summary>
    public string Key => TemporalFormat.ForOption(Option).Key;

    private static string Order(string format) =>
        format.IndexOf("%m", StringComparison.Ordinal) < format.IndexOf("%d", StringComparison.Ordinal) ? "month first" : "day first";
}
