using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>The test reads the whole process's memory mappings, so no other test may map or unmap pools meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMemory
{
    public const string Name = "process memory";
}

[Collection(ProcessMemory.Name)]
public sealed class HugePagesTests
{
    [Fact]
    public void A_run_asks_for_huge_pages_for_DuckDBs_buffer_pool_unless_engine_huge_pages_is_false()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));
        Assert.True(context.Settings.Engine.HugePages);
        using (var run = DuckDbWarehouse.InMemory())
        {
            var advised = new RunOperation(context).ApplyEngineSettings(run);
            if (HugePages.Mode() is null or "never")
            {
                Assert.Empty(advised);
            }
            else
            {
                // The pool: a read-write mapping of at least a GiB, now flagged for huge pages ("hg"). A pool an earlier test
                // left to its finalizer may be advised too, and gone by now; this warehouse's is still mapped.
                Assert.All(advised, range => Assert.True(range.End - range.Start >= HugePages.PoolMappingBytes));
                var flags = advised.Select(range => VmFlags(range.Start)).Where(f => f is not null).ToList();
                Assert.NotEmpty(flags);
                Assert.All(flags, f => Assert.Contains("hg", f!));
            }
        }

        fixture.Write("electionmatch.yml", fixture.Read("electionmatch.yml").Replace("engine:\n", "engine:\n  huge_pages: false\n", StringComparison.Ordinal));
        var off = ProjectContext.Load(new ProjectOptions(fixture.Directory));
        Assert.False(off.Settings.Engine.HugePages);
        using (var run = DuckDbWarehouse.InMemory())
        {
            Assert.Empty(new RunOperation(off).ApplyEngineSettings(run));
        }

        var text = fixture.Read("electionmatch.yml").Replace("huge_pages: false", "huge_pages: sometimes", StringComparison.Ordinal);
        fixture.Write("electionmatch.yml", text);
        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics);
        Assert.Equal(Codes.InvalidSetting, diagnostic.Code);
        Assert.Equal(text.Split('\n').ToList().FindIndex(l => l.Contains("huge_pages", StringComparison.Ordinal)) + 1, diagnostic.Line);
        Assert.Contains("'huge_pages' must be true or false", diagnostic.Message, StringComparison.Ordinal);
    }

    // The kernel's flags of the mapping holding address (/proc/self/smaps: a mapping's header line, then its fields),
    // or null when nothing is mapped there any more.
    private static string[]? VmFlags(ulong address)
    {
        var inMapping = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var first = line.Split(' ', 2)[0];
            if (first.Contains('-', StringComparison.Ordinal) && !first.EndsWith(':'))
            {
                var range = first.Split('-');
                var start = ulong.Parse(range[0], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
                var end = ulong.Parse(range[1], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
                inMapping = start <= address && address < end;
            }
            else if (inMapping && line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                return line["VmFlags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            }
        }

        return null;
    }
}
