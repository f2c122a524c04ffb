using ElectionMatch.Diagnostics;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// `check` and `verify` in a clone of the dbt repository after a snapshot was published elsewhere: target/ (and the
/// warehouse in it) is not committed, so the snapshot's table is not here. docs/ci.md: each such snapshot is EM0101,
/// and nothing that only restates the absence is reported as if something else were wrong.
/// </summary>
public sealed class CloneWithoutWarehouseCheckTests(SharedUninterruptedRun shared) : IClassFixture<SharedUninterruptedRun>, IDisposable
{
    private const string Snapshot = UninterruptedRun.Snapshot;
    private const string SourcesYaml = "models/staging/__sources.yaml";
    private const string StableYaml = "models/staging/model_predictions_source/stg_model_predictions__candidacy_ddhq_matches.yml";
    private const string Mart = "models/marts/general/m_general__candidacy_result.sql";

    private readonly FixtureCopy _clone = shared.Run.Project.Clone();

    public void Dispose() => _clone.Dispose();

    private CliProcess.Result Cli(string command, params string[] args) =>
        CliProcess.Run([command, .. args, "--project-dir", _clone.Directory]);

    private static List<string> Errors(CliProcess.Result result) =>
        [.. result.Stderr.Split('\n').Where(l => l.Contains(": error EM", StringComparison.Ordinal))];

    private void RemoveTarget() => Directory.Delete(_clone.PathOf("target"), recursive: true);

    private int EntryLine(string snapshot = Snapshot) =>
        _clone.Read(SourcesYaml).Split('\n').ToList().FindIndex(l => l.Contains("- name: " + snapshot, StringComparison.Ordinal)) + 1;

    [Fact]
    public void Check_reports_the_snapshot_once_as_EM0101_saying_the_warehouse_is_not_here()
    {
        RemoveTarget();

        var check = Cli("check", "--warnings-as-errors");

        Assert.Equal(1, check.ExitCode);
        var errors = Errors(check);
        var missing = Assert.Single(errors, e => e.Contains("EM0101", StringComparison.Ordinal));
        Assert.Contains($"__sources.yaml({EntryLine()},", missing, StringComparison.Ordinal);
        Assert.Contains($"error {Codes.SnapshotTableMissing}: snapshot '{Snapshot}' is declared here but its table model_predictions.{Snapshot} cannot be read: the warehouse ", missing, StringComparison.Ordinal);
        Assert.Contains("goodparty.duckdb is not here", missing, StringComparison.Ordinal);
        Assert.Contains("docs/ci.md", missing, StringComparison.Ordinal);
        // Before: EM0604 "dropped or renamed" for the table and its quarantine, EM0103 (a Catalog Error) and EM0107
        // ("out of date; run generate") on the stable model, all restating that the table is not here.
        Assert.DoesNotContain(errors, e => e.Contains(Codes.SnapshotDropped, StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains(Codes.StagingSqlFailed, StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains(Codes.GeneratedFileStale, StringComparison.Ordinal));
        // The mart reading the November snapshot is behind the newest declared one, table or not (before, the newest
        // with a table: the EM0106 vanished and EM0300 named November as the newest).
        Assert.Contains(errors, e => e.Contains($"{Mart}(8,26): error {Codes.ReferenceToSupersededSnapshot}: ref() names snapshot 'candidacy_ddhq_matches_20251112', which is superseded by {Snapshot}", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains($"{Mart}(8,26): error {Codes.ReferenceToDatedStagingModel}:", StringComparison.Ordinal) && e.Contains($"always reads the newest ({Snapshot})", StringComparison.Ordinal));
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void Check_without_the_warehouse_still_fails_a_match_whose_relation_names_nothing()
    {
        // A source no sources YAML declares, and a ref() of no model: run fails on both (EM0020, EM0021). Before, check
        // read only the matches whose inputs are both files when the warehouse was not here, and an undeclared source
        // is no file, so a typo in electionmatch.yml passed CI and failed the next run. Without packages, which may
        // hold models that are not here before `dbt deps`.
        RemoveTarget();
        File.Delete(_clone.PathOf("packages.yml"));
        var settings = _clone.Read("electionmatch.yml");
        File.WriteAllText(_clone.PathOf("electionmatch.yml"), settings
            .Replace("source('airbyte_source', 'hubspot_api_candidacy')", "source('airbyte_source', 'hubspot_api_candidacyx')", StringComparison.Ordinal)
            .Replace("source('airbyte_source', 'l2_districts')", "ref('int__l2_districtz')", StringComparison.Ordinal));
        var line = settings.Split('\n').ToList().FindIndex(l => l.Contains("'hubspot_api_candidacy'", StringComparison.Ordinal)) + 1;

        var errors = Errors(Cli("check"));

        Assert.Contains(errors, e => e.Contains($"electionmatch.yml({line},", StringComparison.Ordinal)
            && e.Contains($"error {Codes.SourceNotFound}: source('airbyte_source', 'hubspot_api_candidacyx') does not exist; did you mean 'hubspot_api_candidacy'?", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains($"error {Codes.RefNotFound}: ref('int__l2_districtz') names no model, seed or snapshot of this project", StringComparison.Ordinal));

        // A seed is a relation dbt builds: no error for it, though no table of it is here.
        Directory.CreateDirectory(_clone.PathOf("seeds"));
        File.WriteAllText(_clone.PathOf("seeds/int__l2_districtz.csv"), "l2_district_id,state,district_type,district_name\n1,CA,State,CALIFORNIA\n");
        Assert.DoesNotContain(Errors(Cli("check")), e => e.Contains("int__l2_districtz", StringComparison.Ordinal));
    }

    [Fact]
    public void Generate_leaves_the_stable_model_on_the_newest_snapshot_and_says_why()
    {
        // Before, generate moved the stable model back to the newest snapshot it could read (November's hand-uploaded
        // file): a clone's first `dotnet build` rewrote it, ready to be committed.
        const string StableSql = "models/staging/model_predictions_source/stg_model_predictions__candidacy_ddhq_matches.sql";
        var before = (_clone.Read(StableSql), _clone.Read(StableYaml));
        RemoveTarget();

        var generate = Cli("generate");

        Assert.True(generate.ExitCode == 0, generate.Output);
        Assert.Equal(before, (_clone.Read(StableSql), _clone.Read(StableYaml)));
        Assert.Contains($"__sources.yaml({EntryLine()},9): warning {Codes.GeneratedFileStale}: snapshot '{Snapshot}' is declared here but its table model_predictions.{Snapshot} cannot be read: the warehouse ", generate.Stderr, StringComparison.Ordinal);
        Assert.Contains("so the stable model stg_model_predictions__candidacy_ddhq_matches is left as it is", generate.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void In_a_warehouse_older_than_the_committed_snapshot_check_generate_and_run_give_the_same_advice_and_none_is_generate()
    {
        // A teammate ran the match a day later and committed its entry, staging model and manifest; this warehouse has
        // only the earlier snapshot.
        const string Later = "candidacy_ddhq_matches_20300604";
        const string StableSql = "models/staging/model_predictions_source/stg_model_predictions__candidacy_ddhq_matches.sql";
        var older = _clone.WarehousePath + ".older";
        File.Copy(_clone.WarehousePath, older);
        var teammate = Cli("run", UninterruptedRun.Match, "--allow-future-date", "--snapshot-date", "2030-06-04");
        Assert.True(teammate.ExitCode == 0, teammate.Output);
        File.Move(older, _clone.WarehousePath, overwrite: true);
        // The teammate's target/ is theirs: with its parquet copy here, `restore` would be the advice (the table dropped from this warehouse).
        File.Delete(_clone.PathOf($"target/model_predictions/{Later}.parquet"));
        var committed = (_clone.Read(StableSql), _clone.Read(StableYaml));
        var at = $"__sources.yaml({EntryLine(Later)},9): ";
        var reason = $"snapshot '{Later}' is declared here but table model_predictions.{Later} in ";
        var remedy = $"publish it into this one with `electionmatch run {UninterruptedRun.Match} --snapshot-date 2030-06-04 --allow-future-date --replace --project-dir {_clone.Directory}` (which recomputes it from the inputs as they are now, not the snapshot as it was published), or delete this entry if the snapshot should not exist";

        var check = Cli("check");
        var generate = Cli("generate");
        var runOfAnOlderDate = Cli("run", UninterruptedRun.Match, "--allow-future-date", "--snapshot-date", "2030-06-02");

        Assert.Equal(1, check.ExitCode);
        var missing = Assert.Single(check.Stderr.Split('\n'), l => l.Contains(Codes.SnapshotTableMissing, StringComparison.Ordinal));
        Assert.Contains(at + $"error {Codes.SnapshotTableMissing}: {reason}", missing, StringComparison.Ordinal);
        Assert.Contains("published into another warehouse, such as a teammate's", missing, StringComparison.Ordinal);
        Assert.EndsWith(remedy, missing.TrimEnd(), StringComparison.Ordinal);
        // Before: EM0107 on the stable model's SQL and YAML ("out of date; run `electionmatch generate`", a generate that
        // changes nothing) and EM0103 (a Catalog Error), both restating that the table is not here.
        Assert.DoesNotContain(Codes.GeneratedFileStale, check.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Codes.StagingSqlFailed, check.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("; run `electionmatch generate`", check.Stderr, StringComparison.Ordinal);
        foreach (var leftAlone in new[] { generate, runOfAnOlderDate })
        {
            Assert.True(leftAlone.ExitCode == 0, leftAlone.Output);
            var warning = Assert.Single(leftAlone.Stderr.Split('\n'), l => l.Contains(Codes.GeneratedFileStale, StringComparison.Ordinal));
            Assert.Contains(at + $"warning {Codes.GeneratedFileStale}: {reason}", warning, StringComparison.Ordinal);
            Assert.Contains("so the stable model stg_model_predictions__candidacy_ddhq_matches is left as it is", warning, StringComparison.Ordinal);
            Assert.EndsWith(remedy, warning.TrimEnd(), StringComparison.Ordinal);
        }

        Assert.Equal(committed, (_clone.Read(StableSql), _clone.Read(StableYaml)));
    }

    [Fact]
    public void A_downstream_ref_of_a_teammates_snapshot_missing_from_this_warehouse_is_not_called_a_snapshot_that_does_not_exist()
    {
        // After merging a teammate's pull request: their entry, staging model and manifest are committed and the mart
        // reads their snapshot, whose table is in their warehouse. Before, check said at the mart "names snapshot
        // '…_20300604', which does not exist; the newest is …_20300604".
        const string Later = "candidacy_ddhq_matches_20300604";
        var older = _clone.WarehousePath + ".older";
        File.Copy(_clone.WarehousePath, older);
        var teammate = Cli("run", UninterruptedRun.Match, "--allow-future-date", "--snapshot-date", "2030-06-04");
        Assert.True(teammate.ExitCode == 0, teammate.Output);
        File.Move(older, _clone.WarehousePath, overwrite: true);
        File.Delete(_clone.PathOf($"target/model_predictions/{Later}.parquet"));
        _clone.Replace(Mart, "stg_model_predictions__candidacy_ddhq_matches_20251112", "stg_model_predictions__candidacy_ddhq_matches_20300604");

        var check = Cli("check");

        Assert.Equal(1, check.ExitCode);
        var errors = Errors(check);
        Assert.Contains(errors, e => e.Contains($"error {Codes.SnapshotTableMissing}: snapshot '{Later}' is declared here", StringComparison.Ordinal));
        Assert.DoesNotContain(Codes.ReferenceToMissingSnapshot, check.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("which does not exist", check.Stderr, StringComparison.Ordinal);
        // The reference is judged as any other: it names the newest declared snapshot by its dated model.
        Assert.Contains($"{Mart}(8,26): warning {Codes.ReferenceToDatedStagingModel}: ref('stg_model_predictions__{Later}') reads one dated snapshot", check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_still_reports_a_hand_edit_of_the_stable_models_yaml_at_its_first_line()
    {
        RemoveTarget();
        _clone.Replace(StableYaml, "ref this model downstream", "ref this model downstream, please,");

        var check = Cli("check");

        var edited = Assert.Single(Errors(check), e => e.Contains(Codes.GeneratedFileEdited, StringComparison.Ordinal));
        Assert.Contains("stg_model_predictions__candidacy_ddhq_matches.yml(1,1): error", edited, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_says_once_per_snapshot_that_its_tables_cannot_be_verified_here()
    {
        RemoveTarget();

        var verify = Cli("verify", "--no-inputs");

        Assert.Equal(1, verify.ExitCode);
        var error = Assert.Single(Errors(verify));
        Assert.Contains($"{Snapshot}.json(", error, StringComparison.Ordinal);
        Assert.Contains($"error {Codes.SnapshotDropped}: model_predictions.{Snapshot} cannot be verified: the warehouse ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("dropped or renamed", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_in_a_warehouse_that_lost_the_table_still_says_it_was_dropped()
    {
        using (var warehouse = DuckDbWarehouse.Open(_clone.WarehousePath))
        {
            warehouse.Execute($"drop table model_predictions.{Snapshot}");
        }

        var check = Cli("check");

        Assert.Equal(1, check.ExitCode);
        var errors = Errors(check);
        Assert.Contains(errors, e => e.Contains($"error {Codes.SnapshotTableMissing}: snapshot '{Snapshot}' is declared here but table model_predictions.{Snapshot} in ", StringComparison.Ordinal) && e.Contains("does not exist", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains($"error {Codes.SnapshotDropped}: model_predictions.{Snapshot} is not in the warehouse", StringComparison.Ordinal) && e.Contains("dropped or renamed", StringComparison.Ordinal));
        Assert.DoesNotContain("is not here", check.Stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// A `run --replace` of an older date leaves the manifest published after it naming the replaced manifest's hash,
    /// which no file has: an honest link, vouched for by the warehouse's snapshot log. Without the warehouse verify
    /// called it "a manifest was deleted or edited, or this one was copied from another project".
    /// </summary>
    [Fact]
    public void Verify_does_not_call_a_link_to_a_replaced_manifest_tampering_when_the_log_is_not_here()
    {
        using var project = FixtureCopy.Of("goodparty");
        CliProcess.Result Run(params string[] args) => CliProcess.Run([.. args, "--project-dir", project.Directory]);
        var day = (int ago) => DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-ago).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var args in new[] { new[] { "--snapshot-date", day(3) }, ["--snapshot-date", day(2)], ["--snapshot-date", day(3), "--replace"] })
        {
            var run = Run(["run", "candidacy_ddhq_matches", .. args]);
            Assert.True(run.ExitCode == 0, run.Output);
        }

        var withLog = Run("verify", "--no-inputs");
        Assert.True(withLog.ExitCode == 0, withLog.Output);
        Directory.Delete(project.PathOf("target"), recursive: true);

        var verify = Run("verify", "--no-inputs");

        Assert.Equal(1, verify.ExitCode);
        var link = Assert.Single(Errors(verify), e => e.Contains(Codes.ManifestChainBroken, StringComparison.Ordinal));
        Assert.Contains($"candidacy_ddhq_matches_{day(2).Replace("-", "", StringComparison.Ordinal)}.json(", link, StringComparison.Ordinal);
        Assert.Contains("cannot say whether one had it: the warehouse ", link, StringComparison.Ordinal);
        Assert.DoesNotContain("deleted or edited", verify.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("broken chain", verify.Stderr, StringComparison.Ordinal);
    }
}
