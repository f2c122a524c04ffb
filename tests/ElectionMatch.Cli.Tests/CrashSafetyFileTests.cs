using System.Collections.Concurrent;
using ElectionMatch.Diagnostics;
using ElectionMatch.Snapshots;

namespace ElectionMatch.Tests;

/// <summary>
/// The projects tests start from after a run was killed (<see cref="KilledRun"/>), each point's killed once whichever
/// test asks first, since every kill at a point leaves the same state; the tests clone them. Shared by every class that
/// holds it while they overlap (<see cref="HeldOnce{T}"/>): <see cref="CrashSafetyTests"/> and
/// <see cref="CrashSafetyFinishTests"/> both start from a kill at publish:committed.
/// </summary>
public sealed class KilledRuns : IDisposable
{
    private static readonly HeldOnce<ConcurrentDictionary<string, Lazy<KilledRun>>> Instance = new(() => new(), Release);

    private readonly ConcurrentDictionary<string, Lazy<KilledRun>> _killed = Instance.Hold();

    /// <summary>A copy of the project killed at <paramref name="point"/>, for the test to change.</summary>
    internal KilledRun CloneAt(string point) => _killed.GetOrAdd(point, p => new Lazy<KilledRun>(() => KilledRun.At(p))).Value.Copy();

    public void Dispose() => Instance.LetGo();

    private static void Release(ConcurrentDictionary<string, Lazy<KilledRun>> killed)
    {
        foreach (var run in killed.Values.Where(k => k.IsValueCreated))
        {
            run.Value.Dispose();
        }
    }
}

/// <summary>
/// Kills <c>electionmatch run</c> after the snapshot is published, at each file it writes (between the temporary
/// file and its rename, and between files), and <c>electionmatch generate</c> between two files.
/// </summary>
public sealed class CrashSafetyFileTests(SharedUninterruptedRun shared, KilledRuns killedRuns) : IClassFixture<SharedUninterruptedRun>, IClassFixture<KilledRuns>
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
    public void A_run_killed_while_writing_files_leaves_a_safe_state_and_the_next_run_publishes_the_same(string point)
    {
        using var killed = killedRuns.CloneAt(point);
        CrashState.AssertSafeThenRecovered(killed, _reference);
    }

    [Fact]
    public void A_snapshot_published_while_another_is_interrupted_does_not_link_to_it_and_the_repair_keeps_the_chain_valid()
    {
        const string LaterDate = "2030-06-10";
        const string InterruptedManifest = $"electionmatch/manifests/{UninterruptedRun.Snapshot}.json";
        const string LaterManifest = "electionmatch/manifests/candidacy_ddhq_matches_20300610.json";
        // Killed once its manifest is written, before its log row is completed: the snapshot is interrupted. The kill
        // point's own test kills it so (its cache seeded, which this test does not read); both start from the fixture
        // as committed, where a snapshot the README's main command added to the working copy would be a link before these.
        using var killed = killedRuns.CloneAt("manifest:written");
        var project = killed.Project;
        CliProcess.Result Run(string date) =>
            CliProcess.Run("run", UninterruptedRun.Match, "--allow-future-date", "--snapshot-date", date, "--project-dir", project.Directory);

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
        using var project = FixtureCopy.Of("goodparty");
        // One state's candidacies: an incremental run is a pipeline per state partition (the whole fixture's two took
        // 29 s), and which options the command keeps does not depend on how many there are.
        project.KeepCandidaciesOf("TX");
        string[] options = ["--allow-future-date", "--snapshot-date", UninterruptedRun.Date, "--incremental", "--retrain"];
        var killed = CliProcess.Run(new Dictionary<string, string> { ["ELECTIONMATCH_TEST_DIE_AT"] = "manifest:written" }, null,
            ["run", UninterruptedRun.Match, .. options, "--project-dir", project.Directory]);
        Assert.True(killed.WasKilled, killed.Output);

        var check = CliProcess.Run("check", "--project-dir", project.Directory);
        var rerun = $"`electionmatch run {UninterruptedRun.Match} --snapshot-date {UninterruptedRun.Date} --allow-future-date --incremental --retrain --project-dir {project.Directory}` finishes it";
        Assert.Contains(rerun, check.Stderr, StringComparison.Ordinal);

        var finished = CliProcess.Run(["run", UninterruptedRun.Match, .. options, "--project-dir", project.Directory]);
        Assert.True(finished.ExitCode == 0, finished.Output);
        // Given the options it was published with, the run writes the files from what the publish stored, matching nothing again.
        Assert.Contains($"finished {UninterruptedRun.Snapshot} from its committed rows", finished.Stdout, StringComparison.Ordinal);
        var passed = CliProcess.Run("check", "--project-dir", project.Directory);
        Assert.True(passed.ExitCode == 0, passed.Output);
    }

    [Fact]
    public void Generate_after_a_run_killed_before_its_files_writes_nothing_for_the_interrupted_snapshot_and_keeps_the_stable_model()
    {
        const string Later = "candidacy_ddhq_matches_20300610";
        using var project = _reference.Project.Clone();
        var killed = CliProcess.Run(new Dictionary<string, string> { ["ELECTIONMATCH_TEST_DIE_AT"] = "parquet:renamed" }, null,
            "run", UninterruptedRun.Match, "--allow-future-date", "--snapshot-date", "2030-06-10", "--project-dir", project.Directory);
        Assert.True(killed.WasKilled, killed.Output);
        var before = project.Snapshot();

        var generate = CliProcess.Run("generate", "--project-dir", project.Directory);

        // Before, generate added an entry without `manifest:` (which the finishing run never repaired), wrote staging files,
        // and moved the stable model onto the unfinished snapshot, which check then called out of date for good.
        Assert.True(generate.ExitCode == 0, generate.Output);
        Assert.Contains($"left {Later} alone: the run that published it was interrupted before it wrote its files (EM0608); `electionmatch run {UninterruptedRun.Match} --snapshot-date 2030-06-10 --allow-future-date --project-dir {project.Directory}` finishes it", generate.Stdout, StringComparison.Ordinal);
        Assert.Equal(Project(before), Project(project.Snapshot()));
        var check = CliProcess.Run("check", "--project-dir", project.Directory);
        // The stable model was not moved, so it is not out of date (EM0107) either; the fixture's downstream warnings stay.
        var findings = check.Stderr.Split('\n').Where(l => l.Contains(": error EM", StringComparison.Ordinal) || l.Contains("warning " + Codes.GeneratedFileStale, StringComparison.Ordinal)).ToList();
        Assert.True(findings.Count == 1 && findings[0].Contains("error " + Codes.RunInterrupted, StringComparison.Ordinal), check.Output);

        var finished = CliProcess.Run("run", UninterruptedRun.Match, "--allow-future-date", "--snapshot-date", "2030-06-10", "--project-dir", project.Directory);
        Assert.True(finished.ExitCode == 0, finished.Output);
        Assert.Contains($"manifest: electionmatch/manifests/{Later}.json", project.Read("models/staging/__sources.yaml"), StringComparison.Ordinal);
        Assert.Contains(Later, project.Read("models/staging/model_predictions_source/stg_model_predictions__candidacy_ddhq_matches.sql"), StringComparison.Ordinal);
        var passed = CliProcess.Run("check", "--project-dir", project.Directory);
        Assert.True(passed.ExitCode == 0 && !passed.Stderr.Contains(Codes.GeneratedFileStale, StringComparison.Ordinal), passed.Output);
    }

    [Fact]
    public void A_run_that_finishes_an_interrupted_snapshot_names_its_manifest_in_the_generated_entry_that_lacks_it()
    {
        const string SourcesYaml = "models/staging/__sources.yaml";
        // Killed as the kill point's test kills it (its cache seeded, which this test does not read).
        using var killed = killedRuns.CloneAt("parquet:renamed");
        var project = killed.Project;
        // The entry a generate of an earlier version wrote for the interrupted snapshot: generated, but no manifest yet to name.
        var generated = _reference.Project.Read(SourcesYaml);
        project.Write(SourcesYaml, string.Join('\n', generated.Split('\n').Where(l => !l.Contains($"manifest: electionmatch/manifests/{UninterruptedRun.Snapshot}.json", StringComparison.Ordinal))));

        var finished = CliProcess.Run("run", UninterruptedRun.Match, "--allow-future-date", "--snapshot-date", UninterruptedRun.Date, "--project-dir", project.Directory);

        // Before, the run saw the entry and left it as it was: no `manifest:` line, so a clone without the warehouse
        // could not tell a deleted manifest (EM0607).
        Assert.True(finished.ExitCode == 0, finished.Output);
        Assert.Contains($"finished {UninterruptedRun.Snapshot}", finished.Stdout, StringComparison.Ordinal);
        Assert.Equal(generated, project.Read(SourcesYaml));
        var check = CliProcess.Run("check", "--project-dir", project.Directory);
        Assert.True(check.ExitCode == 0, check.Output);
    }

    [Fact]
    public void A_stable_model_left_on_an_interrupted_snapshot_is_out_of_date_in_check_and_generate_moves_it_back()
    {
        const string StableSql = "models/staging/model_predictions_source/stg_model_predictions__candidacy_ddhq_matches.sql";
        using var project = _reference.Project.Clone();
        // Killed between the stable model's SQL and its YAML: the SQL already reads the unfinished snapshot.
        var killed = CliProcess.Run(new Dictionary<string, string> { ["ELECTIONMATCH_TEST_DIE_AT"] = "generated:stg_model_predictions__candidacy_ddhq_matches.sql" }, null,
            "run", UninterruptedRun.Match, "--allow-future-date", "--snapshot-date", "2030-06-10", "--project-dir", project.Directory);
        Assert.True(killed.WasKilled, killed.Output);

        var check = CliProcess.Run("check", "--project-dir", project.Directory);
        var generate = CliProcess.Run("generate", "--project-dir", project.Directory);
        var after = CliProcess.Run("check", "--project-dir", project.Directory);

        // Before, generate kept it on the newest declared snapshot, interrupted or not, while check compared it with the
        // newest finished one: the warning to run generate never cleared.
        Assert.Contains($"warning {Codes.GeneratedFileStale}: this stable model reads candidacy_ddhq_matches_20300610, whose run was interrupted (EM0608), not the newest finished snapshot {UninterruptedRun.Snapshot}", check.Stderr, StringComparison.Ordinal);
        Assert.True(generate.ExitCode == 0, generate.Output);
        Assert.Equal(_reference.Project.Read(StableSql), project.Read(StableSql));
        Assert.DoesNotContain(Codes.GeneratedFileStale, after.Stderr, StringComparison.Ordinal);
        Assert.Contains("error " + Codes.RunInterrupted, after.Stderr, StringComparison.Ordinal);
    }

    /// <summary>The project's files apart from target/ (the warehouse and its exports), in path order.</summary>
    private static List<KeyValuePair<string, string>> Project(Dictionary<string, string> files) =>
        files.Where(f => !f.Key.StartsWith("target/", StringComparison.Ordinal)).OrderBy(f => f.Key, StringComparer.Ordinal).ToList();

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
