using System.Globalization;
using System.Runtime.InteropServices;

namespace ElectionMatch.Warehouse;

/// <summary>
/// Transparent huge pages for DuckDB's buffer pool. DuckDB reserves its pool as one anonymous mapping (0.8 of the
/// memory it sees) and writes into every 4 KiB page of a block the first time it hands the block out; where the
/// kernel's THP mode is <c>madvise</c> (the default of Debian and Ubuntu) that is one page fault per 4 KiB, some 520,000
/// at a million candidacies. Advised, the pool faults in 2 MiB at a time and its reads miss the TLB less, as runtimes
/// and databases advise their heaps (docs/design.md, "The buffer pool in huge pages"). Only a hint: whatever fails
/// here leaves the pool as it was and the run goes on.
/// </summary>
internal static class HugePages
{
    /// <summary>
    /// New anonymous mappings this large and larger are taken for DuckDB's pool (0.8 of the memory DuckDB sees: over
    /// 256 MiB on any machine that can run a match); smaller new ones are the allocators' own.
    /// </summary>
    internal const long PoolMappingBytes = 256L << 20;

    private const int MadviseHugePage = 14;

    private const string ModePath = "/sys/kernel/mm/transparent_hugepage/enabled";

    /// <summary>What was asked: the kernel's THP mode, and the ranges advised (none where the mode is missing or <c>never</c>).</summary>
    internal sealed record Advice(string? Mode, IReadOnlyList<(ulong Start, ulong End)> Ranges)
    {
        public static Advice None { get; } = new(null, []);
    }

    /// <summary>The kernel's THP mode (<c>always</c>, <c>madvise</c> or <c>never</c>); null where there is none to read (not Linux, no THP, no access).</summary>
    public static string? Mode()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            // "always [madvise] never": the bracketed word is the mode.
            var text = File.ReadAllText(ModePath);
            var open = text.IndexOf('[', StringComparison.Ordinal);
            var close = text.IndexOf(']', StringComparison.Ordinal);
            return open >= 0 && close > open ? text[(open + 1)..close] : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Every anonymous mapping of the process now (start and end), taken before the warehouse opens, so that
    /// <see cref="AdviseNewPool"/> advises the mappings that opening and setting up the warehouse added, and nothing
    /// else (in a reused MSBuild node, other warehouses' pools and the GC's heap are there already). A mapping the
    /// kernel merged with a new neighbour has a new end, so it counts as new. Empty where the mappings cannot be read.
    /// </summary>
    public static IReadOnlySet<(ulong Start, ulong End)> AnonymousMappings() =>
        ReadMappings() is { } mappings ? mappings.Where(m => m.Anonymous).Select(m => (m.Start, m.End)).ToHashSet() : new HashSet<(ulong Start, ulong End)>();

    /// <summary>
    /// Advises huge pages for the private read-write anonymous mappings of at least <see cref="PoolMappingBytes"/> that
    /// are not in <paramref name="before"/>: DuckDB's pool, once the warehouse is open and its settings applied (in
    /// DuckDB 1.5 the mapping is there after the first statements, not right after opening).
    /// </summary>
    public static Advice AdviseNewPool(IReadOnlySet<(ulong Start, ulong End)> before)
    {
        if (Mode() is not { } mode || mode == "never" || ReadMappings() is not { } mappings)
        {
            return Advice.None;
        }

        var advised = new List<(ulong Start, ulong End)>();
        try
        {
            foreach (var mapping in mappings.Where(m => m.Anonymous && m.PrivateReadWrite && m.End - m.Start >= PoolMappingBytes && !before.Contains((m.Start, m.End))))
            {
                if (madvise((nint)mapping.Start, (nuint)(mapping.End - mapping.Start), MadviseHugePage) == 0)
                {
                    advised.Add((mapping.Start, mapping.End));
                }
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return Advice.None;
        }

        return new Advice(mode, advised);
    }

    /// <summary>The process's mappings from <c>/proc/self/maps</c>, read whole (advising changes them); null where they cannot be read.</summary>
    private static List<Mapping>? ReadMappings()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return File.ReadAllLines("/proc/self/maps").Select(Parse).OfType<Mapping>().ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>One line of <c>/proc/&lt;pid&gt;/maps</c> ("start-end perms offset dev inode [path]"); null for a line not of that shape.</summary>
    internal static Mapping? Parse(string line)
    {
        var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        var range = fields.Length >= 5 ? fields[0].Split('-') : [];
        if (range.Length != 2
            || !ulong.TryParse(range[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var start)
            || !ulong.TryParse(range[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var end)
            || end < start)
        {
            return null;
        }

        // Anonymous: no inode and no name (a file, [heap], [stack], a memfd or a named anonymous region has one).
        var anonymous = fields[4] == "0" && (fields.Length < 6 || fields[5].Trim().Length == 0);
        return new Mapping(start, end, fields[1], anonymous);
    }

    [DllImport("libc")]
    private static extern int madvise(nint address, nuint length, int advice);

    /// <param name="Permissions">As the kernel writes them: <c>rw-p</c> is private read-write.</param>
    internal sealed record Mapping(ulong Start, ulong End, string Permissions, bool Anonymous)
    {
        public bool PrivateReadWrite => Permissions.StartsWith("rw", StringComparison.Ordinal) && Permissions.EndsWith('p');
    }
}
