namespace ElectionMatch.Diagnostics;

/// <summary>
/// DuckDB's "Out of Memory Error": a step that could not stay within <c>engine.memory_limit</c> by spilling to
/// <c>engine.temp_directory</c>. Told apart from other failures so that it is reported at the setting (EM0507), not as
/// a failure to report (EM0504), nor as an input that cannot be read (EM0024) when it happens while an input is read.
/// </summary>
public static class MemoryLimitExceeded
{
    private const string Prefix = "Out of Memory Error: ";

    /// <summary>DuckDB's words after its prefix (<c>could not allocate block of size 256.0 KiB (121.8 MiB/122.0 MiB used)</c>), or null for any other failure.</summary>
    public static string? Reason(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is DiagnosticException)
            {
                return null;
            }

            if (x is DuckDB.NET.Data.DuckDBException && x.Message.StartsWith(Prefix, StringComparison.Ordinal))
            {
                return x.Message[Prefix.Length..].Split('\n')[0].Trim();
            }
        }

        return null;
    }

    public static bool Is(Exception e) => Reason(e) is not null;
}
