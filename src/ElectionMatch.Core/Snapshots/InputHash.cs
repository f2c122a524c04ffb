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
/// Three definitions of a row's hash, recorded in the manifest (<see cref="ManifestInput.Sha256Version"/>) so that
/// <c>verify</c> recomputes an input hash as it was made. <see cref="RowText"/> (manifests without a version) is
/// DuckDB's rendering of the whole row as one struct; <see cref="ColumnText"/> (since issue 8's cleaning work) is each
/// column cast to text, a null as U+001E, joined by U+001F. The struct's text repeats every column name and quotes
/// every value: at a million candidacies (7.2M results rows) rendering and hashing it took 13.6 CPU-s, the column text
/// 6.1, the same rows' hashes both ways. <see cref="ColumnTextAndLengths"/> (session 62) is the column text's MD5 for a
/// row none of whose values holds U+001E or U+001F, and otherwise also hashes where each value ends.
/// </remarks>
public static class InputHash
{
    /// <summary>The row's text as DuckDB renders the row (<c>cast(t as varchar)</c>, a struct): manifests without a version.</summary>
    public const int RowText = 1;

    /// <summary>
    /// Each column cast to text, a null as U+001E, joined by U+001F. A null and a value U+001E, or a U+001F moved from
    /// the end of one value to the start of the next, give the same text: such a change leaves the hash as it was.
    /// </summary>
    public const int ColumnText = 2;

    /// <summary>
    /// <see cref="ColumnText"/>'s MD5, unless one of the row's values holds U+001E or U+001F: then the MD5 of that MD5,
    /// U+001D and the values' byte lengths (<see cref="SeparatorFreeSql"/>, <see cref="ValueLengthsSql"/>). Given where
    /// each value ends and which are null, the text reads back into one row, so no change of a value goes unseen; a row
    /// without those characters (every row of most inputs) hashes as in version 2.
    /// </summary>
    public const int ColumnTextAndLengths = 3;

    /// <summary>The definition new manifests and incremental partitions use.</summary>
    public const int CurrentVersion = ColumnTextAndLengths;

    /// <summary>
    /// DuckDB's types whose values cast to text are digits, signs, letters, spaces and punctuation (decimals, named
    /// <c>DECIMAL(p,s)</c>, too): never U+001E or U+001F. Any other type, text, an enum's labels, a list, struct or
    /// blob, is tested.
    /// </summary>
    private static readonly HashSet<string> TextWithoutControlCharacters = new(StringComparer.Ordinal)
    {
        "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
        "FLOAT", "DOUBLE", "DATE", "TIME", "TIME WITH TIME ZONE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_S", "TIMESTAMP_MS",
        "TIMESTAMP_NS", "INTERVAL", "UUID",
    };

    /// <summary>Whether this tool can compute an input hash of <paramref name="version"/>.</summary>
    public static bool IsKnown(int version) => version is RowText or ColumnText or ColumnTextAndLengths;

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

    /// <summary>SQL for the MD5 of one row of <paramref name="relation"/> read as <paramref name="alias"/>, in <paramref name="version"/>'s definition.</summary>
    public static string RowHashSql(DuckDBConnection connection, string relation, string alias, int version = CurrentVersion)
    {
        switch (version)
        {
            case RowText:
                return $"md5(cast({alias} as varchar))";
            case ColumnText:
                return ColumnTextMd5Sql(Columns(connection, relation).Select(c => c.Name).ToList(), alias);
            case ColumnTextAndLengths:
                var columns = Columns(connection, relation);
                var names = columns.Select(c => c.Name).ToList();
                var md5 = ColumnTextMd5Sql(names, alias);
                // One expression, not session 61's subquery over the row hash and the lengths, so a caller selects it beside its own columns.
                return $"case when {SeparatorFreeSql(columns, alias)} then {md5} else md5({md5} || chr(29) || {ValueLengthsSql(names, alias)}) end";
            default:
                throw new ArgumentOutOfRangeException(nameof(version), version, "unknown input hash version");
        }
    }

    /// <summary>
    /// SQL for whether no value of a row holds U+001E or U+001F, the separators of <see cref="ColumnText"/>'s row text.
    /// Such a row's text reads back into one row only, so <see cref="ColumnTextAndLengths"/> hashes it as version 2
    /// does. Only the columns whose text can hold them are looked at (<see cref="TextWithoutControlCharacters"/>): a
    /// number's or a date's is never rendered again for the test. Measured on the 722,145 results rows of the 100k
    /// synthetic set, writing the hashes: version 2's row hash alone 0.73 CPU-s, with an MD5 of every row's hash and
    /// lengths 1.28, with this test over every column instead 0.96 (session 61); the input hash, streamed sorted,
    /// 1.05 in version 2, 1.42 with the test over every column, 1.08 over the text columns only (session 62).
    /// </summary>
    internal static string SeparatorFreeSql(IReadOnlyList<Warehouse.ColumnInfo> columns, string alias)
    {
        var tested = columns.Where(c => !TextWithoutControlCharacters.Contains(c.DataType) && !c.DataType.StartsWith("DECIMAL(", StringComparison.Ordinal))
            .Select(c => $"cast({alias}.{Sql.Identifier(c.Name)} as varchar)")
            .Select(text => $"coalesce(contains({text}, chr(30)) or contains({text}, chr(31)), false)")
            .ToList();
        return tested.Count == 0 ? "true" : "(not (" + string.Join(" or ", tested) + "))";
    }

    /// <summary>The byte lengths of a row's values, a null as <c>-</c>, joined by commas (<see cref="SeparatorFreeSql"/>).</summary>
    internal static string ValueLengthsSql(IReadOnlyList<string> columns, string alias) =>
        "concat_ws(',', " + string.Join(", ", columns.Select(c => $"coalesce(cast(strlen(cast({alias}.{Sql.Identifier(c)} as varchar)) as varchar), '-')")) + ")";

    private static List<Warehouse.ColumnInfo> Columns(DuckDBConnection connection, string relation) =>
        DuckDbWarehouse.Stream(connection, $"describe select * from {relation}", r => new Warehouse.ColumnInfo(r.GetString(0), r.GetString(1))).ToList();

    // Version 2's MD5. The same text as concat_ws(chr(31), …) over these never-null values, which cost 40 % more to
    // build: at a million candidacies 3.7 against 2.2 CPU-s for the 1.5M output rows (1.45 GB of text).
    private static string ColumnTextMd5Sql(IReadOnlyList<string> columns, string alias) =>
        $"md5(concat({string.Join(", chr(31), ", columns.Select(c => $"coalesce(cast({alias}.{Sql.Identifier(c)} as varchar), chr(30))"))}))";

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
