using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>The tests read the whole process's memory mappings, so no other test may map or unmap pools meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMemory
{
    public const string Name = "process memory";
}

[Collection(ProcessMemory.Name)]
public sealed class HugePagesTests
{
    [Fact]
    public void A_run_asks_for_huge_pages_for_the_pool_its_warehouse_mapped_unless_engine_huge_pages_is_false()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));
        Assert.True(context.Settings.Engine.HugePages);
        var before = HugePages.AnonymousMappings();
        using (var run = DuckDbWarehouse.InMemory())
        {
            var advice = context.ApplyEngineSettings(run, before);
            Assert.Equal(HugePages.Mode(), advice.Mode);
            if (advice.Mode is null or "never")
            {
                Assert.Empty(advice.Ranges);
            }
            else
            {
                // The pool this warehouse mapped: new since `before`, at least 256 MiB, and now flagged for huge pages
                // ("hg"). Nothing that was there before the warehouse opened is advised.
                Assert.NotEmpty(advice.Ranges);
                Assert.All(advice.Ranges, r => Assert.True(r.End - r.Start >= HugePages.PoolMappingBytes && !before.Contains(r)));
                var pool = advice.Ranges.MaxBy(r => r.End - r.Start);
                Assert.Contains("hg", VmFlags(pool.Start) ?? []);
            }
        }

        fixture.Write("electionmatch.yml", fixture.Read("electionmatch.yml").Replace("engine:\n", "engine:\n  huge_pages: false\n", StringComparison.Ordinal));
        var off = ProjectContext.Load(new ProjectOptions(fixture.Directory));
        Assert.False(off.Settings.Engine.HugePages);
        var beforeOff = HugePages.AnonymousMappings();
        using (var run = DuckDbWarehouse.InMemory())
        {
            var advice = off.ApplyEngineSettings(run, beforeOff);
            Assert.Empty(advice.Ranges);
            var fresh = HugePages.AnonymousMappings().Where(m => !beforeOff.Contains(m) && m.End - m.Start >= HugePages.PoolMappingBytes).ToList();
            Assert.All(fresh, m => Assert.DoesNotContain("hg", VmFlags(m.Start) ?? []));
        }

        var text = fixture.Read("electionmatch.yml").Replace("huge_pages: false", "huge_pages: sometimes", StringComparison.Ordinal);
        fixture.Write("electionmatch.yml", text);
        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics);
        Assert.Equal(Codes.InvalidSetting, diagnostic.Code);
        Assert.Equal(text.Split('\n').ToList().FindIndex(l => l.Contains("huge_pages", StringComparison.Ordinal)) + 1, diagnostic.Line);
        Assert.Contains("'huge_pages' must be true or false", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("7f3e00000000-7f3e80000000 rw-p 00000000 00:00 0 ", 0x7f3e00000000UL, 0x7f3e80000000UL, "rw-p", true)]
    [InlineData("7f3e00000000-7f3e80000000 rw-p 00000000 00:00 0", 0x7f3e00000000UL, 0x7f3e80000000UL, "rw-p", true)]
    [InlineData("55d0c0a00000-55d0c0c21000 rw-p 00000000 00:00 0                          [heap]", 0x55d0c0a00000UL, 0x55d0c0c21000UL, "rw-p", false)]
    [InlineData("7ffd1a000000-7ffd1a021000 rw-p 00000000 00:00 0                          [stack]", 0x7ffd1a000000UL, 0x7ffd1a021000UL, "rw-p", false)]
    [InlineData("7f3e90000000-7f3e90100000 r--p 00000000 08:01 1234   /tmp/a dir/lib x.so (deleted)", 0x7f3e90000000UL, 0x7f3e90100000UL, "r--p", false)]
    [InlineData("7f3e90000000-7f3e90100000 rw-s 00000000 00:01 99     /memfd:pool (deleted)", 0x7f3e90000000UL, 0x7f3e90100000UL, "rw-s", false)]
    public void A_maps_line_is_read_as_its_range_permissions_and_whether_it_is_anonymous(string line, ulong start, ulong end, string permissions, bool anonymous)
    {
        var mapping = HugePages.Parse(line);

        Assert.Equal(new HugePages.Mapping(start, end, permissions, anonymous), mapping);
        Assert.Equal(permissions == "rw-p", mapping!.PrivateReadWrite);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a mapping")]
    [InlineData("7f3e-zz rw-p 00000000 00:00 0")]
    [InlineData("7f3e80000000-7f3e00000000 rw-p 00000000 00:00 0")]
    public void A_line_of_another_shape_is_skipped(string line) => Assert.Null(HugePages.Parse(line));

    // The kernel's flags of the mapping holding address (/proc/self/smaps: a mapping's header line, then its fields),
    // or null when nothing is mapped there any more.
    private static string[]? VmFlags(ulong address)
    {
        var inMapping = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            if (HugePages.Parse(line) is { } mapping)
            {
                inMapping = mapping.Start <= address && address < mapping.End;
            }
            else if (inMapping && line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                return line["VmFlags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            }
        }

        return null;
    }
}
