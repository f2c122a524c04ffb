using System.Globalization;

namespace ElectionMatch.Tests;

/// <summary>
/// A new snapshot dated before today (a backfill of a missed day) publishes the inputs as they are today, which a run
/// without <c>--replace</c> published without a word; the run now says so, and says when the stable model stays on a
/// newer snapshot.
/// </summary>
public sealed class PastDateRunTests : IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    private CliProcess.Result Cli(params string[] args) => CliProcess.Run([.. args, "--project-dir", _fixture.Directory]);

    private static string DaysAgo(int days) => DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Fact]
    public void A_backfilled_date_says_it_holds_todays_inputs_and_where_the_stable_model_stays()
    {
        var today = DaysAgo(0);
        var first = Cli("run", Match, "--snapshot-date", DaysAgo(1));
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains($"date: {Match}_{DaysAgo(1).Replace("-", "", StringComparison.Ordinal)} is dated 1 day before today ({today}) and holds the inputs as they are today\n", first.Stdout, StringComparison.Ordinal);

        var current = Cli("run", Match);
        Assert.True(current.ExitCode == 0, current.Output);
        Assert.DoesNotContain("date: ", current.Stdout, StringComparison.Ordinal);

        var backfill = Cli("run", Match, "--snapshot-date", DaysAgo(3));

        Assert.True(backfill.ExitCode == 0, backfill.Output);
        Assert.Contains($"date: {Match}_{DaysAgo(3).Replace("-", "", StringComparison.Ordinal)} is dated 3 days before today ({today}) and holds the inputs as they are today; " +
            $"the stable model stays on the newest snapshot, {Match}_{today.Replace("-", "", StringComparison.Ordinal)}", backfill.Stdout, StringComparison.Ordinal);
        // The stable model was not moved onto the backfill.
        Assert.DoesNotContain($"stg_model_predictions__{Match}.sql", backfill.Stdout, StringComparison.Ordinal);
    }
}
