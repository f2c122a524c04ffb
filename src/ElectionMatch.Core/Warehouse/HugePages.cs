using System.Globalization;
using System.Runtime.InteropServices;

namespace ElectionMatch.Warehouse;

/// <summary>
/// Transparent huge pages for DuckDB's buffer pool. DuckDB reserves its pool as one anonymous mapping and touches
/// every 4 KiB page of a block the first time it hands the block out; where the kernel's THP mode is <c>madvise</c>
/// (the default of Debian and Ubuntu) that is one page fault per 4 KiB, some 520,000 at a million candidacies.
/// Advised, the pool faults in 2 MiB at a time and its reads miss the TLB less, as runtimes and databases advise
/// their heaps (docs/design.md, "The buffer pool in huge pages").
/// </summary>
internal static class HugePages
{
    /// <summary>Anonymous mappings this large and larger are DuckDB's pool: it reserves most of the machine's memory.</summary>
    internal const long PoolMappingBytes = 1L << 30;

    private const int MadviseHugePage = 14;

    private const string ModePath = "/sys/kernel/mm/transparent_hugepage/enabled";

    /// <summary>The kernel's THP mode (<c>always</c>, <c>madvise</c> or <c>never</c>); null where there is none (not Linux, or no THP).</summary>
    public static string? Mode()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(ModePath))
        {
            return null;
        }

        // "always [madvise] never": the bracketed word is the mode.
        var text = File.ReadAllText(ModePath);
        var open = text.IndexOf('[', StringComparison.Ordinal);
        var close = text.IndexOf(']', StringComparison.Ordinal);
        return open >= 0 && close > open ? text[(open + 1)..close] : null;
    }

    /// <summary>
    /// Advises huge pages for the process's private read-write anonymous mappings of at least
    /// <see cref="PoolMappingBytes"/>: after DuckDB's pool is set up, that is the pool. Nothing where the mode is
    /// <c>never</c> or there is no THP. Returns the ranges advised.
    /// </summary>
    public static IReadOnlyList<(ulong Start, ulong End)> AdviseLargeMappings()
    {
        if (Mode() is null or "never")
        {
            return [];
        }

        var advised = new List<(ulong Start, ulong End)>();
        foreach (var mapping in Mappings())
        {
            if (mapping.Anonymous && mapping.Permissions.StartsWith("rw", StringComparison.Ordinal) && mapping.Permissions.EndsWith('p')
                && mapping.End - mapping.Start >= PoolMappingBytes
                && madvise((nint)mapping.Start, (nuint)(mapping.End - mapping.Start), MadviseHugePage) == 0)
            {
                advised.Add((mapping.Start, mapping.End));
            }
        }

        return advised;
    }

    /// <summary>The process's mappings, from <c>/proc/self/maps</c>: "start-end perms offset dev inode [path]".</summary>
    internal static IEnumerable<Mapping> Mappings()
    {
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            var range = fields[0].Split('-');
            yield return new Mapping(
                ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                fields[1],
                fields.Length < 6 || fields[5].Trim().Length == 0);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int madvise(nint address, nuint length, int advice);

    internal sealed record Mapping(ulong Start, ulong End, string Permissions, bool Anonymous);
}
