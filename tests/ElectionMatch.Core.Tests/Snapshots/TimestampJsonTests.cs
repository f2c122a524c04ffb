using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ElectionMatch.Benchmarking;
using ElectionMatch.Snapshots;

namespace ElectionMatch.Tests.Snapshots;

/// <summary>
/// The timestamps of the JSON files the tool writes (a manifest's <c>created_at_utc</c>, <c>bench --json</c>'s
/// <c>started_at_utc</c>) are ISO 8601 in UTC with the offset written out, the same in both.
/// </summary>
public sealed partial class TimestampJsonTests
{
    private static readonly DateTimeOffset HalfPastTwoAtPlusTwoThirty = DateTimeOffset.Parse("2030-01-01T02:30:00+02:30", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00$")]
    private static partial Regex IsoUtc();

    // Before, each was written with the offset it was given, "2030-01-01T02:30:00+02:30".
    [Fact]
    public void The_manifest_and_the_bench_result_write_their_timestamps_in_UTC_in_one_form()
    {
        var manifest = Manifest(HalfPastTwoAtPlusTwoThirty).ToJson();
        var bench = new BenchResult(Machine, HalfPastTwoAtPlusTwoThirty, []).ToJson();

        var created = JsonDocument.Parse(manifest).RootElement.GetProperty("created_at_utc").GetString()!;
        var started = JsonDocument.Parse(bench).RootElement.GetProperty("started_at_utc").GetString()!;

        Assert.Equal("2030-01-01T00:00:00+00:00", created);
        Assert.Equal(created, started);
        Assert.Matches(IsoUtc(), created);
    }

    // Before, a --from file's own offset was kept, and the page showed its local clock time labelled UTC: "02:30 UTC".
    [Fact]
    public void A_bench_result_read_with_another_offset_is_written_and_shown_in_UTC()
    {
        var json = new BenchResult(Machine, DateTimeOffset.UnixEpoch, []).ToJson().Replace("1970-01-01T00:00:00+00:00", "2030-01-01T02:30:00+02:30", StringComparison.Ordinal);

        var read = BenchResult.FromJson(json);

        Assert.Equal(TimeSpan.Zero, read.StartedAtUtc.Offset);
        Assert.Contains("\"started_at_utc\": \"2030-01-01T00:00:00+00:00\"", read.ToJson(), StringComparison.Ordinal);
        Assert.Contains("started 2030-01-01 00:00 UTC.", BenchPage.Render(read, "results.svg"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2030-01-01T00:00:00Z")]
    [InlineData("2030-01-01T00:00:00.5+00:00")]
    [InlineData("2029-12-31T19:00:00-05:00")]
    public void A_timestamp_with_an_explicit_offset_is_read_as_that_instant(string text)
    {
        var json = Manifest(DateTimeOffset.UnixEpoch).ToJson().Replace("1970-01-01T00:00:00+00:00", text, StringComparison.Ordinal);

        var read = SnapshotManifest.FromJson(json).CreatedAtUtc;

        Assert.Equal(DateTimeOffset.Parse(text, CultureInfo.InvariantCulture), read);
        Assert.Equal(TimeSpan.Zero, read.Offset);
    }

    // Before, read in the local time zone of the machine that read it.
    [Fact]
    public void A_timestamp_without_an_offset_is_refused()
    {
        var json = Manifest(DateTimeOffset.UnixEpoch).ToJson().Replace("1970-01-01T00:00:00+00:00", "2030-01-01T00:00:00", StringComparison.Ordinal);

        var error = Assert.Throws<JsonException>(() => SnapshotManifest.FromJson(json));

        Assert.Contains("UTC offset", error.Message, StringComparison.Ordinal);
    }

    private static readonly MachineFacts Machine = new(2, "Test CPU", 8, "Linux", ".NET 10.0.0", "0.1.0", "abc123");

    private static SnapshotManifest Manifest(DateTimeOffset created) => new()
    {
        Tool = ToolInfo.Name,
        ToolVersion = "0.1.0",
        Match = "candidacy_ddhq_matches",
        Snapshot = "candidacy_ddhq_matches_20300101",
        Table = "model_predictions.candidacy_ddhq_matches_20300101",
        QuarantineTable = "model_predictions.candidacy_ddhq_matches_20300101__quarantine",
        SnapshotDate = "2030-01-01",
        CreatedAtUtc = created,
        SettingsSha256 = "0",
        TemplateSha256 = new Dictionary<string, string>(),
        Inputs = [],
        Counts = new Dictionary<string, long>(),
        Rows = 0,
        ContentSha256 = "0",
    };
}
