namespace ElectionMatch.Warehouse;

/// <summary>
/// The files an <c>external_location</c> path can name: DuckDB reads a quoted path by its name's extension (its
/// replacement scans, as dbt-duckdb does), and finds no reader for any other (a <c>.txt</c> export), saying only "No
/// extension found that is capable of reading the file". Told here so the run can say which kinds it reads.
/// </summary>
internal static class ExternalFileKind
{
    // As DuckDB's ReplacementScan.CanReplace: a .gz or .zst ending is the compression, the extension is before it.
    private static readonly string[] Compressions = [".gz", ".zst"];
    private static readonly string[] Extensions = [".csv", ".tsv", ".parquet", ".json", ".jsonl", ".ndjson"];

    /// <summary>The kinds, as a message names them.</summary>
    public const string Described = ".csv or .tsv (either may be compressed: .csv.gz, .csv.zst), .parquet, .json, .jsonl or .ndjson";

    /// <summary>Whether DuckDB reads the file or glob pattern <paramref name="path"/> by its name.</summary>
    public static bool IsRead(string path)
    {
        var name = path.ToLowerInvariant();
        if (Compressions.FirstOrDefault(c => name.EndsWith(c, StringComparison.Ordinal)) is { } compression)
        {
            name = name[..^compression.Length];
        }

        return Extensions.Any(e => name.EndsWith(e, StringComparison.Ordinal));
    }
}
