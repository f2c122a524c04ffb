namespace ElectionMatch.Settings;

/// <summary>
/// DuckDB resources for a run (<c>engine:</c> in electionmatch.yml): a memory limit and a temp directory let a
/// big run spill to disk instead of dying; threads bounds the CPU a run takes on a shared machine.
/// </summary>
/// <param name="MemoryLimit">DuckDB's memory_limit, e.g. <c>4GB</c>; null leaves DuckDB's default (80% of RAM).</param>
/// <param name="Threads">DuckDB's threads and the retrieval workers; null uses every core.</param>
/// <param name="TempDirectory">Where DuckDB spills, relative to the dbt project; null leaves DuckDB's default.</param>
public sealed record EngineSettings(string? MemoryLimit, int? Threads, string? TempDirectory)
{
    public static EngineSettings Defaults { get; } = new(null, null, null);
}
