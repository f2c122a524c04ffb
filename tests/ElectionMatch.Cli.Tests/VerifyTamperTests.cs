using ElectionMatch.Diagnostics;
using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matches.L2BallotReady;
using ElectionMatch.Matching.Scoring;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// Three published snapshots of the candidacy match (and one of the district match), made once for every class that
/// holds them (<see cref="HeldOnce{T}"/>): every tamper, restore and prune test starts from a clone of them (warehouse
/// included) instead of paying for the runs, and none writes into them. The last to let go deletes the project.
/// </summary>
public sealed class ThreeSnapshots : IDisposable
{
    private static readonly HeldOnce<FixtureCopy> Instance = new(Publish, project => project.Dispose());

    public FixtureCopy Project { get; } = Instance.Hold();

    public void Dispose() => Instance.LetGo();

    private static FixtureCopy Publish()
    {
        var project = FixtureCopy.Of("goodparty");
        foreach (var date in new[] { "2030-06-03", "2030-06-10", "2030-06-17" })
        {
            var run = CliProcess.Run("run", VerifyTamperTests.Match, "--allow-future-date", "--snapshot-date", date, "--project-dir", project.Directory);
            Assert.True(run.ExitCode == 0, run.Output);
        }

        var districts = CliProcess.Run("run", "llm_l2_br_match", "--allow-future-date", "--snapshot-date", "2030-06-03", "--project-dir", project.Directory);
        Assert.True(districts.ExitCode == 0, districts.Output);
        return project;
    }
}

/// <summary>`verify` (and `check`, which runs it) on a real warehouse and real manifest files, each tamper case by hand.</summary>
public sealed class VerifyTamperTests : IClassFixture<ThreeSnapshots>, IDisposable
{
    public const string Match = "candidacy_ddhq_matches";
    private const string Newest = "candidacy_ddhq_matches_20300617";
    private const string Middle = "candidacy_ddhq_matches_20300610";

    // A row of the fixture's left input from its candidate office to its party, its district empty.
    private const string AllentownMayor = "PA,Mayor,Allentown Mayor,local,,Nonpartisan,";

    private readonly FixtureCopy _fixture;

    public VerifyTamperTests(ThreeSnapshots published)
    {
        _fixture = published.Project.Clone();
    }

    public void Dispose() => _fixture.Dispose();

    private CliProcess.Result Cli(string command, params string[] args) =>
        CliProcess.Run([command, .. args, "--project-dir", _fixture.Directory]);

    // The newest manifest rewritten in its file and in the snapshot log alike, as the tool that made it would have written it.
    private void RewriteNewestManifest(string path, string text)
    {
        Tamper($"""
            update electionmatch.snapshot_log set manifest_json = {Sql.Literal(text)}, manifest_sha256 = {Sql.Literal(ElectionMatch.Snapshots.SnapshotManifest.Sha256(text))}
            where snapshot = {Sql.Literal(Newest)}
            """);
        _fixture.Write(path, text);
    }

    private void Tamper(string sql)
    {
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath);
        warehouse.Execute(sql);
    }

    private static string[] Errors(CliProcess.Result result) =>
        result.Stderr.Split('\n').Where(l => l.Contains(": error EM", StringComparison.Ordinal)).ToArray();

    private string ManifestOf(string snapshot) => $"electionmatch/manifests/{snapshot}.json";

    [Fact]
    public void Verify_passes_on_untouched_snapshots_and_recomputes_the_input_hashes()
    {
        var verify = Cli("verify");
        var one = Cli("verify", "--match", Match, "--no-inputs");

        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("verify passed", verify.Stdout, StringComparison.Ordinal);
        Assert.True(one.ExitCode == 0, one.Output);
        var manifest = ElectionMatch.Snapshots.SnapshotManifest.FromJson(_fixture.Read(ManifestOf(Newest)));
        Assert.All(manifest.Inputs, i => Assert.Matches("^[0-9a-f]{64}$", i.Sha256));
        Assert.All(manifest.Inputs, i => Assert.Equal(ElectionMatch.Snapshots.InputHash.CurrentVersion, i.Sha256Version));
        Assert.Equal(ElectionMatch.Snapshots.ContentHash.CurrentVersion, manifest.ContentSha256Version);
        Assert.DoesNotContain(Codes.SnapshotInputsChanged, verify.Stderr, StringComparison.Ordinal);
        Assert.Equal("gp_candidacy_id, hubspot_election_type, hubspot_election_date", manifest.CanonicalOrder);
        Assert.True(manifest.Counts.ContainsKey("judge_contests"));
        Assert.True(manifest.Counts.ContainsKey("decided_by_judge"));
    }

    [Fact]
    public void An_edited_row_is_reported_with_its_key()
    {
        Tamper($"update model_predictions.{Middle} set llm_reasoning = 'looks fine to me' where gp_candidacy_id = 'gpc-001623' and hubspot_election_type = 'general'");

        var verify = Cli("verify", "--no-inputs");

        Assert.Equal(1, verify.ExitCode);
        var error = Assert.Single(Errors(verify));
        Assert.Contains($"{Middle}.json(", error, StringComparison.Ordinal);
        Assert.Contains("error " + Codes.SnapshotRowEdited + ": 1 row(s) of model_predictions." + Middle + " were edited", error, StringComparison.Ordinal);
        Assert.Contains("gpc-001623, general", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_edited_row_of_a_past_snapshot_is_put_back_from_its_parquet_copy_not_recomputed_from_todays_inputs()
    {
        Tamper($"update model_predictions.{Middle} set llm_reasoning = 'looks fine to me' where gp_candidacy_id = 'gpc-001623' and hubspot_election_type = 'general'");

        var error = Assert.Single(Errors(Cli("verify", "--no-inputs")));

        // Before, the advice was `--replace` alone, which republishes the inputs as they are today under the old date; then
        // a DuckDB statement to run by hand on the warehouse.
        var parquet = $"target/model_predictions/{Middle}.parquet";
        Assert.Contains($"its parquet copy {_fixture.PathOf(parquet)} holds it as published: `electionmatch restore {Match} --snapshot-date 2030-06-10 --project-dir {_fixture.Directory}` puts the table back from it", error, StringComparison.Ordinal);
        Assert.Contains($"`electionmatch run {Match} --snapshot-date 2030-06-10 --allow-future-date --replace --project-dir {_fixture.Directory}` would instead recompute it from the inputs as they are now, publishing their current data under 2030-06-10", error, StringComparison.Ordinal);
        Assert.DoesNotContain("read_parquet", error, StringComparison.Ordinal);

        // Following the advice clears the finding: the copy is the table as published.
        var restore = Cli("restore", Match, "--snapshot-date", "2030-06-10");
        Assert.True(restore.ExitCode == 0, restore.Output);
        var verify = Cli("verify", "--no-inputs");
        Assert.True(verify.ExitCode == 0, verify.Output);
    }

    [Fact]
    public void An_edited_row_of_a_match_keyed_by_one_column_is_named_by_that_column()
    {
        Tamper("update model_predictions.llm_l2_br_match_20300603 set l2_district_id = null where br_database_id = 140300");

        var verify = Cli("verify", "--match", "llm_l2_br_match", "--no-inputs");

        Assert.Equal(1, verify.ExitCode);
        var error = Assert.Single(Errors(verify));
        Assert.Contains("llm_l2_br_match_20300603.json(", error, StringComparison.Ordinal);
        Assert.Contains("error " + Codes.SnapshotRowEdited + ": 1 row(s) of model_predictions.llm_l2_br_match_20300603 were edited after publishing: (140300) (by br_database_id)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deleted_row_is_reported_with_its_key()
    {
        Tamper($"delete from model_predictions.{Newest} where gp_candidacy_id = 'gpc-001623' and hubspot_election_type = 'general'");

        var verify = Cli("verify", "--no-inputs");

        Assert.Equal(1, verify.ExitCode);
        var error = Assert.Single(Errors(verify));
        Assert.Contains("error " + Codes.SnapshotRowDeleted + ": 1 row(s) of model_predictions." + Newest + " were deleted", error, StringComparison.Ordinal);
        Assert.Contains("gpc-001623, general", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_added_row_is_reported_with_its_key_and_check_fails_on_it()
    {
        Tamper($"insert into model_predictions.{Newest} select * replace ('gpc-999999' as gp_candidacy_id) from model_predictions.{Newest} where gp_candidacy_id = 'gpc-001623' and hubspot_election_type = 'general'");

        var verify = Cli("verify", "--no-inputs");
        var check = Cli("check");

        Assert.Equal(1, verify.ExitCode);
        var error = Assert.Single(Errors(verify));
        Assert.Contains("error " + Codes.SnapshotRowAdded + ": 1 row(s) were added to model_predictions." + Newest, error, StringComparison.Ordinal);
        Assert.Contains("gpc-999999", error, StringComparison.Ordinal);
        Assert.Equal(1, check.ExitCode);
        Assert.Contains("error " + Codes.SnapshotRowAdded, check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_table_replaced_with_its_snapshot_log_rewritten_to_match_is_reported_against_its_manifest()
    {
        // A row deleted, and the warehouse's record of the publish (count, content hash, row hashes) rewritten to the
        // table's new rows: the log agrees with the table, the manifest (in git) does not.
        var table = $"model_predictions.{Middle}";
        var manifest = ElectionMatch.Snapshots.SnapshotManifest.FromJson(_fixture.Read(ManifestOf(Middle)));
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath))
        {
            warehouse.Execute($"delete from {table} where gp_candidacy_id = 'gpc-001623' and hubspot_election_type = 'general'");
            var hash = ElectionMatch.Snapshots.ContentHash.Of(warehouse, table, manifest.CanonicalOrder!);
            var rowHashes = new ElectionMatch.Snapshots.SnapshotLog(warehouse).RowHashes(table, manifest.CanonicalOrder!, ElectionMatch.Snapshots.ContentHash.CurrentVersion);
            warehouse.Execute($"""
                update electionmatch.snapshot_log set row_count = {manifest.Rows - 1}, content_sha256 = {Sql.Literal(hash)} where snapshot = {Sql.Literal(Middle)};
                delete from electionmatch.snapshot_rows where snapshot = {Sql.Literal(Middle)};
                insert into electionmatch.snapshot_rows select {Sql.Literal(Middle)}, row_key, row_md5 from {rowHashes};
                """);
        }

        var line = _fixture.Read(ManifestOf(Middle)).Split('\n').ToList().FindIndex(l => l.StartsWith("  \"content_sha256\":", StringComparison.Ordinal)) + 1;

        var verify = Cli("verify", "--no-inputs");

        Assert.Equal(1, verify.ExitCode);
        var error = Assert.Single(Errors(verify));
        Assert.Contains($"{Middle}.json({line},1): error {Codes.SnapshotDiffersFromManifest}: {table} does not hold what its manifest {Middle}.json recorded: {manifest.Rows - 1} rows", error, StringComparison.Ordinal);
        Assert.Contains($"the manifest: {manifest.Rows} rows, content sha256 {manifest.ContentSha256[..12]}", error, StringComparison.Ordinal);
        // The parquet copy would disagree with the rewritten log: a backup, or a run recomputing from today's inputs.
        Assert.Contains($"`electionmatch run {Match} --snapshot-date 2030-06-10 --allow-future-date --replace --project-dir {_fixture.Directory}` republishes it, but recomputes it from the inputs as they are now, publishing their current data under 2030-06-10; to have it back as published, restore the warehouse from a backup", error, StringComparison.Ordinal);
        Assert.DoesNotContain("parquet", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_row_added_to_the_quarantine_table_is_reported_and_a_manifest_without_its_hash_does_not_check_it()
    {
        var path = ManifestOf(Newest);
        var text = _fixture.Read(path);
        var line = text.Split('\n').ToList().FindIndex(l => l.StartsWith("  \"quarantine_content_sha256\":", StringComparison.Ordinal)) + 1;
        Assert.True(line > 0, text);
        Tamper($"insert into model_predictions.{Newest}__quarantine default values");

        var verify = Cli("verify", "--no-inputs");

        Assert.Equal(1, verify.ExitCode);
        var error = Assert.Single(Errors(verify));
        Assert.Contains($"{Newest}.json({line},1): error {Codes.QuarantineDiffersFromManifest}: model_predictions.{Newest}__quarantine does not hold what its manifest {Newest}.json recorded", error, StringComparison.Ordinal);
        // It was published empty, so restore recreates it as it was (before, only a backup or a --replace was advised).
        Assert.Contains($"its manifest records it empty (quarantine_rows 0): `electionmatch restore {Match} --snapshot-date 2030-06-17 --project-dir {_fixture.Directory}` recreates it empty, as published;", error, StringComparison.Ordinal);

        // A manifest made before the quarantine was hashed has neither field, in the file and in the log alike.
        var earlier = System.Text.RegularExpressions.Regex.Replace(text, "\n  \"quarantine_(rows|content_sha256)\": [^\n]*", "");
        Assert.Null(ElectionMatch.Snapshots.SnapshotManifest.FromJson(earlier).QuarantineContentSha256);
        RewriteNewestManifest(path, earlier);

        var older = Cli("verify", "--no-inputs");

        Assert.True(older.ExitCode == 0, older.Output);
    }

    /// <summary>The project's dbt models and their YAML, with their bytes: what generate writes.</summary>
    private Dictionary<string, string> Models() =>
        _fixture.Snapshot().Where(f => f.Key.StartsWith("models/", StringComparison.Ordinal)).ToDictionary();

    [Fact]
    public void A_renamed_column_of_a_published_snapshot_fails_verify_and_check_naming_restore_and_generate_does_not_follow_it()
    {
        Tamper($"alter table model_predictions.{Middle} rename column llm_reasoning to reason_text");
        var models = Models();

        var verify = Cli("verify", "--no-inputs");
        var check = Cli("check");
        var generate = Cli("generate");

        // Before, verify passed (the content hash covers values only), check asked for a generate, and generate rewrote
        // the committed staging files to declare the renamed column.
        Assert.Equal(1, verify.ExitCode);
        var error = Assert.Single(Errors(verify));
        Assert.Contains($"{Middle}.json(", error, StringComparison.Ordinal);
        Assert.Contains($"error {Codes.SnapshotColumnsAltered}: model_predictions.{Middle} no longer has the columns its manifest {Middle}.json recorded: llm_reasoning VARCHAR is gone, reason_text VARCHAR is new; it was altered after publishing;", error, StringComparison.Ordinal);
        Assert.Contains($"`electionmatch restore {Match} --snapshot-date 2030-06-10 --project-dir {_fixture.Directory}` puts the table back from it", error, StringComparison.Ordinal);
        Assert.Equal(1, check.ExitCode);
        Assert.Contains($"error {Codes.SnapshotColumnsAltered}: ", check.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Codes.GeneratedFileStale, check.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Codes.StagingSqlFailed, check.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("electionmatch generate`", check.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, generate.ExitCode);
        Assert.Contains($"error {Codes.SnapshotColumnsAltered}: model_predictions.{Middle} no longer has the columns its manifest {Middle}.json recorded: llm_reasoning VARCHAR is gone, reason_text VARCHAR is new; it was altered after publishing, so its staging files are not rendered from it;", generate.Stderr, StringComparison.Ordinal);
        Assert.Equal(models, Models());

        var restore = Cli("restore", Match, "--snapshot-date", "2030-06-10");
        Assert.True(restore.ExitCode == 0, restore.Output);
        var after = Cli("check");
        Assert.True(after.ExitCode == 0, after.Output);
    }

    [Fact]
    public void A_changed_column_type_of_the_newest_snapshot_leaves_its_staging_files_and_the_stable_model_as_they_are()
    {
        Tamper($"alter table model_predictions.{Newest} alter llm_confidence type varchar");
        var models = Models();

        var generate = Cli("generate");
        var check = Cli("check");

        Assert.Equal(1, generate.ExitCode);
        // One finding says both (before, an EM0107 for the stable model followed, for the same cause).
        Assert.Contains($"error {Codes.SnapshotColumnsAltered}: model_predictions.{Newest} no longer has the columns its manifest {Newest}.json recorded: llm_confidence is VARCHAR (published INTEGER); it was altered after publishing, so its staging files are not rendered from it, and the stable model stg_model_predictions__{Match} is left as it is;", generate.Stderr, StringComparison.Ordinal);
        Assert.Single(Errors(generate));
        Assert.DoesNotContain(Codes.GeneratedFileStale, generate.Stderr, StringComparison.Ordinal);
        Assert.Equal(models, Models());
        Assert.Equal(1, check.ExitCode);
        var error = Assert.Single(Errors(check));
        Assert.Contains($"error {Codes.SnapshotColumnsAltered}: model_predictions.{Newest} no longer has the columns", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Codes.GeneratedFileStale, check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_edited_model_file_is_reported_naming_it()
    {
        var model = $"electionmatch/manifests/{Middle}.model.json";
        var text = _fixture.Read(model);
        var edited = System.Text.RegularExpressions.Regex.Replace(text, "\"lambda\": [0-9.eE+-]+,", "\"lambda\": 0.5,");
        Assert.NotEqual(text, edited);
        _fixture.Write(model, edited);

        var verify = Cli("verify", "--no-inputs");
        var check = Cli("check");

        Assert.Equal(1, verify.ExitCode);
        var error = Assert.Single(Errors(verify));
        Assert.Contains($"{Middle}.model.json(1,1): error {Codes.ModelFileChanged}: this model file does not match the model_parameters_sha256 its manifest {Middle}.json recorded", error, StringComparison.Ordinal);
        Assert.Equal(1, check.ExitCode);
        Assert.Contains($"error {Codes.ModelFileChanged}", check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dropped_snapshot_table_is_reported_at_its_manifest()
    {
        Tamper($"drop table model_predictions.{Middle}");
        var line = _fixture.Read(ManifestOf(Middle)).Split('\n').ToList().FindIndex(l => l.StartsWith("  \"table\":", StringComparison.Ordinal)) + 1;

        var verify = Cli("verify", "--no-inputs");

        Assert.Equal(1, verify.ExitCode);
        var error = Assert.Single(Errors(verify));
        Assert.Contains($"{Middle}.json({line},1): error {Codes.SnapshotDropped}: model_predictions.{Middle} is not in the warehouse", error, StringComparison.Ordinal);
        Assert.Contains($"its parquet copy {_fixture.PathOf($"target/model_predictions/{Middle}.parquet")} holds it as published: `electionmatch restore {Match} --snapshot-date 2030-06-10 --project-dir {_fixture.Directory}` puts the table back from it", error, StringComparison.Ordinal);

        // A copy that no longer holds the snapshot as published is not advised: rows deleted from it here.
        var parquet = _fixture.PathOf($"target/model_predictions/{Middle}.parquet");
        Tamper($"copy (select * from read_parquet({Sql.Literal(parquet)}) limit 10) to {Sql.Literal(parquet + ".cut")} (format parquet)");
        File.Move(parquet + ".cut", parquet, overwrite: true);

        var cut = Assert.Single(Errors(Cli("verify", "--no-inputs")));

        Assert.DoesNotContain("parquet", cut, StringComparison.Ordinal);
        Assert.Contains($"--replace --project-dir {_fixture.Directory}` republishes it, but recomputes it from the inputs as they are now, publishing their current data under 2030-06-10", cut, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quarantine_dropped_with_its_snapshot_table_is_advised_what_puts_the_table_back()
    {
        // Before: its own advice was restore, which recreates an empty quarantine only beside its table, and failed on
        // the missing table's parquet copy (EM0617).
        Tamper($"drop table model_predictions.{Middle}; drop table model_predictions.{Middle}__quarantine");
        File.Delete(_fixture.PathOf($"target/model_predictions/{Middle}.parquet"));

        var errors = Errors(Cli("verify", "--no-inputs"));

        Assert.Equal(2, errors.Length);
        var quarantine = Assert.Single(errors, e => e.Contains($"model_predictions.{Middle}__quarantine is not in the warehouse", StringComparison.Ordinal));
        Assert.Contains($"the snapshot table is missing too, and what puts it back puts this back with it: `electionmatch run {Match} --snapshot-date 2030-06-10 --allow-future-date --replace --project-dir {_fixture.Directory}` republishes it", quarantine, StringComparison.Ordinal);
        Assert.DoesNotContain("electionmatch restore", quarantine, StringComparison.Ordinal);
    }

    [Fact]
    public void An_edited_field_of_the_newest_manifest_is_reported_at_its_line()
    {
        var text = _fixture.Read(ManifestOf(Newest));
        var lines = text.Split('\n').ToList();
        var line = lines.FindIndex(l => l.StartsWith("  \"rows\": 360,", StringComparison.Ordinal)) + 1;
        Assert.True(line > 0, text);
        _fixture.Write(ManifestOf(Newest), text.Replace("  \"rows\": 360,", "  \"rows\": 359,", StringComparison.Ordinal));

        var verify = Cli("verify", "--no-inputs");

        Assert.Equal(1, verify.ExitCode);
        var error = Assert.Single(Errors(verify));
        Assert.Contains($"{Newest}.json({line},1): error {Codes.ManifestEdited}: this manifest was edited after it was published", error, StringComparison.Ordinal);
        Assert.Contains("`\"rows\": 360,`", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_that_no_longer_parses_is_reported_as_edited()
    {
        var path = ManifestOf(Middle);
        var truncated = _fixture.Read(path)[..200];
        _fixture.Write(path, truncated);
        // The text stops parsing on its last line, the one cut short.
        var line = truncated.Split('\n').Length;

        var verify = Cli("verify", "--no-inputs");

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains($"{Middle}.json({line},1): error {Codes.ManifestEdited}: this manifest does not parse", verify.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Removing_a_middle_manifest_breaks_the_chain_at_the_next_one()
    {
        File.Delete(_fixture.PathOf(ManifestOf(Middle)));
        var line = _fixture.Read(ManifestOf(Newest)).Split('\n').ToList().FindIndex(l => l.Contains("\"previous_manifest_sha256\"", StringComparison.Ordinal)) + 1;

        var verify = Cli("verify", "--no-inputs");

        Assert.Equal(1, verify.ExitCode);
        var errors = Errors(verify);
        Assert.Equal(2, errors.Length);
        Assert.Contains(errors, e => e.Contains($"{Newest}.json({line},1): error {Codes.ManifestChainBroken}: broken chain: the previous manifest ({Middle}", StringComparison.Ordinal));
        // Where the snapshot's sources entry names the missing file.
        var sources = _fixture.Read("models/staging/__sources.yaml").Split('\n').ToList().FindIndex(l => l.Contains($"manifest: electionmatch/manifests/{Middle}.json", StringComparison.Ordinal)) + 1;
        Assert.Contains(errors, e => e.Contains($"__sources.yaml({sources},", StringComparison.Ordinal) && e.Contains($"error {Codes.ManifestMissing}: the manifest ", StringComparison.Ordinal) && e.Contains($"electionmatch/manifests/{Middle}.json of snapshot {Middle} is missing", StringComparison.Ordinal));
    }

    [Fact]
    public void A_chain_link_to_a_manifest_no_one_has_is_reported()
    {
        var path = ManifestOf(Newest);
        var manifest = ElectionMatch.Snapshots.SnapshotManifest.FromJson(_fixture.Read(path));
        // Re-chained by hand to a made-up predecessor, and the log's record of it dropped too: only the link is wrong.
        _fixture.Write(path, (manifest with { PreviousManifestSha256 = new string('a', 64) }).ToJson());
        Tamper($"delete from electionmatch.snapshot_log where snapshot = '{Newest}'");

        var verify = Cli("verify", "--no-inputs");

        Assert.Equal(1, verify.ExitCode);
        var error = Assert.Single(Errors(verify));
        Assert.Contains($"error {Codes.ManifestChainBroken}: broken chain: no manifest of '{Match}' has the previous hash aaaaaaaaaaaa", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_replaced_snapshot_keeps_the_chain_valid()
    {
        var replaced = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2030-06-10", "--replace");
        Assert.True(replaced.ExitCode == 0, replaced.Output);

        var verify = Cli("verify", "--no-inputs");

        Assert.True(verify.ExitCode == 0, verify.Output);
        // The same inputs as the replaced snapshot's: nothing to warn of.
        Assert.DoesNotContain(Codes.ReplacedFromOtherInputs, replaced.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Replacing_a_snapshot_made_from_other_inputs_warns_that_todays_data_is_published_under_its_date()
    {
        var recorded = ElectionMatch.Snapshots.SnapshotManifest.FromJson(_fixture.Read(ManifestOf(Middle))).Inputs[0].Sha256!;
        var csv = _fixture.PathOf("data/airbyte/hubspot_candidacy.csv");
        var lines = File.ReadAllLines(csv);
        File.WriteAllLines(csv, lines.Take(lines.Length - 1));

        var replaced = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2030-06-10", "--replace");

        Assert.True(replaced.ExitCode == 0, replaced.Output);
        var now = ElectionMatch.Snapshots.SnapshotManifest.FromJson(_fixture.Read(ManifestOf(Middle))).Inputs[0].Sha256!;
        Assert.NotEqual(recorded, now);
        Assert.Contains($"{Middle}.json(", replaced.Stderr, StringComparison.Ordinal);
        Assert.Contains($"warning {Codes.ReplacedFromOtherInputs}: the replaced snapshot {Middle} was made from other inputs: the left input source('airbyte_source', 'hubspot_api_candidacy') (sha256 now {now[..12]}…, at the run {recorded[..12]}…); this publishes the inputs as they are today under 2030-06-10", replaced.Stderr, StringComparison.Ordinal);
        // Only the input that changed is named.
        Assert.DoesNotContain("the right input", replaced.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_hashed_the_earlier_way_still_verifies_its_inputs_and_an_unknown_version_is_a_warning()
    {
        // The newest manifest rewritten as a run before input hash versions wrote it: the struct text's hashes, no version.
        var path = ManifestOf(Newest);
        var text = _fixture.Read(path);
        var manifest = ElectionMatch.Snapshots.SnapshotManifest.FromJson(text);
        var context = ElectionMatch.Operations.ProjectContext.Load(new ElectionMatch.Operations.ProjectOptions(_fixture.Directory));
        var settings = context.Settings.Match(Match);
        string[] earlier;
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath))
        {
            var resolver = context.Resolver(warehouse);
            earlier = [.. new[] { settings.Left, settings.Right }.Select(i =>
                ElectionMatch.Snapshots.InputHash.Of(warehouse, resolver.Resolve(i.Relation, i.RelationAt), ElectionMatch.Snapshots.InputHash.RowText))];
        }

        var version = $"\"sha256_version\": {ElectionMatch.Snapshots.InputHash.CurrentVersion}";
        Assert.Equal(2, text.Split(version).Length - 1);
        _fixture.Write(path, text
            .Replace(manifest.Inputs[0].Sha256!, earlier[0], StringComparison.Ordinal)
            .Replace(manifest.Inputs[1].Sha256!, earlier[1], StringComparison.Ordinal)
            .Replace(",\n      " + version, "", StringComparison.Ordinal));
        var verify = Cli("verify");

        // The rewrite is an edit of a published manifest (EM0605); its inputs, hashed the earlier way, have not changed.
        Assert.Contains($"error {Codes.ManifestEdited}", verify.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Codes.SnapshotInputsChanged, verify.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(manifest.Inputs[1].Sha256, earlier[1]);

        _fixture.Write(path, text.Replace(version, "\"sha256_version\": 99", StringComparison.Ordinal));
        var unknown = Cli("verify");

        Assert.Contains($"warning {Codes.InputHashVersionUnknown}: the left input's hash in {Newest} is of version 99", unknown.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Codes.SnapshotInputsChanged, unknown.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PA,Mayor\u001f,Allentown Mayor,local,,Nonpartisan,", "PA,Mayor,\u001fAllentown Mayor,local,,Nonpartisan,")]
    [InlineData("PA,Mayor,Allentown Mayor,local,,,", "PA,Mayor,Allentown Mayor,local,,\u001e,")]
    public void A_separator_moved_to_the_next_value_or_a_null_turned_into_one_is_a_changed_input_of_verify_and_of_a_replacing_run(string published, string today)
    {
        // Version 2's row text wrote a null as U+001E and joined values by U+001F: each pair of rows had the same text, so
        // neither verify nor the replacing run saw the change.
        var csv = _fixture.PathOf("data/airbyte/hubspot_candidacy.csv");
        var original = File.ReadAllText(csv);
        Assert.Contains(AllentownMayor, original, StringComparison.Ordinal);
        File.WriteAllText(csv, original.Replace(AllentownMayor, published, StringComparison.Ordinal));
        var publish = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2030-06-17", "--replace");
        Assert.True(publish.ExitCode == 0, publish.Output);
        var recorded = ElectionMatch.Snapshots.SnapshotManifest.FromJson(_fixture.Read(ManifestOf(Newest))).Inputs[0].Sha256!;
        File.WriteAllText(csv, original.Replace(AllentownMayor, today, StringComparison.Ordinal));

        var verify = Cli("verify");
        var replaced = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2030-06-17", "--replace");

        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains($"warning {Codes.SnapshotInputsChanged}: the left input source('airbyte_source', 'hubspot_api_candidacy') changed since {Newest} was made (sha256 now ", verify.Stderr, StringComparison.Ordinal);
        Assert.Contains($"…, at the run {recorded[..12]}…)", verify.Stderr, StringComparison.Ordinal);
        Assert.True(replaced.ExitCode == 0, replaced.Output);
        Assert.Contains($"warning {Codes.ReplacedFromOtherInputs}: the replaced snapshot {Newest} was made from other inputs: the left input source('airbyte_source', 'hubspot_api_candidacy') (sha256 now ", replaced.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("the right input", verify.Stderr + replaced.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_hashed_in_version_2_verifies_and_is_replaced_without_a_warning_while_its_inputs_are_unchanged()
    {
        // A left input with U+001F in a value hashes otherwise in version 3 than in version 2; the right input, with no
        // such value, alike. The newest manifest rewritten as a version 2 build would have made it from these inputs.
        var csv = _fixture.PathOf("data/airbyte/hubspot_candidacy.csv");
        File.WriteAllText(csv, File.ReadAllText(csv).Replace(AllentownMayor, "PA,Mayor\u001f,Allentown Mayor,local,,Nonpartisan,", StringComparison.Ordinal));
        var path = ManifestOf(Newest);
        var text = _fixture.Read(path);
        var manifest = ElectionMatch.Snapshots.SnapshotManifest.FromJson(text);
        var context = ElectionMatch.Operations.ProjectContext.Load(new ElectionMatch.Operations.ProjectOptions(_fixture.Directory));
        var settings = context.Settings.Match(Match);
        string[][] hashes;
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath))
        {
            var resolver = context.Resolver(warehouse);
            hashes = [.. new[] { ElectionMatch.Snapshots.InputHash.ColumnText, ElectionMatch.Snapshots.InputHash.ColumnTextAndLengths }.Select(version =>
                new[] { settings.Left, settings.Right }.Select(i => ElectionMatch.Snapshots.InputHash.Of(warehouse, resolver.Resolve(i.Relation, i.RelationAt), version)).ToArray())];
        }

        var (version2, version3) = (hashes[0], hashes[1]);
        Assert.NotEqual(version2[0], version3[0]);
        Assert.Equal(version2[1], version3[1]);
        Assert.Equal(manifest.Inputs[1].Sha256, version3[1]);
        RewriteNewestManifest(path, text
            .Replace(manifest.Inputs[0].Sha256!, version2[0], StringComparison.Ordinal)
            .Replace("\"sha256_version\": 3", "\"sha256_version\": 2", StringComparison.Ordinal));

        var verify = Cli("verify");
        var replaced = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2030-06-17", "--replace");

        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("verify passed", verify.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Codes.SnapshotInputsChanged, verify.Stderr, StringComparison.Ordinal);
        Assert.True(replaced.ExitCode == 0, replaced.Output);
        Assert.DoesNotContain(Codes.ReplacedFromOtherInputs, replaced.Stderr, StringComparison.Ordinal);
        // The replacing run records today's version.
        Assert.All(ElectionMatch.Snapshots.SnapshotManifest.FromJson(_fixture.Read(path)).Inputs, i => Assert.Equal(ElectionMatch.Snapshots.InputHash.ColumnTextAndLengths, i.Sha256Version));
    }

    [Fact]
    public void A_snapshot_published_with_the_earlier_content_hash_verifies_and_names_an_edited_row()
    {
        // The newest snapshot made as a run before content hash versions made it: content hash and row hashes of each
        // row's struct text, no version in its manifest, in the file and in the log alike (so the manifest is not edited).
        var path = ManifestOf(Newest);
        var text = _fixture.Read(path);
        var manifest = ElectionMatch.Snapshots.SnapshotManifest.FromJson(text);
        var table = $"model_predictions.{Newest}";
        string earlierText;
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath))
        {
            var earlier = ElectionMatch.Snapshots.ContentHash.Of(warehouse, table, manifest.CanonicalOrder!, ElectionMatch.Snapshots.ContentHash.RowText);
            Assert.NotEqual(manifest.ContentSha256, earlier);
            earlierText = text.Replace(manifest.ContentSha256, earlier, StringComparison.Ordinal)
                .Replace($",\n  \"content_sha256_version\": {ElectionMatch.Snapshots.ContentHash.CurrentVersion}", "", StringComparison.Ordinal);
            Assert.Null(ElectionMatch.Snapshots.SnapshotManifest.FromJson(earlierText).ContentSha256Version);
            warehouse.Execute($"""
                update electionmatch.snapshot_log set content_sha256 = {Sql.Literal(earlier)}, manifest_json = {Sql.Literal(earlierText)},
                    manifest_sha256 = {Sql.Literal(ElectionMatch.Snapshots.SnapshotManifest.Sha256(earlierText))}
                where snapshot = {Sql.Literal(Newest)};
                update electionmatch.snapshot_rows as r set row_md5 = h.row_md5
                from (select cast(row({manifest.CanonicalOrder}) as varchar) as row_key, md5(cast(t as varchar)) as row_md5 from {table} as t) as h
                where r.snapshot = {Sql.Literal(Newest)} and r.row_key = h.row_key;
                """);
        }

        _fixture.Write(path, earlierText);
        var verify = Cli("verify", "--no-inputs");
        Assert.True(verify.ExitCode == 0, verify.Output);

        Tamper($"update {table} set llm_confidence = 3 where gp_candidacy_id = 'gpc-001623' and hubspot_election_type = 'general'");
        var edited = Cli("verify", "--no-inputs");

        Assert.Equal(1, edited.ExitCode);
        var error = Assert.Single(Errors(edited));
        Assert.Contains("error " + Codes.SnapshotRowEdited + ": 1 row(s) of " + table + " were edited", error, StringComparison.Ordinal);
        Assert.Contains("gpc-001623, general", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_content_hash_of_an_unknown_version_is_a_warning_not_a_false_edit()
    {
        var path = ManifestOf(Newest);
        var text = _fixture.Read(path).Replace($"\"content_sha256_version\": {ElectionMatch.Snapshots.ContentHash.CurrentVersion}", "\"content_sha256_version\": 99", StringComparison.Ordinal);
        RewriteNewestManifest(path, text);

        var verify = Cli("verify", "--no-inputs");

        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains($"warning {Codes.ContentHashVersionUnknown}: the content hash of {Newest} is of version 99", verify.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Codes.SnapshotRowEdited, verify.Stderr, StringComparison.Ordinal);
    }

    // The key of the newest snapshot's first row (by key) where `where` holds, as verify names a row.
    private string NewestRowKey(string where)
    {
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        var order = ElectionMatch.Snapshots.SnapshotManifest.FromJson(_fixture.Read(ManifestOf(Newest))).CanonicalOrder!;
        var key = ElectionMatch.Snapshots.SnapshotLog.RowKeySql(order);
        return warehouse.Scalar<string>($"select {key} from model_predictions.{Newest} where {where} order by {key} limit 1")!;
    }

    // The newest snapshot's table taken as published: its content hash and row hashes recomputed in today's version into
    // the snapshot log and its manifest (file and log alike), as a run publishing these rows would have recorded them.
    private void RecordNewestAsPublished()
    {
        var path = ManifestOf(Newest);
        var text = _fixture.Read(path);
        var manifest = ElectionMatch.Snapshots.SnapshotManifest.FromJson(text);
        var table = $"model_predictions.{Newest}";
        string hash;
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath))
        {
            hash = ElectionMatch.Snapshots.ContentHash.Of(warehouse, table, manifest.CanonicalOrder!);
            var rowHashes = new ElectionMatch.Snapshots.SnapshotLog(warehouse).RowHashes(table, manifest.CanonicalOrder!, ElectionMatch.Snapshots.ContentHash.CurrentVersion);
            warehouse.Execute($"""
                update electionmatch.snapshot_log set content_sha256 = {Sql.Literal(hash)} where snapshot = {Sql.Literal(Newest)};
                delete from electionmatch.snapshot_rows where snapshot = {Sql.Literal(Newest)};
                insert into electionmatch.snapshot_rows select {Sql.Literal(Newest)}, row_key, row_md5 from {rowHashes};
                """);
        }

        RewriteNewestManifest(path, text.Replace(manifest.ContentSha256, hash, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ddhq_candidate is null", null, "ddhq_candidate = chr(30)")]
    [InlineData("hubspot_first_name <> '' and hubspot_last_name <> ''", "hubspot_first_name = hubspot_first_name || chr(31)",
        "hubspot_first_name = rtrim(hubspot_first_name, chr(31)), hubspot_last_name = chr(31) || hubspot_last_name")]
    public void A_row_edited_from_null_to_a_separator_or_with_a_separator_moved_to_the_next_value_is_reported_with_its_key(string where, string? published, string edit)
    {
        // Content hash version 2 wrote a null as U+001E and joined values by U+001F: each edit left the row's text, its
        // hash and the content hash as published, and verify passed.
        var key = NewestRowKey(where);
        var row = $"{ElectionMatch.Snapshots.SnapshotLog.RowKeySql("gp_candidacy_id, hubspot_election_type, hubspot_election_date")} = {Sql.Literal(key)}";
        if (published is not null)
        {
            Tamper($"update model_predictions.{Newest} set {published} where {row}");
            RecordNewestAsPublished();
            var asPublished = Cli("verify", "--no-inputs");
            Assert.True(asPublished.ExitCode == 0, asPublished.Output);
        }

        Tamper($"update model_predictions.{Newest} set {edit} where {row}");

        var verify = Cli("verify", "--no-inputs");

        Assert.Equal(1, verify.ExitCode);
        var error = Assert.Single(Errors(verify));
        Assert.Contains($"{Newest}.json(", error, StringComparison.Ordinal);
        Assert.Contains($"error {Codes.SnapshotRowEdited}: 1 row(s) of model_predictions.{Newest} were edited after publishing: {key} (by gp_candidacy_id, hubspot_election_type, hubspot_election_date)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_published_in_content_hash_version_2_verifies_in_version_2_and_is_restored()
    {
        // The newest manifest as a build before version 3 wrote it, in the file and in the log alike. Its rows hold no
        // U+001E or U+001F, so the content hash and the row hashes are the same in both versions: only the version differs.
        var path = ManifestOf(Newest);
        var text = _fixture.Read(path);
        var manifest = ElectionMatch.Snapshots.SnapshotManifest.FromJson(text);
        var table = $"model_predictions.{Newest}";
        var current = $"\"content_sha256_version\": {ElectionMatch.Snapshots.ContentHash.ColumnTextAndLengths}";
        Assert.Contains(current, text, StringComparison.Ordinal);
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true))
        {
            Assert.Equal(manifest.ContentSha256, ElectionMatch.Snapshots.ContentHash.Of(warehouse, table, manifest.CanonicalOrder!, ElectionMatch.Snapshots.ContentHash.ColumnText));
        }

        RewriteNewestManifest(path, text.Replace(current, "\"content_sha256_version\": 2", StringComparison.Ordinal));
        var verify = Cli("verify", "--no-inputs");
        Assert.True(verify.ExitCode == 0, verify.Output);

        // Verified in its own version: a null turned into U+001E is not seen, as before version 3 (rehashing in version 3
        // would call a row published with the character edited).
        var nulled = NewestRowKey("ddhq_candidate is null");
        var row = $"{ElectionMatch.Snapshots.SnapshotLog.RowKeySql(manifest.CanonicalOrder!)}";
        Tamper($"update {table} set ddhq_candidate = chr(30) where {row} = {Sql.Literal(nulled)}");
        var blind = Cli("verify", "--no-inputs");
        Assert.True(blind.ExitCode == 0, blind.Output);

        // Any other edit is named by its key, and restore puts the table back from its copy, hashed in version 2.
        Tamper($"update {table} set llm_reasoning = 'looks fine to me' where gp_candidacy_id = 'gpc-001623' and hubspot_election_type = 'general'");
        var edited = Cli("verify", "--no-inputs");
        var error = Assert.Single(Errors(edited));
        Assert.Contains($"error {Codes.SnapshotRowEdited}: 1 row(s) of {table} were edited after publishing: (gpc-001623, general", error, StringComparison.Ordinal);
        var restore = Cli("restore", Match, "--snapshot-date", "2030-06-17");
        Assert.True(restore.ExitCode == 0, restore.Output);
        var restored = Cli("verify", "--no-inputs");
        Assert.True(restored.ExitCode == 0, restored.Output);
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true))
        {
            Assert.Equal(0, warehouse.Scalar<long>($"select count(*) from {table} where contains(ddhq_candidate, chr(30))"));
        }
    }

    [Fact]
    public void After_a_backfill_the_inputs_are_compared_with_the_snapshot_the_stable_model_reads_the_newest_by_date()
    {
        var backfill = CliProcess.Run("run", Match, "--allow-future-date", "--snapshot-date", "2030-06-01", "--project-dir", _fixture.Directory);
        Assert.True(backfill.ExitCode == 0, backfill.Output);
        _fixture.Write("electionmatch.yml", _fixture.Read("electionmatch.yml").Replace("      top_k: 5\n", "      top_k: 6\n", StringComparison.Ordinal));

        var verify = Cli("verify");

        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains($"warning {Codes.SnapshotInputsChanged}: the settings of {Match} in electionmatch.yml (its entry under matches:, or quarantine:) changed since {Newest} was made", verify.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("candidacy_ddhq_matches_20300601 was made", verify.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_match_setting_is_a_warning_of_check_and_of_verify_without_the_input_rehash()
    {
        _fixture.Write("electionmatch.yml", _fixture.Read("electionmatch.yml").Replace("      top_k: 5\n", "      top_k: 6\n", StringComparison.Ordinal));

        var verify = Cli("verify", "--no-inputs");
        var check = Cli("check");

        // Before, only the full verify compared the settings: the build's check and --no-inputs hid the change. The advice
        // is the input's: the run, with the project's options (before, none was given); the newest is dated after today,
        // so the run replaces it (a run for today would publish an older snapshot, and the stable model would stay on it).
        var warning = $"warning {Codes.SnapshotInputsChanged}: the settings of {Match} in electionmatch.yml (its entry under matches:, or quarantine:) changed since {Newest} was made; run the match again to publish a current snapshot in {Newest}'s place: `electionmatch run {Match} --snapshot-date 2030-06-17 --allow-future-date --replace --project-dir {_fixture.Directory}`";
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains(warning, verify.Stderr, StringComparison.Ordinal);
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains(warning, check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_manifest_records_the_reference_files_the_matcher_loaded_as_this_build_ships_them()
    {
        var candidacies = ElectionMatch.Snapshots.SnapshotManifest.FromJson(_fixture.Read(ManifestOf(Newest)));
        var districts = ElectionMatch.Snapshots.SnapshotManifest.FromJson(_fixture.Read(ManifestOf("llm_l2_br_match_20300603")));

        Assert.Equal(["first_name_sex.csv", "name_variants.csv", "nicknames.csv", "states.csv"], candidacies.ReferenceFiles!.Select(f => f.Name));
        Assert.Equal(["states.csv"], districts.ReferenceFiles!.Select(f => f.Name));
        foreach (var file in candidacies.ReferenceFiles!)
        {
            var path = Path.Combine(FixtureCopy.RepositoryRoot, "src", "ElectionMatch.Core", "Reference", file.Name);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))), file.Sha256);
            Assert.Equal(File.ReadAllLines(path).Skip(1).Count(l => l.Length > 0), file.Rows);
        }

        Assert.Equal(56, districts.ReferenceFiles!.Single().Rows);
        // With the definitions of the comparisons each matcher scored with, which an incremental run compares before adopting the model.
        Assert.Equal(ComparisonDefinitions.Of(CandidacyDdhqComparisons.All), candidacies.ComparisonLevels);
        Assert.Equal(ComparisonDefinitions.Of(L2BallotReadyComparisons.All), districts.ComparisonLevels);
    }

    [Fact]
    public void A_reference_file_other_than_the_one_the_newest_snapshot_was_matched_with_is_a_warning_of_check_and_verify_naming_it()
    {
        var path = ManifestOf(Newest);
        var text = _fixture.Read(path);
        var recorded = ElectionMatch.Snapshots.SnapshotManifest.FromJson(text).ReferenceFiles!.Single(f => f.Name == "nicknames.csv");
        // As a build shipping another nicknames.csv would have written it.
        var other = new string('0', 64);
        var edited = text.Replace(recorded.Sha256, other, StringComparison.Ordinal);
        RewriteNewestManifest(path, edited);
        var line = edited.Split('\n').ToList().FindIndex(l => l.Contains("\"name\": \"nicknames.csv\"", StringComparison.Ordinal)) + 1;

        var verify = Cli("verify", "--no-inputs");
        var check = Cli("check");

        var warning = $"{Newest}.json({line},1): warning {Codes.SnapshotInputsChanged}: reference file nicknames.csv (shipped with electionmatch) is not the one {Newest} was matched with (sha256 now {recorded.Sha256[..12]}…, at the run 000000000000…; {recorded.Rows} rows now, {recorded.Rows} at the run)";
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains(warning, verify.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("first_name_sex.csv", verify.Stderr, StringComparison.Ordinal);
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains(warning, check.Stderr, StringComparison.Ordinal);
    }

    // Before, verify compared the reference files a snapshot was matched with but not the comparisons it was scored with:
    // a build that changed a level's condition (or the order of the levels) passed verify and check without a word.
    [Fact]
    public void A_comparison_defined_otherwise_than_when_the_newest_snapshot_was_scored_is_a_warning_of_check_and_verify_naming_it()
    {
        var path = ManifestOf(Newest);
        var text = _fixture.Read(path);
        var recorded = ElectionMatch.Snapshots.SnapshotManifest.FromJson(text).ComparisonLevels!.Single(c => c.Name == "first_name");
        // As a build that scored first_name with other levels would have written it.
        var other = new string('0', 64);
        var edited = text.Replace(recorded.Sha256, other, StringComparison.Ordinal);
        RewriteNewestManifest(path, edited);
        var section = edited.IndexOf("\"comparison_levels\"", StringComparison.Ordinal);
        var line = edited.AsSpan(0, edited.IndexOf("\"name\": \"first_name\"", section, StringComparison.Ordinal)).Count('\n') + 1;

        var verify = Cli("verify", "--no-inputs");
        var check = Cli("check");

        var warning = $"{Newest}.json({line},1): warning {Codes.SnapshotInputsChanged}: comparison first_name is not defined as when {Newest} was scored (sha256 now {recorded.Sha256[..12]}…, at the run 000000000000…: its levels' conditions or their order changed): this electionmatch would score the same inputs otherwise; run the match";
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains(warning, verify.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("comparison last_name", verify.Stderr, StringComparison.Ordinal);
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains(warning, check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_made_before_reference_files_were_recorded_verifies_without_a_warning()
    {
        var path = ManifestOf(Newest);
        var text = _fixture.Read(path);
        var start = text.IndexOf(",\n  \"reference_files\": [", StringComparison.Ordinal);
        Assert.True(start > 0, text);
        var older = text[..start] + "\n}\n";
        Assert.Null(ElectionMatch.Snapshots.SnapshotManifest.FromJson(older).ReferenceFiles);
        RewriteNewestManifest(path, older);

        var verify = Cli("verify", "--no-inputs");

        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("verify passed", verify.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Codes.SnapshotInputsChanged, verify.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_edited_staging_template_is_a_warning_of_check()
    {
        var shipped = File.ReadAllText(Path.Combine(FixtureCopy.RepositoryRoot, "templates", "staging", "model.sql.liquid"));
        Directory.CreateDirectory(_fixture.PathOf("electionmatch/templates/staging"));
        _fixture.Write("electionmatch/templates/staging/model.sql.liquid", "-- our header\n" + shipped);

        var check = Cli("check");

        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains($"warning {Codes.SnapshotInputsChanged}: template staging/model.sql.liquid changed since {Newest} was made (sha256 now ", check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_matchs_settings_a_comment_or_the_engine_changed_is_no_change_of_this_matchs_snapshot()
    {
        // Before, the manifest recorded only the whole file's hash: any edit of electionmatch.yml warned for every match.
        var settings = _fixture.Read("electionmatch.yml");
        var edited = settings.Replace("      top_k: 10 ", "      top_k: 12 ", StringComparison.Ordinal) + "# a note\n";
        Assert.NotEqual(settings, edited);
        _fixture.Write("electionmatch.yml", edited);

        var verify = Cli("verify", "--match", Match);

        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.DoesNotContain("electionmatch.yml", verify.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_input_is_a_warning_of_verify_and_not_of_check()
    {
        var csv = _fixture.PathOf("data/airbyte/hubspot_candidacy.csv");
        var lines = File.ReadAllLines(csv);
        File.WriteAllLines(csv, lines.Take(lines.Length - 1));

        var verify = Cli("verify");
        var check = Cli("check");

        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains($"{Newest}.json(", verify.Stderr, StringComparison.Ordinal);
        Assert.Contains($"warning {Codes.SnapshotInputsChanged}: the left input source('airbyte_source', 'hubspot_api_candidacy') changed since {Newest} was made (sha256 now ", verify.Stderr, StringComparison.Ordinal);
        var recorded = ElectionMatch.Snapshots.SnapshotManifest.FromJson(_fixture.Read(ManifestOf(Newest))).Inputs[0].Sha256!;
        Assert.Contains($"…, at the run {recorded[..12]}…); run the match again to publish a current snapshot in {Newest}'s place: `electionmatch run {Match} --snapshot-date 2030-06-17 --allow-future-date --replace --project-dir {_fixture.Directory}`", verify.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Codes.SnapshotInputsChanged, check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_edited_staging_template_advises_generate_until_generate_has_re_rendered_the_files_then_only_a_run()
    {
        var shipped = File.ReadAllText(Path.Combine(FixtureCopy.RepositoryRoot, "templates", "staging", "model.sql.liquid"));
        Directory.CreateDirectory(_fixture.PathOf("electionmatch/templates/staging"));
        _fixture.Write("electionmatch/templates/staging/model.sql.liquid", "-- our header\n" + shipped);
        var recorded = ElectionMatch.Snapshots.SnapshotManifest.FromJson(_fixture.Read(ManifestOf(Newest))).TemplateSha256["staging/model.sql.liquid"];

        var before = Cli("verify", "--match", Match);

        Assert.True(before.ExitCode == 0, before.Output);
        Assert.Contains($"warning {Codes.SnapshotInputsChanged}: template staging/model.sql.liquid changed since {Newest} was made (sha256 now ", before.Stderr, StringComparison.Ordinal);
        Assert.Contains($"…, at the run {recorded[..12]}…); `electionmatch generate` re-renders the staging files with it (", before.Stderr, StringComparison.Ordinal);
        Assert.Contains($"stg_model_predictions__{Newest}.sql", before.Stderr, StringComparison.Ordinal);

        var generate = Cli("generate");
        Assert.True(generate.ExitCode == 0, generate.Output);
        var after = Cli("verify", "--match", Match);

        // Before, verify went on advising generate, which now changes nothing.
        Assert.True(after.ExitCode == 0, after.Output);
        Assert.Contains($"template staging/model.sql.liquid changed since {Newest} was made", after.Stderr, StringComparison.Ordinal);
        Assert.Contains("`electionmatch generate` has nothing left to re-render with it, so only a new run of the match clears this warning", after.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("re-renders the staging files", after.Stderr, StringComparison.Ordinal);
    }
}
