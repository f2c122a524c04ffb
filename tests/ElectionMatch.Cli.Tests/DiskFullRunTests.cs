using ElectionMatch.Diagnostics;

namespace ElectionMatch.Tests;

/// <summary>
/// A run on a full disk: a real ENOSPC, from the warehouse's write-ahead log linked to <c>/dev/full</c> (every write
/// there fails with "No space left on device"). The run must say that the disk is full and which file it could not
/// write, not blame an input (EM0024) or ask for a bug report (EM0504). Once there is space, the next run publishes
/// and the snapshots published before are intact.
/// </summary>
public sealed class DiskFullRunTests
{
    private const string Match = "candidacy_ddhq_matches";

    [Fact]
    public void A_full_disk_is_reported_at_the_file_it_could_not_write_and_the_next_run_finishes()
    {
        Assert.True(File.Exists("/dev/full"), "this test needs Linux's /dev/full");
        using var project = FixtureCopy.Of("goodparty");
        var first = CliProcess.Run("run", Match, "--allow-future-date", "--snapshot-date", "2030-01-01", "--project-dir", project.Directory);
        Assert.True(first.ExitCode == 0, first.Output);

        var wal = project.WarehousePath + ".wal";
        Assert.False(File.Exists(wal));
        File.CreateSymbolicLink(wal, "/dev/full");
        try
        {
            var full = CliProcess.Run("run", Match, "--allow-future-date", "--snapshot-date", "2030-01-02", "--project-dir", project.Directory);

            Assert.Equal(1, full.ExitCode);
            Assert.Matches(@"goodparty\.duckdb\.wal: error " + Codes.DiskFull + ": no space left on the device to write this file", full.Stderr);
            Assert.DoesNotContain(Codes.UnexpectedFailure, full.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain(Codes.InputUnreadable, full.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", full.Output, StringComparison.Ordinal);
        }
        finally
        {
            // Space again: the link goes, /dev/full itself is untouched.
            File.Delete(wal);
        }

        var next = CliProcess.Run("run", Match, "--allow-future-date", "--snapshot-date", "2030-01-02", "--project-dir", project.Directory);
        Assert.True(next.ExitCode == 0, next.Output);
        Assert.Contains($"published model_predictions.{Match}_20300102", next.Stdout, StringComparison.Ordinal);
        var verify = CliProcess.Run("verify", "--project-dir", project.Directory);
        Assert.True(verify.ExitCode == 0, verify.Output);
        var check = CliProcess.Run("check", "--project-dir", project.Directory);
        Assert.True(check.ExitCode == 0, check.Output);
    }
}
