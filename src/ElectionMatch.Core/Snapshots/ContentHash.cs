using System.Security.Cryptography;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Snapshots;

/// <summary>SHA-256 over a snapshot's rows, each as DuckDB renders it as text, in the snapshot's canonical order: what the manifest records and verify recomputes.</summary>
public static class ContentHash
{
    /// <summary>
    /// The rows joined by line feeds, streamed through an incremental hash: one aggregated string of a million-row
    /// snapshot is gigabytes (DuckDB ran out of memory building it). Same bytes hashed, so the same value as hashing that string.
    /// </summary>
    /// <param name="table">A qualified, quoted table name.</param>
    public static string Of(DuckDbWarehouse warehouse, string table, string orderBy)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var first = true;
        foreach (var row in warehouse.Stream($"select cast(t as varchar) from {table} as t order by {orderBy}", r => r.GetString(0)))
        {
            if (!first)
            {
                hash.AppendData("\n"u8);
            }

            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(row));
            first = false;
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
