using System.Security.Cryptography;
using System.Text;
using DuckDB.NET.Data;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Snapshots;

/// <summary>
/// SHA-256 over an input relation's rows in a canonical order: each row's text is hashed (MD5, in DuckDB) and
/// the hashes are joined in sorted order, so the result depends on the rows alone, not on the order a file or
/// table yields them, and the work stays 32 bytes a row however wide the input.
/// </summary>
public static class InputHash
{
    public static string Of(DuckDbWarehouse warehouse, string relation) => Of(warehouse.Connection, relation);

    /// <summary>
    /// The sorted row hashes are streamed into the SHA-256: DuckDB's sort spills to disk where one aggregated string
    /// of a 7M-row input (230 MB) would not, and this may run beside the match (<see cref="InputHashing"/>).
    /// The bytes hashed are those of <c>sha256(string_agg(h, '' order by h))</c>, which earlier manifests recorded.
    /// </summary>
    public static string Of(DuckDBConnection connection, string relation, CancellationToken cancellationToken = default) =>
        OfSorted(connection, $"select md5(cast(t as varchar)) as h from {relation} as t", cancellationToken);

    /// <summary>
    /// The same hash from the MD5 of each row's text, already computed (column <c>h</c> of <paramref name="rowHashes"/>):
    /// an incremental run hashes every input row to find the partitions that changed, and need not read the inputs again.
    /// </summary>
    public static string OfRowHashes(DuckDbWarehouse warehouse, string rowHashes) =>
        OfSorted(warehouse.Connection, $"select h from {rowHashes}", CancellationToken.None);

    private static string OfSorted(DuckDBConnection connection, string hashes, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> ascii = stackalloc byte[32];
        foreach (var rowHash in DuckDbWarehouse.Stream(connection, $"select h from ({hashes}) order by h", r => r.GetString(0)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var written = Encoding.ASCII.GetBytes(rowHash, ascii);
            hash.AppendData(ascii[..written]);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
