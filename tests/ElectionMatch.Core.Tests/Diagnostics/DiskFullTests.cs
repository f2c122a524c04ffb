using ElectionMatch.Diagnostics;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// Real ENOSPC failures, from DuckDB and from .NET, written to Linux's <c>/dev/full</c>, are told apart from every other
/// failure and name the file; anything else is left to the handlers that were there before.
/// </summary>
public sealed class DiskFullTests
{
    [Fact]
    public void DuckDBs_failed_write_is_a_full_disk_at_its_file()
    {
        Assert.True(File.Exists("/dev/full"), "this test needs Linux's /dev/full");
        using var warehouse = DuckDbWarehouse.InMemory();
        var e = Assert.ThrowsAny<Exception>(() => warehouse.Execute("copy (select range as n from range(100000)) to '/dev/full' (format csv)"));

        var full = DiskFull.Diagnose(e);

        var diagnostic = Assert.Single(Assert.IsType<DiagnosticException>(full).Diagnostics);
        Assert.Equal(Codes.DiskFull, diagnostic.Code);
        Assert.Equal("/dev/full", diagnostic.File);
        Assert.StartsWith("no space left on the device to write this file", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dotnet_write_to_a_full_device_is_a_full_disk_at_its_file()
    {
        Assert.True(File.Exists("/dev/full"), "this test needs Linux's /dev/full");
        var e = Assert.ThrowsAny<IOException>(() => File.WriteAllText("/dev/full", new string('x', 100_000)));

        // Wrapped, as a task or a second thread hands it on.
        var diagnostic = Assert.Single(DiskFull.Diagnose(new AggregateException(e))!.Diagnostics);

        Assert.Equal(Codes.DiskFull, diagnostic.Code);
        Assert.Equal("/dev/full", diagnostic.File);
    }

    [Fact]
    public void Other_failures_are_not_a_full_disk()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        var syntax = Assert.ThrowsAny<Exception>(() => warehouse.Execute("selec 1"));

        Assert.Null(DiskFull.Diagnose(syntax));
        Assert.Null(DiskFull.Diagnose(new IOException("The process cannot access the file '/tmp/x' because it is being used by another process.")));
        Assert.Null(DiskFull.Diagnose(DiagnosticException.At(Codes.InputUnreadable, SourceSpan.None, "cannot read it: No space left on device")));
    }

    [Theory]
    [InlineData("IO Error: Could not write file \"/data/w.duckdb.wal\": No space left on device", "/data/w.duckdb.wal")]
    [InlineData("No space left on device : '/tmp/a b/c.json'", "/tmp/a b/c.json")]
    [InlineData("TransactionContext Error: Failed to commit: No space left on device", null)]
    public void The_file_is_read_from_either_wording(string message, string? path) => Assert.Equal(path, DiskFull.PathOf(message));
}
