using ElectionMatch.Diagnostics;

namespace ElectionMatch.Tests;

/// <summary>
/// The command that verify and check advise when the settings changed since the newest snapshot (EM0609) runs as written
/// in the daily workflow: today's snapshot already exists, made by an incremental run. Before, the advice was
/// `electionmatch run &lt;match&gt;`, which that day is refused (EM0040: the snapshot exists) and drops --incremental.
/// </summary>
public sealed class CurrentSnapshotAdviceTests : IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    private CliProcess.Result Cli(params string[] args) => CliProcess.Run([.. args, "--project-dir", _fixture.Directory]);

    [Fact]
    public void The_advised_run_replaces_todays_incremental_snapshot_and_clears_the_warning()
    {
        var first = Cli("run", Match, "--incremental");
        Assert.True(first.ExitCode == 0, first.Output);
        _fixture.Write("electionmatch.yml", _fixture.Read("electionmatch.yml").Replace("      top_k: 5\n", "      top_k: 6\n", StringComparison.Ordinal));

        var check = Cli("check");

        Assert.True(check.ExitCode == 0, check.Output);
        var warning = Assert.Single(check.Stderr.Split('\n'), l => l.Contains($"warning {Codes.SnapshotInputsChanged}: the settings of {Match}", StringComparison.Ordinal));
        var advised = $"electionmatch run {Match} --incremental --replace --project-dir {_fixture.Directory}";
        var today = System.Text.RegularExpressions.Regex.Match(first.Stdout, $@"published model_predictions\.({Match}_[0-9]{{8}})").Groups[1].Value;
        Assert.EndsWith($"in {today}'s place: `{advised}`", warning, StringComparison.Ordinal);

        // The advice, as written (its --project-dir included), publishes a current snapshot, and the warning is gone.
        var words = advised.Split(' ');
        var rerun = CliProcess.Run(words[1..]);
        Assert.True(rerun.ExitCode == 0, rerun.Output);
        Assert.Contains("incremental:", rerun.Stdout, StringComparison.Ordinal);
        var after = Cli("check");
        Assert.True(after.ExitCode == 0, after.Output);
        Assert.DoesNotContain(Codes.SnapshotInputsChanged, after.Stderr, StringComparison.Ordinal);
    }

    // Before: in a clone without the warehouse (CI), whose snapshot log records the run's options, the advice dropped --incremental.
    [Fact]
    public void Without_the_warehouse_the_advice_keeps_incremental_from_the_manifest()
    {
        var first = Cli("run", Match, "--incremental");
        Assert.True(first.ExitCode == 0, first.Output);
        var today = System.Text.RegularExpressions.Regex.Match(first.Stdout, $@"published model_predictions\.({Match}_[0-9]{{8}})").Groups[1].Value;
        Assert.Contains("\"run_options\": \"--incremental\"", _fixture.Read($"electionmatch/manifests/{today}.json"), StringComparison.Ordinal);
        _fixture.Write("electionmatch.yml", _fixture.Read("electionmatch.yml").Replace("      top_k: 5\n", "      top_k: 6\n", StringComparison.Ordinal));
        File.Delete(_fixture.WarehousePath);

        var check = Cli("check");

        var warning = Assert.Single(check.Stderr.Split('\n'), l => l.Contains($"warning {Codes.SnapshotInputsChanged}: the settings of {Match}", StringComparison.Ordinal));
        Assert.EndsWith($"in {today}'s place: `electionmatch run {Match} --incremental --replace --project-dir {_fixture.Directory}`", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Before_todays_snapshot_exists_the_advice_is_a_run_for_today()
    {
        var earlier = Cli("run", Match, "--snapshot-date", DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(earlier.ExitCode == 0, earlier.Output);
        _fixture.Write("electionmatch.yml", _fixture.Read("electionmatch.yml").Replace("      top_k: 5\n", "      top_k: 6\n", StringComparison.Ordinal));

        var verify = Cli("verify", "--no-inputs");

        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains($"run the match to publish a current snapshot: `electionmatch run {Match} --project-dir {_fixture.Directory}`", verify.Stderr, StringComparison.Ordinal);
    }
}
