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
