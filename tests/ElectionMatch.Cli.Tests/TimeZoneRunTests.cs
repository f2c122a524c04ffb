using System.Text.RegularExpressions;

namespace ElectionMatch.Tests;

/// <summary>
/// Dates written as zoned timestamps (<c>2024-11-05T00:00:00Z</c>, as exports from HubSpot and many warehouses write
/// them) are the same dates wherever the tool runs: DuckDB would otherwise cast them to dates in the machine's zone,
/// and west of Greenwich every such date falls on the day before.
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

    private string ContentHash(string date) =>
        System.Text.Json.JsonDocument.Parse(_fixture.Read($"electionmatch/manifests/candidacy_ddhq_matches_{date}.json"))
            .RootElement.GetProperty("content_sha256").GetString()!;

    [GeneratedRegex(@",(?<date>\d{4}-\d{2}-\d{2}),(?<state>[A-Z]{2}),")]
    private static partial Regex ResultsDate();

    [GeneratedRegex(@"(?<=,)(?<date>\d{4}-\d{2}-\d{2})(?=,|\r?$)", RegexOptions.Multiline)]
    private static partial Regex CandidacyDate();
}
