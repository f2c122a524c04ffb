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
/// <remarks>
/// Two definitions of a row's text, recorded in the manifest (<see cref="ManifestInput.Sha256Version"/>) so that
/// <c>verify</c> recomputes an input hash as it was made. <see cref="RowText"/> (manifests without a version) is
/// DuckDB's rendering of the whole row as one struct; <see cref="ColumnText"/> (since issue 8's cleaning work) is each
/// column cast to text, a null as U+001E, joined by U+001F. The struct's text repeats every column name and quotes
/// every value: at a million candidacies (7.2M results rows) rendering and hashing it took 13.6 CPU-s, the column text
/// 6.1, the same rows' hashes both ways.
/// </remarks>
public static class InputHash
{
    /// <summary>The row's text as DuckDB renders the row (<c>cast(t as varchar)</c>, a struct): manifests without a version.</summary>
    public const int RowText = 1;

    /// <summary>Each column cast to text, a null as U+001E, joined by U+001F.</summary>
    public const int ColumnText = 2;

    /// <summary>The definition new manifests and incremental partitions use.</summary>
    public const int CurrentVersion = ColumnText;

    /// <summary>Whether this tool can compute an input hash of <paramref name="version"/>.</summary>
    public static bool IsKnown(int version) => version is RowText or ColumnText;

    public static string Of(DuckDbWarehouse warehouse, string relation, int version = CurrentVersion) => Of(warehouse.Connection, relation, version);

    /// <summary>
    /// The sorted row hashes are streamed into the SHA-256: DuckDB's sort spills to disk where one aggregated string
    /// of a 7M-row input (230 MB) would not, and this may run beside the match (<see cref="InputHashing"/>).
    /// The bytes hashed are those of <c>sha256(string_agg(h, '' order by h))</c>, which earlier manifests recorded.
    /// </summary>
    public static string Of(DuckDBConnection connection, string relation, int version = CurrentVersion, CancellationToken cancellationToken = default) =>
        OfSorted(connection, $"select {RowHashSql(connection, relation, "t", version)} as h from {relation} as t", cancellationToken);

    /// <summary>
    /// The same hash from the MD5 of each row's text, already computed (column <c>h</c> of <paramref name="rowHashes"/>,
    /// by <see cref="RowHashSql"/>): an incremental run hashes every input row to find the partitions that changed,
    /// and need not read the inputs again.
    /// </summary>
    public static string OfRowHashes(DuckDbWarehouse warehouse, string rowHashes) =>
        OfSorted(warehouse.Connection, $"select h from {rowHashes}", CancellationToken.None);

    /// <summary>SQL for the MD5 of one row of <paramref name="relation"/> read as <paramref name="alias"/>, in <paramref name="version"/>'s text.</summary>
    public static string RowHashSql(DuckDBConnection connection, string relation, string alias, int version = CurrentVersion)
    {
        switch (version)
        {
            case RowText:
                return $"md5(cast({alias} as varchar))";
            case ColumnText:
                var columns = DuckDbWarehouse.Stream(connection, $"describe select * from {relation}", r => r.GetString(0)).ToList();
                // The same text as concat_ws(chr(31), …) over these never-null values, which cost 40 % more to build: at a
                // million candidacies 3.7 against 2.2 CPU-s for the 1.5M output rows (1.45 GB of text).
                var values = columns.Select(c => $"coalesce(cast({alias}.{Sql.Identifier(c)} as varchar), chr(30))");
                return $"md5(concat({string.Join(", chr(31), ", values)}))";
            default:
                throw new ArgumentOutOfRangeException(nameof(version), version, "unknown input hash version");
        }
    }

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
