using ElectionMatch.Diagnostics;
using ElectionMatch.Matching;
using ElectionMatch.Matching.Providers;
using ElectionMatch.Safety;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Snapshots;

/// <summary>Publishes a run's output as <c>&lt;schema&gt;.&lt;match&gt;_YYYYMMDD</c> in one transaction, with its quarantine table.</summary>
public sealed class SnapshotPublisher
{
    private readonly DuckDbWarehouse _warehouse;
    private readonly SnapshotSettings _settings;

    public SnapshotPublisher(DuckDbWarehouse warehouse, SnapshotSettings settings)
    {
        _warehouse = warehouse;
        _settings = settings;
    }

    public bool Exists(SnapshotName name) => _warehouse.TableExists(_settings.Schema, name.Table);

    /// <summary>
    /// Refuses to overwrite an existing snapshot unless <paramref name="replace"/> is set, or the snapshot was left
    /// by a run that died before writing its files (the log says so): that one is the same run's, to finish.
    /// </summary>
    /// <returns>True when the existing snapshot is an interrupted run's, to be finished or replaced.</returns>
    /// <param name="option">How the host spells a run option (<see cref="Operations.ProjectContext.RunOption"/>).</param>
    public bool EnsureWritable(SnapshotName name, bool replace, SourceSpan at, Func<string, string> option)
    {
        if (!Exists(name))
        {
            return false;
        }

        var interrupted = new SnapshotLog(_warehouse).Latest(name.Match).FirstOrDefault(r => r.Snapshot == name.Table) is { IsComplete: false };
        if (!replace && !interrupted)
        {
            throw DiagnosticException.At(Codes.SnapshotExists, at, $"snapshot {_settings.Schema}.{name.Table} already exists; snapshots are immutable, so pass {option("--replace")} to overwrite it or {option("--snapshot-date")} to publish under another date");
        }

        return interrupted;
    }

    /// <summary>
    /// Publishes the run's output and quarantine under their dated names, and records the publish (row count,
    /// content hash, row hashes) in the snapshot log, all in one transaction: a reader, or a run killed at
    /// any point, sees the old state or the whole new one.
    /// </summary>
    /// <remarks>
    /// The hashes are computed before the transaction, from the run schema's committed output (<see cref="OutputHashing"/>);
    /// the copy sorts the output into canonical order unless the run stored it so.
    /// </remarks>
    /// <param name="steps">Times the row hashes, the copy and the log as steps of the run.</param>
    /// <param name="runOptions">The run's options that change what it publishes, recorded in the log (<see cref="SnapshotLog.RecordPublish"/>).</param>
    /// <param name="pending">What the run's files are to be written from, given what was published; called inside the
    /// transaction, once the snapshot table has its name, and stored in the log with the publish.</param>
    /// <param name="interruption">The run's stop: heard until the commit, which it then rolls back (the DuckDB statement
    /// running is interrupted, so a long copy stops at once), and never after; told when the commit begins and ends.</param>
    public PublishedSnapshot Publish(SnapshotName name, MatchResult result, bool replace, string runId, RunSteps? steps = null, string runOptions = "", Func<PublishedSnapshot, PendingPublish>? pending = null,
        Interruption? interruption = null)
    {
        var compression = _warehouse.Scalar<string>("select current_setting('disabled_compression_methods')") ?? "";
        _warehouse.Execute($"set disabled_compression_methods = {Sql.Literal(WithoutDictionary(compression))}");
        try
        {
            steps ??= new RunSteps(null);
            var published = PublishCompressed(name, result, replace, runId, steps, runOptions, pending, interruption);
            // The snapshot and its quarantine leave the write-ahead log under this setting; left to the warehouse's
            // close, a snapshot smaller than a row group would be compressed with dictionaries after all.
            steps.Time("publish_checkpoint", () => _warehouse.Execute("checkpoint"));
            return published;
        }
        finally
        {
            _warehouse.Execute($"set disabled_compression_methods = {Sql.Literal(compression)}");
        }
    }

    /// <summary>
    /// The session's disabled compression methods plus dictionary compression. Its analysis costs more than it gains
    /// on a snapshot's strings, which FSST compresses as well (100k bench snapshot: 39 MB either way; the copy 0.88-1.39
    /// CPU-s without it against 1.20-2.14 with it, five runs each). The rows are the same whichever way they are stored.
    /// </summary>
    private static string WithoutDictionary(string disabled) =>
        string.Join(',', disabled.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Append("dictionary").Distinct(StringComparer.OrdinalIgnoreCase));

    private PublishedSnapshot PublishCompressed(SnapshotName name, MatchResult result, bool replace, string runId, RunSteps steps, string runOptions, Func<PublishedSnapshot, PendingPublish>? pending,
        Interruption? interruption)
    {
        var schema = Sql.Identifier(_settings.Schema);
        var final = Sql.Identifier(_settings.Schema, name.Table);
        var quarantine = Sql.Identifier(_settings.Schema, name.QuarantineTable);
        var staging = "__em_publishing_" + name.Table;
        var stagingQuarantine = "__em_publishing_" + name.QuarantineTable;
        var log = new SnapshotLog(_warehouse);
        var stop = interruption?.Stop ?? CancellationToken.None;
        PublishedSnapshot? published = null;
        var inTransaction = false;
        interruption?.Publishing(name.Table);

        // A stop before the commit interrupts the statement running (the hashing, the copy, the log's rows), and the
        // transaction is rolled back: before, the CLI ended a long publish 2 s after the signal, halfway through.
        var interrupting = stop.Register(_warehouse.Interrupt);
        try
        {
            // The snapshot is stored in the order it is written, canonical; its parquet copy reads it in that order.
            _warehouse.Execute("set preserve_insertion_order = true");
            using var hashing = OutputHashing.Compute(_warehouse, result, steps);
            _warehouse.InTransaction(() =>
            {
                inTransaction = true;
                stop.ThrowIfCancellationRequested();
                _warehouse.Execute($"create schema if not exists {schema}");
                if (!replace && Exists(name))
                {
                    throw DiagnosticException.At(Codes.SnapshotExists, SourceSpan.None, $"snapshot {_settings.Schema}.{name.Table} was published by another run meanwhile");
                }

                steps.Time("publish_copy", () =>
                {
                    // The sort of the output into canonical order is this copy's: sorting it in a stage of its own wrote
                    // every row once more (at a million rows 1.5M rows of 1.4 kB). An output already in order is copied as it is.
                    var order = result.OutputInCanonicalOrder ? "" : $" order by {result.OrderBy}";
                    _warehouse.Execute($"create or replace table {Sql.Identifier(_settings.Schema, staging)} as select * from {result.OutputTable}{order}");
                    _warehouse.Execute($"create or replace table {Sql.Identifier(_settings.Schema, stagingQuarantine)} as select * from {result.QuarantineTable}");
                });
                CrashPoint.Reached("publish:staged");
                stop.ThrowIfCancellationRequested();
                _warehouse.Execute($"drop table if exists {final}");
                _warehouse.Execute($"drop table if exists {quarantine}");
                _warehouse.Execute($"alter table {Sql.Identifier(_settings.Schema, staging)} rename to {Sql.Identifier(name.Table)}");
                _warehouse.Execute($"alter table {Sql.Identifier(_settings.Schema, stagingQuarantine)} rename to {Sql.Identifier(name.QuarantineTable)}");
                published = new PublishedSnapshot(RowCount(name), hashing.Content, hashing.Version, hashing.Quarantine.Rows, hashing.Quarantine.Sha256);
                log.Ensure();
                steps.Time("publish_log", () => log.RecordPublish(name.Match, name.Table, runId, OutputHashing.RowHashesTable, result.OrderBy, published.Rows, published.ContentSha256, runOptions, pending?.Invoke(published)));
                CrashPoint.Reached("publish:renamed");

                // No interrupt may reach the commit: the registration's end waits for a callback running now, and a stop
                // from here on is either heard by Committing (which throws: rolled back) or finds the commit under way.
                interrupting.Dispose();
                if (interruption is not null)
                {
                    interruption.Committing(name.Table);
                }
                else
                {
                    stop.ThrowIfCancellationRequested();
                }

                CrashPoint.Reached("publish:committing");
            });
            interruption?.Committed(name.Table);
        }
        catch (Exception e) when (stop.IsCancellationRequested && interruption?.Finishing is null && e is not OutOfMemoryException)
        {
            if (inTransaction && interruption is not null)
            {
                interruption.RolledBack = $"the publish of {name.Table} was stopped before its commit and rolled back";
            }

            throw e as OperationCanceledException ?? new OperationCanceledException($"the publish of {name.Table} was stopped before its commit", e, stop);
        }
        finally
        {
            interrupting.Dispose();
        }

        CrashPoint.Reached("publish:committed");
        return published!;
    }

    public long RowCount(SnapshotName name) =>
        _warehouse.Scalar<long>($"select count(*) from {Sql.Identifier(_settings.Schema, name.Table)}");

    /// <summary>
    /// Writes the parquet copy to <paramref name="path"/> (<see cref="Operations.ProjectContext.ParquetPath"/>) through a
    /// temporary file, in the snapshot's row order: <see cref="Publish"/> wrote the table sorted by the canonical order,
    /// and DuckDB keeps a table's insertion order (<c>preserve_insertion_order</c>, set there), so sorting it again only cost time.
    /// </summary>
    public void ExportParquet(SnapshotName name, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.RemoveStaleTemporaries(path);
        var temporary = AtomicFile.TemporaryPathFor(path);
        try
        {
            _warehouse.Execute($"copy {Sql.Identifier(_settings.Schema, name.Table)} to {Sql.Literal(temporary)} (format parquet)");
            CrashPoint.Reached("parquet:written");
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}

/// <summary>What the publish transaction committed: the numbers the manifest records.</summary>
/// <param name="ContentVersion">The definition of <paramref name="ContentSha256"/> and of the row hashes (<see cref="ContentHash"/>).</param>
/// <param name="QuarantineSha256">The quarantine table's hash (<see cref="ContentHash.InRowHashOrder"/>), of the rows it was copied from.</param>
public sealed record PublishedSnapshot(long Rows, string ContentSha256, int ContentVersion, long QuarantineRows, string QuarantineSha256);
