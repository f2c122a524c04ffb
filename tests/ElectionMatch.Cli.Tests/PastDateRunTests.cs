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

    /// <summary>
    /// A snapshot published with --allow-future-date stays the newest until its date passes; a run of today, or a
    /// replace of a past date, publishes a snapshot the stable model does not move to, and said nothing of it.
    /// </summary>
    [Fact]
    public void A_run_of_today_says_the_stable_model_stays_on_a_future_dated_snapshot()
    {
        var today = DaysAgo(0);
        var future = DaysAgo(-10);
        var futureTable = $"{Match}_{future.Replace("-", "", StringComparison.Ordinal)}";
        var ahead = Cli("run", Match, "--snapshot-date", future, "--allow-future-date");
        Assert.True(ahead.ExitCode == 0, ahead.Output);

        var current = Cli("run", Match);

        Assert.True(current.ExitCode == 0, current.Output);
        Assert.Contains($"date: {Match}_{today.Replace("-", "", StringComparison.Ordinal)} is dated {today}, before {futureTable} ({future}); " +
            $"the stable model stays on the newest snapshot, {futureTable}\n", current.Stdout, StringComparison.Ordinal);
        Assert.Contains($"ref('stg_model_predictions__{futureTable}')",
            File.ReadAllText(Path.Combine(_fixture.Directory, "models", "staging", "model_predictions_source", $"stg_model_predictions__{Match}.sql")), StringComparison.Ordinal);

        var backfill = Cli("run", Match, "--snapshot-date", DaysAgo(2));
        Assert.True(backfill.ExitCode == 0, backfill.Output);
        var replaced = Cli("run", Match, "--snapshot-date", DaysAgo(2), "--replace");

        Assert.True(replaced.ExitCode == 0, replaced.Output);
        Assert.Contains($"; the stable model stays on the newest snapshot, {futureTable}\n", replaced.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("holds the inputs as they are today", replaced.Stdout, StringComparison.Ordinal);
    }
}
