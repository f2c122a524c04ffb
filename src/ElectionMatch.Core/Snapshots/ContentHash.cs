using System.Security.Cryptography;
using System.Text;
using DuckDB.NET.Data;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Snapshots;

/// <summary>
/// SHA-256 over a snapshot's rows in its canonical order, and the MD5 of each row kept in <c>snapshot_rows</c>: what
/// the manifest records and verify recomputes.
/// </summary>
/// <remarks>
/// Three definitions, recorded in the manifest (<see cref="SnapshotManifest.ContentSha256Version"/>) so that verify
/// recomputes a snapshot's hash as it was made. <see cref="RowText"/> (manifests without a version) hashes every row's
/// text as DuckDB renders the row as a struct, joined by line feeds, and a row's MD5 is of that text too: each row was
/// rendered twice, once per hash. <see cref="ColumnText"/> (issue 8, the tail of a run) takes a row's MD5 over its
/// columns' text, a null as U+001E, joined by U+001F (<see cref="InputHash.ColumnText"/>), and the content hash over
/// those MD5s in canonical order (ties by the MD5), so each row is rendered once, without the column names and
/// quoting the struct text repeats: at a million candidacies (1.5M snapshot rows) the two hashes took 14.4 CPU-s, now 6.6.
/// <see cref="ColumnTextAndLengths"/> (session 63) takes the row MD5 of input hash version 3
/// (<see cref="InputHash.ColumnTextAndLengths"/>), which also sees a null turned into U+001E or a U+001F moved to the
/// next value; the rest is version 2's, and a row without those characters has the same MD5 in both.
/// </remarks>
public static class ContentHash
{
    /// <summary>The row's text as DuckDB renders the row as a struct: manifests without a content hash version.</summary>
    public const int RowText = 1;

    /// <summary>Each row's MD5 over its columns' text; the content hash over those MD5s in canonical order.</summary>
    public const int ColumnText = 2;

    /// <summary>
    /// Version 2's row MD5, unless one of the row's values holds U+001E or U+001F: then the row MD5 of input hash version 3
    /// (<see cref="InputHash.ColumnTextAndLengths"/>), which also hashes where each value ends.
    /// </summary>
    public const int ColumnTextAndLengths = 3;

    /// <summary>The definition new snapshots use.</summary>
    public const int CurrentVersion = ColumnTextAndLengths;

    /// <summary>Whether this tool can compute a content hash of <paramref name="version"/>.</summary>
    public static bool IsKnown(int version) => version is RowText or ColumnText or ColumnTextAndLengths;

    /// <summary>SQL for the MD5 of one row of <paramref name="relation"/> read as <paramref name="alias"/>: what <c>snapshot_rows</c> holds.</summary>
    public static string RowHashSql(DuckDBConnection connection, string relation, string alias, int version) => version switch
    {
        RowText => InputHash.RowHashSql(connection, relation, alias, InputHash.RowText),
        ColumnText => InputHash.RowHashSql(connection, relation, alias, InputHash.ColumnText),
        ColumnTextAndLengths => InputHash.RowHashSql(connection, relation, alias, InputHash.ColumnTextAndLengths),
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, "unknown content hash version"),
    };

    /// <summary>
    /// The hash of <paramref name="table"/> (qualified, quoted) read in canonical order: what verify recomputes.
    /// Version 1 streams every row's text, joined by line feeds, through an incremental hash (one aggregated string of
    /// a million-row snapshot is gigabytes); versions 2 and 3 stream the rows' MD5s (<see cref="OfRowHashes"/>).
    /// </summary>
    public static string Of(DuckDbWarehouse warehouse, string table, string orderBy, int version = CurrentVersion) => version switch
    {
        RowText => Hash(warehouse.Connection, $"from {table} as t order by {orderBy}"),
        ColumnText or ColumnTextAndLengths => OfRowHashes(warehouse.Connection, $"(select *, {RowHashSql(warehouse.Connection, table, "t", version)} as row_md5 from {table} as t)", orderBy),
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, "unknown content hash version"),
    };

    /// <summary>
    /// Versions 2 and 3 from row MD5s: <paramref name="rowHashes"/> is a relation with column <c>row_md5</c> and the columns of
    /// <paramref name="orderBy"/>, read in canonical order, ties by the MD5. The 32 hex digits of every row, concatenated
    /// (fixed width, so no separator), are the bytes hashed; a publish reads them from the row hashes it keeps for
    /// <c>snapshot_rows</c>, so no row is rendered a second time.
    /// </summary>
    public static string OfRowHashes(DuckDBConnection connection, string rowHashes, string orderBy) =>
        HashOfRowHashes(connection, $"select row_md5 from {rowHashes} as t order by {orderBy}, row_md5").Sha256;

    /// <summary>
    /// The row count and hash of a table with no key, the quarantine: the row MD5s of the snapshot's content hash
    /// <paramref name="version"/> in the order of those MD5s, so the order the rows are stored in does not count. What
    /// <see cref="SnapshotManifest.QuarantineContentSha256"/> records and verify recomputes.
    /// </summary>
    public static (long Rows, string Sha256) InRowHashOrder(DuckDbWarehouse warehouse, string table, int version) =>
        HashOfRowHashes(warehouse.Connection, $"select {RowHashSql(warehouse.Connection, table, "t", QuarantineRowVersion(version))} as row_md5 from {table} as t order by row_md5");

    // The quarantine was first hashed when version 2 was current: a version 1 manifest records no quarantine hash, so
    // its quarantine is hashed as version 2's, as before, and never compared.
    private static int QuarantineRowVersion(int version) => version == RowText ? ColumnText : version;

    /// <summary>
    /// <see cref="InRowHashOrder"/>'s hash as a SQL aggregate over a column of row MD5s (<see cref="RowHashSql"/>):
    /// the same bytes, hashed in DuckDB, for a group of rows too small to be worth streaming, such as one incremental
    /// partition's cached rows (<c>group by</c> the partition hashes every partition in one pass).
    /// </summary>
    public static string InRowHashOrderSql(string rowMd5) => $"sha256(coalesce(string_agg({rowMd5}, '' order by {rowMd5}), ''))";

    // The 32 hex digits of every row's MD5, in the query's order, concatenated (fixed width, so no separator).
    private static (long Rows, string Sha256) HashOfRowHashes(DuckDBConnection connection, string query)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> ascii = stackalloc byte[32];
        var rows = 0L;
        foreach (var rowHash in DuckDbWarehouse.Stream(connection, query, r => r.GetString(0)))
        {
            var written = Encoding.ASCII.GetBytes(rowHash, ascii);
            hash.AppendData(ascii[..written]);
            rows++;
        }

        return (rows, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    // Each row's text as UTF-8 bytes (encode), read as a blob: reading it as a string decoded it to UTF-16 only to encode it back.
    private static string Hash(DuckDBConnection connection, string from)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        var first = true;
        // The row's bytes are read before the next row is fetched, while the reader still holds them.
        foreach (var row in DuckDbWarehouse.Stream(connection, $"select encode(cast(t as varchar)) {from}", r => r.GetStream(0)))
        {
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
