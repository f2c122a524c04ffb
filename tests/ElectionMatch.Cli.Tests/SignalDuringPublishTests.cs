using ElectionMatch.Safety;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// Ctrl-C or SIGTERM while a run publishes its snapshot. Before, the run heard a stop for the last time before the
/// publish and was told it was finishing only once the publish had returned: a signal inside the publish transaction
/// let it commit and publish (exit 0, the signal never mentioned), and one during the commit or the checkpoint after it
/// got no word and the CLI's cut-off 2 s later, which on a large project ended the publish halfway with only
/// "cancelled". Now a stop before the commit rolls the publish back (exit 130, or 143 for SIGTERM, saying nothing was
/// published), and one from the commit on lets the run finish the snapshot, as after it.
/// </summary>
public sealed class SignalDuringPublishTests : IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Theory]
    [InlineData("SIGINT", 130)]
    [InlineData("SIGTERM", 143)]
    public void A_run_signalled_inside_its_publish_transaction_rolls_it_back_and_says_nothing_was_published(string signal, int exitCode)
    {
        const string snapshot = "candidacy_ddhq_matches_20300704";
        var release = Path.Combine(_fixture.Directory, "release-hold");
        // The last point before the commit: the snapshot's tables renamed into place and its log row written, uncommitted.
        using var running = WatchedCli.Start(
            new Dictionary<string, string> { [CrashPoint.HoldVariable] = "publish:renamed=" + release, [CrashPoint.SaySignalsVariable] = "1" },
            "run", Match, "--allow-future-date", "--snapshot-date", "2030-07-04", "--project-dir", _fixture.Directory);
        running.WaitForStderr("held at publish:renamed");

        Send(running, signal);
        // Released once the run has the stop: before, a loaded host ran the handler after the release, and the run committed.
        running.WaitForStderr("signal 1 handled");
        File.WriteAllText(release, "");
        var stopped = running.Finish();

        Assert.True(stopped.ExitCode == exitCode, stopped.Output);
        Assert.Contains($"electionmatch: cancelled; nothing was published (the publish of {snapshot} was stopped before its commit and rolled back)", stopped.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("the command was ended", stopped.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("published model_predictions", stopped.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(_fixture.PathOf($"electionmatch/manifests/{snapshot}.json")));
        Assert.False(File.Exists(_fixture.PathOf($"target/model_predictions/{snapshot}.parquet")));
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true))
        {
            Assert.False(warehouse.TableExists("model_predictions", snapshot));
            Assert.False(warehouse.TableExists("model_predictions", snapshot + "__quarantine"));
            Assert.Equal(0, warehouse.Scalar<long>("select count(*) from information_schema.tables where starts_with(table_name, '__em_publishing_')"));
            Assert.Equal(0, LoggedPublishes(warehouse, snapshot));
        }

        // Not interrupted (EM0608): nothing of it is left for check to name.
        var check = CliProcess.Run("check", "--project-dir", _fixture.Directory);
        Assert.True(check.ExitCode == 0, check.Output);
    }

    // Before: "cancelled; the command was ended 2 s after the signal", nothing more, for a publish it ended halfway.
    [Fact]
    public void A_publish_that_does_not_stop_is_ended_2_s_after_the_signal_saying_nothing_was_published()
    {
        const string snapshot = "candidacy_ddhq_matches_20300707";
        // Held inside the transaction and never released: work that does not watch the stop, as a DuckDB statement.
        using var running = WatchedCli.Start(
            new Dictionary<string, string> { [CrashPoint.HoldVariable] = "publish:staged=" + Path.Combine(_fixture.Directory, "never-released") },
            "run", Match, "--allow-future-date", "--snapshot-date", "2030-07-07", "--project-dir", _fixture.Directory);
        running.WaitForStderr("held at publish:staged");

        running.Terminate();
        var ended = running.Finish();

        Assert.True(ended.ExitCode == 143, ended.Output);
        Assert.Contains($"electionmatch: cancelled; the command was ended 2 s after the signal; nothing was published: the publish of {snapshot} was not committed, and DuckDB rolls it back when the warehouse is next opened", ended.Stderr, StringComparison.Ordinal);
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true))
        {
            Assert.False(warehouse.TableExists("model_predictions", snapshot));
            Assert.Equal(0, LoggedPublishes(warehouse, snapshot));
        }

        var check = CliProcess.Run("check", "--project-dir", _fixture.Directory);
        Assert.True(check.ExitCode == 0, check.Output);
    }

    // As its publish commits (held past the last stop check, just before DuckDB's commit statement; SIGTERM), and between
    // its commit and its checkpoint (SIGINT): the run says it finishes the snapshot, and is not cut off 2 s after the
    // signal, as a commit or a checkpoint under way must not be.
    [Theory]
    [InlineData("publish:committing", "2030-07-05", true, "is being committed, then its files written")]
    [InlineData("publish:committed", "2030-07-06", false, "is committed and its files are being written")]
    public void A_run_signalled_once_its_publish_commits_is_not_cut_off_and_finishes_the_snapshot(string holdPoint, string date, bool terminate, string said)
    {
        var snapshot = "candidacy_ddhq_matches_" + date.Replace("-", "", StringComparison.Ordinal);
        var release = Path.Combine(_fixture.Directory, "release-hold");
        using var running = WatchedCli.Start(
            new Dictionary<string, string> { [CrashPoint.HoldVariable] = holdPoint + "=" + release },
            "run", Match, "--allow-future-date", "--snapshot-date", date, "--project-dir", _fixture.Directory);
        running.WaitForStderr("held at " + holdPoint);

        if (terminate)
        {
            running.Terminate();
        }
        else
        {
            running.Interrupt();
        }

        running.WaitForStderr($"electionmatch: stopping after the commit: snapshot {snapshot} {said}");
        Thread.Sleep(TimeSpan.FromSeconds(3));
        File.WriteAllText(release, "");
        var finished = running.Finish();

        Assert.True(finished.ExitCode == 0, finished.Output);
        Assert.DoesNotContain("the command was ended", finished.Stderr, StringComparison.Ordinal);
        Assert.Contains($"published model_predictions.{snapshot}", finished.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(_fixture.PathOf($"electionmatch/manifests/{snapshot}.json")));
        var check = CliProcess.Run("check", "--project-dir", _fixture.Directory);
        Assert.True(check.ExitCode == 0, check.Output);
    }

    // Before: the first signal's words promised that a second one ends the command now, and it ended it 2 s later.
    [Fact]
    public void A_second_signal_while_the_run_finishes_its_commit_ends_it_at_once_and_the_same_run_finishes_it()
    {
        const string snapshot = "candidacy_ddhq_matches_20300708";
        using var running = WatchedCli.Start(
            new Dictionary<string, string> { [CrashPoint.HoldVariable] = "publish:committed=" + Path.Combine(_fixture.Directory, "never-released") },
            "run", Match, "--allow-future-date", "--snapshot-date", "2030-07-08", "--project-dir", _fixture.Directory);
        running.WaitForStderr("held at publish:committed");
        running.Interrupt();
        running.WaitForStderr("a second Ctrl-C ends the command now");

        running.Interrupt();
        var ended = running.Finish();

        Assert.True(ended.ExitCode == 130, ended.Output);
        Assert.Contains($"electionmatch: cancelled; the command was ended at the second signal; snapshot {snapshot} is committed and its files were being written, so it is left interrupted", ended.Stderr, StringComparison.Ordinal);
        var check = CliProcess.Run("check", "--project-dir", _fixture.Directory);
        Assert.Contains($"EM0608", check.Stderr, StringComparison.Ordinal);
        var again = CliProcess.Run("run", Match, "--allow-future-date", "--snapshot-date", "2030-07-08", "--project-dir", _fixture.Directory);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains($"finished {snapshot} from its committed rows", again.Stdout, StringComparison.Ordinal);
    }

    /// <summary>The snapshot log's rows of the snapshot; none when the log does not exist (the fixture's first publish makes it).</summary>
    private static long LoggedPublishes(DuckDbWarehouse warehouse, string snapshot) =>
        warehouse.TableExists("electionmatch", "snapshot_log") ? warehouse.Scalar<long>($"select count(*) from electionmatch.snapshot_log where snapshot = '{snapshot}'") : 0;

    private static void Send(WatchedProcess running, string signal)
    {
        if (signal == "SIGINT")
        {
            running.Interrupt();
        }
        else
        {
            running.Terminate();
        }
    }
}
