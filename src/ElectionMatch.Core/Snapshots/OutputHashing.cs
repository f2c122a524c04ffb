using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Snapshots;

/// <summary>
/// The content hash and the row hashes of a run's output, computed from the run schema's table before the publish
/// transaction instead of from the copy made inside it: the output is committed, so DuckDB scans it on every
/// thread, while a table created in the open transaction was read by one thread (at a million rows the two hashes
/// took 16 s of wall time that way). The content hash streams on a second connection while the first computes
/// the row hashes and copies the snapshot, so its single-threaded SHA-256 overlaps that work. Only for an output
/// stored in its canonical order under a unique key: then its rows, read in table order, are the bytes a hash of
/// the published table sorted by that key reads (the same columns, so the same text).
/// </summary>
internal sealed class OutputHashing : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<string> _content;

    private readonly DuckDbWarehouse _warehouse;

    private OutputHashing(DuckDbWarehouse warehouse, string output)
    {
        _warehouse = warehouse;
        var token = _stop.Token;
        _content = Task.Run(() =>
        {
            using var connection = warehouse.OpenSecondConnection();
            return ContentHash.InTableOrder(connection, output, token);
        }, token);
    }

    /// <summary>
    /// The (row_key, row_md5) pairs for <c>snapshot_rows</c>: a temporary table, which lives in this connection and
    /// goes with it, so a run killed before publishing leaves nothing of it in the warehouse.
    /// </summary>
    public static string RowHashesTable { get; } = Sql.Identifier("temp", "em_output_row_hashes");

    /// <summary>Starts the content hash beside the caller and computes the row hashes into <see cref="RowHashesTable"/>.</summary>
    public static OutputHashing Start(DuckDbWarehouse warehouse, MatchResult result, RunSteps steps)
    {
        var hashing = new OutputHashing(warehouse, result.OutputTable);
        try
        {
            steps.Time("row_hashes", () => warehouse.Execute($"create or replace temp table {RowHashesTable} as select * from {SnapshotLog.RowHashes(result.OutputTable, result.OrderBy)}"));
            return hashing;
        }
        catch
        {
            hashing.Dispose();
            throw;
        }
    }

    /// <summary>The content hash, once the second connection has streamed every row.</summary>
    public string Content() => _content.GetAwaiter().GetResult();

    /// <summary>Stops the hash when the publish failed, and waits for its connection to close before the warehouse does.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _content.Wait();
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException or DuckDB.NET.Data.DuckDBException))
        {
            // Content() reported a failure already, or the publish's own failure is the one being reported.
        }

        _stop.Dispose();
        _warehouse.Execute($"drop table if exists {RowHashesTable}");
    }
}
