using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Snapshots;

/// <summary>
/// The row hashes and the content hash of a run's output (<see cref="ContentHash.CurrentVersion"/>), and the row count and hash
/// of its quarantine (<see cref="ContentHash.InRowHashOrder"/>), computed from the run
/// schema's table before the publish transaction instead of from the copy made inside it: the output is committed, so
/// DuckDB scans it on every thread, while a table created in the open transaction was read by one thread. The copy has
/// the output's rows and columns, so the same hashes; and neither hash depends on the order the output is stored in,
/// so the output need not be sorted before the publish copy sorts it.
/// </summary>
internal sealed class OutputHashing : IDisposable
{
    private readonly DuckDbWarehouse _warehouse;

    private OutputHashing(DuckDbWarehouse warehouse)
    {
        _warehouse = warehouse;
    }

    /// <summary>
    /// The (row_key, row_md5) pairs for <c>snapshot_rows</c>, with the canonical order's columns: a temporary table,
    /// which lives in this connection and goes with it, so a run killed before publishing leaves nothing of it in the warehouse.
    /// </summary>
    public static string RowHashesTable { get; } = Sql.Identifier("temp", "em_output_row_hashes");

    /// <summary>The content hash, over the row hashes in canonical order.</summary>
    public string Content { get; private set; } = "";

    /// <summary>The definition of <see cref="Content"/>, the row hashes and the quarantine's hash: what the manifest records.</summary>
    public int Version => ContentHash.CurrentVersion;

    /// <summary>The quarantine's rows and hash, which the manifest records: the snapshot_log keeps nothing of the quarantine.</summary>
    public (long Rows, string Sha256) Quarantine { get; private set; }

    /// <summary>Each row of the output rendered once, into its MD5; the content hash read from those in canonical order.</summary>
    public static OutputHashing Compute(DuckDbWarehouse warehouse, MatchResult result, RunSteps steps) =>
        steps.Time("row_hashes", () =>
        {
            var hashing = new OutputHashing(warehouse);
            try
            {
                var rowHash = ContentHash.RowHashSql(warehouse.Connection, result.OutputTable, "t", hashing.Version);
                warehouse.Execute($"create or replace temp table {RowHashesTable} as select {result.OrderBy}, {SnapshotLog.RowKeySql(result.OrderBy)} as row_key, {rowHash} as row_md5 from {result.OutputTable} as t");
                hashing.Content = ContentHash.OfRowHashes(warehouse.Connection, RowHashesTable, result.OrderBy);
                hashing.Quarantine = ContentHash.InRowHashOrder(warehouse, result.QuarantineTable, hashing.Version);
                return hashing;
            }
            catch
            {
                hashing.Dispose();
                throw;
            }
        });

    /// <summary>Drops the row hashes once they are in <c>snapshot_rows</c>, or the publish failed.</summary>
    public void Dispose() => _warehouse.Execute($"drop table if exists {RowHashesTable}");
}
