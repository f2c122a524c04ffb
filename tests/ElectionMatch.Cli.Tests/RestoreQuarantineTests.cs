using ElectionMatch.Diagnostics;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// `restore` and a snapshot's `__quarantine` table, of which no copy is kept: one that held rows cannot be put back, and
/// restore says so and fails, after restoring what it can; it never says there is nothing to restore. Each test works on
/// its own copy of the collection's run.
/// </summary>
[Collection(QuarantinedCandidacyCollection.Name)]
public sealed class RestoreQuarantineTests : IDisposable
{
    private const string Match = QuarantinedCandidacyRun.Match;
    private const string Snapshot = QuarantinedCandidacyRun.Snapshot;
    private const string Manifest = $"electionmatch/manifests/{Snapshot}.json";

    private readonly FixtureCopy _project;

    public RestoreQuarantineTests(QuarantinedCandidacyRun run)
    {
        _project = run.Project.Clone();
    }

    public void Dispose() => _project.Dispose();

    private CliProcess.Result Cli(params string[] args) => CliProcess.RunIn(_project.Directory, [.. args, "--project-dir", "."]);

    private static string[] Errors(CliProcess.Result result) =>
        result.Stderr.Split('\n').Where(l => l.Contains(": error EM", StringComparison.Ordinal)).ToArray();

    [Fact]
    public void A_dropped_quarantine_that_held_rows_is_not_restored_and_restore_fails_naming_it_after_restoring_the_table()
    {
        long quarantined;
        using (var warehouse = DuckDbWarehouse.Open(_project.WarehousePath))
        {
            quarantined = warehouse.Scalar<long>($"select count(*) from model_predictions.{Snapshot}__quarantine");
            warehouse.Execute($"drop table model_predictions.{Snapshot}__quarantine; drop table model_predictions.{Snapshot}");
        }

        Assert.True(quarantined > 0, "the fixture's run quarantined nothing");
        var line = File.ReadAllLines(_project.PathOf(Manifest)).ToList().FindIndex(l => l.Contains("\"quarantine_table\"", StringComparison.Ordinal)) + 1;

        var restore = Cli("restore", Match, "--snapshot-date", "2026-01-01");

        Assert.Equal(1, restore.ExitCode);
        Assert.Contains($"restored  model_predictions.{Snapshot} from target/model_predictions/{Snapshot}.parquet", restore.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("nothing to restore", restore.Output, StringComparison.Ordinal);
        var error = Assert.Single(Errors(restore));
        Assert.StartsWith($"{Manifest}({line},1): error {Codes.SnapshotDropped}: model_predictions.{Snapshot}__quarantine is not in the warehouse; restore cannot put it back: no copy of a quarantine table is kept (the parquet copy is of {Snapshot} alone), and its manifest records {quarantined} quarantined rows;", error, StringComparison.Ordinal);

        // verify agrees: the table is back, the quarantine is what is still missing.
        var verify = Cli("verify", "--no-inputs");
        Assert.Equal(1, verify.ExitCode);
        var found = Assert.Single(Errors(verify));
        Assert.Contains($"error {Codes.SnapshotDropped}: model_predictions.{Snapshot}__quarantine is not in the warehouse", found, StringComparison.Ordinal);
        // It held rows: no restore recreates it, so verify names none.
        Assert.DoesNotContain("electionmatch restore", found, StringComparison.Ordinal);
        Assert.Contains("to have it back as published, restore the warehouse from a backup", found, StringComparison.Ordinal);

        var again = Cli("restore", Match, "--snapshot-date", "2026-01-01");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"model_predictions.{Snapshot} already holds what was published (", again.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("nothing to restore", again.Output, StringComparison.Ordinal);
        Assert.Contains($"error {Codes.SnapshotDropped}: model_predictions.{Snapshot}__quarantine is not in the warehouse; restore cannot put it back", Assert.Single(Errors(again)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_quarantine_row_deleted_is_not_restored_and_restore_fails_at_the_manifest_s_quarantine_hash()
    {
        using (var warehouse = DuckDbWarehouse.Open(_project.WarehousePath))
        {
            warehouse.Execute($"delete from model_predictions.{Snapshot}__quarantine where row_number = (select min(row_number) from model_predictions.{Snapshot}__quarantine)");
        }

        var line = File.ReadAllLines(_project.PathOf(Manifest)).ToList().FindIndex(l => l.Contains("\"quarantine_content_sha256\"", StringComparison.Ordinal)) + 1;

        var restore = Cli("restore", Match, "--snapshot-date", "2026-01-01");

        Assert.Equal(1, restore.ExitCode);
        Assert.StartsWith($"model_predictions.{Snapshot} already holds what was published (", restore.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("nothing to restore", restore.Output, StringComparison.Ordinal);
        Assert.StartsWith($"{Manifest}({line},1): error {Codes.QuarantineDiffersFromManifest}: model_predictions.{Snapshot}__quarantine does not hold what its manifest {Snapshot}.json recorded; restore cannot put it back", Assert.Single(Errors(restore)), StringComparison.Ordinal);
    }
}
