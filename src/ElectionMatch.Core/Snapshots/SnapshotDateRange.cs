using System.Globalization;
using ElectionMatch.Diagnostics;

namespace ElectionMatch.Snapshots;

/// <summary>
/// The dates a run may publish under. The newest date is the snapshot the stable model reads, so a date in the future
/// would stay "newest" over every real run until it passed; a date before any election data is a typo.
/// </summary>
public static class SnapshotDateRange
{
    /// <summary>Before any election data a team would match, and what DuckDB and dbt readers take as plainly wrong.</summary>
    public static readonly DateOnly Earliest = new(1900, 1, 1);

    /// <summary>Whether publishing under <paramref name="date"/> needs <c>--allow-future-date</c>: it is after tomorrow (UTC).</summary>
    public static bool NeedsAllowFuture(DateOnly date, DateOnly todayUtc) => date > todayUtc.AddDays(1);

    /// <summary>
    /// <paramref name="text"/> as a YYYY-MM-DD date, or EM0041 naming <paramref name="option"/> (<c>--snapshot-date</c>,
    /// MSBuild's <c>SnapshotDate</c>). A value in that form that is no day of the calendar says which part is not: it is in
    /// the form, and "not a date in the form YYYY-MM-DD" alone sent the reader looking at the form (before, 2026-02-30).
    /// </summary>
    public static DateOnly Parse(string option, string text)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        var why = "";
        if (text.Length == 10 && text[4] == '-' && text[7] == '-' && text.Remove(7, 1).Remove(4, 1).All(char.IsAsciiDigit))
        {
            var (year, month, day) = (int.Parse(text[..4], CultureInfo.InvariantCulture), int.Parse(text[5..7], CultureInfo.InvariantCulture), int.Parse(text[8..], CultureInfo.InvariantCulture));
            why = year == 0 ? ": there is no year 0000"
                : month is < 1 or > 12 ? $": there is no month {text[5..7]} (01 to 12)"
                : $": {text[..7]} has no day {text[8..]} (it has {DateTime.DaysInMonth(year, month)})";
        }

        throw DiagnosticException.At(Codes.InvalidSnapshotDate, SourceSpan.None, $"{option} '{text}' is not a date in the form YYYY-MM-DD{why}");
    }

    /// <summary>EM0041 unless <paramref name="date"/> is from <see cref="Earliest"/> to tomorrow (UTC), or later with <paramref name="allowFuture"/>.</summary>
    /// <param name="todayUtc">Today's date in UTC. Tomorrow is still allowed: a team east of UTC may pass its own today's date.</param>
    public static void Check(DateOnly date, DateOnly todayUtc, bool allowFuture)
    {
        var text = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (date < Earliest)
        {
            throw DiagnosticException.At(Codes.InvalidSnapshotDate, SourceSpan.None, $"snapshot date {text} is before {Earliest.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}; it would publish {text.Replace("-", "", StringComparison.Ordinal)}, surely a typo");
        }

        var tomorrow = todayUtc.AddDays(1);
        if (NeedsAllowFuture(date, todayUtc) && !allowFuture)
        {
            throw DiagnosticException.At(
                Codes.InvalidSnapshotDate,
                SourceSpan.None,
                $"snapshot date {text} is after tomorrow ({tomorrow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}, UTC): it would be the newest snapshot, and the stable model would read it instead of every run until then; pass --allow-future-date (MSBuild: -p:AllowFutureDate=true) if that is meant");
        }
    }
}
