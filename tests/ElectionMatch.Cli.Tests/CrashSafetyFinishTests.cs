using System.Text.RegularExpressions;
using ElectionMatch.Matching;
using ElectionMatch.Operations;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// The run after one killed between its commit and its files writes the files from what the publish stored, without
/// matching again, when nothing the rows depend on changed; otherwise it matches again and says why.
/// </summary>
public sealed partial class CrashSafetyFinishTests(SharedUninterruptedRun shared, KilledRuns killedRuns) : IClassFixture<SharedUninterruptedRun>, IClassFixture<KilledRuns>, IDisposable
{
    private const string ManifestPath = $"electionmatch/manifests/{UninterruptedRun.Snapshot}.json";
    private readonly UninterruptedRun _reference = shared.Run;

    /// <summary>
    /// The project after a run was killed right after its publish committed, before any of its files: killed once for
    /// this class and CrashSafetyTests' kill point (its cache seeded, which these tests do not read), a copy per test.
    /// </summary>
    private readonly KilledRun _killed = killedRuns.CloneAt("publish:committed");

    public void Dispose() => _killed.Dispose();

    /// <summary>The killed run's id, which its run schema and its log row hold.</summary>
    private static string RunIdOf(FixtureCopy project)
    {
        using var warehouse = DuckDbWarehouse.Open(project.WarehousePath, readOnly: true);
        return RunIdentity.Of(warehouse, RunSchema.For(UninterruptedRun.Match))!.RunId;
    }

    private static CliProcess.Result Run(FixtureCopy project, params string[] options) =>
        CliProcess.Run(["run", UninterruptedRun.Match, "--allow-future-date", "--snapshot-date", UninterruptedRun.Date, .. options, "--project-dir", project.Directory]);

    [Fact]
    public void A_run_killed_after_its_commit_is_finished_from_its_committed_rows_without_matching_again()
    {
        var project = _killed.Project;
        var runId = RunIdOf(project);

        var finished = Run(project);

        Assert.True(finished.ExitCode == 0, finished.Output);
        Assert.Contains($"finished {UninterruptedRun.Snapshot} from its committed rows", finished.Stdout, StringComparison.Ordinal);
        // No stage of the match: the snapshot's hashes, the inputs' hashes, and the files.
        Assert.Equal(["startup", "committed_rows", "inputs_unchanged", "parquet", "manifest", "staging_files", "log_complete"], Stages(finished.Stdout));
        Assert.True(_reference.Stages.Count > 20, string.Join(", ", _reference.Stages));
        using (var warehouse = DuckDbWarehouse.Open(project.WarehousePath, readOnly: true))
        {
            // One publish, the killed run's, now complete; a run that matched again would have recorded a second.
            var publish = Assert.Single(new SnapshotLog(warehouse).Latest(UninterruptedRun.Match, all: true), r => r.Snapshot == UninterruptedRun.Snapshot);
            Assert.Equal(runId, publish.RunId);
            Assert.True(publish.IsComplete);
            Assert.Equal(runId, RunIdentity.Of(warehouse, RunSchema.For(UninterruptedRun.Match))!.RunId);
        }

        CrashState.AssertSameAsUninterrupted("publish:committed", project, _reference);
        // The manifest's bytes too (AssertSameAsUninterrupted compares it parsed), but when it was written and by which run.
        Assert.Equal(WithoutRun(_reference.Project.Read(ManifestPath)), WithoutRun(project.Read(ManifestPath)));
        Assert.Equal(runId, SnapshotManifest.FromJson(project.Read(ManifestPath)).RunId);
        var check = CliProcess.Run("check", "--project-dir", project.Directory);
        Assert.True(check.ExitCode == 0, check.Output);
    }

    [Fact]
    public void A_run_killed_after_its_commit_is_matched_again_when_an_input_changed_since_and_says_why()
    {
        var project = _killed.Project;
        var runId = RunIdOf(project);
        project.Replace("data/airbyte/hubspot_candidacy.csv", "gpc-000116,32816822922,Patricia,Buchanan,", "gpc-000116,32816822922,Patricia,Buchanon,");

        var rerun = Run(project);

        Assert.True(rerun.ExitCode == 0, rerun.Output);
        Assert.Contains($"finished {UninterruptedRun.Snapshot}: an earlier run published it but was stopped before writing its files, so it was run again and replaced, not finished from its committed rows: the left input source('airbyte_source', 'hubspot_api_candidacy') changed since it was published (sha256 now ", rerun.Stdout, StringComparison.Ordinal);
        Assert.Contains("training", Stages(rerun.Stdout));
        using var warehouse = DuckDbWarehouse.Open(project.WarehousePath, readOnly: true);
        var publishes = new SnapshotLog(warehouse).Latest(UninterruptedRun.Match, all: true).Where(r => r.Snapshot == UninterruptedRun.Snapshot).ToList();
        Assert.Equal(2, publishes.Count);
        Assert.True(publishes[^1].IsComplete && publishes[^1].RunId != runId);
        Assert.Equal(publishes[^1].RunId, SnapshotManifest.FromJson(project.Read(ManifestPath)).RunId);
    }

    /// <summary>Each reason to match again that costs no run to provoke, asked of the decision itself.</summary>
    public static TheoryData<string, string> Changes() => new()
    {
        { "settings", "the settings of match candidacy_ddhq_matches in electionmatch.yml changed since it was published" },
        { "options", "this run's options (--incremental) are not those it was published with (none)" },
        { "table", $"model_predictions.{UninterruptedRun.Snapshot} no longer holds the rows published" },
        { "null turned into U+001E", $"model_predictions.{UninterruptedRun.Snapshot} no longer holds the rows published" },
        { "quarantine", $"model_predictions.{UninterruptedRun.Snapshot}__quarantine no longer holds the rows published" },
        { "columns", $"the columns of model_predictions.{UninterruptedRun.Snapshot} are not those it was published with" },
        { "older version", "its publish stored nothing to write its files from (it was published by an earlier version of electionmatch)" },
        { "another version", $"it was matched by electionmatch 0.0.9 (this is {ToolInfo.Version})" },
        { "another build", $"it was matched by another build of electionmatch {ToolInfo.Version} (0123456789ab/fedcba987654; this is " },
        { "build not recorded", $"it was matched by another build of electionmatch {ToolInfo.Version} (not recorded; this is " },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void A_snapshot_that_could_now_be_published_otherwise_is_matched_again(string change, string reason)
    {
        var project = _killed.Project;
        var runOptions = "";
        using (var warehouse = DuckDbWarehouse.Open(project.WarehousePath))
        {
            var table = $"model_predictions.{UninterruptedRun.Snapshot}";
            switch (change)
            {
                case "settings":
                    project.Replace("electionmatch.yml", "accept: 0.95", "accept: 0.96");
                    break;
                case "options":
                    runOptions = "--incremental";
                    break;
                case "table":
                    warehouse.Execute($"delete from {table} where gp_candidacy_id = (select min(gp_candidacy_id) from {table})");
                    break;
                case "null turned into U+001E":
                    // Content hash version 2 wrote a null as U+001E: the row hashed as published, and the run finished it.
                    warehouse.Execute($"update {table} set ddhq_candidate = chr(30) where gp_candidacy_id = (select min(gp_candidacy_id) from {table} where ddhq_candidate is null) and ddhq_candidate is null");
                    break;
                case "quarantine":
                    warehouse.Execute($"insert into {table}__quarantine by name select 'left' as input, 1 as row_number");
                    break;
                case "columns":
                    warehouse.Execute($"alter table {table} rename column gp_candidacy_id to candidacy_id");
                    break;
                case "older version":
                    warehouse.Execute("update electionmatch.snapshot_log set pending_manifest_json = null");
                    break;
                case "another version":
                    PatchPendingManifest(warehouse, """{"tool_version": "0.0.9"}""");
                    break;
                case "another build":
                    PatchPendingManifest(warehouse, $$"""{"tool_build": "{{ToolInfo.Version}}+0123456789abcdef0123/fedcba9876543210fedc"}""");
                    break;
                case "build not recorded":
                    PatchPendingManifest(warehouse, """{"tool_build": null}""");
                    break;
            }
        }

        var why = WhyRunAgain(project, runOptions);

        Assert.NotNull(why);
        Assert.StartsWith(reason, why, StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_whose_inputs_settings_and_rows_are_as_published_can_be_finished()
    {
        var project = _killed.Project;
        Assert.Null(WhyRunAgain(project, ""));
    }

    /// <summary>Merges <paramref name="patch"/> into the manifest the publish stored (RFC 7386: a null removes its key).</summary>
    private static void PatchPendingManifest(DuckDbWarehouse warehouse, string patch) =>
        warehouse.Execute($"update electionmatch.snapshot_log set pending_manifest_json = json_merge_patch(pending_manifest_json, {Sql.Literal(patch)})::varchar where pending_manifest_json is not null");

    private static string? WhyRunAgain(FixtureCopy project, string runOptions)
    {
        var context = ProjectContext.Load(new ProjectOptions(project.Directory));
        var match = context.Settings.Match(UninterruptedRun.Match);
        using var warehouse = DuckDbWarehouse.Open(project.WarehousePath);
        var name = new SnapshotName(UninterruptedRun.Match, DateOnly.Parse(UninterruptedRun.Date, System.Globalization.CultureInfo.InvariantCulture));
        var interrupted = InterruptedPublish.Of(warehouse, name);
        Assert.NotNull(interrupted);
        return interrupted.WhyRunAgain(context, name, match, new RunOperation(context).ResolveInputs(warehouse, match), runOptions, warehouse, new RunSteps(null));
    }

    private static List<string> Stages(string stdout) => StageLine().Matches(stdout).Select(m => m.Groups["stage"].Value).ToList();

    private static string WithoutRun(string manifest) => RunLine().Replace(manifest, "");

    [GeneratedRegex(@"^  (?<stage>[a-z_]+) +[\d,]+ → ", RegexOptions.Multiline)]
    private static partial Regex StageLine();

    [GeneratedRegex(@"^  ""(created_at_utc|run_id)"": .*\n", RegexOptions.Multiline)]
    private static partial Regex RunLine();
}
