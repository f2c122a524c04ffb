using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Safety;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Operations;

/// <summary>
/// <c>electionmatch restore &lt;match&gt; --snapshot-date D</c>: puts a snapshot table back as it was published, from its
/// parquet copy, when verify finds it edited, cut or dropped (EM0601–EM0604). Everything is checked before anything
/// changes: the manifest is there and is the one the run published, the snapshot log agrees with it, and the copy, its
/// columns cast back to the types the manifest recorded, hashes to the manifest's content hash. Then one transaction
/// replaces the table and rehashes it as verify does, so a failure or a kill at any point leaves the old table. The
/// snapshot log needs no record: the rows it recorded (count, content hash, row hashes) are the ones put back.
/// </summary>
public sealed class RestoreOperation
{
    private ProjectContext _context;

    public RestoreOperation(ProjectContext context)
    {
        _context = context;
    }

    /// <param name="match">A match electionmatch.yml defines, or one it no longer does whose manifests are still here (EM0113).</param>
    /// <param name="dryRun">Say what would be restored, and change nothing.</param>
    public RestoreResult Execute(string match, DateOnly date, bool dryRun)
    {
        var matchName = _context.Settings.Matches.ContainsKey(match) || ManifestFiles.Of(_context, match).Count == 0 ? _context.Settings.Match(match).Name : match;
        var name = new SnapshotName(matchName, date);
        using var held = _context.Lock($"restore {name.Table}", out _context);
        var warehousePath = _context.Target.DatabasePath;
        if (!File.Exists(warehousePath))
        {
            throw DiagnosticException.At(Codes.RestoreRefused, _context.Target.PathAt ?? SourceSpan.PathOnly(DisplayPath.For(warehousePath)),
                $"the warehouse {DisplayPath.For(warehousePath)} is not here; restore puts snapshot {name.Table} back into it, so run restore where the warehouse is");
        }

        using var warehouse = DuckDbWarehouse.Open(warehousePath, readOnly: dryRun, _context.Target.PathAt);
        var manifest = Published(warehouse, name, out var file);
        var order = manifest.CanonicalOrder!;
        var version = manifest.ContentSha256Version ?? ContentHash.RowText;
        var schema = _context.Settings.Snapshots.Schema;
        var table = $"{schema}.{name.Table}";
        var parquet = DisplayPath.For(_context.ParquetPath(name));
        var quarantine = QuarantineNeeds(warehouse, name, manifest, file, version);
        if (TableHolds(warehouse, Sql.Identifier(schema, name.Table), manifest, order, version))
        {
            if (quarantine.Recreate && !dryRun)
            {
                Replace(warehouse, name, null, manifest, order, version, recreateQuarantine: true);
            }

            return new RestoreResult(name, table, parquet, manifest.Rows, manifest.ContentSha256, [], dryRun, AlreadyAsPublished: true)
            {
                QuarantineRecreated = quarantine.Recreate ? $"{schema}.{name.QuarantineTable}" : null,
                QuarantineNotRestored = quarantine.NotRestored,
                CopyRewritten = RewriteCopy(warehouse, name, manifest, order, version, dryRun),
            };
        }

        var copy = ParquetCopy.Read(warehouse, _context.ParquetPath(name), manifest.Columns, order, version);
        if (!copy.Holds(manifest.Rows, manifest.ContentSha256))
        {
            var what = copy.Problem ?? $"it holds {copy.Rows} rows, content sha256 {SnapshotManifest.Short(copy.ContentSha256!)}… (the manifest {Path.GetFileName(file.Path)}: {manifest.Rows} rows, content sha256 {SnapshotManifest.Short(manifest.ContentSha256)}…): it is not the snapshot as published";
            throw DiagnosticException.At(Codes.ParquetCopyNotAsPublished, SourceSpan.PathOnly(parquet),
                $"cannot restore {table} from its parquet copy {parquet}: {what}; {_context.RepublishAdvice(name, fromParquet: false)}");
        }

        if (!dryRun)
        {
            Replace(warehouse, name, copy, manifest, order, version, quarantine.Recreate);
        }

        return new RestoreResult(name, table, parquet, copy.Rows, copy.ContentSha256!, copy.Casts, dryRun, AlreadyAsPublished: false)
        {
            QuarantineRecreated = quarantine.Recreate ? $"{schema}.{name.QuarantineTable}" : null,
            QuarantineNotRestored = quarantine.NotRestored,
        };
    }

    /// <summary>
    /// The parquet copy, missing or not the snapshot as published, written again from the table, which holds what was
    /// published (the copy is what restore puts the table back from, should it be edited or dropped later): why the copy
    /// was not usable, or null when it was. Written as a run writes it, through a temporary file, and read back and hashed
    /// before it is said to hold the snapshot.
    /// </summary>
    private string? RewriteCopy(DuckDbWarehouse warehouse, SnapshotName name, SnapshotManifest manifest, string order, int version, bool dryRun)
    {
        var path = _context.ParquetPath(name);
        var copy = ParquetCopy.Read(warehouse, path, manifest.Columns, order, version);
        if (copy.Holds(manifest.Rows, manifest.ContentSha256))
        {
            return null;
        }

        var why = copy.Problem ?? $"it held {copy.Rows} rows, content sha256 {SnapshotManifest.Short(copy.ContentSha256!)}…, not the snapshot as published";
        if (dryRun)
        {
            return why;
        }

        new SnapshotPublisher(warehouse, _context.Settings.Snapshots).ExportParquet(name, path);
        var written = ParquetCopy.Read(warehouse, path, manifest.Columns, order, version);
        return written.Holds(manifest.Rows, manifest.ContentSha256)
            ? why
            : throw DiagnosticException.At(Codes.ParquetCopyNotAsPublished, SourceSpan.PathOnly(DisplayPath.For(path)),
                $"the parquet copy written again from {_context.Settings.Snapshots.Schema}.{name.Table} does not read back as the snapshot as published ({written.Problem ?? "another content hash"}); the table still holds it");
    }

    /// <summary>
    /// What the snapshot's quarantine table needs: nothing when it holds what the manifest recorded; to be recreated when it is
    /// missing or differs and the manifest recorded it empty (an empty table with a run's quarantine columns is then exactly
    /// the one published); otherwise an error at the manifest's line, since no copy of a quarantine is kept to restore it from.
    /// </summary>
    private (bool Recreate, Diagnostic? NotRestored) QuarantineNeeds(DuckDbWarehouse warehouse, SnapshotName name, SnapshotManifest manifest, ManifestFile file, int version)
    {
        var schema = _context.Settings.Snapshots.Schema;
        var exists = warehouse.TableExists(schema, name.QuarantineTable);
        if (exists && QuarantineHolds(warehouse, Sql.Identifier(schema, name.QuarantineTable), manifest, version))
        {
            return (false, null);
        }

        if (manifest.QuarantineRecreatable)
        {
            return (true, null);
        }

        var display = DisplayPath.For(file.Path);
        var recorded = manifest.QuarantineRows is { } rows ? $"{rows} quarantined rows" : "its quarantined rows (this manifest predates quarantine_rows)";
        var why = $"restore cannot put it back: no copy of a quarantine table is kept (the parquet copy is of {name.Table} alone), and its manifest records {recorded}; to have it as published, restore the warehouse from a backup, or `{_context.RunCommand(name.Match, name.Date, ["--replace"])}` republishes the snapshot, recomputing it from the inputs as they are now";
        return (false, exists
            ? Diagnostic.Error(Codes.QuarantineDiffersFromManifest, new SourceSpan(display, TextLines.Of(file.Text, manifest.QuarantineContentSha256 is null ? "\"quarantine_rows\"" : "\"quarantine_content_sha256\""), 1),
                $"{schema}.{name.QuarantineTable} does not hold what its manifest {Path.GetFileName(file.Path)} recorded; {why}")
            : Diagnostic.Error(Codes.SnapshotDropped, new SourceSpan(display, TextLines.Of(file.Text, "\"quarantine_table\""), 1),
                $"{schema}.{name.QuarantineTable} is not in the warehouse; {why}"));
    }

    private static bool QuarantineHolds(DuckDbWarehouse warehouse, string qualified, SnapshotManifest manifest, int version)
    {
        var (rows, sha256) = ContentHash.InRowHashOrder(warehouse, qualified, version);
        return manifest.QuarantineHolds(rows, sha256);
    }

    /// <summary>
    /// The snapshot's manifest as published: in the manifest directory, parsing, the file the snapshot log completed
    /// (when the log knows the snapshot), with numbers the log agrees with. Anything else is refused with what to do first.
    /// </summary>
    private SnapshotManifest Published(DuckDbWarehouse warehouse, SnapshotName name, out ManifestFile file)
    {
        var path = DisplayPath.For(_context.ManifestPath(name));
        // Before the manifest is looked for: a run killed after its commit may not have written it yet, and the run is the remedy.
        var record = new SnapshotLog(warehouse).Latest(name.Match).FirstOrDefault(r => r.Snapshot == name.Table);
        if (record is { IsComplete: false })
        {
            throw DiagnosticException.At(Codes.RestoreRefused, _context.Target.PathAt ?? SourceSpan.PathOnly(DisplayPath.For(_context.Target.DatabasePath)),
                $"{FinishedSnapshots.InterruptedRun(_context, record)}, and there is nothing to restore until it has");
        }

        var files = ManifestFiles.Of(_context, name.Match);
        if (files.FirstOrDefault(f => f.Snapshot == name.Table) is not { } found)
        {
            var why = ManifestFiles.PrunedSnapshots(_context, name.Match).Contains(name.Table)
                ? $"snapshot {name.Table} was pruned (its manifest is under {DisplayPath.For(_context.PrunedManifestDirectory)}), and a pruned snapshot is not restored"
                : files.Count == 0
                    ? $"'{name.Match}' has no snapshot published by ElectionMatch"
                    : $"its snapshots: {string.Join(", ", files.Select(f => f.Snapshot))}";
            throw DiagnosticException.At(Codes.RestoreRefused, SourceSpan.PathOnly(path),
                $"no snapshot {name.Table} to restore: there is no manifest {path}; {why}");
        }

        file = found;
        if (found.Manifest is not { } manifest)
        {
            throw DiagnosticException.At(Codes.RestoreRefused, new SourceSpan(path, found.ErrorLine ?? 1, 1),
                $"this manifest does not parse ({found.Error}), so what snapshot {name.Table} held when published is not known here (EM0605); restore the manifest from version control, then restore the table");
        }

        if (record is { ManifestSha256: { } published } && published != found.Sha256)
        {
            throw DiagnosticException.At(Codes.RestoreRefused, new SourceSpan(path, TextLines.FirstDifferent(found.Text, record.ManifestJson ?? ""), 1),
                $"this manifest was edited after it was published (EM0605; sha256 {SnapshotManifest.Short(found.Sha256)}…, published {SnapshotManifest.Short(published)}…), so it cannot say what snapshot {name.Table} held; restore the manifest from version control, then restore the table");
        }

        var contentLine = new SourceSpan(path, TextLines.Of(found.Text, "\"content_sha256\""), 1);
        if (record is not null && (record.Rows != manifest.Rows || record.ContentSha256 != manifest.ContentSha256))
        {
            throw DiagnosticException.At(Codes.RestoreRefused, contentLine,
                $"the warehouse's snapshot log records {record.Rows} rows, content sha256 {SnapshotManifest.Short(record.ContentSha256)}… for {name.Table}, not what this manifest recorded: the log was rewritten (EM0611), and a table restored as published would disagree with it; {_context.RepublishAdvice(name, fromParquet: false)}");
        }

        if (manifest.CanonicalOrder is null || !ContentHash.IsKnown(manifest.ContentSha256Version ?? ContentHash.RowText))
        {
            throw DiagnosticException.At(Codes.RestoreRefused, contentLine,
                $"this manifest's content hash (version {manifest.ContentSha256Version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "1"}{(manifest.CanonicalOrder is null ? ", no canonical_order" : "")}) is not one this electionmatch can recompute, so a restored {name.Table} could not be verified; restore it with the electionmatch that published it");
        }

        return manifest;
    }

    /// <summary>
    /// Whether <paramref name="qualified"/> holds what the manifest recorded: its columns (when recorded), row count and
    /// content hash, computed as verify computes it. False for a table that is not there or cannot be hashed.
    /// </summary>
    private static bool TableHolds(DuckDbWarehouse warehouse, string qualified, SnapshotManifest manifest, string order, int version)
    {
        try
        {
            return (manifest.Columns is not { } columns || warehouse.Describe("select * from " + qualified).SequenceEqual(columns))
                && warehouse.Scalar<long>($"select count(*) from {qualified}") == manifest.Rows
                && ContentHash.Of(warehouse, qualified, order, version) == manifest.ContentSha256;
        }
        catch (DuckDB.NET.Data.DuckDBException)
        {
            // Dropped, or a column of the canonical order gone: not the table as published.
            return false;
        }
    }

    /// <summary>
    /// Replaces the table with the copy (when there is one) and recreates the empty quarantine table (when asked), and
    /// verifies both in one transaction: a kill or a failed check before the commit leaves the old tables, and DuckDB's
    /// commit is atomic.
    /// </summary>
    private void Replace(DuckDbWarehouse warehouse, SnapshotName name, ParquetCopy? copy, SnapshotManifest manifest, string order, int version, bool recreateQuarantine)
    {
        var schema = _context.Settings.Snapshots.Schema;
        var final = Sql.Identifier(schema, name.Table);
        var quarantine = Sql.Identifier(schema, name.QuarantineTable);
        // The copy's row order is the table's as published (canonical): keep it.
        warehouse.Execute("set preserve_insertion_order = true");
        warehouse.InTransaction(() =>
        {
            warehouse.Execute($"create schema if not exists {Sql.Identifier(schema)}");
            if (copy is not null)
            {
                warehouse.Execute($"create or replace table {final} as select * from {copy.Relation}");
            }

            if (recreateQuarantine)
            {
                warehouse.Execute($"create or replace table {quarantine} as {Matching.QuarantineCodes.EmptySql()}");
            }

            CrashPoint.Reached("restore:copied");
            if (copy is not null && !TableHolds(warehouse, final, manifest, order, version))
            {
                throw DiagnosticException.At(Codes.ParquetCopyNotAsPublished, SourceSpan.PathOnly(copy.Path),
                    $"{schema}.{name.Table} restored from {DisplayPath.For(copy.Path)} did not rehash to its manifest's content sha256 {SnapshotManifest.Short(manifest.ContentSha256)}…, so the restore was rolled back and the table is as it was; {_context.RepublishAdvice(name, fromParquet: false)}");
            }

            if (recreateQuarantine && !QuarantineHolds(warehouse, quarantine, manifest, version))
            {
                throw DiagnosticException.At(Codes.RestoreRefused, _context.Target.PathAt ?? SourceSpan.PathOnly(DisplayPath.For(_context.Target.DatabasePath)),
                    $"{schema}.{name.QuarantineTable} recreated empty did not rehash to its manifest's quarantine_content_sha256, so the restore was rolled back and the tables are as they were; restore the warehouse from a backup");
            }

            CrashPoint.Reached("restore:verified");
        });
        CrashPoint.Reached("restore:committed");
    }
}
