using ElectionMatch.Diagnostics;
using ElectionMatch.Safety;

namespace ElectionMatch.Tests;

/// <summary>
/// A copy of the quarantined candidacy run's project after a second run (2026-01-02) was killed right after its publish
/// committed: made once per class, since every test only reads it, and cloned per test.
/// </summary>
public sealed class InterruptedAfterQuarantinedRun : IDisposable
{
    private readonly Lock _gate = new();
    private FixtureCopy? _project;

    /// <summary>The killed run's project, made from <paramref name="finished"/>'s on the first call.</summary>
    public FixtureCopy After(QuarantinedCandidacyRun finished)
    {
        lock (_gate)
        {
            if (_project is null)
            {
                var project = finished.Project.Clone();
                var killed = CliProcess.Run(new Dictionary<string, string> { [CrashPoint.DieVariable] = "publish:committed" }, null,
                    "run", QuarantinedCandidacyRun.Match, "--snapshot-date", "2026-01-02", "--project-dir", project.Directory);
                if (!killed.WasKilled)
                {
                    project.Dispose();
                    Assert.Fail(killed.Output);
                }

                _project = project;
            }

            return _project;
        }
    }

    public void Dispose() => _project?.Dispose();
}

/// <summary>
/// A run killed right after its publish committed (before its parquet copy, manifest and dbt files) leaves a snapshot
/// table every other command passes over (EM0608): evaluate scores the newest finished snapshot, which the stable model
/// reads; evaluate and explain say so when that snapshot is named; restore names the run and the command that finishes it.
/// </summary>
[Collection(QuarantinedCandidacyCollection.Name)]
public sealed class InterruptedRunSnapshotTests(QuarantinedCandidacyRun finished, InterruptedAfterQuarantinedRun interrupted) : IClassFixture<InterruptedAfterQuarantinedRun>, IDisposable
{
    private const string Match = QuarantinedCandidacyRun.Match;
    private const string Finished = QuarantinedCandidacyRun.Snapshot;
    private const string Interrupted = "candidacy_ddhq_matches_20260102";

    private readonly FixtureCopy _project = interrupted.After(finished).Clone();

    public void Dispose() => _project.Dispose();

    private CliProcess.Result Cli(params string[] args) => CliProcess.RunIn(_project.Directory, [.. args, "--project-dir", "."]);

    private string FinishCommand => $"`electionmatch run {Match} --snapshot-date 2026-01-02` finishes it";

    [Fact]
    public void Evaluate_scores_the_newest_finished_snapshot_not_the_newer_one_of_an_interrupted_run()
    {
        var evaluate = Cli("evaluate", Match, "--truth", "truth/candidacy_ddhq_matches.csv");

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Contains($"snapshot: model_predictions.{Finished}; ", evaluate.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Interrupted, evaluate.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_and_explain_warn_with_EM0608_when_the_snapshot_named_is_of_an_interrupted_run()
    {
        var evaluate = Cli("evaluate", Match, "--truth", "truth/candidacy_ddhq_matches.csv", "--snapshot", Interrupted);
        var explain = Cli("explain", Match, "gpc-001623", "--snapshot-date", "2026-01-02");

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Contains($"snapshot: model_predictions.{Interrupted}; ", evaluate.Stdout, StringComparison.Ordinal);
        Assert.True(explain.ExitCode == 0, explain.Output);
        Assert.StartsWith($"snapshot model_predictions.{Interrupted} (2026-01-02)", explain.Stdout, StringComparison.Ordinal);
        foreach (var stderr in new[] { evaluate.Stderr, explain.Stderr })
        {
            // The code once, as the warning's (before, the words named it again).
            Assert.Contains($"target/goodparty.duckdb: warning {Codes.RunInterrupted}: snapshot {Interrupted} was published by a run that was interrupted before it finished writing its manifest and dbt files; {FinishCommand}; until then the stable model does not read it", stderr, StringComparison.Ordinal);
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(stderr, Codes.RunInterrupted));
        }
    }

    [Fact]
    public void Evaluate_and_explain_of_the_finished_snapshot_named_give_no_warning()
    {
        var evaluate = Cli("evaluate", Match, "--truth", "truth/candidacy_ddhq_matches.csv", "--snapshot", Finished);
        var explain = Cli("explain", Match, "gpc-001623", "--snapshot-date", "2026-01-01");

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.True(explain.ExitCode == 0, explain.Output);
        Assert.DoesNotContain(Codes.RunInterrupted, evaluate.Stderr + explain.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_of_an_interrupted_run_s_date_names_that_run_and_the_command_that_finishes_it()
    {
        var restore = Cli("restore", Match, "--snapshot-date", "2026-01-02");

        Assert.Equal(1, restore.ExitCode);
        var error = Assert.Single(restore.Stderr.Split('\n'), l => l.Contains(": error EM", StringComparison.Ordinal));
        Assert.Contains($"error {Codes.RestoreRefused}: snapshot {Interrupted} was published by a run that was interrupted before it finished writing its manifest and dbt files (EM0608); {FinishCommand}, and there is nothing to restore until it has", error, StringComparison.Ordinal);
        Assert.DoesNotContain("there is no manifest", restore.Output, StringComparison.Ordinal);
    }
}
