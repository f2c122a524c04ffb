using System.Globalization;

namespace ElectionMatch.Tests;

/// <summary>Command-line values a run cannot take are refused before anything is read or written.</summary>
public sealed class RunOptionValidationTests : IDisposable
{
    private const string Match = "llm_l2_br_match";
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    private CliProcess.Result Cli(params string[] args) => CliProcess.Run([.. args, "--project-dir", _fixture.Directory]);

    private static string Date(int daysFromTodayUtc) =>
        DateOnly.FromDateTime(DateTime.UtcNow).AddDays(daysFromTodayUtc).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private void AssertRefusedAndNothingChanged(Dictionary<string, string> before, CliProcess.Result result, string expected)
    {
        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.Stderr.Split('\n'), l => l.Contains(": error EM", StringComparison.Ordinal));
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("published", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, _fixture.Snapshot());
    }

    [Theory]
    [InlineData("run", "-5")]
    [InlineData("check", "-0.5")]
    [InlineData("verify", "NaN")]
    public void A_negative_or_non_finite_lock_timeout_is_refused(string command, string seconds)
    {
        var before = _fixture.Snapshot();

        var result = Cli([command, .. command == "run" ? new[] { Match } : [], "--lock-timeout", seconds]);

        AssertRefusedAndNothingChanged(before, result, $"error EM0044: --lock-timeout {seconds} is not a number of seconds (0 or more)");
    }

    [Theory]
    [InlineData("check", "99999999999999")]
    [InlineData("verify", "1e300")]
    [InlineData("run", "Infinity")]
    public void A_lock_timeout_beyond_the_longest_wait_is_refused_saying_the_longest(string command, string seconds)
    {
        var before = _fixture.Snapshot();

        var result = Cli([command, .. command == "run" ? new[] { Match } : [], "--lock-timeout", seconds]);

        // Before: "is not a number of seconds", of a number; and no word of how long a wait may be.
        AssertRefusedAndNothingChanged(before, result, $"error EM0044: --lock-timeout {seconds} is more than it takes (100000000000 at most)");
    }

    [Fact]
    public void The_longest_lock_timeout_is_taken()
    {
        var result = Cli(["check", "--lock-timeout", "1e11"]);

        Assert.DoesNotContain("EM0044", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run", "abc")]
    [InlineData("generate", "1,5")]
    [InlineData("verify", "")]
    public void A_lock_timeout_that_is_not_a_number_is_refused_naming_it(string command, string seconds)
    {
        var before = _fixture.Snapshot();

        var result = Cli([command, .. command == "run" ? new[] { Match } : [], "--lock-timeout", seconds]);

        // Before: System.CommandLine's "Cannot parse argument" and the help, with no code ("1,5" was read as 15 seconds).
        AssertRefusedAndNothingChanged(before, result, $"electionmatch: error EM0044: --lock-timeout '{seconds}' is not a number of seconds (0 or more)");
        Assert.DoesNotContain("Usage:", result.Output, StringComparison.Ordinal);
    }

    // Before: "is not a date in the form YYYY-MM-DD" alone, of a value in that very form.
    [Theory]
    [InlineData("2026-02-30", "2026-02 has no day 30 (it has 28)")]
    [InlineData("2028-02-30", "2028-02 has no day 30 (it has 29)")]
    [InlineData("2026-13-01", "there is no month 13 (01 to 12)")]
    public void A_snapshot_date_in_the_form_that_is_no_day_says_which_part_is_not(string date, string why)
    {
        var before = _fixture.Snapshot();

        var result = Cli("run", Match, "--snapshot-date", date);

        AssertRefusedAndNothingChanged(before, result, $"error EM0041: --snapshot-date '{date}' is not a date in the form YYYY-MM-DD: {why}");
    }

    [Theory]
    [InlineData("0001-01-01")]
    [InlineData("1899-12-31")]
    public void A_snapshot_date_before_1900_is_refused(string date)
    {
        var before = _fixture.Snapshot();

        var result = Cli("run", Match, "--snapshot-date", date, "--allow-future-date");

        AssertRefusedAndNothingChanged(before, result, $"error EM0041: snapshot date {date} is before 1900-01-01");
    }

    [Theory]
    [InlineData("--incremental")]
    [InlineData("--full")]
    [InlineData("--retrain")]
    public void An_incremental_run_of_a_district_match_is_refused_before_the_warehouse_is_opened(string flag)
    {
        var before = _fixture.Snapshot();

        var result = Cli("run", Match, flag, "--snapshot-date", Date(0));

        // It used to be refused after opening the warehouse, which a fresh project then had as an empty file.
        AssertRefusedAndNothingChanged(before, result, "error EM0725: match 'llm_l2_br_match' is of kind l2_ballotready; incremental runs (--incremental, --full, --retrain) exist for candidacy_ddhq matches only");
        Assert.DoesNotContain("startup", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_date_after_tomorrow_is_refused_without_allow_future_date()
    {
        var before = _fixture.Snapshot();

        var result = Cli("run", Match, "--snapshot-date", Date(2));

        AssertRefusedAndNothingChanged(before, result, $"error EM0041: snapshot date {Date(2)} is after tomorrow ({Date(1)}, UTC)");
        Assert.Contains("pass --allow-future-date", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Tomorrow_is_allowed_and_a_later_date_with_allow_future_date()
    {
        var tomorrow = Cli("run", Match, "--snapshot-date", Date(1));
        var later = Cli("run", Match, "--snapshot-date", Date(30), "--allow-future-date");

        Assert.True(tomorrow.ExitCode == 0, tomorrow.Output);
        Assert.Contains($"published model_predictions.{Match}_{Date(1).Replace("-", "", StringComparison.Ordinal)}", tomorrow.Stdout, StringComparison.Ordinal);
        Assert.True(later.ExitCode == 0, later.Output);
        Assert.Contains($"published model_predictions.{Match}_{Date(30).Replace("-", "", StringComparison.Ordinal)}", later.Stdout, StringComparison.Ordinal);
    }
}
