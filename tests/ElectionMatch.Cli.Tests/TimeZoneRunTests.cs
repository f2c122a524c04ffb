using System.Text.RegularExpressions;

namespace ElectionMatch.Tests;

/// <summary>
/// Dates written as zoned timestamps (<c>2024-11-05T00:00:00Z</c>, as exports from HubSpot and many warehouses write
/// them) are the same dates wherever the tool runs: DuckDB would otherwise cast them to dates in the machine's zone,
/// and west of Greenwich every such date falls on the day before. A date written with another offset is the date
/// written (docs/configuration.md), not the day its instant falls on in UTC.
/// </summary>
public sealed partial class TimeZoneRunTests : IDisposable
{
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Zoned_timestamps_give_the_same_snapshot_in_new_york_as_plain_dates_do_and_verify_agrees_in_los_angeles()
    {
        var plain = CliProcess.RunWith(new Dictionary<string, string?> { ["TZ"] = "UTC" },
            "run", "candidacy_ddhq_matches", "--project-dir", _fixture.Directory, "--snapshot-date", "2025-12-01");
        Assert.True(plain.ExitCode == 0, plain.Output);
        var results = "data/airbyte/ddhq_election_results.csv";
        var candidacies = "data/airbyte/hubspot_candidacy.csv";
        _fixture.Write(results, ResultsDate().Replace(_fixture.Read(results), ",${date}T00:00:00Z,${state},"));
        _fixture.Write(candidacies, CandidacyDate().Replace(_fixture.Read(candidacies), "${date}T00:00:00.000Z"));
        Assert.Contains("T00:00:00Z,", _fixture.Read(results), StringComparison.Ordinal);
        Assert.Contains("T00:00:00.000Z", _fixture.Read(candidacies), StringComparison.Ordinal);

        var zoned = CliProcess.RunWith(new Dictionary<string, string?> { ["TZ"] = "America/New_York" },
            "run", "candidacy_ddhq_matches", "--project-dir", _fixture.Directory, "--snapshot-date", "2025-12-02");
        var verify = CliProcess.RunWith(new Dictionary<string, string?> { ["TZ"] = "America/Los_Angeles" }, "verify", "--project-dir", _fixture.Directory);

        Assert.True(zoned.ExitCode == 0, zoned.Output);
        Assert.Contains("published model_predictions.candidacy_ddhq_matches_20251202 (360 rows, 299 matched)", zoned.Stdout, StringComparison.Ordinal);
        Assert.Equal(ContentHash("20251201"), ContentHash("20251202"));
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.DoesNotContain("EM0609", verify.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Dates_written_with_an_offset_are_read_on_the_day_they_name_on_either_side()
    {
        var plain = Run("2025-12-01");
        var results = "data/airbyte/ddhq_election_results.csv";
        var candidacies = "data/airbyte/hubspot_candidacy.csv";
        var written = _fixture.Read(candidacies);
        // East of Greenwich at midnight the instant is on the day before in UTC; late in the evening west of it, the day after.
        var n = 0;
        _fixture.Write(candidacies, CandidacyDate().Replace(written, m => m.Value + (n++ % 2 == 0 ? "T00:00:00+02:00" : "T20:30:00-05:00")));
        Assert.Contains("T00:00:00+02:00", _fixture.Read(candidacies), StringComparison.Ordinal);
        Assert.Contains("T20:30:00-05:00", _fixture.Read(candidacies), StringComparison.Ordinal);
        var zonedCandidacies = Run("2025-12-02");

        _fixture.Write(candidacies, written);
        _fixture.Write(results, ResultsDate().Replace(_fixture.Read(results), ",${date} 00:00:00+05:30,${state},"));
        Assert.Contains(" 00:00:00+05:30,", _fixture.Read(results), StringComparison.Ordinal);
        var zonedResults = Run("2025-12-03");

        foreach (var (run, date) in new[] { (plain, "20251201"), (zonedCandidacies, "20251202"), (zonedResults, "20251203") })
        {
            Assert.True(run.ExitCode == 0, run.Output);
            Assert.Contains($"published model_predictions.candidacy_ddhq_matches_{date} (360 rows, 299 matched)", run.Stdout, StringComparison.Ordinal);
            Assert.Contains("quarantined: 0 left, 0 right rows", run.Stdout, StringComparison.Ordinal);
        }

        Assert.Equal(ContentHash("20251201"), ContentHash("20251202"));
        Assert.Equal(ContentHash("20251201"), ContentHash("20251203"));
    }

    private CliProcess.Result Run(string snapshotDate) =>
        CliProcess.Run("run", "candidacy_ddhq_matches", "--project-dir", _fixture.Directory, "--snapshot-date", snapshotDate);

    private string ContentHash(string date) =>
        System.Text.Json.JsonDocument.Parse(_fixture.Read($"electionmatch/manifests/candidacy_ddhq_matches_{date}.json"))
            .RootElement.GetProperty("content_sha256").GetString()!;

    [GeneratedRegex(@",(?<date>\d{4}-\d{2}-\d{2}),(?<state>[A-Z]{2}),")]
    private static partial Regex ResultsDate();

    [GeneratedRegex(@"(?<=,)(?<date>\d{4}-\d{2}-\d{2})(?=,|\r?$)", RegexOptions.Multiline)]
    private static partial Regex CandidacyDate();
}
