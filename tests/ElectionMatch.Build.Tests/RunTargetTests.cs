using System.Text.RegularExpressions;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary><c>dotnet build -t:ElectionMatchRun</c>: what it publishes, the options it passes on, and the property values it refuses.</summary>
public sealed class RunTargetTests(SdkPackage sdk) : OptedInProjectTests(sdk), IClassFixture<SdkPackage>
{
    [Fact]
    public void ElectionMatchRun_publishes_a_snapshot_and_its_staging_files_and_later_builds_check_it()
    {
        BuildSucceeds();

        var run = BuildSucceeds("-t:ElectionMatchRun", "-p:Match=candidacy_ddhq_matches", "-p:AllowFutureDate=true", "-p:SnapshotDate=2030-06-03");

        // The summary lines `electionmatch run` prints for this run, each behind the task's prefix.
        foreach (var line in new[]
        {
            "published model_predictions.candidacy_ddhq_matches_20300603 (360 rows, 299 matched)",
            "quarantined: 0 left, 0 right rows (model_predictions.candidacy_ddhq_matches_20300603__quarantine)",
            "rows: left input rows: 300 read = 300 used (parsed and cleaned)",
            "rows: left election rows: 513 read = 360 used (results exist on that date in that state) + 0 used (runoff matched on a later results date (date-range fallback)) + 153 excluded (temporal filter: no results on that date in that state)",
            "judge share: 1.1 % of rows went to the judge",
            "parquet:  target/model_predictions/candidacy_ddhq_matches_20300603.parquet",
            "manifest: electionmatch/manifests/candidacy_ddhq_matches_20300603.json",
        })
        {
            Assert.Contains("electionmatch: " + line + Environment.NewLine, run.Output, StringComparison.Ordinal);
        }

        using (var manifest = System.Text.Json.JsonDocument.Parse(_fixture.Read("electionmatch/manifests/candidacy_ddhq_matches_20300603.json")))
        {
            Assert.Equal(manifest.RootElement.GetProperty("row_accounting").GetArrayLength(), Regex.Count(run.Output, "electionmatch: rows: "));
        }

        Assert.True(File.Exists(_fixture.PathOf(StagingDirectory + "stg_model_predictions__candidacy_ddhq_matches_20300603.sql")));
        Assert.True(File.Exists(_fixture.PathOf(StagingDirectory + "stg_model_predictions__candidacy_ddhq_matches_20300603.yml")));
        Assert.True(File.Exists(_fixture.PathOf("electionmatch/manifests/candidacy_ddhq_matches_20300603.json")));
        Assert.Contains("- name: candidacy_ddhq_matches_20300603", _fixture.Read(SourcesYaml), StringComparison.Ordinal);
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true))
        {
            Assert.Equal(360, warehouse.Scalar<long>("select count(*) from model_predictions.candidacy_ddhq_matches_20300603"));
        }

        // The run changed the warehouse, so the next build checks again: the mart now reads a superseded snapshot.
        var build = BuildSucceeds();
        var strict = Build("-p:ElectionMatchWarningsAsErrors=true");

        Assert.Contains($"{_fixture.PathOf(Mart)}(8,26): warning EM0106: ", build.Output, StringComparison.Ordinal);
        Assert.Equal(1, strict.ExitCode);
        Assert.Contains($"{_fixture.PathOf(Mart)}(8,26): error EM0106: ", strict.Output, StringComparison.Ordinal);

        // The check target verifies the snapshot too: a row deleted behind the tool's back fails the build.
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath))
        {
            warehouse.Execute("delete from model_predictions.candidacy_ddhq_matches_20300603 where gp_candidacy_id = 'gpc-001623' and hubspot_election_type = 'general'");
        }

        var tampered = Build();
        Assert.Equal(1, tampered.ExitCode);
        Assert.Contains("candidacy_ddhq_matches_20300603.json(", tampered.Output, StringComparison.Ordinal);
        Assert.Contains("error EM0602: 1 row(s) of model_predictions.candidacy_ddhq_matches_20300603 were deleted after publishing: (gpc-001623, general", tampered.Output, StringComparison.Ordinal);
        // Advice a build can follow: its targets and properties, not the CLI's commands and flags.
        Assert.Contains("holds it as published: `dotnet build -t:ElectionMatchRestore -p:Match=candidacy_ddhq_matches -p:SnapshotDate=2030-06-03` puts the table back from it;", tampered.Output, StringComparison.Ordinal);
        Assert.Contains("`dotnet build -t:ElectionMatchRun -p:Match=candidacy_ddhq_matches -p:SnapshotDate=2030-06-03 -p:AllowFutureDate=true -p:Replace=true` would instead recompute it from the inputs as they are now", tampered.Output, StringComparison.Ordinal);
        var again = Build("-t:ElectionMatchRun", "-p:Match=candidacy_ddhq_matches", "-p:AllowFutureDate=true", "-p:SnapshotDate=2030-06-03");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("error EM0040: snapshot model_predictions.candidacy_ddhq_matches_20300603 already exists; snapshots are immutable, so pass -p:Replace=true to overwrite it or -p:SnapshotDate=YYYY-MM-DD to publish under another date", again.Output, StringComparison.Ordinal);

        // A column's type changed behind the tool's back: the build's generate renders nothing from the table (before, it
        // rewrote the committed YAML to the new type and the build passed), and its check names the restore target.
        var stagingYaml = _fixture.Read(StagingDirectory + "stg_model_predictions__candidacy_ddhq_matches_20300603.yml");
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath))
        {
            warehouse.Execute("alter table model_predictions.candidacy_ddhq_matches_20300603 alter llm_confidence type varchar");
        }

        var altered = Build();
        Assert.Equal(1, altered.ExitCode);
        Assert.Contains("candidacy_ddhq_matches_20300603.json(", altered.Output, StringComparison.Ordinal);
        Assert.Contains("error EM0618: model_predictions.candidacy_ddhq_matches_20300603 no longer has the columns its manifest candidacy_ddhq_matches_20300603.json recorded: llm_confidence is VARCHAR (published INTEGER); it was altered after publishing;", altered.Output, StringComparison.Ordinal);
        Assert.Contains("`dotnet build -t:ElectionMatchRestore -p:Match=candidacy_ddhq_matches -p:SnapshotDate=2030-06-03` puts the table back from it", altered.Output, StringComparison.Ordinal);
        Assert.Contains("electionmatch: rendered no staging files from the snapshot table whose columns differ from those its manifest ", altered.Output, StringComparison.Ordinal);
        Assert.Contains("electionmatch: left the stable model stg_model_predictions__candidacy_ddhq_matches as it is, as its newest snapshot's table has other columns than its manifest recorded; the check reports it", altered.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("EM0107", altered.Output, StringComparison.Ordinal);
        Assert.Equal(stagingYaml, _fixture.Read(StagingDirectory + "stg_model_predictions__candidacy_ddhq_matches_20300603.yml"));
    }

    [Fact]
    public void ElectionMatchRun_takes_the_CLIs_incremental_options_and_writes_its_report()
    {
        // The candidacies of two states: every state partition costs a whole match (the fixture has 36), and this
        // test is about the options reaching the run; Core's incremental tests run every partition.
        var candidacies = _fixture.PathOf("data/airbyte/hubspot_candidacy.csv");
        var lines = File.ReadAllLines(candidacies);
        File.WriteAllLines(candidacies, lines.Take(1).Concat(lines.Skip(1).Where(l => l.Split(',')[4] is "TX" or "CA")));
        var report = Path.Combine(_fixture.Directory, "target", "run.json");
        var first = BuildSucceeds("-t:ElectionMatchRun", "-p:Match=candidacy_ddhq_matches", "-p:AllowFutureDate=true", "-p:SnapshotDate=2030-06-03", "-p:Incremental=true", "-p:Report=" + report);
        var again = BuildSucceeds("-t:ElectionMatchRun", "-p:Match=candidacy_ddhq_matches", "-p:AllowFutureDate=true", "-p:SnapshotDate=2030-06-04", "-p:Incremental=true");
        var full = BuildSucceeds("-t:ElectionMatchRun", "-p:Match=candidacy_ddhq_matches", "-p:AllowFutureDate=true", "-p:SnapshotDate=2030-06-05", "-p:Full=true");

        Assert.Matches(@"electionmatch: incremental: (\d+) state partitions, 0 reused, \1 recomputed", first.Output);
        Assert.Matches(@"electionmatch: incremental: (\d+) state partitions, \1 reused, 0 recomputed", again.Output);
        Assert.Matches(@"electionmatch: incremental: (\d+) state partitions, 0 reused, \1 recomputed", full.Output);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(report));
        Assert.Equal("model_predictions.candidacy_ddhq_matches_20300603", json.RootElement.GetProperty("snapshot").GetString());
        Assert.True(json.RootElement.GetProperty("counts").GetProperty("state_partitions_recomputed").GetInt64() > 0);
    }

    [Fact]
    public void ElectionMatchRun_refuses_a_snapshot_date_after_tomorrow_unless_AllowFutureDate_is_true()
    {
        var date = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var refused = Build("-t:ElectionMatchRun", "-p:Match=llm_l2_br_match", "-p:SnapshotDate=" + date);
        var allowed = Build("-t:ElectionMatchRun", "-p:Match=llm_l2_br_match", "-p:SnapshotDate=" + date, "-p:AllowFutureDate=true");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"error EM0041: snapshot date {date} is after tomorrow", refused.Output, StringComparison.Ordinal);
        Assert.Contains("-p:AllowFutureDate=true", refused.Output, StringComparison.Ordinal);
        Assert.True(allowed.ExitCode == 0, allowed.Output);
        Assert.Contains($"electionmatch: published model_predictions.llm_l2_br_match_{date.Replace("-", "", StringComparison.Ordinal)}", allowed.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-p:SnapshotDate=2030-13-01", "EM0041: SnapshotDate '2030-13-01' is not a date in the form YYYY-MM-DD")]
    [InlineData("-p:ElectionMatchLockTimeout=soon", "EM0203: ElectionMatchLockTimeout 'soon' is not a number of seconds")]
    public void A_bad_property_value_is_reported_at_the_project_file_not_inside_the_SDK_package(string property, string error)
    {
        var run = Build("-t:ElectionMatchRun", "-p:Match=llm_l2_br_match", property);

        Assert.Equal(1, run.ExitCode);
        // Before, at ~/.nuget/packages/electionmatch.sdk/…/build/ElectionMatch.Sdk.targets(183,5), the task's line.
        Assert.Contains($"{_fixture.PathOf("electionmatch.proj")} : error {error}", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("ElectionMatch.Sdk.targets", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void ElectionMatchRun_without_a_match_fails_with_EM0200_at_the_project_file()
    {
        var run = Build("-t:ElectionMatchRun");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{_fixture.PathOf("electionmatch.proj")} : error EM0200: ElectionMatchRun needs the match to run: pass -p:Match=<name>", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-p:Match=llm_l2_br_match -p:Incremental=true", "error EM0725: match 'llm_l2_br_match' is of kind l2_ballotready; incremental runs (-p:Incremental=true, -p:Full=true, -p:Retrain=true) exist")]
    [InlineData("-p:Match=candidacy_ddhq_matches -p:SnapshotDate=2025-11-12", "error EM0040: snapshot candidacy_ddhq_matches_20251112 is already declared here, and its entry reads the file data/model_predictions/candidacy_ddhq_matches_20251112.csv: a snapshot ElectionMatch did not publish, which dbt would go on reading if a run published model_predictions.candidacy_ddhq_matches_20251112; pass another -p:SnapshotDate=YYYY-MM-DD,")]
    public void A_refused_run_advises_ElectionMatchRuns_properties_not_the_CLIs_flags(string properties, string error)
    {
        var run = Build(["-t:ElectionMatchRun", .. properties.Split(' ')]);

        // Before, the build was told of --incremental, --full, --retrain and --snapshot-date, which dotnet build does not take.
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(error, run.Output, StringComparison.Ordinal);
        Assert.DoesNotMatch(@" --[a-z]", run.Output);
    }

    [Fact]
    public void A_Match_no_name_is_near_is_reported_at_electionmatch_yml_matches_key_with_the_names_defined()
    {
        var run = Build("-t:ElectionMatchRun", "-p:Match=zip_codes_daily");

        // Before, at electionmatch.yml(1,1), its opening comment, where an IDE marked a line that names no match. A name
        // an edit or two from a defined one is reported at that match's entry instead (CommandLineUsageTests).
        var line = Array.IndexOf(_fixture.Read("electionmatch.yml").Split('\n'), "matches:") + 1;
        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{_fixture.PathOf("electionmatch.yml")}({line},1): error EM0031: no match named 'zip_codes_daily' in electionmatch.yml; defined: ", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_stored_model_advises_the_Retrain_property()
    {
        string[] run = ["-t:ElectionMatchRun", "-p:Match=candidacy_ddhq_matches", "-p:AllowFutureDate=true", "-p:Incremental=true"];
        BuildSucceeds([.. run, "-p:SnapshotDate=2030-06-03"]);
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath))
        {
            Assert.Equal(1, warehouse.Execute("update electionmatch_cache.models set model_json = '{\"lambda\": '"));
        }

        var broken = Build([.. run, "-p:SnapshotDate=2030-06-04"]);

        // Before, "run with --retrain", an option dotnet build does not take.
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("error EM0726: the stored model of 'candidacy_ddhq_matches' in electionmatch_cache.models is unreadable (", broken.Output, StringComparison.Ordinal);
        Assert.Contains("run with -p:Retrain=true to train and store a new one", broken.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("--retrain", broken.Output, StringComparison.Ordinal);
    }
}
