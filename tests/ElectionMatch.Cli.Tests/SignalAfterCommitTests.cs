using ElectionMatch.Safety;

namespace ElectionMatch.Tests;

/// <summary>
/// Ctrl-C once a run's snapshot is committed: what a stop can no longer undo is finished, not cut off. Before, the CLI
/// ended the process 2 s after the signal whatever it was doing, and a run signalled while it wrote the snapshot's
/// files (parquet, manifest, staging model) left it interrupted (EM0608), saying only "cancelled".
/// </summary>
public sealed class SignalAfterCommitTests : IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void A_run_stopped_after_its_commit_writes_the_snapshot_s_files_and_check_passes()
    {
        var release = Path.Combine(_fixture.Directory, "release-hold");
        using var running = WatchedCli.Start(
            new Dictionary<string, string> { [CrashPoint.HoldVariable] = "parquet:renamed=" + release },
            "run", Match, "--allow-future-date", "--snapshot-date", "2030-07-01", "--project-dir", _fixture.Directory);
        running.WaitForStderr("held at parquet:renamed");

        running.Interrupt();
        running.WaitForStderr("electionmatch: stopping after the commit: snapshot candidacy_ddhq_matches_20300701 is committed and its files are being written");
        // Past the 2 s after which the CLI ends a command that has not stopped: this one must still be running.
        Thread.Sleep(TimeSpan.FromSeconds(3));
        File.WriteAllText(release, "");
        var finished = running.Finish();

        Assert.True(finished.ExitCode == 0, finished.Output);
        Assert.DoesNotContain("the command was ended", finished.Stderr, StringComparison.Ordinal);
        Assert.Contains("published model_predictions.candidacy_ddhq_matches_20300701", finished.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(_fixture.PathOf($"electionmatch/manifests/{Match}_20300701.json")));
        var check = CliProcess.Run("check", "--project-dir", _fixture.Directory);
        Assert.True(check.ExitCode == 0, check.Output);
    }

    // Before: 130, Ctrl-C's code, for a run that SIGTERM stopped in time; 143 only when the CLI ended it 2 s later.
    [Fact]
    public void A_run_stopped_by_SIGTERM_before_its_commit_exits_with_SIGTERM_s_code_and_publishes_nothing()
    {
        var release = Path.Combine(_fixture.Directory, "release-hold");
        using var running = WatchedCli.Start(
            new Dictionary<string, string> { [CrashPoint.HoldVariable] = "stage:left_input=" + release },
            "run", Match, "--allow-future-date", "--snapshot-date", "2030-07-02", "--project-dir", _fixture.Directory);
        running.WaitForStderr("held at stage:left_input");

        running.Terminate();
        File.WriteAllText(release, "");
        var stopped = running.Finish();

        Assert.True(stopped.ExitCode == 143, stopped.Output);
        Assert.Contains("electionmatch: cancelled; nothing was published", stopped.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_fixture.PathOf($"electionmatch/manifests/{Match}_20300702.json")));
    }
}
