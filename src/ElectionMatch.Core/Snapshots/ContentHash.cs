using System.Security.Cryptography;
using DuckDB.NET.Data;
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
    public static string Of(DuckDbWarehouse warehouse, string table, string orderBy) => Hash(warehouse.Connection, $"from {table} as t order by {orderBy}", CancellationToken.None);

    /// <summary>
    /// The same hash read in the table's own row order, without sorting: for a table just written from a query
    /// ordered by a unique canonical key, which DuckDB stores in that order (<c>preserve_insertion_order</c>), so
    /// the bytes hashed are those <see cref="Of"/> hashes. At a million rows the sort was a third of the hash's time.
    /// </summary>
    public static string InTableOrder(DuckDbWarehouse warehouse, string table) => InTableOrder(warehouse.Connection, table);

    /// <summary>
    /// <see cref="InTableOrder(DuckDbWarehouse, string)"/> on a connection of its own, so the hash can run beside other
    /// work on the first connection (a publish hashes the run's output while it copies it).
    /// </summary>
    public static string InTableOrder(DuckDBConnection connection, string table, CancellationToken cancellationToken = default) =>
        Hash(connection, $"from {table} as t", cancellationToken);

    // Each row's text as UTF-8 bytes (encode), read as a blob: reading it as a string decoded it to UTF-16 only to encode it back.
    private static string Hash(DuckDBConnection connection, string from, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        var first = true;
        // The row's bytes are read before the next row is fetched, while the reader still holds them.
        foreach (var row in DuckDbWarehouse.Stream(connection, $"select encode(cast(t as varchar)) {from}", r => r.GetStream(0)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!first)
            {
                hash.AppendData("\n"u8);
            }

            first = false;
            using (row)
            {
                int read;
                while ((read = row.Read(buffer, 0, buffer.Length)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                }
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
