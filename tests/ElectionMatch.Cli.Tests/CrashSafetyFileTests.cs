using ElectionMatch.Diagnostics;
using ElectionMatch.Snapshots;

namespace ElectionMatch.Tests;

/// <summary>
/// Kills <c>electionmatch run</c> after the snapshot is published, at each file it writes (between the temporary
/// file and its rename, and between files), and <c>electionmatch generate</c> between two files.
/// </summary>
public sealed class CrashSafetyFileTests(SharedUninterruptedRun shared) : IClassFixture<SharedUninterruptedRun>
{
    private const string StagingSql = $"models/staging/model_predictions_source/stg_model_predictions__{UninterruptedRun.Snapshot}.sql";
    private const string StagingYaml = $"models/staging/model_predictions_source/stg_model_predictions__{UninterruptedRun.Snapshot}.yml";

    private static readonly string[] KillPoints =
    [
        "parquet:written", "parquet:renamed", "model:written",
        $"file:{UninterruptedRun.Snapshot}.json", "manifest:written",
        "file:__sources.yaml", "sources:written",
        $"file:stg_model_predictions__{UninterruptedRun.Snapshot}.sql",
        $"generated:stg_model_predictions__{UninterruptedRun.Snapshot}.sql",
        "generated:stg_model_predictions__candidacy_ddhq_matches.sql",
        "generate:written",
    ];

    private readonly UninterruptedRun _reference = shared.Run;

    public static TheoryData<string> Points() => new(KillPoints);

    [Theory]
    [MemberData(nameof(Points))]
    public void A_run_killed_while_writing_files_leaves_a_safe_state_and_the_next_run_publishes_the_same(string point) =>
        CrashState.KillAt(point, _reference);

    [Fact]
    public void A_snapshot_published_while_another_is_interrupted_does_not_link_to_it_and_the_repair_keeps_the_chain_valid()
    {
        const string LaterDate = "2030-06-10";
        const string InterruptedManifest = $"electionmatch/manifests/{UninterruptedRun.Snapshot}.json";
        const string LaterManifest = "electionmatch/manifests/candidacy_ddhq_matches_20300610.json";
        // As committed: a snapshot the README's main command added to the working copy would be a link before these.
        using var project = FixtureCopy.AsCommitted("goodparty");
        CliProcess.Result Run(string date) =>
            CliProcess.Run("run", UninterruptedRun.Match, "--allow-future-date", "--snapshot-date", date, "--project-dir", project.Directory);

        // Killed once its manifest is written, before its log row is completed: the snapshot is interrupted.
        var killed = CliProcess.Run(new Dictionary<string, string> { ["ELECTIONMATCH_TEST_DIE_AT"] = "manifest:written" }, null,
            "run", UninterruptedRun.Match, "--allow-future-date", "--snapshot-date", UninterruptedRun.Date, "--project-dir", project.Directory);
        Assert.True(killed.WasKilled, killed.Output);
        Assert.True(File.Exists(project.PathOf(InterruptedManifest)));

        // A later date published meanwhile links to no manifest: the interrupted one is no link, and there is no other.
        var later = Run(LaterDate);
        Assert.True(later.ExitCode == 0, later.Output);
        Assert.Null(SnapshotManifest.FromJson(project.Read(LaterManifest)).PreviousManifestSha256);
        var meanwhile = CliProcess.Run("verify", "--no-inputs", "--project-dir", project.Directory);
        var errors = meanwhile.Stderr.Split('\n').Where(l => l.Contains(": error EM", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1 && errors[0].Contains("error " + Codes.RunInterrupted, StringComparison.Ordinal), meanwhile.Output);

        // The repair replaces the interrupted manifest and, published last, links to the later date's.
        var repaired = Run(UninterruptedRun.Date);
        Assert.True(repaired.ExitCode == 0, repaired.Output);
        Assert.Contains($"finished {UninterruptedRun.Snapshot}", repaired.Stdout, StringComparison.Ordinal);
        Assert.Equal(SnapshotManifest.Sha256(project.Read(LaterManifest)), SnapshotManifest.FromJson(project.Read(InterruptedManifest)).PreviousManifestSha256);

        var verify = CliProcess.Run("verify", "--no-inputs", "--project-dir", project.Directory);
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.DoesNotContain(Codes.ManifestChainBroken, verify.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_interrupted_incremental_run_is_finished_by_the_command_check_gives_which_keeps_its_options()
    {
        // Before, the command dropped --incremental: following it retrained the model on a plain run and published other links.
        using var project = FixtureCopy.AsCommitted("goodparty");
        string[] options = ["--allow-future-date", "--snapshot-date", UninterruptedRun.Date, "--incremental", "--retrain"];
        var killed = CliProcess.Run(new Dictionary<string, string> { ["ELECTIONMATCH_TEST_DIE_AT"] = "manifest:written" }, null,
            ["run", UninterruptedRun.Match, .. options, "--project-dir", project.Directory]);
        Assert.True(killed.WasKilled, killed.Output);

        var check = CliProcess.Run("check", "--project-dir", project.Directory);
        var rerun = $"`electionmatch run {UninterruptedRun.Match} --snapshot-date {UninterruptedRun.Date} --allow-future-date --incremental --retrain` finishes it";
        Assert.Contains(rerun, check.Stderr, StringComparison.Ordinal);

        var finished = CliProcess.Run(["run", UninterruptedRun.Match, .. options, "--project-dir", project.Directory]);
        Assert.True(finished.ExitCode == 0, finished.Output);
        var passed = CliProcess.Run("check", "--project-dir", project.Directory);
        Assert.True(passed.ExitCode == 0, passed.Output);
    }

    [Fact]
    public void Generate_killed_between_two_files_leaves_whole_files_and_the_next_generate_finishes()
    {
        using var project = _reference.Project.Clone();
        File.Delete(project.PathOf(StagingSql));
        File.Delete(project.PathOf(StagingYaml));

        var killed = CliProcess.Run(new Dictionary<string, string> { ["ELECTIONMATCH_TEST_DIE_AT"] = $"generated:stg_model_predictions__{UninterruptedRun.Snapshot}.sql" }, null,
            "generate", "--project-dir", project.Directory);

        Assert.True(killed.WasKilled, killed.Output);
        Assert.Equal(_reference.Project.Read(StagingSql), project.Read(StagingSql));
        Assert.False(File.Exists(project.PathOf(StagingYaml)));
        var generate = CliProcess.Run("generate", "--project-dir", project.Directory);
        Assert.True(generate.ExitCode == 0, generate.Output);
        Assert.Equal(_reference.Project.Read(StagingYaml), project.Read(StagingYaml));
        var check = CliProcess.Run("check", "--project-dir", project.Directory);
        Assert.True(check.ExitCode == 0, check.Output);
    }
}
