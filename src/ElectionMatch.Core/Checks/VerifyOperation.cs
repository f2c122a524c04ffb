using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Generation;
using ElectionMatch.Matching.Judging;
using ElectionMatch.Operations;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Checks;

/// <summary>
/// <c>electionmatch verify</c>: recomputes what each manifest and the warehouse's snapshot log recorded and
/// reports, each under its own code, a snapshot row edited, deleted or added, a snapshot table dropped, a table or
/// quarantine that differs from its manifest, a table whose columns are not those its manifest recorded, a model file
/// that differs from its manifest, a manifest edited or missing, a broken manifest chain, and a run interrupted after
/// publishing. It warns when the settings, templates or shipped reference files changed since a match's newest snapshot, and with inputs when
/// the inputs did.
/// Read-only: it never writes to the warehouse or the project.
/// </summary>
public sealed class VerifyOperation
{
    private const int KeysShown = 5;

    private ProjectContext _context;

    public VerifyOperation(ProjectContext context)
    {
        _context = context;
    }

    /// <param name="match">One match, or null for all: those electionmatch.yml defines and those it no longer does whose
    /// snapshots the project still holds (<see cref="OrphanMatches"/>, each also an EM0113 warning).</param>
    /// <param name="inputs">Also rehash the inputs of each match's newest snapshot (reads every input row); its settings and
    /// templates are compared either way.</param>
    /// <param name="cancellationToken">Stops the wait for the warehouse lock (<see cref="Warehouse.LockWaitCancelledException"/>).</param>
    public IReadOnlyList<Diagnostic> Execute(string? match = null, bool inputs = true, CancellationToken cancellationToken = default)
    {
        var named = match is null ? null : _context.Settings.Match(match).Name;
        using var locked = _context.LockForReading("verify", out _context, cancellationToken);
        var warehouse = locked.Warehouse;
        if (named is not null)
        {
            return Verify(warehouse, [named], inputs);
        }

        var orphans = OrphanMatches.Find(_context);
        return [.. orphans.Select(o => o.Warning), .. Verify(warehouse, [.. _context.Settings.Matches.Keys, .. orphans.Select(o => o.Name)], inputs)];
    }

    /// <summary>Verifies with a warehouse the caller opened (check holds the lock already).</summary>
    /// <param name="reportAbsentWarehouse">Say, once per snapshot, that its tables cannot be verified when the warehouse file
    /// is not here at all; check passes false, as it says so itself (EM0101).</param>
    internal IReadOnlyList<Diagnostic> Verify(DuckDbWarehouse warehouse, IEnumerable<string> matches, bool inputs, bool reportAbsentWarehouse = true)
    {
        var diagnostics = new List<Diagnostic>();
        foreach (var match in matches)
        {
            new MatchVerification(_context, warehouse, match, diagnostics, reportAbsentWarehouse).Run(inputs);
        }

        return diagnostics;
    }

    /// <summary>The verification of one match's snapshots; holds what its steps share.</summary>
    private sealed class MatchVerification
    {
        private readonly ProjectContext _context;
        private readonly DuckDbWarehouse _warehouse;
        private readonly string _match;
        private readonly List<Diagnostic> _diagnostics;
        private readonly SnapshotLog _log;
        private readonly Dictionary<string, PublishRecord> _records;
        private readonly IReadOnlyList<ManifestFile> _files;
        // Manifests prune moved under pruned/ (chain links), and the snapshots they retired (no manifest left in place).
        private readonly IReadOnlyList<ManifestFile> _prunedFiles;
        private readonly IReadOnlySet<string> _pruned;
        private readonly bool _warehouseHere;
        private readonly bool _reportAbsentWarehouse;
        private readonly List<(SnapshotName Name, SourceSpan At, string Where)> _missingCopies = [];
        // Snapshots whose table here holds what their manifest recorded: a fork's message says their rows verify.
        private readonly HashSet<string> _rowsVerified = new(StringComparer.Ordinal);

        public MatchVerification(ProjectContext context, DuckDbWarehouse warehouse, string match, List<Diagnostic> diagnostics, bool reportAbsentWarehouse)
        {
            _warehouseHere = File.Exists(context.Target.DatabasePath);
            _reportAbsentWarehouse = reportAbsentWarehouse;
            _context = context;
            _warehouse = warehouse;
            _match = match;
            _diagnostics = diagnostics;
            _log = new SnapshotLog(warehouse);
            _records = _log.Latest(match).ToDictionary(r => r.Snapshot, StringComparer.Ordinal);
            _files = ManifestFiles.Of(context, match);
            _prunedFiles = ManifestFiles.Pruned(context, match);
            _pruned = ManifestFiles.PrunedSnapshots(context, match);
        }

        private string WarehouseFile => DisplayPath.For(_context.Target.DatabasePath);

        public void Run(bool inputs)
        {
            foreach (var record in _records.Values.Where(r => !r.IsComplete))
            {
                // In MSBuild, the build's own command, at a line a log or an IDE can open: the match in electionmatch.yml.
                var rerun = _context.FinishCommand(record);
                var at = _context.Host != ProjectHost.MSBuild ? SourceSpan.PathOnly(WarehouseFile)
                    : _context.Settings.Matches.TryGetValue(_match, out var settings) ? settings.At : SourceSpan.TextFile(DisplayPath.For(_context.Settings.FilePath));
                Report(Codes.RunInterrupted, Severity.Error, at,
                    $"run interrupted: snapshot {record.Snapshot} was published by a run that stopped before it wrote all its files (killed or cancelled); `{rerun}` finishes it by replacing what that run left");
            }

            var present = _files.Select(f => f.Snapshot).ToHashSet(StringComparer.Ordinal);
            foreach (var record in _records.Values.Where(r => r.IsComplete && !present.Contains(r.Snapshot) && !_pruned.Contains(r.Snapshot)))
            {
                var name = SnapshotName.TryParse(record.Snapshot, _match)!;
                // A pruned snapshot's manifest is kept under pruned/; the log says where it should be.
                var path = DisplayPath.For(record.IsPruned ? _context.PrunedManifestPath(name) : _context.ManifestPath(name));
                // Still an error: nothing here tells a teammate's unmerged run from an orphan, and either way this checkout
                // cannot verify the snapshot. The message gives both readings and how to tell them apart.
                var message = UnmergedPublication.Of(_context, record, name) is { } unmerged
                    ? $"the manifest {path} of snapshot {record.Snapshot} is missing: the warehouse's snapshot log says {unmerged.Run} published the snapshot and wrote it (sha256 {Short(record.ManifestSha256!)}), but it is not in this checkout; {UnmergedPublication.Readings}. {unmerged.WhatToDo(_context)}"
                    : $"the manifest {path} of {(record.IsPruned ? "pruned " : "")}snapshot {record.Snapshot} is missing (the warehouse's snapshot log says it was written, sha256 {Short(record.ManifestSha256!)}); restore it from version control";
                Report(Codes.ManifestMissing, Severity.Error, MissingManifestAt(record.Snapshot, path), message);
            }

            foreach (var snapshot in _pruned.Order(StringComparer.Ordinal))
            {
                VerifyPruned(SnapshotName.TryParse(snapshot, _match)!);
            }

            // Without a log of the snapshot (a clone without the warehouse), the sources entry generate wrote with the
            // manifest says it was written.
            foreach (var (name, entry) in _context.DeclaredSnapshots(_match).Where(d => d.Entry.ManifestAt is not null && !_records.ContainsKey(d.Name.Table) && !present.Contains(d.Name.Table) && !_pruned.Contains(d.Name.Table)))
            {
                Report(Codes.ManifestMissing, Severity.Error, entry.ManifestAt!.Value,
                    $"the manifest {DisplayPath.For(_context.ManifestPath(name))} of snapshot {name.Table} is missing (its sources entry names it here; the warehouse's snapshot log does not know the snapshot); restore it from version control");
            }

            // The entry is the provenance dbt users see, and what a clone without the warehouse finds the manifest by.
            foreach (var (name, entry) in _context.DeclaredSnapshots(_match).Where(d => d.Entry is { Manifest: not null, ManifestAt: not null }))
            {
                var own = _context.ManifestPath(name);
                if (!string.Equals(Path.GetFullPath(_context.Project.Resolve(entry.Manifest!)), Path.GetFullPath(own), StringComparison.Ordinal))
                {
                    var relative = Path.GetRelativePath(_context.Project.Directory, own).Replace('\\', '/');
                    Report(Codes.GeneratedFileEdited, Severity.Error, entry.ManifestAt!.Value,
                        $"the sources entry of snapshot {name.Table} names the manifest {entry.Manifest}, not its own ({relative}); the generated entry was edited by hand: put back `manifest: {relative}`");
                }
            }

            // A generated entry without the line (written before its manifest, or the line deleted by hand) would hide a
            // deleted manifest from a clone without the warehouse; generate and the run put it back. An interrupted run's
            // entry is left to the run that finishes it (EM0608).
            foreach (var (name, entry) in _context.DeclaredSnapshots(_match).Where(d => d.Entry is { IsGenerated: true, Manifest: null } && present.Contains(d.Name.Table)
                && _records.GetValueOrDefault(d.Name.Table) is not { IsComplete: false }))
            {
                var relative = Path.GetRelativePath(_context.Project.Directory, _context.ManifestPath(name)).Replace('\\', '/');
                Report(Codes.GeneratedFileEdited, Severity.Error, entry.At,
                    $"the generated sources entry of snapshot {name.Table} does not name its manifest {relative} (`manifest:` under its meta), so a deleted manifest would go unnoticed where the warehouse is not; "
                    + (_context.Settings.Matches.ContainsKey(_match) ? "`electionmatch generate` puts the line back" : $"put back `manifest: {relative}` under its generated_by:"));
            }

            foreach (var file in _files.Where(f => _records.GetValueOrDefault(f.Snapshot) is not { IsComplete: false }))
            {
                VerifyManifest(file);
            }

            ReportMissingCopies();

            VerifyChain();
            // A match electionmatch.yml no longer defines has no inputs, settings or templates to compare with: no run of
            // it can follow. The settings and templates are compared without the inputs too (check, --no-inputs): their
            // hashes cost nothing, while the inputs' are a full read.
            if (_context.Settings.Matches.ContainsKey(_match) && NewestManifest() is { } newest)
            {
                if (inputs)
                {
                    VerifyInputs(newest);
                }

                VerifySettingsAndTemplates(newest);
                VerifyReferenceFiles(newest);
                VerifyComparisonLevels(newest);
            }
        }

        /// <summary>
        /// A pruned snapshot (its manifest moved under pruned/) has no table, no model file beside the manifests, no log
        /// rows left unmarked, no parquet copy, no staging model and no sources entry: prune removes them in that order,
        /// so anything left is a prune that stopped on the way, which the same command finishes. One error says all of it.
        /// </summary>
        private void VerifyPruned(SnapshotName name)
        {
            // Moved, never rewritten: the file is the one the log completed, as a manifest in place must be.
            if (_prunedFiles.FirstOrDefault(f => f.Snapshot == name.Table && !f.IsEarlier) is { } file
                && _records.GetValueOrDefault(name.Table) is { ManifestSha256: { } published } && published != file.Sha256)
            {
                Report(Codes.ManifestEdited, Severity.Error, new SourceSpan(DisplayPath.For(file.Path), TextLines.FirstDifferent(file.Text, _records[name.Table].ManifestJson ?? ""), 1),
                    $"this pruned manifest was edited after it was published (sha256 {Short(file.Sha256)}, published {Short(published)}); restore it from version control");
            }

            var left = new List<string>();
            if (File.Exists(_context.ModelParametersPath(name)))
            {
                left.Add($"its model file {DisplayPath.For(_context.ModelParametersPath(name))}");
            }

            var schema = _context.Settings.Snapshots.Schema;
            var tables = _warehouseHere ? new[] { name.Table, name.QuarantineTable }.Where(t => _warehouse.TableExists(schema, t)).ToList() : [];
            left.AddRange(tables.Select(t => $"the table {schema}.{t}"));
            if (tables.Count == 0 && _records.GetValueOrDefault(name.Table) is { IsPruned: false })
            {
                left.Add("its rows in the warehouse's snapshot log, not marked pruned");
            }

            left.AddRange(new[] { _context.ParquetPath(name), _context.SqlPath(name), _context.YamlPath(name) }.Where(File.Exists).Select(f => DisplayPath.For(f)));
            if (_context.Sources.Find(_context.Settings.Snapshots.SourceName, name.Table) is { } entry)
            {
                left.Add($"its sources entry ({entry.At.File}:{entry.At.Line})");
            }

            if (left.Count > 0)
            {
                Report(Codes.SnapshotPartlyPruned, Severity.Error, SourceSpan.TextFile(DisplayPath.For(_context.PrunedManifestPath(name))),
                    $"snapshot {name.Table} was pruned (its manifest is here), but the prune stopped before it finished: {string.Join(", ", left)} {(left.Count == 1 ? "is" : "are")} still there; `{_context.PruneCommand(name)}` finishes it");
            }
        }

        /// <summary>
        /// A missing manifest is reported where the snapshot's sources entry names it (<c>meta: manifest:</c>), or at the
        /// entry; a file that is not there has no line of its own. Without an entry, the path alone.
        /// </summary>
        private SourceSpan MissingManifestAt(string snapshot, string path) =>
            _context.Sources.Find(_context.Settings.Snapshots.SourceName, snapshot) is { } entry ? entry.ManifestAt ?? entry.At : SourceSpan.PathOnly(path);

        /// <summary>
        /// The snapshots whose tables hold what was published but whose parquet copies are missing (EM0617): one warning for
        /// one, and one for all of a match's when several are (a <c>dbt clean</c> of the folder they are in takes them all),
        /// at the newest one's manifest.
        /// </summary>
        private void ReportMissingCopies()
        {
            if (_missingCopies.Count == 1)
            {
                var (name, at, where) = _missingCopies[0];
                Report(Codes.ParquetCopyNotAsPublished, Severity.Warning, at,
                    $"the parquet copy {DisplayPath.For(_context.ParquetPath(name))} of {where} is missing, so restore could not put the table back were it edited or dropped; the table holds what was published, and `{_context.RestoreCommand(name)}` writes the copy again from it");
            }
            else if (_missingCopies.Count > 1)
            {
                var newest = _missingCopies.MaxBy(m => m.Name.Date);
                var folders = _missingCopies.Select(m => DisplayPath.For(Path.GetDirectoryName(_context.ParquetPath(m.Name))!)).Distinct(StringComparer.Ordinal).ToList();
                var dates = string.Join(", ", _missingCopies.OrderBy(m => m.Name.Date).Select(m => m.Name.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
                Report(Codes.ParquetCopyNotAsPublished, Severity.Warning, newest.At,
                    $"the parquet copies of {_missingCopies.Count} snapshots of {_match} are missing from {string.Join(" and ", folders)} (dated {dates}), so restore could not put their tables back were they edited or dropped; "
                    + $"the tables hold what was published, and `{_context.RestoreCommand(newest.Name)}` writes a copy again from its table, for each of those dates");
            }
        }

        private void VerifyManifest(ManifestFile file)
        {
            var display = DisplayPath.For(file.Path);
            if (file.Manifest is not { } manifest)
            {
                Report(Codes.ManifestEdited, Severity.Error, new SourceSpan(display, file.ErrorLine ?? 1, 1), $"this manifest does not parse ({file.Error}); it was edited or truncated; restore it from version control");
                return;
            }

            var record = _records.GetValueOrDefault(file.Snapshot);
            if (record is { ManifestSha256: { } published } && published != file.Sha256)
            {
                if (_log.ManifestHashes(_match).Contains(file.Sha256))
                {
                    // Unedited, but not the latest publication: two pull requests published the same date and a merge kept
                    // the manifest of the run the other's `run --replace` replaced. "Edited" sent the user looking for an edit.
                    Report(Codes.ManifestEdited, Severity.Error, new SourceSpan(display, LineOf(file.Text, "\"run_id\""), 1),
                        $"this manifest is of an earlier publication of {file.Snapshot} (run {manifest.RunId}, sha256 {Short(file.Sha256)}), which a later `run --replace` replaced: the warehouse's snapshot log completed it unedited, and its table is now run {record.RunId}'s (manifest sha256 {Short(published)}); "
                        + "put that run's manifest here from version control (after merging two pull requests that each published this date, take the side whose run was last)");
                }
                else
                {
                    var line = TextLines.FirstDifferent(file.Text, record.ManifestJson ?? "");
                    var was = (record.ManifestJson ?? "").Split('\n').ElementAtOrDefault(line - 1)?.Trim() ?? "";
                    Report(Codes.ManifestEdited, Severity.Error, new SourceSpan(display, line, 1),
                        $"this manifest was edited after it was published (sha256 {Short(file.Sha256)}, published {Short(published)}); the published line {line} is `{was}`; restore it from version control");
                }
            }

            VerifyModelFile(file, manifest);
            VerifyTable(new SnapshotAsPublished(SnapshotName.TryParse(file.Snapshot, _match)!, file, manifest, record));
        }

        /// <summary>
        /// The model file beside the manifest is the one the manifest recorded: it is evidence of how the snapshot was
        /// scored, and an incremental run adopts it.
        /// </summary>
        private void VerifyModelFile(ManifestFile file, SnapshotManifest manifest)
        {
            if (manifest.ModelParametersSha256 is not { } recorded)
            {
                return;
            }

            var path = _context.ModelParametersPath(SnapshotName.TryParse(file.Snapshot, _match)!);
            var manifestName = Path.GetFileName(file.Path);
            if (!File.Exists(path))
            {
                // A missing file has no line: reported where its manifest records it.
                Report(Codes.ModelFileChanged, Severity.Error, new SourceSpan(DisplayPath.For(file.Path), LineOf(file.Text, "\"model_parameters_sha256\""), 1),
                    $"the model file {DisplayPath.For(path)} is missing, but this manifest recorded it (model_parameters_sha256 {Short(recorded)}); restore it from version control");
                return;
            }

            var sha = SnapshotManifest.FileSha256(File.ReadAllBytes(path));
            if (sha != recorded)
            {
                Report(Codes.ModelFileChanged, Severity.Error, SourceSpan.TextFile(DisplayPath.For(path)),
                    $"this model file does not match the model_parameters_sha256 its manifest {manifestName} recorded (sha256 {Short(sha)}, recorded {Short(recorded)}): it was edited or replaced after publishing, and an incremental run will not adopt it; restore it from version control");
            }
        }

        /// <summary>
        /// The snapshot table and its quarantine hold what was published. The table is compared with the snapshot log
        /// (which names the rows changed) and then with the manifest, the evidence in version control, so a table
        /// replaced together with its log rows is found too; the quarantine, which the log does not record, with the
        /// manifest alone. A manifest that is not the one the log completed is EM0605's finding, and is not compared.
        /// </summary>
        private void VerifyTable(SnapshotAsPublished published)
        {
            var (name, file, record) = (published.Name, published.File, published.Record);
            var display = DisplayPath.For(file.Path);
            var schema = _context.Settings.Snapshots.Schema;
            if (!_warehouseHere)
            {
                // Nothing was dropped: the warehouse file itself is not here (a clone without it), so no table can be compared.
                if (_reportAbsentWarehouse)
                {
                    Report(Codes.SnapshotDropped, Severity.Error, new SourceSpan(display, LineOf(file.Text, "\"table\""), 1),
                        $"{schema}.{name.Table} cannot be verified: the warehouse {WarehouseFile} is not here (a clone without it, as in CI); verify a copy of it through a profile target such as `ci` (docs/ci.md, \"The snapshots must be reachable\")");
                }

                return;
            }

            // Published into another schema, and still there: snapshots.schema was changed since, not the table dropped.
            if (file.Manifest?.Table.Split('.') is [var recorded, _] && !string.Equals(recorded, schema, StringComparison.OrdinalIgnoreCase)
                && !_warehouse.TableExists(schema, name.Table) && _warehouse.TableExists(recorded, name.Table))
            {
                Report(Codes.SnapshotSchemaMismatch, Severity.Error, new SourceSpan(display, LineOf(file.Text, "\"table\""), 1),
                    $"{recorded}.{name.Table} was published into schema {recorded}, as this manifest records, and is still there, but electionmatch.yml's snapshots.schema is now {schema}, where every command looks for it; set snapshots.schema back to {recorded}, or move the match's tables to {schema} yourself");
                return;
            }

            // Neither table here and no record of the run in this warehouse's log: published into another warehouse (a
            // teammate's own), as check's EM0101 says, not dropped from this one. Said once, for both tables.
            if (record is null && !_warehouse.TableExists(schema, name.Table))
            {
                var run = file.Manifest?.RunId is { } runId ? $" (run {runId})" : "";
                var quarantine = _warehouse.TableExists(schema, name.QuarantineTable) ? "" : $", nor is its {name.QuarantineTable}";
                Report(Codes.SnapshotDropped, Severity.Error, new SourceSpan(display, LineOf(file.Text, "\"table\""), 1),
                    $"{schema}.{name.Table} is not in the warehouse {WarehouseFile}{quarantine}, and this warehouse's snapshot log has no record of its publication{run}: it was published into another warehouse, such as a teammate's own, not dropped from this one; "
                    + $"verify it in the warehouse that published it, or in the one the team shares, through a profile target (docs/ci.md, \"One warehouse for the team\"), or publish it into this one with `{_context.RunCommand(name.Match, name.Date, ["--replace"])}`, which recomputes it from the inputs as they are now");
                if (quarantine.Length > 0)
                {
                    return;
                }
            }

            foreach (var table in new[] { name.Table, name.QuarantineTable }.Where(t => !(record is null && t == name.Table)))
            {
                if (!_warehouse.TableExists(schema, table))
                {
                    // The parquet copy is of the snapshot table, not of its quarantine. Both gone: what puts the table back
                    // puts the quarantine back with it, and restoring the quarantine alone fails on the table (EM0617).
                    var advice = table == name.Table ? published.Advice(_context, _warehouse)
                        : !_warehouse.TableExists(schema, name.Table) ? $"the snapshot table is missing too, and what puts it back puts this back with it: {published.Advice(_context, _warehouse)}"
                        : _context.QuarantineAdvice(name, published.PublishedManifest);
                    Report(Codes.SnapshotDropped, Severity.Error, new SourceSpan(display, LineOf(file.Text, table == name.Table ? "\"table\"" : "\"quarantine_table\""), 1),
                        $"{schema}.{table} is not in the warehouse {WarehouseFile}: it was dropped or renamed after this manifest was written; {advice}");
                }
            }

            var asPublished = record is null || record.ManifestSha256 == file.Sha256;
            if (_warehouse.TableExists(schema, name.Table))
            {
                // A renamed column or a changed type keeps the values the content hash covers; the rows are not compared
                // then: a column of the canonical order may be gone, and restore puts back the rows with the columns.
                if (published.ColumnsAltered(_context, _warehouse, _warehouse.Describe("select * from " + Sql.Identifier(schema, name.Table))) is { } altered)
                {
                    _diagnostics.Add(altered);
                }
                else
                {
                    VerifyRows(published, asPublished);
                }
            }

            // A content hash version this build does not know may hash the quarantine otherwise too (EM0770 says so).
            if (asPublished && _warehouse.TableExists(schema, name.QuarantineTable) && ContentHash.IsKnown(published.ContentVersion))
            {
                VerifyQuarantine(file, published.Manifest, name, published.ContentVersion);
            }
        }

        /// <summary>The snapshot table holds what was published: same rows, same content hash in canonical order.</summary>
        /// <param name="asPublished">The manifest file is the one the log completed (or there is no log), so it can be compared.</param>
        private void VerifyRows(SnapshotAsPublished published, bool asPublished)
        {
            var (name, file, manifest, record) = (published.Name, published.File, published.Manifest, published.Record);
            var display = DisplayPath.For(file.Path);
            var schema = _context.Settings.Snapshots.Schema;
            // The log's numbers when there are any: they stay right even when the manifest itself was edited.
            var order = record?.CanonicalOrder ?? manifest.CanonicalOrder;
            var expectedRows = record?.Rows ?? manifest.Rows;
            var expectedHash = record?.ContentSha256 ?? manifest.ContentSha256;
            var version = published.ContentVersion;
            if (!ContentHash.IsKnown(version))
            {
                Report(Codes.ContentHashVersionUnknown, Severity.Warning, new SourceSpan(display, LineOf(file.Text, "\"content_sha256_version\""), 1),
                    $"the content hash of {manifest.Snapshot} is of version {version}, which this electionmatch does not know; a newer version made it, so its rows and its quarantine were not rehashed");
                return;
            }

            var qualified = Sql.Identifier(schema, name.Table);
            var rows = _warehouse.Scalar<long>($"select count(*) from {qualified}");
            var hash = order is null ? null : ContentHash.Of(_warehouse, qualified, order, version);
            var at = new SourceSpan(display, LineOf(file.Text, "\"content_sha256\""), 1);
            var where = $"{schema}.{name.Table}";
            if (rows == expectedRows && (hash is null || hash == expectedHash))
            {
                // The log's numbers can be rewritten with the table; the manifest's, in version control, cannot unseen.
                // It is the text the log completed, so its content hash is of the version just computed.
                if (record is not null && asPublished && (rows != manifest.Rows || (hash is not null && hash != manifest.ContentSha256)))
                {
                    // Not from the parquet copy: the table put back as published would disagree with the rewritten log.
                    var content = hash is null ? "" : $", content sha256 {Short(hash)}";
                    Report(Codes.SnapshotDiffersFromManifest, Severity.Error, at,
                        $"{where} does not hold what its manifest {Path.GetFileName(file.Path)} recorded: {rows} rows{content} (the manifest: {manifest.Rows} rows, content sha256 {Short(manifest.ContentSha256)}), though the warehouse's snapshot log agrees with the table: the table was replaced and its log rewritten; the manifest is the evidence. {_context.RepublishAdvice(name, fromParquet: false)}");
                }
                else if (_rowsVerified.Add(name.Table) && !File.Exists(_context.ParquetPath(name)))
                {
                    // The copy is what restore puts the table back from; without it, an edit or a drop could not be undone.
                    _missingCopies.Add((name, at, where));
                }
                else
                {
                    // Its footer alone: hashing every copy at every check would double check's cost (ParquetFooter).
                    VerifyCopyFooter(published, at, where, expectedRows);
                }

                return;
            }

            var advice = published.Advice(_context, _warehouse);
            if (order is not null && _log.HasRowHashes(name.Table))
            {
                var changes = _log.Differences(name.Table, qualified, order, version);
                ReportChange(Codes.SnapshotRowEdited, at, changes.Edited, $"row(s) of {where} were edited after publishing", order, advice);
                ReportChange(Codes.SnapshotRowDeleted, at, changes.Deleted, $"row(s) of {where} were deleted after publishing", order, advice);
                ReportChange(Codes.SnapshotRowAdded, at, changes.Added, $"row(s) were added to {where} after publishing", order, advice);
                if (changes.Any)
                {
                    return;
                }
            }

            // No row hashes (a snapshot published before they were kept): the count tells which kind of change.
            var (code, what) = rows < expectedRows ? (Codes.SnapshotRowDeleted, $"{expectedRows - rows} row(s) of {where} were deleted after publishing")
                : rows > expectedRows ? (Codes.SnapshotRowAdded, $"{rows - expectedRows} row(s) were added to {where} after publishing")
                : (Codes.SnapshotRowEdited, $"row(s) of {where} were edited after publishing (same count, content sha256 {Short(hash!)} instead of {Short(expectedHash)})");
            Report(code, Severity.Error, at, $"{what}; snapshots are immutable: {advice}");
        }

        /// <summary>
        /// The parquet copy of a table that holds what was published is one restore would take (EM0617, a warning): a parquet
        /// file DuckDB reads, with the published row count and column names in order. Before, only its presence was checked,
        /// and a cut, replaced or rewritten copy was found by the restore that needed it.
        /// </summary>
        private void VerifyCopyFooter(SnapshotAsPublished published, SourceSpan at, string where, long rows)
        {
            var path = _context.ParquetPath(published.Name);
            if (ParquetFooter.Read(_warehouse, path).Differences(rows, published.PublishedManifest.Columns) is { } differences)
            {
                Report(Codes.ParquetCopyNotAsPublished, Severity.Warning, at,
                    $"the parquet copy {DisplayPath.For(path)} of {where} {differences}, so restore could not put the table back from it were it edited or dropped; the table holds what was published, and `{_context.RestoreCommand(published.Name)}` writes the copy again from it");
            }
        }

        /// <summary>The quarantine table holds the rows and hash its manifest recorded; a manifest made before they were recorded is not checked.</summary>
        private void VerifyQuarantine(ManifestFile file, SnapshotManifest manifest, SnapshotName name, int version)
        {
            if (manifest.QuarantineRows is null && manifest.QuarantineContentSha256 is null)
            {
                return;
            }

            var table = $"{_context.Settings.Snapshots.Schema}.{name.QuarantineTable}";
            var (rows, hash) = ContentHash.InRowHashOrder(_warehouse, Sql.Identifier(_context.Settings.Snapshots.Schema, name.QuarantineTable), version);
            if (manifest.QuarantineHolds(rows, hash))
            {
                return;
            }

            var field = manifest.QuarantineContentSha256 is null ? "\"quarantine_rows\"" : "\"quarantine_content_sha256\"";
            Report(Codes.QuarantineDiffersFromManifest, Severity.Error, new SourceSpan(DisplayPath.For(file.Path), LineOf(file.Text, field), 1),
                $"{table} does not hold what its manifest {Path.GetFileName(file.Path)} recorded: {rows} rows, content sha256 {Short(hash)} (the manifest: {manifest.QuarantineRows?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} rows, content sha256 {(manifest.QuarantineContentSha256 is { } recorded ? Short(recorded) : "not recorded")}); quarantined rows were added, deleted or edited after publishing; {_context.QuarantineAdvice(name, manifest)}");
        }

        private void ReportChange(string code, SourceSpan at, RowChange change, string what, string key, string advice)
        {
            if (change.Count > 0)
            {
                var more = change.Count > change.Keys.Count ? ", …" : "";
                Report(code, Severity.Error, at, $"{change.Count} {what}: {string.Join(", ", change.Keys)}{more} (by {key}); snapshots are immutable: {advice}");
            }
        }

        /// <summary>
        /// Each manifest names the hash of the one published before it. A link is good when that manifest is here
        /// unchanged, or was replaced by a later publish of the same snapshot (the log keeps its hash); an edited
        /// manifest is reported as edited, not again as a broken link. An interrupted run's manifest is no link until
        /// the next run repairs it (EM0608 says so), so a manifest published meanwhile names the one before it.
        /// </summary>
        private void VerifyChain()
        {
            // A pruned manifest is a link as a manifest in place is: kept unchanged under pruned/, verified by its hash.
            var parsed = ManifestFiles.Chain([.. _files, .. _prunedFiles], _log, _match);
            var here = _files.Concat(_prunedFiles).Select(f => f.Sha256).ToHashSet(StringComparer.Ordinal);
            var ever = _log.ManifestHashes(_match);
            var latest = _records.Values.Where(r => r.IsComplete).ToDictionary(r => r.ManifestSha256!, r => r.Snapshot, StringComparer.Ordinal);
            // An earlier publication's pruned manifest is no snapshot's latest: the log's every completed hash vouches for it.
            foreach (var earlier in _prunedFiles.Where(f => f.IsEarlier && ever.Count > 0 && !ever.Contains(f.Sha256)))
            {
                Report(Codes.ManifestEdited, Severity.Error, SourceSpan.TextFile(DisplayPath.For(earlier.Path)),
                    $"this pruned manifest of an earlier publication of {earlier.Snapshot} was edited after it was published (sha256 {Short(earlier.Sha256)}, which no manifest the warehouse's snapshot log completed has); restore it from version control");
            }

            for (var i = 0; i < parsed.Count; i++)
            {
                var file = parsed[i];
                var previous = file.Manifest!.PreviousManifestSha256;
                var at = new SourceSpan(DisplayPath.For(file.Path), LineOf(file.Text, "\"previous_manifest_sha256\""), 1);
                if (previous is null)
                {
                    if (i > 0)
                    {
                        ReportUnlinked(file, parsed[i - 1], at, ever);
                    }

                    continue;
                }

                if (here.Contains(previous))
                {
                    continue;
                }

                if (latest.TryGetValue(previous, out var snapshot))
                {
                    if (_files.All(f => f.Snapshot != snapshot))
                    {
                        var unmerged = UnmergedPublication.Of(_context, _records[snapshot], SnapshotName.TryParse(snapshot, _match)!);
                        Report(Codes.ManifestChainBroken, Severity.Error, at, unmerged is null
                            ? $"broken chain: the previous manifest ({snapshot}, sha256 {Short(previous)}) is not in {DisplayPath.For(_context.Project.Resolve(_context.Settings.Snapshots.ManifestDirectory))}; restore it from version control"
                            : $"broken chain: the previous manifest ({snapshot}, sha256 {Short(previous)}, published by {unmerged.Run}) is not in {DisplayPath.For(_context.Project.Resolve(_context.Settings.Snapshots.ManifestDirectory))}: this snapshot was published after it into the same warehouse, so the chain holds once that manifest is here; {UnmergedPublication.Readings}, as EM0607 at {snapshot} says with how to tell them apart. For a teammate's branch, merge it before this one");
                    }

                    continue;
                }

                if (!_warehouseHere)
                {
                    // Without the warehouse there is no log to vouch for a manifest `run --replace` replaced, an honest link
                    // that no file has; the link cannot be told from one to a deleted manifest, so neither is asserted.
                    Report(Codes.ManifestChainBroken, Severity.Error, at,
                        $"no manifest of '{_match}' here has the previous hash {Short(previous)}, and the warehouse's snapshot log, which keeps the hash of every manifest `run --replace` replaced, cannot say whether one had it: the warehouse {WarehouseFile} is not here (a clone without it, as in CI); verify a copy of it through a profile target such as `ci` (docs/ci.md, \"The snapshots must be reachable\")");
                }
                else if (!ever.Contains(previous))
                {
                    Report(Codes.ManifestChainBroken, Severity.Error, at, $"broken chain: no manifest of '{_match}' has the previous hash {Short(previous)}, here or in the warehouse's snapshot log; a manifest was deleted or edited, or this one was copied from another project");
                }
            }

            ReportSharedParents(parsed, ever);
        }

        /// <summary>
        /// A manifest that names no predecessor although <paramref name="before"/> was published before it. A run names
        /// none only when neither its warehouse's snapshot log nor its manifest directory knew of an earlier manifest, so
        /// when this warehouse's log completed exactly one of the two, unedited, the other was published from another
        /// warehouse: the chain forked (EM0621, a warning), nothing was tampered with. Otherwise it stays a broken link.
        /// </summary>
        private void ReportUnlinked(ManifestFile file, ManifestFile before, SourceSpan at, IReadOnlySet<string> ever)
        {
            if (IsFork(file, before, ever))
            {
                ReportFork(file, before, at, ever, $"names no previous manifest, but {Described(before)} was published before it");
            }
            else if (!_warehouseHere || !ever.Contains(file.Sha256) && !ever.Contains(before.Sha256))
            {
                // No log here that completed either: a fork and an edit of the link look the same, so neither is asserted.
                Report(Codes.ManifestChainBroken, Severity.Error, at,
                    $"this manifest names no previous manifest, but {Described(before)} was published before it: the chain forked (the two published from two warehouses, each not knowing the other's run) or this manifest was edited, "
                    + $"and the snapshot log that tells them apart is in the warehouse that published them, which {(_warehouseHere ? $"is not {WarehouseFile}: its log records neither" : $"is not here ({WarehouseFile}, a clone without it, as in CI)")}; "
                    + "verify a copy of it through a profile target such as `ci` (docs/ci.md, \"The snapshots must be reachable\")");
            }
            else
            {
                Report(Codes.ManifestChainBroken, Severity.Error, at, $"broken chain: this manifest names no previous manifest, but {before.Snapshot} was published before it");
            }
        }

        /// <summary>
        /// Two manifests of different snapshots that name one previous manifest: no run in one warehouse writes that (each
        /// names the newest its log or manifest directory has), so when this warehouse's log completed one of them and not
        /// the other, they were published from two warehouses that each had the parent (EM0621). Said of each later one.
        /// Without the warehouse nothing is said, as before: a run interrupted after writing its manifest is a sibling
        /// until its repair, and only the log tells it.
        /// </summary>
        private void ReportSharedParents(IReadOnlyList<ManifestFile> parsed, IReadOnlySet<string> ever)
        {
            if (!_warehouseHere)
            {
                return;
            }

            foreach (var children in parsed.Where(f => !f.IsEarlier && f.Manifest!.PreviousManifestSha256 is not null).GroupBy(f => f.Manifest!.PreviousManifestSha256!, StringComparer.Ordinal))
            {
                var first = children.First();
                foreach (var child in children.Skip(1).Where(c => c.Snapshot != first.Snapshot && IsFork(c, first, ever)))
                {
                    var parent = parsed.FirstOrDefault(f => f.Sha256 == children.Key)?.Snapshot ?? $"sha256 {Short(children.Key)}";
                    ReportFork(child, first, new SourceSpan(DisplayPath.For(child.Path), LineOf(child.Text, "\"previous_manifest_sha256\""), 1), ever,
                        $"names the same previous manifest ({parent}) as {Described(first)}, published before it");
                }
            }
        }

        /// <summary>
        /// This warehouse's snapshot log completed exactly one of the two manifests, and the file of each snapshot it has a
        /// record of is the one it completed (an edited manifest is EM0605's, and its link stays a broken one).
        /// </summary>
        private bool IsFork(ManifestFile file, ManifestFile other, IReadOnlySet<string> ever) =>
            _warehouseHere && ever.Contains(file.Sha256) != ever.Contains(other.Sha256)
            && new[] { file, other }.All(f => ever.Contains(f.Sha256) || !_records.ContainsKey(f.Snapshot));

        private void ReportFork(ManifestFile file, ManifestFile other, SourceSpan at, IReadOnlySet<string> ever, string link)
        {
            var (here, elsewhere) = ever.Contains(file.Sha256) ? (file, other) : (other, file);
            var rows = _rowsVerified.Contains(here.Snapshot)
                ? $"the rows of {here.Snapshot} verify against its manifest here, and {elsewhere.Snapshot}'s are in the other warehouse, where verify checks them"
                : $"{elsewhere.Snapshot}'s rows are in the other warehouse, where verify checks them";
            var name = SnapshotName.TryParse(elsewhere.Snapshot, _match)!;
            Report(Codes.ManifestChainForked, Severity.Warning, at,
                $"the chain forked: this manifest of {Described(file)} {link}, and the warehouse {WarehouseFile}'s snapshot log completed {here.Snapshot} but has no record of {elsewhere.Snapshot}'s run: "
                + $"the two were published from two warehouses (each teammate's own), not edited; {rows}. Publish into one warehouse that everyone's profile names (docs/ci.md, \"One warehouse for the team\"); "
                + $"to rejoin the chain, in that warehouse `{_context.RunCommand(name.Match, name.Date, ["--replace"])}` republishes {elsewhere.Snapshot}, recomputed {ProjectContext.RecomputedFrom(name)}, with a manifest that names the newest one before it");
        }

        private static string Described(ManifestFile file) =>
            $"{file.Snapshot} (run {file.Manifest!.RunId ?? "?"}, published {file.Manifest.CreatedAtUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)} UTC)";

        /// <summary>
        /// The manifest of the newest snapshot, whose inputs, settings and templates are compared with today's: the newest
        /// by snapshot date, the one the stable model reads, not the last one made (a backfill of an earlier date).
        /// </summary>
        private ManifestFile? NewestManifest() => _files.Where(f => f.Manifest is not null).MaxBy(f => f.Manifest!.SnapshotDate, StringComparer.Ordinal);

        /// <summary>Whether the inputs still hash as when the newest snapshot was made: reads every input row.</summary>
        private void VerifyInputs(ManifestFile newest)
        {
            var manifest = newest.Manifest!;
            var display = DisplayPath.For(newest.Path);
            var settings = _context.Settings.Match(_match);
            var inputs = new RunOperation(_context).ResolveInputs(_warehouse, settings);
            foreach (var input in InputChanges.Compare(_warehouse, manifest, settings, inputs))
            {
                if (input.Now is null)
                {
                    var version = input.Recorded.Sha256Version;
                    Report(Codes.InputHashVersionUnknown, Severity.Warning, new SourceSpan(display, LineOf(newest.Text, "\"sha256_version\""), 1),
                        $"the {input.Recorded.Role} input's hash in {manifest.Snapshot} is of version {version}, which this electionmatch does not know; a newer version made it, so its input was not rehashed");
                }
                else if (input.Changed)
                {
                    Report(Codes.SnapshotInputsChanged, Severity.Warning, new SourceSpan(display, LineOf(newest.Text, "\"inputs\""), 1),
                        $"the {input.Recorded.Role} input {input.Configured.Relation} changed since {manifest.Snapshot} was made ({input.Hashes}); {RunAdvice(newest)}");
                }
            }
        }

        /// <summary>Whether the match's settings and the templates a run uses still hash as when the newest snapshot was made.</summary>
        private void VerifySettingsAndTemplates(ManifestFile newest)
        {
            var manifest = newest.Manifest!;
            var display = DisplayPath.For(newest.Path);
            var settings = _context.Settings.Match(_match);
            if (manifest.SettingsChanged(settings, _context.Settings.ContentHash))
            {
                // Since manifests record the match's own settings, another match's edit is not this snapshot's change.
                Report(Codes.SnapshotInputsChanged, Severity.Warning, manifest.MatchSettingsSha256 is null
                    ? new SourceSpan(display, LineOf(newest.Text, "\"settings_sha256\""), 1)
                    : new SourceSpan(display, LineOf(newest.Text, "\"match_settings_sha256\""), 1),
                    (manifest.MatchSettingsSha256 is null
                        ? $"electionmatch.yml changed since {manifest.Snapshot} was made"
                        : $"the settings of {_match} in electionmatch.yml (its entry under matches:, or quarantine:) changed since {manifest.Snapshot} was made")
                    + $"; {RunAdvice(newest)}");
            }

            // A run records the templates it used; a prompt a run would not use now (the judge is offline since) is the settings' change above.
            var templates = _context.RunTemplateHashes(settings);
            // The manifest records the templates a run used, so only a run clears this; generate is advised only while it
            // would still re-render a file (before, it was advised again after it had changed everything it could).
            var rewrites = new Lazy<IReadOnlyList<string>>(() =>
                new GenerateOperation(_context).Rewrites(SnapshotName.TryParse(manifest.Snapshot, _match)!, Matches.MatchDefinition.For(settings.Kind), _warehouse));
            foreach (var (template, sha) in manifest.TemplateSha256.Where(t => templates.GetValueOrDefault(t.Key) != t.Value && (templates.ContainsKey(t.Key) || !JudgePrompt.IsPrompt(t.Key))))
            {
                var advice = JudgePrompt.IsPrompt(template)
                    ? "the judge's answers depend on its prompt, so run the match again to publish a snapshot judged with it (`electionmatch generate` does not change them)"
                    : rewrites.Value.Count > 0
                        ? $"`electionmatch generate` re-renders the staging files with it ({string.Join(", ", rewrites.Value)}); a new run of the match then records it, which clears this warning"
                        : "`electionmatch generate` has nothing left to re-render with it, so only a new run of the match clears this warning: the manifest records the templates a run used";
                Report(Codes.SnapshotInputsChanged, Severity.Warning, new SourceSpan(display, LineOf(newest.Text, "\"" + template + "\""), 1),
                    $"template {template} changed since {manifest.Snapshot} was made ({(templates.TryGetValue(template, out var now) ? SnapshotManifest.NowAndAtRun(now, sha) : $"no longer used; at the run {Short(sha)}…")}); {advice}");
            }
        }

        /// <summary>
        /// Whether the reference files this build ships (<see cref="Matching.ReferenceData"/>) are those the newest snapshot
        /// was matched with: a tool built with other nicknames or first names matches otherwise. A manifest made before
        /// they were recorded is not compared.
        /// </summary>
        private void VerifyReferenceFiles(ManifestFile newest)
        {
            var manifest = newest.Manifest!;
            if (manifest.ReferenceFiles is not { } recorded)
            {
                return;
            }

            var display = DisplayPath.For(newest.Path);
            var now = Matching.ReferenceData.Hashes(Matches.MatchDefinition.For(_context.Settings.Match(_match).Kind).ReferenceFiles)
                .ToDictionary(f => f.Name, StringComparer.Ordinal);
            foreach (var file in recorded.Where(f => now.GetValueOrDefault(f.Name) is not { } current || current.Sha256 != f.Sha256))
            {
                var what = now.TryGetValue(file.Name, out var current)
                    ? $"{SnapshotManifest.NowAndAtRun(current.Sha256, file.Sha256)}; {current.Rows} rows now, {file.Rows} at the run"
                    : $"this electionmatch's matcher no longer loads it; at the run sha256 {Short(file.Sha256)}…, {file.Rows} rows";
                Report(Codes.SnapshotInputsChanged, Severity.Warning, new SourceSpan(display, LineOf(newest.Text, $"\"name\": \"{file.Name}\""), 1),
                    $"reference file {file.Name} (shipped with electionmatch) is not the one {manifest.Snapshot} was matched with ({what}): this electionmatch would match with other reference data; {RunAdvice(newest)}");
            }

            var names = recorded.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var file in now.Values.Where(f => !names.Contains(f.Name)))
            {
                Report(Codes.SnapshotInputsChanged, Severity.Warning, new SourceSpan(display, LineOf(newest.Text, "\"reference_files\""), 1),
                    $"reference file {file.Name} (shipped with electionmatch, sha256 {Short(file.Sha256)}…, {file.Rows} rows) is loaded by this electionmatch's matcher but was not when {manifest.Snapshot} was made; {RunAdvice(newest)}");
            }
        }

        /// <summary>
        /// The comparisons the newest snapshot was scored with, against this build's definitions of them
        /// (<see cref="Matching.Scoring.ComparisonDefinitions"/>): a build that changed a level's condition or order would
        /// score the same inputs otherwise, as a changed reference file would match them otherwise. A manifest made before
        /// the definitions were recorded has nothing to compare.
        /// </summary>
        private void VerifyComparisonLevels(ManifestFile newest)
        {
            var manifest = newest.Manifest!;
            if (manifest.ComparisonLevels is not { } recorded)
            {
                return;
            }

            var display = DisplayPath.For(newest.Path);
            var now = Matching.Scoring.ComparisonDefinitions.Of(Matches.MatchDefinition.For(_context.Settings.Match(_match).Kind).Comparisons)
                .ToDictionary(c => c.Name, c => c.Sha256, StringComparer.Ordinal);
            var section = newest.Text.IndexOf("\"comparison_levels\"", StringComparison.Ordinal);
            int LineOfComparison(string name) =>
                newest.Text.IndexOf($"\"name\": \"{name}\"", Math.Max(section, 0), StringComparison.Ordinal) is var at and >= 0
                    ? newest.Text.AsSpan(0, at).Count('\n') + 1
                    : LineOf(newest.Text, "\"comparison_levels\"");
            foreach (var comparison in recorded.Where(c => now.GetValueOrDefault(c.Name) != c.Sha256))
            {
                var what = now.TryGetValue(comparison.Name, out var current)
                    ? $"{SnapshotManifest.NowAndAtRun(current, comparison.Sha256)}: its levels' conditions or their order changed"
                    : $"this electionmatch no longer compares it; at the run sha256 {Short(comparison.Sha256)}…";
                Report(Codes.SnapshotInputsChanged, Severity.Warning, new SourceSpan(display, LineOfComparison(comparison.Name), 1),
                    $"comparison {comparison.Name} is not defined as when {manifest.Snapshot} was scored ({what}): this electionmatch would score the same inputs otherwise; {RunAdvice(newest)}");
            }

            var names = recorded.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var name in now.Keys.Where(n => !names.Contains(n)))
            {
                Report(Codes.SnapshotInputsChanged, Severity.Warning, new SourceSpan(display, LineOf(newest.Text, "\"comparison_levels\""), 1),
                    $"comparison {name} is scored by this electionmatch but was not when {manifest.Snapshot} was made; {RunAdvice(newest)}");
            }
        }

        /// <summary>
        /// What clears a warning that the newest snapshot's inputs or settings changed: a run, which records them anew, as
        /// the newest was run (incremental or not). When the newest is today's, or dated later, a run for today would be
        /// refused (EM0040) or publish a snapshot older than the newest, which the stable model would go on reading: the
        /// newest is then replaced.
        /// </summary>
        private string RunAdvice(ManifestFile newest)
        {
            var name = SnapshotName.TryParse(newest.Manifest!.Snapshot, _match)!;
            // The warehouse's log, else the manifest (a clone without the warehouse): a manifest made before it recorded them says nothing.
            var recorded = _records.GetValueOrDefault(name.Table)?.RunOptions ?? newest.Manifest.RunOptions ?? "";
            var incremental = recorded.Split(' ').Contains("--incremental");
            string[] options = incremental ? ["--incremental"] : [];
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            return name.Date < today
                ? $"run the match to publish a current snapshot: `{_context.RunCommand(_match, null, options)}`"
                : $"run the match again to publish a current snapshot in {name.Table}'s place: `{_context.RunCommand(_match, name.Date == today ? null : name.Date, [.. options, "--replace"])}`";
        }

        private void Report(string code, Severity severity, SourceSpan at, string message) =>
            _diagnostics.Add(new Diagnostic(code, severity, at.File, at.Line, at.Column, message));
    }

    private static string Short(string sha256) => SnapshotManifest.Short(sha256);

    private static int LineOf(string text, string needle) => TextLines.Of(text, needle);
}
