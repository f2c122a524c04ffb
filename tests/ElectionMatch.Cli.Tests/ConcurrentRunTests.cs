using ElectionMatch.Diagnostics;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>Two real processes on one project's warehouse: one waits or fails clearly, and the warehouse stays whole.</summary>
public sealed class ConcurrentRunTests(SharedUninterruptedRun plain) : IClassFixture<SharedUninterruptedRun>, IDisposable
{
    private const string Match = "candidacy_ddhq_matches";

    /// <summary>
    /// Where a holding run waits: its first stage. A run holds electionmatch's lock and DuckDB's from its startup to its
    /// end, so any stage holds the warehouse alike; the first is reached soonest (a pause at training ran half the match).
    /// </summary>
    private const string HoldingStage = "stage:reference";

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    private string[] Run(string date, params string[] extra) => ["run", Match, "--allow-future-date", "--snapshot-date", date, .. extra, "--project-dir", _fixture.Directory];

    [Fact]
    public async Task Two_runs_started_at_once_take_turns_and_both_publish()
    {
        var results = await Task.WhenAll(Task.Run(() => CliProcess.Run(Run("2030-06-03"))), Task.Run(() => CliProcess.Run(Run("2030-06-10"))));

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Output));
        var verify = CliProcess.Run("verify", "--project-dir", _fixture.Directory);
        Assert.True(verify.ExitCode == 0, verify.Output);
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        Assert.Equal(
            warehouse.Scalar<long>("select count(*) from model_predictions.candidacy_ddhq_matches_20300603"),
            warehouse.Scalar<long>("select count(*) from model_predictions.candidacy_ddhq_matches_20300610"));
    }

    [Fact]
    public async Task Two_runs_of_one_snapshot_started_at_once_publish_it_once_and_the_second_says_why_not()
    {
        var results = await Task.WhenAll(Task.Run(() => CliProcess.Run(Run("2030-06-03"))), Task.Run(() => CliProcess.Run(Run("2030-06-03"))));

        Assert.Single(results, r => r.ExitCode == 0);
        var refused = Assert.Single(results, r => r.ExitCode == 1);
        Assert.Contains("error " + Codes.SnapshotExists + ": snapshot model_predictions.candidacy_ddhq_matches_20300603 already exists", refused.Stderr, StringComparison.Ordinal);
        var check = CliProcess.Run("check", "--project-dir", _fixture.Directory);
        Assert.True(check.ExitCode == 0, check.Output);
    }

    [Fact]
    public async Task A_run_that_cannot_wait_longer_names_the_warehouse_and_the_process_holding_it()
    {
        using var holder = CliProcess.Start(new Dictionary<string, string> { ["ELECTIONMATCH_TEST_PAUSE_AT"] = HoldingStage }, Run("2030-06-03"));
        try
        {
            await ReachedPause(holder);

            var waiting = CliProcess.Run(Run("2030-06-10", "--lock-timeout", "1"));

            Assert.Equal(1, waiting.ExitCode);
            Assert.Contains($"goodparty.duckdb: error {Codes.WarehouseLocked}: the warehouse is in use by another electionmatch command (process {holder.Id}, `electionmatch run {Match}`", waiting.Stderr, StringComparison.Ordinal);
            Assert.Contains("waited 1 s", waiting.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            holder.WaitForExit();
        }

        // The holder died mid-pipeline: its lock went with it, and nothing of its run is visible.
        var next = CliProcess.Run(Run("2030-06-10"));
        Assert.True(next.ExitCode == 0, next.Output);
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        Assert.False(warehouse.TableExists("model_predictions", "candidacy_ddhq_matches_20300603"));
    }

    [Fact]
    public void Explain_and_evaluate_wait_for_the_command_holding_the_warehouse_then_answer()
    {
        // The shared run is this fixture's run of 2030-06-03, made once for the classes that start from it.
        using var project = plain.Run.Project.Clone();
        string[][] reading =
        [
            ["explain", Match, "gpc-000919", "--lock-timeout", "60", "--project-dir", project.Directory],
            ["evaluate", Match, "--truth", project.PathOf("truth/candidacy_ddhq_matches.csv"), "--lock-timeout", "60", "--project-dir", project.Directory],
        ];

        var waiting = new List<WatchedProcess>();
        try
        {
            // Held as a run holds it: electionmatch's lock, and DuckDB's own on the warehouse open for writing. Child
            // processes, since DuckDB in this one would share the test's connection instead of meeting its lock.
            using (WarehouseLock.Acquire(project.WarehousePath, TimeSpan.Zero, $"run {Match}"))
            using (DuckDbWarehouse.Open(project.WarehousePath))
            {
                waiting.AddRange(reading.Select(args => WatchedCli.Start(new Dictionary<string, string>(), args)));
                // Each says it waits (a command that did not wait would end first, and this would fail saying so):
                // released only then, so neither can have answered before the warehouse was free.
                foreach (var command in waiting)
                {
                    command.WaitForStderr("electionmatch: waiting up to 60 s (--lock-timeout) for the warehouse");
                }
            }

            var results = waiting.Select(w => w.Finish()).ToList();

            Assert.True(results[0].ExitCode == 0, results[0].Output);
            Assert.Contains("gpc-000919", results[0].Stdout, StringComparison.Ordinal);
            Assert.True(results[1].ExitCode == 0, results[1].Output);
            Assert.Contains("snapshot: model_predictions.candidacy_ddhq_matches_20300603", results[1].Stdout, StringComparison.Ordinal);
        }
        finally
        {
            waiting.ForEach(w => w.Dispose());
        }
    }

    [Theory]
    [InlineData("explain")]
    [InlineData("evaluate")]
    public void Explain_and_evaluate_that_cannot_wait_longer_name_the_command_holding_the_warehouse(string command)
    {
        string[] args = command == "explain" ? [Match, "gpc-000919"] : [Match, "--truth", "truth/candidacy_ddhq_matches.csv"];
        CliProcess.Result waiting;
        // This process holds the lock file: the command, run in it, opens it again and meets the lock as another process would.
        using (WarehouseLock.Acquire(_fixture.WarehousePath, TimeSpan.Zero, $"run {Match}"))
        {
            waiting = CliProcess.RunIn(_fixture.Directory, [command, .. args, "--lock-timeout", "0.5", "--project-dir", _fixture.Directory]);
        }

        Assert.Equal(1, waiting.ExitCode);
        Assert.Equal("", waiting.Stdout);
        Assert.Contains($"goodparty.duckdb: error {Codes.WarehouseLocked}: the warehouse is in use by another electionmatch command (process {Environment.ProcessId}, `electionmatch run {Match}`", waiting.Stderr, StringComparison.Ordinal);
        Assert.Contains("waited 0.5 s for it", waiting.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_command_through_a_symlinked_project_directory_waits_for_the_lock_taken_through_the_real_one()
    {
        var link = _fixture.Directory + "-link";
        Directory.CreateSymbolicLink(link, _fixture.Directory);
        try
        {
            CliProcess.Result waiting;
            // This process holds the lock through the real path, as a run started there would.
            using (WarehouseLock.Acquire(_fixture.WarehousePath, TimeSpan.Zero, $"run {Match}"))
            {
                waiting = CliProcess.Run("verify", "--lock-timeout", "0.5", "--project-dir", link);
            }

            // Before, the link's path was another lock, taken at once, and DuckDB's own lock was all that was left.
            Assert.Equal(1, waiting.ExitCode);
            Assert.Contains($"error {Codes.WarehouseLocked}: the warehouse is in use by another electionmatch command (process {Environment.ProcessId}, `electionmatch run {Match}`", waiting.Stderr, StringComparison.Ordinal);
            Assert.Contains("waited 0.5 s for it", waiting.Stderr, StringComparison.Ordinal);
            Assert.Contains("electionmatch: waiting up to 0.5 s (--lock-timeout) for the warehouse, held by another electionmatch command", waiting.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(link);
        }
    }

    [Fact]
    public void A_command_run_under_another_TMPDIR_waits_for_the_same_lock()
    {
        var otherTemp = Directory.CreateTempSubdirectory("em-other-tmpdir-").FullName;
        try
        {
            CliProcess.Result waiting;
            using (WarehouseLock.Acquire(_fixture.WarehousePath, TimeSpan.Zero, $"run {Match}"))
            {
                waiting = CliProcess.RunWith(new Dictionary<string, string?> { ["TMPDIR"] = otherTemp }, "verify", "--lock-timeout", "0.5", "--project-dir", _fixture.Directory);
            }

            // Before, the lock lived under TMPDIR: this command took another one at once.
            Assert.Equal(1, waiting.ExitCode);
            Assert.Contains($"error {Codes.WarehouseLocked}: the warehouse is in use by another electionmatch command (process {Environment.ProcessId}, `electionmatch run {Match}`", waiting.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(otherTemp, recursive: true);
        }
    }

    [Fact]
    public async Task An_electionmatch_command_met_only_through_DuckDBs_lock_is_waited_for_and_named_as_one()
    {
        using var holder = CliProcess.Start(new Dictionary<string, string> { ["ELECTIONMATCH_TEST_PAUSE_AT"] = HoldingStage }, Run("2030-06-03"));
        try
        {
            await ReachedPause(holder);
            // As another user's command, or an electionmatch that keeps its lock elsewhere, holds it: its lock file is
            // not the one this command opens (deleted, the path is a new file), but DuckDB's lock on the warehouse is.
            File.Delete(WarehouseLock.LockPath(_fixture.WarehousePath));

            var waiting = CliProcess.Run("verify", "--lock-timeout", "1", "--project-dir", _fixture.Directory);

            // Before: at once, "locked by another process (dotnet, PID n): a dbt run, a DuckDB shell or a program holding it open".
            Assert.Equal(1, waiting.ExitCode);
            Assert.Contains($"goodparty.duckdb: error {Codes.WarehouseLocked}: the warehouse is in use by another electionmatch command (PID {holder.Id}), which holds DuckDB's own lock on the file; waited 1 s for it; let it finish", waiting.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("a dbt run", waiting.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            holder.WaitForExit();
        }
    }

    [Theory]
    [InlineData("verify")]
    [InlineData("check")]
    [InlineData("run")]
    public void A_command_waiting_for_the_lock_stops_at_Ctrl_C_naming_the_holder(string command)
    {
        string[] args = command == "run" ? Run("2030-06-10", "--lock-timeout", "600") : [command, "--lock-timeout", "600", "--project-dir", _fixture.Directory];
        WatchedProcess.Result stopped;
        using (WarehouseLock.Acquire(_fixture.WarehousePath, TimeSpan.Zero, $"run {Match}"))
        using (var waiting = WatchedCli.Start(new Dictionary<string, string>(), args))
        {
            waiting.WaitForStderr("electionmatch: waiting up to 600 s (--lock-timeout) for the warehouse");
            waiting.Interrupt();
            // Finish fails after 3 minutes: before, the wait went on until the CLI's hard exit 2 s after the signal.
            stopped = waiting.Finish();
        }

        Assert.Equal(130, stopped.ExitCode);
        Assert.Contains($"electionmatch: cancelled; stopped after ", stopped.Stderr, StringComparison.Ordinal);
        Assert.Contains($" s waiting for the warehouse, held by another electionmatch command (process {Environment.ProcessId}, `electionmatch run {Match}`", stopped.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("the command was ended", stopped.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_warehouse_another_program_holds_open_is_waited_for_then_reported_with_that_program()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_fixture.WarehousePath)!);
        var before = _fixture.Snapshot();
        CliProcess.Result run;
        using (var other = DuckDbWarehouse.Open(_fixture.WarehousePath))
        {
            // A child process: in this one, the test's own connection would be the run's, not another program's.
            run = CliProcess.RunChild(Run("2030-06-03", "--lock-timeout", "1"));
        }

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"goodparty.duckdb: error {Codes.WarehouseLocked}: the warehouse is locked by another process (", run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"PID {Environment.ProcessId}): a dbt run, a DuckDB shell or a program holding it open; waited 1 s for it;", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(before.Where(f => !f.Key.StartsWith("target/", StringComparison.Ordinal)), _fixture.Snapshot().Where(f => !f.Key.StartsWith("target/", StringComparison.Ordinal)));
    }

    // Waits until a run started with ELECTIONMATCH_TEST_PAUSE_AT says it is paused, holding the warehouse.
    private static async Task ReachedPause(System.Diagnostics.Process holder)
    {
        holder.OutputDataReceived += (_, _) => { };
        holder.BeginOutputReadLine();
        var paused = Task.Run(() =>
        {
            string? line;
            while ((line = holder.StandardError.ReadLine()) is not null && !line.StartsWith("paused at", StringComparison.Ordinal))
            {
            }

            return line;
        });
        Assert.True(await paused.WaitAsync(TimeSpan.FromMinutes(2)) is not null, "the first run never reached its pause point");
    }
}
