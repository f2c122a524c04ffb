using ElectionMatch.Warehouse;

namespace ElectionMatch.Snapshots;

/// <summary>
/// A snapshot's parquet copy (<see cref="Operations.ProjectContext.ParquetPath"/>) read back as the table was published:
/// each column cast to the type its manifest recorded where the round trip through parquet changed it (a HUGEINT comes
/// back DOUBLE, an ENUM VARCHAR), in the copy's row order (the table's, canonical), and hashed as verify hashes the table.
/// What verify's advice and <c>restore</c> both decide by.
/// </summary>
/// <param name="Relation">The copy as a parenthesised query with the published columns; null when <paramref name="Problem"/> says why not.</param>
/// <param name="Casts">One line per column cast back to its published type: <c>ddhq_candidate_id DOUBLE -&gt; HUGEINT</c>.</param>
internal sealed record ParquetCopy(string Path, string? Relation, IReadOnlyList<ColumnInfo> Columns, IReadOnlyList<string> Casts, long Rows, string? ContentSha256, string? Problem)
{
    /// <summary>Whether the copy holds <paramref name="rows"/> rows hashing to <paramref name="contentSha256"/>: the snapshot as published.</summary>
    public bool Holds(long rows, string contentSha256) => Problem is null && Rows == rows && ContentSha256 == contentSha256;

    /// <param name="published">The columns the manifest recorded (<see cref="SnapshotManifest.Columns"/>); null for a manifest
    /// made before they were recorded, when the copy's own columns are taken as published.</param>
    /// <param name="orderBy">The canonical order; <paramref name="version"/> the content hash's definition, as the manifest records them.</param>
    public static ParquetCopy Read(DuckDbWarehouse warehouse, string path, IReadOnlyList<ColumnInfo>? published, string orderBy, int version)
    {
        ParquetCopy Unusable(string problem) => new(path, null, [], [], 0, null, problem);
        if (!File.Exists(path))
        {
            return Unusable("it does not exist");
        }

        try
        {
            var file = $"read_parquet({Sql.Literal(path)})";
            var stored = warehouse.Describe("select * from " + file);
            var columns = published ?? stored;
            if (!stored.Select(c => c.Name).SequenceEqual(columns.Select(c => c.Name), StringComparer.Ordinal))
            {
                return Unusable($"its columns ({string.Join(", ", stored.Select(c => c.Name))}) are not the snapshot's ({string.Join(", ", columns.Select(c => c.Name))})");
            }

            var pairs = columns.Zip(stored, (p, s) => (Name: p.Name, Published: p.DataType, Stored: s.DataType)).ToList();
            var select = string.Join(", ", pairs.Select(c => c.Published == c.Stored
                ? Sql.Identifier(c.Name)
                : $"cast({Sql.Identifier(c.Name)} as {c.Published}) as {Sql.Identifier(c.Name)}"));
            var relation = $"(select {select} from {file})";
            var casts = pairs.Where(c => c.Published != c.Stored).Select(c => $"{c.Name} {c.Stored} -> {c.Published}").ToList();
            var rows = warehouse.Scalar<long>($"select count(*) from {relation}");
            return new(path, relation, columns, casts, rows, ContentHash.Of(warehouse, relation, orderBy, version), null);
        }
        catch (DuckDB.NET.Data.DuckDBException e)
        {
            // Cut off, another file under its name, or a value that does not cast back: no copy of the snapshot as published.
            return Unusable($"DuckDB cannot read it as the snapshot ({e.Message.Split('\n')[0]})");
        }
    }
}
