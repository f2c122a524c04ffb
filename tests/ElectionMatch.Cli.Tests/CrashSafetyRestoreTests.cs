using ElectionMatch.Diagnostics;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// Kills <c>electionmatch restore</c> with SIGKILL (the test-only ELECTIONMATCH_TEST_DIE_AT) after the copy into the table
/// and after its rehash, both inside the replacing transaction, and after the commit: the table is then either as it was
/// (verify still reports the deleted row) or as published (verify passes), never half-written, and the same restore
/// finishes the job.
/// </summary>
public sealed class CrashSafetyRestoreTests : IClassFixture<ThreeSnapshots>, IDisposable
{
    private const string Match = VerifyTamperTests.Match;
    private const string Middle = "candidacy_ddhq_matches_20300610";

    private readonly FixtureCopy _fixture;

    public CrashSafetyRestoreTests(ThreeSnapshots published)
    {
        _fixture = published.Project.Clone();
    }

    public void Dispose() => _fixture.Dispose();

    public static TheoryData<string, bool> Points() => new()
    {
        { "restore:copied", false },
        { "restore:verified", false },
        { "restore:committed", true },
    };

    [Theory]
    [MemberData(nameof(Points))]
    public void A_restore_killed_at_any_point_leaves_the_old_table_or_the_restored_one_and_the_same_restore_finishes_it(string point, bool restored)
    {
        long Rows()
        {
            using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
            return warehouse.Scalar<long>($"select count(*) from model_predictions.{Middle}");
        }

        var published = Rows();
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath))
        {
            warehouse.Execute($"delete from model_predictions.{Middle} where gp_candidacy_id = 'gpc-001623' and hubspot_election_type = 'general'");
        }

        string[] restore = ["restore", Match, "--snapshot-date", "2030-06-10", "--project-dir", _fixture.Directory];

        var killed = CliProcess.Run(new Dictionary<string, string> { ["ELECTIONMATCH_TEST_DIE_AT"] = point }, null, restore);

        Assert.True(killed.WasKilled, $"the restore was not killed at {point} (exit {killed.ExitCode}): the point was never reached\n{killed.Output}");
        Assert.Equal(restored ? published : published - 1, Rows());
        var verify = CliProcess.Run("verify", "--no-inputs", "--project-dir", _fixture.Directory);
        if (restored)
        {
            Assert.True(verify.ExitCode == 0, verify.Output);
        }
        else
        {
            Assert.Equal(1, verify.ExitCode);
            Assert.Contains($"error {Codes.SnapshotRowDeleted}: 1 row(s) of model_predictions.{Middle} were deleted after publishing", verify.Stderr, StringComparison.Ordinal);
        }

        var again = CliProcess.Run(restore);

        Assert.True(again.ExitCode == 0, $"the restore after a kill at {point} failed:\n{again.Output}");
        Assert.Contains(restored ? "nothing to restore" : $"restored  model_predictions.{Middle}", again.Stdout, StringComparison.Ordinal);
        Assert.Equal(published, Rows());
        var check = CliProcess.Run("check", "--project-dir", _fixture.Directory);
        Assert.True(check.ExitCode == 0, $"check after the restore that finished a kill at {point}:\n{check.Output}");
    }
}
