namespace ElectionMatch.Settings;

/// <summary>
/// DuckDB resources for a run (<c>engine:</c> in electionmatch.yml): a memory limit and a temp directory let a
/// big run spill to disk instead of dying; threads bounds the CPU a run takes on a shared machine.
/// </summary>
/// <param name="MemoryLimit">DuckDB's memory_limit, e.g. <c>4GB</c>; null takes <see cref="DefaultMemoryLimit"/>.</param>
/// <param name="Threads">DuckDB's threads and the retrieval workers; null uses every core, or one for small inputs (<see cref="ThreadsFor"/>).</param>
/// <param name="TempDirectory">Where DuckDB spills, relative to the dbt project; null leaves DuckDB's default.</param>
/// <param name="HugePages">Whether DuckDB's buffer pool asks the kernel for transparent huge pages (<see cref="Warehouse.HugePages"/>).</param>
public sealed record EngineSettings(string? MemoryLimit, int? Threads, string? TempDirectory, bool HugePages = true)
{
    public static EngineSettings Defaults { get; } = new(null, null, null);

    /// <summary>Where electionmatch.yml sets <c>memory_limit</c>; null when it is unset.</summary>
    public Diagnostics.SourceSpan? MemoryLimitAt { get; init; }

    /// <summary>Where electionmatch.yml sets <c>temp_directory</c>; null when it is unset.</summary>
    public Diagnostics.SourceSpan? TempDirectoryAt { get; init; }

    /// <summary>
    /// Inputs of local files this size or smaller, both sides together, run on one thread when <c>threads</c> is unset.
    /// On them DuckDB's second thread costs more than it gains: the 360-row fixture ran in 1.22 s and 1.68 CPU-s on one
    /// thread against 1.47 s and 2.2 CPU-s on two, and 10,000 synthetic candidacies (2.6 MB of parquet, 82,000 rows) in
    /// 5.3 s against 5.85 s (docs/design.md, "One thread for small inputs").
    /// </summary>
    internal const long SmallInputBytes = 8L << 20;

    /// <summary>
    /// The threads a run takes: <see cref="Threads"/> when set; otherwise one when every input is read from local files
    /// of <see cref="SmallInputBytes"/> or less together (<paramref name="inputFileBytes"/>; null when an input is a
    /// table or a model, whose size is not known before it is read), and every core for the rest.
    /// </summary>
    public int ThreadsFor(long? inputFileBytes) =>
        Threads ?? (inputFileBytes is <= SmallInputBytes ? 1 : Environment.ProcessorCount);

    /// <summary>The buffer pool a run gets when <c>memory_limit</c> is unset, in MiB.</summary>
    internal const long DefaultMemoryLimitMiB = 2048;

    /// <summary>
    /// The least <c>memory_limit</c> a run accepts, 128MB. It is a floor, not a sufficient amount: the 360-row fixture
    /// fails at 64MB on two threads (DuckDB's CSV reader takes a 30 MiB buffer per thread) and runs at 96MB.
    /// </summary>
    internal const string MinimumMemoryLimit = "128MB";

    internal const long MinimumMemoryLimitBytes = 128L * 1000 * 1000;

    /// <summary>An amount DuckDB reads (it refuses one past 2^64 bytes); 8 EiB, far beyond any machine.</summary>
    internal const double MaximumMemoryLimitBytes = 9_223_372_036_854_775_808d;

    /// <summary>
    /// <c>memory_limit</c>'s text in bytes, as DuckDB reads it (KB, MB… are powers of 1000; KiB, MiB… of 1024), or
    /// null when it is not such an amount.
    /// </summary>
    internal static double? MemoryLimitBytes(string text)
    {
        var m = System.Text.RegularExpressions.Regex.Match(text, @"^\s*(?<amount>\d+(\.\d+)?)\s*(?<unit>[KMGT])(?<binary>i?)B\s*$", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        if (!m.Success)
        {
            return null;
        }

        var power = "KMGT".IndexOf(char.ToUpperInvariant(m.Groups["unit"].Value[0]), StringComparison.Ordinal) + 1;
        var unit = Math.Pow(m.Groups["binary"].Length > 0 ? 1024 : 1000, power);
        return double.Parse(m.Groups["amount"].Value, System.Globalization.CultureInfo.InvariantCulture) * unit;
    }

    /// <summary>
    /// DuckDB's memory_limit when none is set: 2 GiB, or a quarter of the memory the process may use if that
    /// is less, but never under 128 MiB (above <see cref="MinimumMemoryLimit"/>, which a set limit must reach). DuckDB's own default (80% of the machine) fills the pool with cached blocks of the run's tables,
    /// and the .NET side and DuckDB's allocations outside the pool come on top: a million candidacies peaked at
    /// 6.2 GiB with 4GB, and 3.1 GiB with 2GB (docs/design.md, "Where a run's memory goes").
    /// </summary>
    /// <param name="availableBytes">The memory the process may use (the machine's, or its container's limit).</param>
    public static string DefaultMemoryLimit(long availableBytes)
    {
        var mib = Math.Min(DefaultMemoryLimitMiB, Math.Max(128, availableBytes / 4 / (1024 * 1024)));
        return mib.ToString(System.Globalization.CultureInfo.InvariantCulture) + "MiB";
    }
}
