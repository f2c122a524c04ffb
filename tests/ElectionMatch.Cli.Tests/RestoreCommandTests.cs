using ElectionMatch.Diagnostics;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// `restore` on a real warehouse with three published snapshots of the candidacy match (a clone per test): a tampered or
/// dropped table put back from its parquet copy as published, after which verify and check pass; what it refuses.
/// </summary>
public sealed class RestoreCommandTests : IClassFixture<ThreeSnapshots>, IDisposable
{
    private const string Match = VerifyTamperTests.Match;
    private const string Middle = "candidacy_ddhq_matches_20300610";
    private const string Newest = "candidacy_ddhq_matches_20300617";
    private const string DeleteOneRow = "delete from model_predictions.{0} where gp_candidacy_id = 'gpc-001623' and hubspot_election_type = 'general'";

    private readonly FixtureCopy _fixture;

    public RestoreCommandTests(ThreeSnapshots published)
    {
        _fixture = published.Project.Clone();
    }

    public void Dispose() => _fixture.Dispose();

    private CliProcess.Result Cli(params string[] args) => CliProcess.RunIn(_fixture.Directory, [.. args, "--project-dir", "."]);

    private static string[] Errors(CliProcess.Result result) =>
        result.Stderr.Split('\n').Where(l => l.Contains(": error EM", StringComparison.Ordinal)).ToArray();

    private static string Parquet(string snapshot) => $"target/model_predictions/{snapshot}.parquet";

    private void Tamper(string sql)
    {
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath);
        warehouse.Execute(sql);
    }

    /// <summary>The table's columns with their types, in order, and its row count; no columns and -1 rows when it is not there.</summary>
    private (string Columns, long Rows) Table(string snapshot)
    {
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        return warehouse.TableExists("model_predictions", snapshot)
            ? (string.Join(", ", warehouse.Describe($"select * from model_predictions.{snapshot}").Select(c => $"{c.Name} {c.DataType}")), warehouse.Scalar<long>($"select count(*) from model_predictions.{snapshot}"))
            : ("", -1);
    }

    /// <summary>Every file of the project but the warehouse (DuckDB may checkpoint it on close), with its bytes.</summary>
    private Dictionary<string, string> Files() =>
        _fixture.Snapshot().Where(f => !f.Key.StartsWith("target/goodparty.duckdb", StringComparison.Ordinal)).ToDictionary();

    private void AssertVerifyAndCheckPass()
    {
        var verify = Cli("verify", "--no-inputs");
        var check = Cli("check");
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.True(check.ExitCode == 0, check.Output);
    }

    [Fact]
    public void A_dropped_snapshot_table_is_restored_with_its_published_columns_types_and_rows_and_verify_and_check_pass()
    {
        var published = Table(Newest);
        Tamper($"drop table model_predictions.{Newest}");

        var error = Assert.Single(Errors(Cli("verify", "--no-inputs")));
        Assert.Contains($"error {Codes.SnapshotDropped}: model_predictions.{Newest} is not in the warehouse", error, StringComparison.Ordinal);
        Assert.Contains($"its parquet copy {Parquet(Newest)} holds it as published: `electionmatch restore {Match} --snapshot-date 2030-06-17` puts the table back from it", error, StringComparison.Ordinal);

        // check's entry finding and generate's stable model say it too: before, they offered only another warehouse, a
        // --replace (which recomputes it) or deleting the entry.
        var missing = Assert.Single(Errors(Cli("check")), e => e.Contains($"error {Codes.SnapshotTableMissing}: ", StringComparison.Ordinal));
        Assert.Contains($"__sources.yaml(", missing, StringComparison.Ordinal);
        Assert.Contains($"snapshot '{Newest}' is declared here but table model_predictions.{Newest} in target/goodparty.duckdb does not exist (dropped from this one, or published into another warehouse, such as a teammate's); its parquet copy {Parquet(Newest)} holds it as published: `electionmatch restore {Match} --snapshot-date 2030-06-17` puts the table back from it;", missing, StringComparison.Ordinal);
        Assert.DoesNotContain("delete this entry", missing, StringComparison.Ordinal);
        var generate = Cli("generate");
        Assert.Contains($"warning {Codes.GeneratedFileStale}: snapshot '{Newest}' is declared here but table model_predictions.{Newest} in target/goodparty.duckdb does not exist (dropped from this one, or published into another warehouse, such as a teammate's), so the stable model", generate.Stderr, StringComparison.Ordinal);
        Assert.Contains($"`electionmatch restore {Match} --snapshot-date 2030-06-17` puts the table back from it", generate.Stderr, StringComparison.Ordinal);

        var restore = Cli("restore", Match, "--snapshot-date", "2030-06-17");

        Assert.True(restore.ExitCode == 0, restore.Output);
        Assert.Contains($"restored  model_predictions.{Newest} from {Parquet(Newest)} ({published.Rows} rows, content sha256 ", restore.Stdout, StringComparison.Ordinal);
        Assert.Equal(published, Table(Newest));
        AssertVerifyAndCheckPass();
    }

    [Fact]
    public void An_edited_value_is_put_back_and_a_second_restore_finds_nothing_to_do()
    {
        Tamper($"update model_predictions.{Middle} set llm_confidence = 1 where gp_candidacy_id = 'gpc-001623' and hubspot_election_type = 'general'");
        Assert.Contains($"error {Codes.SnapshotRowEdited}: ", Cli("verify", "--no-inputs").Stderr, StringComparison.Ordinal);

        var restore = Cli("restore", Match, "--snapshot-date", "2030-06-10");
        var again = Cli("restore", Match, "--snapshot-date", "2030-06-10");

        Assert.True(restore.ExitCode == 0, restore.Output);
        AssertVerifyAndCheckPass();
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains($"model_predictions.{Middle} already holds what was published (", again.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("as its manifest recorded): nothing to restore\n", again.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("restored", again.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deleted_parquet_copy_is_a_warning_and_restore_writes_it_again_from_the_table_as_published()
    {
        // Before, verify and check passed, and the missing copy was found only by a restore it was then too late for (EM0617).
        File.Delete(_fixture.PathOf(Parquet(Middle)));

        var verify = Cli("verify", "--no-inputs");
        var dryRun = Cli("restore", Match, "--snapshot-date", "2030-06-10", "--dry-run");
        Assert.False(File.Exists(_fixture.PathOf(Parquet(Middle))));
        var restore = Cli("restore", Match, "--snapshot-date", "2030-06-10");
        var again = Cli("restore", Match, "--snapshot-date", "2030-06-10");

        Assert.True(verify.ExitCode == 0, verify.Output);
        var warning = Assert.Single(verify.Stderr.Split('\n'), l => l.Contains($"warning {Codes.ParquetCopyNotAsPublished}: ", StringComparison.Ordinal));
        Assert.Contains($"the parquet copy {Parquet(Middle)} of model_predictions.{Middle} is missing, so restore could not put the table back were it edited or dropped; the table holds what was published, and `electionmatch restore {Match} --snapshot-date 2030-06-10` writes the copy again from it", warning, StringComparison.Ordinal);
        Assert.True(dryRun.ExitCode == 0, dryRun.Output);
        Assert.Contains($"would write {Parquet(Middle)} again from model_predictions.{Middle} (the copy was not usable: it does not exist)", dryRun.Stdout, StringComparison.Ordinal);
        Assert.True(restore.ExitCode == 0, restore.Output);
        Assert.Contains($"wrote     {Parquet(Middle)} again from model_predictions.{Middle} (the copy was not usable: it does not exist)", restore.Stdout, StringComparison.Ordinal);
        Assert.Contains(": nothing to restore", again.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Codes.ParquetCopyNotAsPublished, Cli("verify", "--no-inputs").Stderr, StringComparison.Ordinal);

        // The copy written again is the snapshot as published: a restore from it after an edit puts the table back.
        Tamper(string.Format(System.Globalization.CultureInfo.InvariantCulture, DeleteOneRow, Middle));
        var fromCopy = Cli("restore", Match, "--snapshot-date", "2030-06-10");
        Assert.True(fromCopy.ExitCode == 0, fromCopy.Output);
        Assert.Contains($"restored  model_predictions.{Middle} from {Parquet(Middle)}", fromCopy.Stdout, StringComparison.Ordinal);
        AssertVerifyAndCheckPass();
    }

    [Fact]
    public void Every_copy_gone_at_once_is_one_warning_naming_each_date()
    {
        // As after a `dbt clean` of target/ with the warehouse kept elsewhere: before, one warning per snapshot.
        File.Delete(_fixture.PathOf(Parquet(Middle)));
        File.Delete(_fixture.PathOf(Parquet(Newest)));

        var check = Cli("check");

        Assert.True(check.ExitCode == 0, check.Output);
        var warning = Assert.Single(check.Stderr.Split('\n'), l => l.Contains($"warning {Codes.ParquetCopyNotAsPublished}: ", StringComparison.Ordinal));
        Assert.StartsWith($"electionmatch/manifests/{Newest}.json(", warning, StringComparison.Ordinal);
        Assert.Contains($"the parquet copies of 2 snapshots of {Match} are missing from target/model_predictions (dated 2030-06-10, 2030-06-17), so restore could not put their tables back were they edited or dropped; " +
            $"the tables hold what was published, and `electionmatch restore {Match} --snapshot-date 2030-06-17` writes a copy again from its table, for each of those dates", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dry_run_says_what_it_would_restore_and_changes_nothing()
    {
        Tamper(string.Format(System.Globalization.CultureInfo.InvariantCulture, DeleteOneRow, Newest));
        var before = Table(Newest);
        var files = Files();

        var dryRun = Cli("restore", Match, "--snapshot-date", "2030-06-17", "--dry-run");

        Assert.True(dryRun.ExitCode == 0, dryRun.Output);
        Assert.Contains($"would restore model_predictions.{Newest} from {Parquet(Newest)} ({before.Rows + 1} rows", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, Table(Newest));
        Assert.Equal(files, Files());
        Assert.Contains($"error {Codes.SnapshotRowDeleted}: ", Cli("verify", "--no-inputs").Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_parquet_copy_whose_round_trip_changed_a_column_type_is_cast_back_to_the_type_the_manifest_recorded()
    {
        // The right id read back as DOUBLE: its text (1402844.0) no longer hashes as published until it is cast back to BIGINT.
        var published = Table(Middle);
        var path = _fixture.PathOf(Parquet(Middle));
        Tamper($"""
            copy (select * replace (cast(ddhq_candidate_id as double) as ddhq_candidate_id) from read_parquet({Sql.Literal(path)})) to {Sql.Literal(path + ".double")} (format parquet);
            drop table model_predictions.{Middle};
            """);
        File.Move(path + ".double", path, overwrite: true);

        var error = Assert.Single(Errors(Cli("verify", "--no-inputs")));
        var restore = Cli("restore", Match, "--snapshot-date", "2030-06-10");

        Assert.Contains($"`electionmatch restore {Match} --snapshot-date 2030-06-10` puts the table back from it", error, StringComparison.Ordinal);
        Assert.True(restore.ExitCode == 0, restore.Output);
        Assert.Contains("cast      ddhq_candidate_id DOUBLE -> BIGINT (the type its manifest recorded)\n", restore.Stdout, StringComparison.Ordinal);
        Assert.Equal(published, Table(Middle));
        AssertVerifyAndCheckPass();
    }

    [Fact]
    public void A_dropped_quarantine_table_of_a_snapshot_that_quarantined_nothing_is_recreated_empty_with_a_run_s_columns()
    {
        const string Quarantine = Newest + "__quarantine";
        var published = Table(Quarantine);
        var runs = Table(Middle + "__quarantine");
        Tamper($"drop table model_predictions.{Quarantine}");
        var dropped = Assert.Single(Errors(Cli("verify", "--no-inputs")));
        Assert.Contains($"error {Codes.SnapshotDropped}: model_predictions.{Quarantine} is not in the warehouse", dropped, StringComparison.Ordinal);
        // verify names the restore that follows (before, only a backup or a --replace).
        Assert.Contains($"its manifest records it empty (quarantine_rows 0): `electionmatch restore {Match} --snapshot-date 2030-06-17` recreates it empty, as published;", dropped, StringComparison.Ordinal);

        var dryRun = Cli("restore", Match, "--snapshot-date", "2030-06-17", "--dry-run");
        var restore = Cli("restore", Match, "--snapshot-date", "2030-06-17");

        Assert.True(dryRun.ExitCode == 0, dryRun.Output);
        Assert.Contains($"would recreate model_predictions.{Quarantine} empty (0 rows, as its manifest recorded)", dryRun.Stdout, StringComparison.Ordinal);
        Assert.True(restore.ExitCode == 0, restore.Output);
        Assert.Contains($"model_predictions.{Newest} already holds what was published (", restore.Stdout, StringComparison.Ordinal);
        Assert.Contains($"recreated model_predictions.{Quarantine} empty (0 rows, as its manifest recorded)", restore.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("nothing to restore", restore.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, published.Rows);
        Assert.Equal(published, Table(Quarantine));
        Assert.Equal(runs.Columns, Table(Quarantine).Columns);
        AssertVerifyAndCheckPass();
    }

    [Fact]
    public void Restore_refuses_a_date_without_a_manifest_naming_the_snapshots_there_are()
    {
        var restore = Cli("restore", Match, "--snapshot-date", "2030-06-11");

        Assert.Equal(1, restore.ExitCode);
        var error = Assert.Single(Errors(restore));
        Assert.StartsWith($"electionmatch/manifests/candidacy_ddhq_matches_20300611.json: error {Codes.RestoreRefused}: no snapshot candidacy_ddhq_matches_20300611 to restore: there is no manifest", error, StringComparison.Ordinal);
        Assert.Contains($"its snapshots: candidacy_ddhq_matches_20300603, {Middle}, {Newest}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_refuses_without_a_parquet_copy_and_says_only_a_backup_has_the_snapshot_as_published()
    {
        Tamper(string.Format(System.Globalization.CultureInfo.InvariantCulture, DeleteOneRow, Middle));
        File.Delete(_fixture.PathOf(Parquet(Middle)));
        var before = Table(Middle);

        var restore = Cli("restore", Match, "--snapshot-date", "2030-06-10");

        Assert.Equal(1, restore.ExitCode);
        var error = Assert.Single(Errors(restore));
        Assert.StartsWith($"{Parquet(Middle)}: error {Codes.ParquetCopyNotAsPublished}: cannot restore model_predictions.{Middle} from its parquet copy {Parquet(Middle)}: it does not exist; ", error, StringComparison.Ordinal);
        Assert.EndsWith("to have it back as published, restore the warehouse from a backup", error, StringComparison.Ordinal);
        Assert.Equal(before, Table(Middle));
    }

    [Fact]
    public void Restore_refuses_a_parquet_copy_that_is_not_the_snapshot_as_published_and_leaves_the_table()
    {
        // The copy rewritten with a row less, and the table edited: the copy would not put back what was published.
        var path = _fixture.PathOf(Parquet(Newest));
        Tamper($"""
            copy (select * from read_parquet({Sql.Literal(path)}) where gp_candidacy_id <> 'gpc-001623') to {Sql.Literal(path + ".cut")} (format parquet);
            update model_predictions.{Newest} set llm_reasoning = 'edited' where gp_candidacy_id = 'gpc-001623';
            """);
        File.Move(path + ".cut", path, overwrite: true);
        var before = Table(Newest);

        var verify = Assert.Single(Errors(Cli("verify", "--no-inputs")));
        var restore = Cli("restore", Match, "--snapshot-date", "2030-06-17");

        Assert.DoesNotContain("electionmatch restore", verify, StringComparison.Ordinal);
        Assert.Equal(1, restore.ExitCode);
        var error = Assert.Single(Errors(restore));
        Assert.Contains($"error {Codes.ParquetCopyNotAsPublished}: cannot restore model_predictions.{Newest} from its parquet copy {Parquet(Newest)}: it holds ", error, StringComparison.Ordinal);
        Assert.Contains($"(the manifest {Newest}.json: {before.Rows} rows, content sha256 ", error, StringComparison.Ordinal);
        Assert.Contains("it is not the snapshot as published; ", error, StringComparison.Ordinal);
        Assert.EndsWith("to have it back as published, restore the warehouse from a backup", error, StringComparison.Ordinal);
        Assert.Equal(before, Table(Newest));
    }
}
