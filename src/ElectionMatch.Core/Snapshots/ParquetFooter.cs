using ElectionMatch.Warehouse;

namespace ElectionMatch.Snapshots;

/// <summary>
/// A snapshot's parquet copy as its footer describes it: its row count (<c>parquet_file_metadata</c>) and its columns (a
/// describe of <c>read_parquet</c>, which binds from the footer), with no row read. What verify and check look at in every
/// copy; hashing every copy there would cost as much as rehashing every table, so a copy with the published row count and
/// columns but other values is left to <c>restore</c> (<see cref="ParquetCopy"/>), which hashes it.
/// </summary>
/// <param name="Problem">Why DuckDB could not read the footer (cut off, or another file under the copy's name); null when it could.</param>
internal sealed record ParquetFooter(long Rows, IReadOnlyList<string> Columns, string? Problem)
{
    public static ParquetFooter Read(DuckDbWarehouse warehouse, string path)
    {
        try
        {
            var rows = warehouse.Scalar<long>($"select num_rows from parquet_file_metadata({Sql.Literal(path)})");
            var columns = warehouse.Describe($"select * from read_parquet({Sql.Literal(path)})").Select(c => c.Name).ToList();
            return new(rows, columns, null);
        }
        catch (DuckDB.NET.Data.DuckDBException e)
        {
            return new(0, [], e.Message.Split('\n')[0]);
        }
    }

    /// <summary>
    /// How the copy differs from the snapshot as published, as a predicate of "the parquet copy …": <c>has 359 rows, the
    /// manifest records 360</c>; null when it does not. Column types are not compared: a round trip through parquet changes
    /// some (a HUGEINT comes back DOUBLE), and restore casts them back.
    /// </summary>
    /// <param name="columns">The columns the manifest recorded; null for a manifest made before they were recorded, when restore
    /// takes the copy's own as published, and they are not compared here either.</param>
    public string? Differences(long rows, IReadOnlyList<ColumnInfo>? columns)
    {
        if (Problem is not null)
        {
            return $"is not a parquet file DuckDB reads ({Problem})";
        }

        var differences = new List<string>();
        if (Rows != rows)
        {
            differences.Add($"has {Rows} rows, the manifest records {rows}");
        }

        if (columns is not null && ColumnChanges(columns.Select(c => c.Name).ToList()) is { } changes)
        {
            differences.Add(changes);
        }

        return differences.Count == 0 ? null : string.Join(" and ", differences);
    }

    private string? ColumnChanges(IReadOnlyList<string> published)
    {
        if (Columns.SequenceEqual(published, StringComparer.Ordinal))
        {
            return null;
        }

        var gone = published.Except(Columns, StringComparer.Ordinal).ToList();
        var added = Columns.Except(published, StringComparer.Ordinal).ToList();
        var names = gone.Select(c => $"{c} is missing").Concat(added.Select(c => $"{c} is not the manifest's")).ToList();
        return names.Count == 0
            ? $"has its columns in another order ({string.Join(", ", Columns)}; the manifest records {string.Join(", ", published)})"
            : $"has other columns than the manifest records ({string.Join(", ", names)})";
    }
}
