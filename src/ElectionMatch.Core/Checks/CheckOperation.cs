using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Generation;
using ElectionMatch.Matches;
using ElectionMatch.Matching;
using ElectionMatch.Operations;
using ElectionMatch.Settings;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Checks;

/// <summary>
/// The pre-merge check: snapshots and staging models in sync, generated files unedited and current,
/// each staging model runs against its snapshot with the declared columns, and no downstream model
/// references a snapshot that does not exist (error) or has been superseded (warning); then
/// <see cref="VerifyOperation"/> without the input rehash. The matches checked are those electionmatch.yml defines and
/// those it no longer does whose snapshots the project still holds (<see cref="OrphanMatches"/>).
/// Read-only: it never writes to the warehouse or the project.
/// </summary>
public sealed class CheckOperation
{
    private const string EditedByHand = "this generated file was edited by hand; generated files are rewritten by `electionmatch generate`, so put the change in a downstream model or a template override under electionmatch/templates/";

    private ProjectContext _context;
    private readonly StagingModelRenderer _renderer;
    private readonly List<Diagnostic> _diagnostics = [];
    // Declared snapshots whose table cannot be read because the warehouse file is not here at all (a clone without it,
    // as CI has): EM0101 says so once per snapshot, and nothing that only restates the absence is reported.
    private readonly HashSet<SnapshotName> _notHere = [];
    // The snapshot each match's stable model is to read, as CheckLatestModel found it: the zip code models read the stable
    // model of theirs; they are not run over one that cannot be read here (EM0101 says so, and their failure would only
    // restate it), and its linked district types are read from it (CheckLinkedDistrictTypesListed).
    private readonly Dictionary<string, StableModelTarget> _stableModelTargets = new(StringComparer.Ordinal);
    // Generated files outside the folder generate now writes to (an earlier staging_dir): reported once, not read as downstream models.
    private readonly HashSet<string> _misplaced = new(StringComparer.Ordinal);

    // The project's models, seeds and snapshots by the name a ref() gives them, read once a check (it walks their files).
    private IReadOnlySet<string> RefNames => _refNames ??= _context.Project.RefNames();

    private IReadOnlySet<string>? _refNames;

    public CheckOperation(ProjectContext context)
    {
        _context = context;
        _renderer = context.StagingRenderer();
    }

    /// <param name="cancellationToken">Stops the wait for the warehouse lock (<see cref="Warehouse.LockWaitCancelledException"/>).</param>
    public IReadOnlyList<Diagnostic> Execute(CancellationToken cancellationToken = default)
    {
        _diagnostics.Clear();
        _notHere.Clear();
        _stableModelTargets.Clear();
        using var locked = _context.LockForReading("check", out _context, cancellationToken);
        var warehouse = locked.Warehouse;
        var resolver = _context.Resolver(warehouse);
        // A match electionmatch.yml no longer defines (renamed or removed) whose snapshots the project still holds is
        // checked as a defined one is, its kind told by its snapshots' columns; EM0113 says once that nothing maintains it.
        var orphans = OrphanMatches.Find(_context);
        _diagnostics.AddRange(orphans.Select(o => o.Warning));
        var matches = _context.Settings.Matches.Values.Select(m => (m.Name, Definition: (MatchDefinition?)MatchDefinition.For(m.Kind)))
            .Concat(orphans.Select(o => (o.Name, Definition: (MatchDefinition?)null)))
            .ToList();
        var snapshots = new Dictionary<string, MatchSnapshots>(StringComparer.Ordinal);
        foreach (var (match, definition) in matches)
        {
            // A snapshot whose run was killed before it wrote its files: verify reports it once (EM0608); the missing or
            // stale files that follow from it are not reported again, one by one. Of a snapshot prune retired (manifest
            // under pruned/) no table, entry or staging model is expected; what a prune that stopped on the way left is
            // verify's one error (EM0613), not one finding per file.
            var passedOver = FinishedSnapshots.PassedOver(_context, warehouse, match);
            var present = CheckSnapshots(match, definition, passedOver, warehouse, resolver);
            CheckLatestModel(match, definition, passedOver, warehouse, resolver);
            CheckColumnTypes(match, definition, passedOver, warehouse, resolver);
            CheckOrphanStagingFiles(match, passedOver);
            CheckUndeclaredSnapshots(match, passedOver, warehouse);
            snapshots[match] = new MatchSnapshots(
                _context.DeclaredSnapshots(match).Select(d => d.Name).Where(n => !passedOver.Pruned.Contains(n.Table)).Concat(present).Distinct().OrderBy(n => n.Date).ToList(),
                [.. present, .. _notHere.Where(n => n.Match == match)]);
        }

        CheckSnapshotSourceSchema();
        CheckSnapshotSourcesFileExists();
        CheckMatchInputs(warehouse, resolver);
        CheckZipCodeModels(warehouse, resolver);
        CheckMisplacedGeneratedFiles(snapshots);
        CheckDownstreamReferences(snapshots);
        CheckYamlFormAgainstBuiltDbt();

        // Snapshot integrity, not input drift: inputs change between snapshots by design, and rehashing them is a full read.
        // A warehouse that is not here is said once per snapshot above (EM0101), not again per manifest table.
        _diagnostics.AddRange(new VerifyOperation(_context).Verify(warehouse, matches.Select(m => m.Name), inputs: false, reportAbsentWarehouse: false));
        return _diagnostics;
    }

    /// <param name="definition">Null for a match electionmatch.yml does not define: told by each snapshot's columns.</param>
    private List<SnapshotName> CheckSnapshots(string match, MatchDefinition? definition, PassedOverSnapshots passedOver, DuckDbWarehouse warehouse, RelationResolver resolver)
    {
        var present = new List<SnapshotName>();
        foreach (var (name, entry) in _context.DeclaredSnapshots(match).Where(s => !passedOver.Contains(s.Name.Table)))
        {
            if (definition is not null)
            {
                CheckGeneratedMetaForm(name, entry);
            }

            string relation;
            IReadOnlyList<ColumnInfo> columns;
            try
            {
                relation = resolver.Relation(entry);
                columns = warehouse.Describe("select * from " + relation);
            }
            catch (Exception e) when (e is DiagnosticException or DuckDB.NET.Data.DuckDBException)
            {
                // The same reason and remedy generate and run give when they leave the stable model on it (EM0107).
                var unreadable = UnreadableSnapshot.For(_context, name, entry, warehouse);
                if (unreadable.WarehouseNotHere)
                {
                    _notHere.Add(name);
                }

                Report(Codes.SnapshotTableMissing, Severity.Error, entry.At, $"snapshot '{name.Table}' is declared here but {unreadable.Reason}; {unreadable.Remedy}");

                CheckEditedWithoutSnapshot(name);
                continue;
            }

            present.Add(name);
            CheckQuarantineShare(match, name, entry);
            if (ColumnsAltered(name, columns, warehouse))
            {
                // Its staging files are not compared with, nor run over, a table that is no longer the snapshot: verify
                // reports the table (EM0618) with what to do, and generate does not render from it. Only an edit shows.
                CheckEditedWithoutSnapshot(name);
                continue;
            }

            var sqlPath = _context.SqlPath(name);
            if (!File.Exists(sqlPath))
            {
                Report(Codes.StagingModelMissing, Severity.Error, entry.At, $"snapshot '{name.Table}' has no staging model {DisplayPath.For(sqlPath)}; run `electionmatch generate`");
                continue;
            }

            CheckGeneratedFile(sqlPath, () => _renderer.RenderSql(sqlPath, name, columns));
            var yamlPath = _context.YamlPath(name);
            if (File.Exists(yamlPath))
            {
                var manifest = _context.ManifestReference(name, warehouse);
                var outputs = (definition ?? MatchDefinition.Publishing(columns)).Described(columns);
                CheckGeneratedFile(yamlPath, () => _renderer.RenderYaml(yamlPath, name, columns, outputs, manifest));
            }
            else if (GeneratedFile.Inspect(File.ReadAllText(sqlPath)).IsGenerated)
            {
                // generate writes a snapshot's SQL and YAML together; a hand-written model (no header) may go without one.
                Report(Codes.StagingModelMissing, Severity.Error, entry.At, $"snapshot '{name.Table}' has no staging model YAML {DisplayPath.For(yamlPath)}; run `electionmatch generate`");
            }

            CheckStagingSqlRuns(sqlPath, yamlPath, warehouse, resolver);
        }

        return present;
    }

    /// <summary>
    /// Warns when a sources entry ElectionMatch generated keeps its top-level <c>meta:</c> while the generated YAML takes
    /// dbt 1.10's form (config: meta:), and generate would move it: the same edit decides both.
    /// </summary>
    private void CheckGeneratedMetaForm(SnapshotName name, Dbt.SourceTable entry)
    {
        if (!_context.YamlForm.MetaInConfig || entry.GeneratedMetaAtTop is not { } at
            || SourcesFileEditor.MoveMetaUnderConfig(UserFileText.Read(entry.FilePath).Text, entry.FilePath, entry.SourceName, entry.Name) is null)
        {
            return;
        }

        Report(Codes.GeneratedFileStale, Severity.Warning, at,
            $"the sources entry of snapshot '{name.Table}', which ElectionMatch generated, keeps its meta: at the top level, on which dbt 1.10 warns (PropertyMovedToConfigDeprecation); "
            + $"the generated YAML takes {_context.YamlForm.Describe(_context.Settings, _context.Project)}: run `electionmatch generate`, which moves it under config: and changes nothing else in the file");
    }

    /// <summary>Warns when a snapshot's manifest says more of an input went to quarantine than the match allows.</summary>
    private void CheckQuarantineShare(string match, SnapshotName name, Dbt.SourceTable entry)
    {
        var path = _context.ManifestPath(name);
        if (!File.Exists(path) || !_context.Settings.Matches.TryGetValue(match, out var settings))
        {
            // A snapshot loaded by hand has no manifest and so no row counts; the limit is a setting of a match that
            // electionmatch.yml defines.
            return;
        }

        SnapshotManifest manifest;
        try
        {
            manifest = SnapshotManifest.FromJson(File.ReadAllText(path));
        }
        catch (System.Text.Json.JsonException)
        {
            return; // an unreadable manifest is verify's finding, not this check's
        }

        var limit = settings.Quarantine.WarnShare;
        foreach (var side in new[] { "left", "right" })
        {
            // A used row with a value quarantined alone (a candidacy's unreadable election date) counts as one row with a
            // fault: a column whose format changed in the export is as broken when its rows are otherwise used.
            if (manifest.Counts.TryGetValue(side + "_rows_read", out var read) && read > 0
                && manifest.Counts.TryGetValue(side + "_rows_quarantined", out var whole)
                && whole + manifest.Counts.GetValueOrDefault(side + Matching.InputRowAccount.UsedWithValuesQuarantined) is var quarantined
                && (double)quarantined / read > limit)
            {
                var usedWithout = quarantined - whole;
                var parts = usedWithout == 0 ? "" : $": {whole} not used, {usedWithout} used with an election date quarantined alone";
                Report(Codes.QuarantineShareHigh, Severity.Warning, entry.At, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"snapshot '{name.Table}' quarantined {quarantined} of {read} {side} rows ({(double)quarantined / read:P1}{parts}), above quarantine.warn_share {limit:P1}; the reasons are in {manifest.QuarantineTable}"));
            }
        }

        // Results rows no candidacy can meet (no election type, or one no candidacy has, such as a typo) are not
        // quarantined, being rows of another kind as often as bad ones, but a large share of them is as surely lost.
        if (manifest.RowAccounting.FirstOrDefault(a => a.Unit == Matches.CandidacyDdhq.ElectionTypeAccount.Unit) is { Read: > 0 } types
            && types.Outcomes.Where(o => o.Outcome == "excluded" && o.Rows > 0).ToList() is { Count: > 0 } excluded
            && (double)excluded.Sum(o => o.Rows) / types.Read > limit)
        {
            var rows = excluded.Sum(o => o.Rows);
            Report(Codes.QuarantineShareHigh, Severity.Warning, entry.At, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"in snapshot '{name.Table}', {rows} of {types.Read} results rows ({(double)rows / types.Read:P1}) could never be matched, above quarantine.warn_share {limit:P1} ({string.Join("; ", excluded.Select(o => $"{o.Reason}: {o.Rows}"))}); fix the results' election types, or raise the limit"));
        }

        // Likewise candidacies with no usable election date: not quarantined (a candidacy not yet on a ballot has none),
        // but a date or type column an export left blank loses them as surely, and the snapshot is merely smaller.
        if (manifest.RowAccounting.FirstOrDefault(a => a is { Input: "left", Unit: Matches.CandidacyDdhq.CandidacyDdhqMatcher.CandidaciesUnit }) is { Read: > 0 } candidacies
            && candidacies.Outcomes.Where(o => o.Outcome == "excluded").Sum(o => o.Rows) is var undated && (double)undated / candidacies.Read > limit)
        {
            Report(Codes.QuarantineShareHigh, Severity.Warning, entry.At, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"in snapshot '{name.Table}', {undated} of {candidacies.Read} candidacies ({(double)undated / candidacies.Read:P1}) had no election date (or a date without its election type) and could not be matched, above quarantine.warn_share {limit:P1}; see whether the export left a date or election type column blank, or raise the limit"));
        }
    }

    /// <summary>The stable model of a match exists, is unedited, reads the newest snapshot, runs and returns what its YAML declares.</summary>
    private void CheckLatestModel(string match, MatchDefinition? definition, PassedOverSnapshots passedOver, DuckDbWarehouse warehouse, RelationResolver resolver)
    {
        // The newest declared snapshot is the one the stable model should read, table or not, as generate decides it: while
        // it cannot be read here, generate leaves the stable model as it is, so nothing here may ask for a generate.
        if (StableModelTarget.Find(_context, match, _context.Sources, passedOver.Tables, warehouse, resolver) is not { } target)
        {
            return;
        }

        var newest = target.Name;
        _stableModelTargets[match] = target;

        var sqlPath = _context.LatestSqlPath(match);
        var model = SnapshotName.LatestModel(match, _context.Settings.Snapshots.SourceName);
        if (!File.Exists(sqlPath))
        {
            if (!target.Readable)
            {
                _diagnostics.Add(target.LeftAsItIs(_context.Settings.Snapshots.SourceName));
                return;
            }

            Report(Codes.GeneratedFileStale, Severity.Warning, target.Entry.At, $"match '{match}' has no stable model {model}; `electionmatch generate` writes it over the newest snapshot, so downstream models can ref it and need no edit for a new snapshot");
            return;
        }

        var yamlPath = Path.ChangeExtension(sqlPath, ".yml");
        if (ReadsInterrupted(sqlPath, match, passedOver) is { } unfinished)
        {
            // Moved there by the interrupted run itself, or by a generate of an earlier version; generate moves it back
            // (it never moves a stable model onto an interrupted snapshot), as this says.
            Report(Codes.GeneratedFileStale, Severity.Warning, SourceSpan.TextFile(DisplayPath.For(sqlPath)),
                $"this stable model reads {unfinished.Table}, whose run was interrupted (EM0608), not the newest finished snapshot {newest.Table}; `electionmatch generate` moves it back, and the run that finishes {unfinished.Table} moves it there");
            return;
        }

        // Its table no longer the snapshot (EM0618, from verify): generate leaves the stable model as it is, so nothing
        // here asks for a generate, nor runs the model over the altered table.
        var altered = target.Readable && ColumnsAltered(newest, warehouse.Describe("select * from " + resolver.Relation(target.Entry)), warehouse);
        if (!CheckGeneratedFile(sqlPath, () => _renderer.RenderLatestSql(sqlPath, newest), reportStale: target.Readable && !altered) && !target.Readable)
        {
            // It reads another snapshot than the newest, which generate cannot move it onto here: said as generate says it.
            _diagnostics.Add(target.LeftAsItIs(_context.Settings.Snapshots.SourceName));
        }

        if (!GeneratedFile.Inspect(File.ReadAllText(sqlPath)).IsGenerated)
        {
            // The user's: generate leaves it and its YAML alone (so the YAML is not out of date with a snapshot it is not
            // rendered for); what it must still be told is that it reads an older snapshot than the newest.
            foreach (var (call, read) in OwnedStableModel.OlderReads(sqlPath, _context.Settings.Snapshots.SourceName, match, newest))
            {
                _diagnostics.Add(OwnedStableModel.Warning(call, read, newest, _context.Settings.Snapshots.SourceName));
            }

            if (!altered)
            {
                CheckStagingSqlRuns(sqlPath, yamlPath, warehouse, resolver);
            }

            return;
        }

        if (!File.Exists(yamlPath))
        {
            // As for a dated model: generate writes both files, and a hand-written stable model may go without YAML.
            // Reported at the SQL it belongs to; the stable model has no sources entry of its own.
            Report(Codes.StagingModelMissing, Severity.Error, SourceSpan.TextFile(DisplayPath.For(sqlPath)), $"stable model {model} has no YAML {DisplayPath.For(yamlPath)}; "
                + (target.Readable ? "run `electionmatch generate`" : $"`electionmatch generate` writes it once {newest.Table} can be read here (EM0101, {target.Entry.At.File}:{target.Entry.At.Line})"));
        }

        if (!target.Readable)
        {
            // Its table is not here (EM0101): no columns to render the YAML from nor to run over; only an edit shows.
            if (File.Exists(yamlPath) && GeneratedFile.Inspect(File.ReadAllText(yamlPath)) is { IsGenerated: true, IsIntact: false })
            {
                Report(Codes.GeneratedFileEdited, Severity.Error, SourceSpan.TextFile(DisplayPath.For(yamlPath)), EditedByHand);
            }

            return;
        }

        if (!File.Exists(_context.SqlPath(newest)))
        {
            // The newest snapshot has no staging model (EM0100, reported above): nothing to run the stable model over.
            return;
        }

        if (altered)
        {
            CheckEditedWithoutSnapshot(yamlPath);
            return;
        }

        if (File.Exists(yamlPath))
        {
            IReadOnlyList<ColumnInfo>? columns = null;
            try
            {
                columns = StableModelColumns.Describe(_context, _renderer, newest, warehouse, resolver);
            }
            catch (Exception e) when (e is DiagnosticException or DuckDB.NET.Data.DuckDBException)
            {
                // The staging model does not run; its own check says so (EM0103).
            }

            if (columns is not null)
            {
                var outputs = (definition ?? MatchDefinition.Publishing(columns)).Described(columns);
                CheckGeneratedFile(yamlPath, () => _renderer.RenderLatestYaml(yamlPath, newest, columns, outputs, _context.ManifestReference(newest, warehouse)));
            }
        }

        CheckStagingSqlRuns(sqlPath, yamlPath, warehouse, resolver);
    }

    /// <summary>
    /// Warns (EM0619) for each column the snapshot the stable model reads publishes with another type than the snapshot
    /// dated before it published it: downstream models read the stable model, and the column changed type under them.
    /// Told from the two manifests' <c>columns</c>, so a clone without the warehouse (CI) sees it; the next snapshot that
    /// keeps the types clears it.
    /// </summary>
    private void CheckColumnTypes(string match, MatchDefinition? definition, PassedOverSnapshots passedOver, DuckDbWarehouse warehouse, RelationResolver resolver)
    {
        if (StableModelTarget.Find(_context, match, _context.Sources, passedOver.Tables, warehouse, resolver) is not { } target
            || ManifestFiles.At(_context, target.Name) is not { Manifest: { } newest } file
            || ColumnTypeChange.Preceding(_context, target.Name, passedOver.Contains) is not { Manifest: { } before })
        {
            return;
        }

        var at = new SourceSpan(DisplayPath.For(file.Path), TextLines.Of(file.Text, "\"columns\""), 1);
        var settings = _context.Settings.Matches.GetValueOrDefault(match);
        foreach (var change in ColumnTypeChange.Between(before.Columns, newest.Columns))
        {
            _diagnostics.Add(change.Warning(_context, target.Name, at, $"the snapshot before it, {before.Snapshot},", change.InputNamed(definition, settings), stable: true));
        }
    }

    /// <summary>The interrupted snapshot an intact generated stable model reads, if it reads one.</summary>
    private SnapshotName? ReadsInterrupted(string sqlPath, string match, PassedOverSnapshots passedOver)
    {
        var state = GeneratedFile.Inspect(File.ReadAllText(sqlPath));
        return !state.IsGenerated || !state.IsIntact
            ? null
            : passedOver.Interrupted.Keys.Select(t => SnapshotName.TryParse(t, match)).OfType<SnapshotName>()
                .FirstOrDefault(n => _renderer.RenderLatestSql(sqlPath, n).Body == state.Body);
    }

    /// <summary>
    /// The snapshot source's schema (rendered) is electionmatch.yml's <c>snapshots.schema</c>, where run publishes: else
    /// dbt reads another schema than the one the snapshots are in. Said once per schema line; each entry's EM0101 says why
    /// its table cannot be read.
    /// </summary>
    private void CheckSnapshotSourceSchema()
    {
        // The entries whose tables are not where run publishes, and the one whose schema the next run's entry would take
        // (which may read a file: run refuses then, so check fails too).
        var mismatched = _context.Sources.TablesOf(_context.Settings.Snapshots.SourceName).Where(t => UnreadableSnapshot.SchemaMismatch(_context, t) is not null)
            .Concat(UnreadableSnapshot.NewEntrySchemaMismatch(_context) is { } next ? [next] : []);
        foreach (var entry in mismatched.DistinctBy(t => t.SchemaAt))
        {
            Report(Codes.SnapshotSchemaMismatch, Severity.Error, entry.SchemaAt,
                $"source '{entry.SourceName}' reads schema {entry.Schema}, but electionmatch.yml's snapshots.schema is {_context.Settings.Snapshots.Schema}, where run publishes its snapshots; make them the same");
        }
    }

    /// <summary>
    /// The sources YAML a run adds its snapshot's entry to must exist, as run requires before any work (EM0005): a new
    /// project, whose sources YAML is not at the default path, passed check and failed its first run.
    /// </summary>
    private void CheckSnapshotSourcesFileExists()
    {
        var sources = _context.SnapshotSourcesFile;
        if (_context.Settings.Matches.Count > 0 && !File.Exists(sources) && !Directory.Exists(sources))
        {
            _diagnostics.Add(_context.SnapshotSourcesFileMissing());
        }
    }

    // EM0029 as run says it, for a data_type the sources YAML declares for a column the CSV file lacks: a misspelt name
    // leaves the column to the sniffer, and check is where a pull request's declaration is read before any run.
    private void AddDeclarationWarnings(InputRelation input) =>
        _diagnostics.AddRange(input.Warnings.Where(w => w.Code == Codes.DeclaredTypeInvalid && !_diagnostics.Contains(w)));

    /// <summary>
    /// Each defined match's inputs resolved and read as run reads them (a missing file, a column mapping the input lacks,
    /// an empty input), so check does not pass on a match run cannot run. In a clone without the warehouse (CI) only a
    /// match whose inputs are both files is read; the others' relations must still name a declared source or a model
    /// of the project, as run's would (EM0020, EM0021): only what lives in the warehouse goes unread.
    /// </summary>
    private void CheckMatchInputs(DuckDbWarehouse warehouse, RelationResolver resolver)
    {
        var warehouseHere = File.Exists(_context.Target.DatabasePath);
        bool ReadsFile(InputSettings input) =>
            RelationExpression.Parse(input.Relation, input.RelationAt) is { IsSource: true } call && _context.Sources.Find(call.Arguments[0], call.Arguments[1])?.ExternalLocation is not null;
        foreach (var match in _context.Settings.Matches.Values)
        {
            try
            {
                if (warehouseHere || (ReadsFile(match.Left) && ReadsFile(match.Right)))
                {
                    var inputs = new RunOperation(_context).ResolveInputs(warehouse, match);
                    AddDeclarationWarnings(inputs.Left);
                    AddDeclarationWarnings(inputs.Right);
                }
                else
                {
                    // Each input apart, as run resolves them: a relation of the left that names nothing does not hide the
                    // right's errors, and an input that reads a file is read whatever the other reads.
                    foreach (var (input, side) in new[] { (match.Left, "left"), (match.Right, "right") })
                    {
                        try
                        {
                            if (ReadsFile(input))
                            {
                                AddDeclarationWarnings(new RunOperation(_context).ResolveInput(warehouse, match, input, side));
                            }
                            else
                            {
                                CheckRelationNamed(input, resolver);
                            }
                        }
                        catch (DiagnosticException e)
                        {
                            _diagnostics.AddRange(e.Diagnostics.Where(d => !_diagnostics.Contains(d)));
                            _diagnostics.AddRange(ReadsFile(input) ? [] : RunOperation.DateFormatErrors(warehouse, input).Where(d => !_diagnostics.Contains(d)));
                        }
                    }
                }
            }
            catch (DiagnosticException e)
            {
                _diagnostics.AddRange(e.Diagnostics.Where(d => !_diagnostics.Contains(d)));
            }
        }
    }

    // Without the warehouse: a relation that names nothing fails as run's would (RelationNamed).
    private void CheckRelationNamed(InputSettings input, RelationResolver resolver)
    {
        if (RelationNamed.Error(input, _context.Project, _context.Sources, resolver, () => RefNames) is { } error)
        {
            throw new DiagnosticException(error);
        }
    }

    /// <summary>The generated zip code models are unedited, current with electionmatch.yml, and run.</summary>
    private void CheckZipCodeModels(DuckDbWarehouse warehouse, RelationResolver resolver)
    {
        if (_context.Settings.ZipCodes is not { } zipCodes)
        {
            return;
        }

        // A column the voter file lacks is the setting's fault: said there, not as a stale or failing model.
        if (ZipCodeInputs.Missing(warehouse, resolver, zipCodes) is { Count: > 0 } missing)
        {
            _diagnostics.AddRange(missing);
            CheckZipCodeRangesHaveRows(warehouse, resolver, zipCodes);
            return;
        }

        var renderer = new ZipCodeModelRenderer(_context.Templates, _context.Settings.Snapshots, zipCodes);
        foreach (var model in ZipCodeModelRenderer.Models)
        {
            var path = _context.Project.Resolve(Path.Combine(zipCodes.ModelDirectory, model + ".sql"));
            var display = DisplayPath.For(path);
            if (!File.Exists(path))
            {
                Report(Codes.GeneratedFileStale, Severity.Warning, zipCodes.At, $"{model} is not generated yet ({display}); run `electionmatch generate`");
                continue;
            }

            CheckGeneratedFile(path, () => renderer.Render(path, model));
            if (model == ZipCodeModelRenderer.ZipToOffice && _stableModelTargets.GetValueOrDefault(zipCodes.Match) is { Readable: false })
            {
                // It reads the match's stable model, whose snapshot's table is not here (EM0101 at its entry); run, it
                // would fail with a Catalog Error that only restates that (docs/ci.md).
                continue;
            }

            try
            {
                warehouse.Describe($"select * from {ModelSql.AsSubquery(ModelSql.Compile(File.ReadAllText(path), display, resolver.Resolve))}");
            }
            catch (DiagnosticException e)
            {
                _diagnostics.AddRange(e.Diagnostics.Select(d => d with { Code = Codes.GeneratedModelFailed, Message = $"{model} does not compile: {d.Message}" }));
            }
            catch (DuckDB.NET.Data.DuckDBException e)
            {
                Report(Codes.GeneratedModelFailed, Severity.Error, new SourceSpan(display, 1, 1), $"{model} does not run: {e.Message.Split('\n')[0]}");
            }
        }

        CheckZipCodeRangesHaveRows(warehouse, resolver, zipCodes);
        CheckLinkedDistrictTypesListed(warehouse, resolver, zipCodes);
    }

    /// <summary>
    /// A district type the match links positions to reaches zip codes only through a voter-file column that
    /// <c>district_types</c> lists (statewide districts apart): a column the voter file has but the setting leaves out
    /// keeps those offices out of the office model without a word (EM0305). A type no voter-file column carries keeps
    /// them out too, and no setting can place it: said apart, at <c>voters:</c>, since the fix is in the voter file (EM0306).
    /// </summary>
    private void CheckLinkedDistrictTypesListed(DuckDbWarehouse warehouse, RelationResolver resolver, ZipCodeSettings zipCodes)
    {
        if (_stableModelTargets.GetValueOrDefault(zipCodes.Match) is not { Readable: true } target)
        {
            return;
        }

        string snapshot;
        try
        {
            snapshot = resolver.Resolve($"source('{_context.Settings.Snapshots.SourceName}', '{target.Name.Table}')", target.Entry.At);
        }
        catch (DiagnosticException)
        {
            return; // a snapshot that cannot be read is said by the checks that read it, as a voter file that cannot is (Read)
        }

        if (LinkedDistrictTypes.Read(warehouse, resolver, zipCodes, target.Name.Table, snapshot) is { } linked)
        {
            _diagnostics.AddRange(new[] { linked.NotListed(), linked.WithoutColumn() }.OfType<Diagnostic>());
        }
    }

    /// <summary>
    /// The office model keeps a zip code only inside a range of its state, so with no range it is empty: a truncated
    /// reference export would pass every other check. The ranges are a small table; the voter file is not counted.
    /// </summary>
    private void CheckZipCodeRangesHaveRows(DuckDbWarehouse warehouse, RelationResolver resolver, ZipCodeSettings zipCodes)
    {
        long rows;
        try
        {
            rows = warehouse.Scalar<long>($"select count(*) from {resolver.Resolve(zipCodes.StateZipCodeRanges, zipCodes.RangesAt ?? zipCodes.At)}");
        }
        catch (Exception e) when (e is DiagnosticException or DuckDB.NET.Data.DuckDBException)
        {
            return; // the office model's EM0301 already says why the relation cannot be read
        }

        if (rows == 0)
        {
            Report(Codes.ZipCodeRangesEmpty, Severity.Warning, zipCodes.RangesAt ?? zipCodes.At,
                $"state_zip_code_ranges ({zipCodes.StateZipCodeRanges}) has no rows, so {ZipCodeModelRenderer.ZipToOffice} keeps no zip code (it keeps those inside a range of their state)");
        }
    }

    /// <summary>
    /// Warns when the dbt that last built the project (target/manifest.json) warns on the generated YAML's older form and
    /// no dbt_version says that form is meant. The artifact never chooses the form: it differs between machines.
    /// </summary>
    private void CheckYamlFormAgainstBuiltDbt()
    {
        var form = _context.YamlForm;
        var manifest = _context.Project.ManifestJsonPath;
        if (form.Source == DbtVersionSource.Setting || DbtManifestVersion.Read(manifest) is not { } built)
        {
            return;
        }

        var older = form.OlderThan(form with { Version = built });
        if (older.Count == 0)
        {
            return;
        }

        Report(Codes.GeneratedYamlOlderThanDbt, Severity.Warning, SourceSpan.TextFile(DisplayPath.For(_context.Settings.FilePath)),
            $"{DisplayPath.For(manifest)} was written by dbt {built}, which warns on the generated YAML ({string.Join("; ", older)}): the generated files take "
            + $"{form.Describe(_context.Settings, _context.Project)}; once every machine that runs this project has dbt {built} or later, set dbt_version: \"{built}\" here and run `electionmatch generate`");
    }

    /// <param name="reportStale">False when generate would not bring the file up to date (the caller says why instead).</param>
    /// <returns>False when the file is generated, unedited and out of date.</returns>
    private bool CheckGeneratedFile(string path, Func<GeneratedFile> render, bool reportStale = true)
    {
        var state = GeneratedFile.Inspect(File.ReadAllText(path));
        if (!state.IsGenerated)
        {
            return true;
        }

        if (!state.IsIntact)
        {
            Report(Codes.GeneratedFileEdited, Severity.Error, new SourceSpan(DisplayPath.For(path), state.FirstEditedLine(render()), 1), EditedByHand);
            return true;
        }

        if (render().Body == state.Body)
        {
            return true;
        }

        if (reportStale)
        {
            Report(Codes.GeneratedFileStale, Severity.Warning, new SourceSpan(DisplayPath.For(path), 1, 1), "this generated file is out of date with its template or snapshot; run `electionmatch generate`");
        }

        return false;
    }

    /// <summary>
    /// Whether the snapshot's table no longer has the columns its manifest recorded: verify reports it (EM0618, at the
    /// manifest); only its describe is read here, never its rows.
    /// </summary>
    private bool ColumnsAltered(SnapshotName name, IReadOnlyList<ColumnInfo> columns, DuckDbWarehouse warehouse) =>
        SnapshotAsPublished.Find(_context, warehouse, name)?.ColumnChanges(columns) is not null;

    /// <summary>
    /// A hand edit of the staging files of a snapshot whose table is not here (a clone without the warehouse): the header's
    /// hash tells it without the table, but where the edit is cannot be told without the columns to render from, so line 1.
    /// </summary>
    private void CheckEditedWithoutSnapshot(SnapshotName name) => CheckEditedWithoutSnapshot(_context.SqlPath(name), _context.YamlPath(name));

    private void CheckEditedWithoutSnapshot(params string[] paths)
    {
        foreach (var path in paths.Where(File.Exists))
        {
            if (GeneratedFile.Inspect(File.ReadAllText(path)) is { IsGenerated: true, IsIntact: false })
            {
                Report(Codes.GeneratedFileEdited, Severity.Error, SourceSpan.TextFile(DisplayPath.For(path)), EditedByHand);
            }
        }
    }

    private void CheckStagingSqlRuns(string sqlPath, string yamlPath, DuckDbWarehouse warehouse, RelationResolver resolver)
    {
        var display = DisplayPath.For(sqlPath);
        IReadOnlyList<ColumnInfo> columns;
        try
        {
            var compiled = ModelSql.Compile(File.ReadAllText(sqlPath), display, resolver.Resolve);
            columns = warehouse.Describe($"select * from {ModelSql.AsSubquery(compiled)}");
        }
        catch (DiagnosticException e)
        {
            _diagnostics.AddRange(e.Diagnostics);
            return;
        }
        catch (DuckDB.NET.Data.DuckDBException e)
        {
            Report(Codes.StagingSqlFailed, Severity.Error, new SourceSpan(display, 1, 1), $"the staging model does not run against its snapshot: {e.Message.Split('\n')[0]}");
            return;
        }

        if (!File.Exists(yamlPath))
        {
            return;
        }

        var yaml = YamlFile.Load(yamlPath);
        var model = yaml.RootMap().MapList("models").FirstOrDefault(m => m.String("name") == Path.GetFileNameWithoutExtension(sqlPath));
        if (model is null)
        {
            return;
        }

        var declared = model.MapList("columns").Select(c => (Name: c.RequiredString("name"), c.At)).ToList();
        var actual = columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, at) in declared.Where(d => !actual.Contains(d.Name)))
        {
            Report(Codes.StagingColumnsDiffer, Severity.Error, at, $"column '{name}' is declared here but the staging model does not return it");
        }

        var declaredNames = declared.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var column in columns.Where(c => !declaredNames.Contains(c.Name)))
        {
            Report(Codes.StagingColumnsDiffer, Severity.Warning, model.At, $"the staging model returns column '{column.Name}', which is not declared in {DisplayPath.For(yamlPath)}");
        }
    }

    private void CheckOrphanStagingFiles(string match, PassedOverSnapshots passedOver)
    {
        var directory = _context.Project.Resolve(_context.Settings.Snapshots.StagingDirectory);
        if (!Directory.Exists(directory))
        {
            return;
        }

        var prefix = $"stg_{_context.Settings.Snapshots.SourceName}__";
        // A dated model's YAML left without its SQL is as orphaned as the SQL: dbt reads it and warns of a patch for no model.
        var files = Directory.EnumerateFiles(directory, prefix + match + "_*.sql")
            .Concat(Directory.EnumerateFiles(directory, prefix + match + "_*.yml")
                .Where(yaml => !File.Exists(Path.ChangeExtension(yaml, ".sql"))));
        foreach (var file in files.Order(StringComparer.Ordinal))
        {
            var table = Path.GetFileNameWithoutExtension(file)[prefix.Length..];
            if (SnapshotName.TryParse(table, match) is not null && !passedOver.Contains(table) && _context.Sources.Find(_context.Settings.Snapshots.SourceName, table) is null)
            {
                var what = file.EndsWith(".sql", StringComparison.Ordinal) ? "staging model" : "staging model YAML, without its SQL,";
                Report(Codes.SourceEntryMissing, Severity.Error, new SourceSpan(DisplayPath.For(file), 1, 1), $"{what} for snapshot '{table}', which is not declared in source '{_context.Settings.Snapshots.SourceName}'; add it to the sources YAML (`electionmatch generate` does when the table exists) or delete this file");
            }
        }
    }

    /// <summary>
    /// A snapshot published in the warehouse that the sources YAML does not declare: a change that publishes a snapshot
    /// but leaves its entry behind. dbt cannot read it, and the stable model stays on an older one. Reported where the entry
    /// goes; a run interrupted before it wrote its files is EM0608 instead.
    /// </summary>
    private void CheckUndeclaredSnapshots(string match, PassedOverSnapshots passedOver, DuckDbWarehouse warehouse)
    {
        var source = _context.Settings.Snapshots.SourceName;
        foreach (var table in _context.PublishedSnapshots(warehouse, match).Where(t => !passedOver.Contains(t) && _context.Sources.Find(source, t) is null))
        {
            var at = _context.Sources.SourceNames.TryGetValue(source, out var declared) ? declared : SourceSpan.TextFile(DisplayPath.For(_context.SnapshotSourcesFile));
            // Its manifest missing too: generate would add a teammate's entry and staging model to this branch, where they
            // conflict with their pull request's, so the advice is EM0607's.
            Report(Codes.SourceEntryMissing, Severity.Error, at, UnmergedPublication.Find(_context, new SnapshotLog(warehouse), SnapshotName.TryParse(table, match)!) is { } unmerged
                ? $"snapshot '{table}' is published in the warehouse ({_context.Settings.Snapshots.Schema}.{table}, {unmerged.Run}) but not declared in source '{source}', and its manifest {unmerged.ManifestPath} is not in this checkout either; {UnmergedPublication.Readings}. EM0607 at its manifest says how to tell them apart; `electionmatch generate` leaves it out rather than add a teammate's entry and staging model to this branch"
                : $"snapshot '{table}' is published in the warehouse ({_context.Settings.Snapshots.Schema}.{table}) but not declared in source '{source}', so dbt cannot read it; `electionmatch generate` adds its entry and staging model");
        }
    }

    /// <param name="Declared">The match's snapshots the sources YAML declares (with or without a table), oldest first: the newest of them supersedes the others.</param>
    /// <param name="Available">Those a reference may name: their table or file exists, or it is in a warehouse that is not here (EM0101 says so).</param>
    private sealed record MatchSnapshots(IReadOnlyList<SnapshotName> Declared, IReadOnlyList<SnapshotName> Available);

    private void CheckDownstreamReferences(Dictionary<string, MatchSnapshots> existing)
    {
        var source = _context.Settings.Snapshots.SourceName;
        // A stable model reads a dated one by design; whether it reads the newest is its own check (EM0107).
        var stableModels = existing.Keys.Select(_context.LatestSqlPath).ToHashSet(StringComparer.Ordinal);
        var refNames = RefNames;
        foreach (var (call, named, isPinned) in SnapshotReferences.In(_context.Project, _context.Settings.Snapshots, f => stableModels.Contains(f) || _misplaced.Contains(f)))
        {
            if (named is not { } name || !existing.TryGetValue(name.Match, out var snapshots))
            {
                CheckReferenceToUnknownModel(call, existing, refNames);
                continue;
            }

            var newest = snapshots.Declared.Count == 0 ? null : snapshots.Declared[^1];
            // A declared snapshot whose table this warehouse lacks (a teammate's, published into theirs) exists as far as
            // a reference goes: EM0101 at its entry says what to do, and saying here that it does not exist, "the newest
            // is" itself, only restated that absence in words that contradict it.
            var available = snapshots.Available.Contains(name) || snapshots.Declared.Contains(name);
            if (!available)
            {
                var hint = newest is null ? "no snapshot of this match exists" : $"the newest is {newest.Table}";
                Report(Codes.ReferenceToMissingSnapshot, Severity.Error, call.At, $"{call.Function}() names snapshot '{name.Table}', which does not exist; {hint}");
            }
            else if (call.IsRef && !File.Exists(_context.SqlPath(name)))
            {
                // The snapshot is there; only the model dbt resolves the ref() to is not (EM0100 at its sources entry too).
                var exists = _notHere.Contains(name)
                    ? "the sources YAML declares the snapshot (its table is in a warehouse that is not here); `electionmatch generate` writes the file from the table, run where the warehouse is"
                    : !snapshots.Available.Contains(name)
                        ? "the sources YAML declares the snapshot (its table is not in this warehouse: EM0101 at its entry says what to do); `electionmatch generate` writes the file from the table, run where the warehouse that has it is"
                        : "the snapshot's table and its sources entry exist; `electionmatch generate` writes the file";
                Report(Codes.ReferenceToMissingSnapshot, Severity.Error, call.At,
                    $"ref('{call.RefModel}') names the staging model of snapshot '{name.Table}', whose file {DisplayPath.For(_context.SqlPath(name))} is missing, though {exists}");
            }
            else if (name != newest && !isPinned)
            {
                Report(Codes.ReferenceToSupersededSnapshot, Severity.Warning, call.At, $"{call.Function}() names snapshot '{name.Table}', which is superseded by {newest!.Table}");
            }

            // Only a defined match gains snapshots that the stable model follows (and generate --rewrite-refs rewrites to it).
            if (call.IsRef && available && !isPinned && _context.Settings.Matches.ContainsKey(name.Match) && File.Exists(_context.LatestSqlPath(name.Match)))
            {
                var stable = SnapshotName.LatestModel(name.Match, source);
                Report(Codes.ReferenceToDatedStagingModel, Severity.Warning, call.At, $"ref('{call.RefModel}') reads one dated snapshot; ref('{stable}') always reads the newest ({newest!.Table}); `electionmatch generate --rewrite-refs` rewrites this reference");
            }
        }
    }

    /// <summary>
    /// A ref() of a model in the snapshot source's namespace (<c>stg_&lt;source&gt;__…</c>) that is not a snapshot of a
    /// match checked here and that no model, seed or snapshot of the project defines: dbt fails to compile it. A match's
    /// prefix followed by no snapshot date (<c>_20251131</c>), the stable model of a removed match, a snapshot of a match
    /// nothing knows. A ref() into another package (two arguments) is that package's.
    /// </summary>
    private void CheckReferenceToUnknownModel(JinjaCall call, Dictionary<string, MatchSnapshots> existing, IReadOnlySet<string> refNames)
    {
        var source = _context.Settings.Snapshots.SourceName;
        if (!call.IsRef || call.Arguments.Count != 1 || refNames.Contains(call.RefModel)
            || StagingModelReference.Classify(call.RefModel, source, existing.Keys) is not { } named)
        {
            return;
        }

        var message = named switch
        {
            { NotADate: { } why } => $"ref('{call.RefModel}') names no snapshot of match '{named.Match}': {why}; "
                + (existing[named.Match!].Declared is [.., var newest] ? $"the newest is {newest.Table}" : "no snapshot of this match exists"),
            { IsStable: true } => $"ref('{call.RefModel}') names the stable model of match '{named.Match}', which does not exist; `electionmatch generate` writes it over the match's newest snapshot",
            { Snapshot: { } snapshot } => $"ref('{call.RefModel}') names snapshot '{snapshot.Table}' of match '{snapshot.Match}', which electionmatch.yml does not define and of which the project holds nothing (was the match removed or renamed?); no model of that name exists, so dbt fails to compile this reference",
            _ => $"ref('{call.RefModel}') names a staging model of source '{source}' that does not exist: no match in electionmatch.yml or in the project has it (was its match removed or renamed?), and no model of that name exists, so dbt fails to compile this reference",
        };
        Report(Codes.ReferenceToMissingSnapshot, Severity.Error, call.At, message);
    }

    /// <summary>
    /// A file of a model that generate writes in another folder: a generated one (ElectionMatch's header) left there by an
    /// earlier <c>snapshots.staging_dir</c> (or <c>zip_codes.model_dir</c>), or a hand-written one of the same name. dbt
    /// reads both folders and fails on two models of one name; generate never touches the old folder.
    /// </summary>
    private void CheckMisplacedGeneratedFiles(Dictionary<string, MatchSnapshots> snapshots)
    {
        _misplaced.Clear();
        var source = _context.Settings.Snapshots.SourceName;
        var written = new Dictionary<string, (string Folder, string Setting)>(StringComparer.Ordinal);
        var staging = (Path.TrimEndingDirectorySeparator(_context.Project.Resolve(_context.Settings.Snapshots.StagingDirectory)), "snapshots.staging_dir");
        foreach (var (match, matchSnapshots) in snapshots)
        {
            foreach (var name in matchSnapshots.Declared)
            {
                written[name.StagingModel(source)] = staging;
            }

            if (_context.Settings.Matches.ContainsKey(match))
            {
                written[SnapshotName.LatestModel(match, source)] = staging;
            }
        }

        if (_context.Settings.ZipCodes is { } zipCodes)
        {
            foreach (var model in ZipCodeModelRenderer.Models)
            {
                written[model] = (Path.TrimEndingDirectorySeparator(_context.Project.Resolve(zipCodes.ModelDirectory)), "zip_codes.model_dir");
            }
        }

        foreach (var file in _context.Project.ModelFiles(".sql", ".yml"))
        {
            var model = Path.GetFileNameWithoutExtension(file);
            if (!written.TryGetValue(model, out var home) || Path.GetDirectoryName(file) == home.Folder)
            {
                continue;
            }

            _misplaced.Add(file);
            var what = Path.GetExtension(file) == ".sql" ? "two models named" : "two YAML files describing";
            var at = SourceSpan.TextFile(DisplayPath.For(file));
            if (GeneratedFile.Inspect(File.ReadAllText(file)).IsGenerated)
            {
                Report(Codes.GeneratedFileMisplaced, Severity.Error, at,
                    $"this generated file of model '{model}' was left here by an earlier {home.Setting}: `electionmatch generate` now writes that model to {DisplayPath.For(home.Folder)}, dbt fails on {what} '{model}', and generate never touches this copy; delete it");
            }
            else
            {
                // A hand-written staging model left in the old folder: generate writes its own in the new one, as it finds none of the user's there.
                Report(Codes.GeneratedFileMisplaced, Severity.Error, at,
                    $"`electionmatch generate` writes model '{model}' to {DisplayPath.For(home.Folder)} ({home.Setting}), so dbt finds {what} '{model}'; move this file there (generate leaves a file without its header alone) or delete it");
            }
        }

        CheckSecondYamlEntries(written);
    }

    /// <summary>
    /// A <c>models:</c> entry, in another YAML file (a hand-written <c>_models.yml</c>), for a model whose own YAML generate
    /// writes: dbt refuses two entries describing one model, as it refuses two files of one name (above).
    /// </summary>
    private void CheckSecondYamlEntries(Dictionary<string, (string Folder, string Setting)> written)
    {
        foreach (var file in _context.Project.ModelFiles(".yml", ".yaml").Where(f => !_misplaced.Contains(f)))
        {
            IReadOnlyList<YamlMap> entries;
            try
            {
                entries = YamlFile.Load(file).RootMap().MapList("models");
            }
            catch (DiagnosticException)
            {
                // Not a file dbt can read either (empty, broken, no list of models): dbt reports it, and it describes nothing here.
                continue;
            }

            foreach (var entry in entries)
            {
                if (entry.Get("name") is not YamlDotNet.RepresentationModel.YamlScalarNode { Value: { } model } || !written.TryGetValue(model, out var home))
                {
                    continue;
                }

                var own = Path.Combine(home.Folder, model + ".yml");
                if (file != own && File.Exists(own))
                {
                    Report(Codes.GeneratedFileMisplaced, Severity.Error, entry.AtValue("name"),
                        $"a second YAML entry for model '{model}', which {DisplayPath.For(own)} already describes (a model `electionmatch generate` writes, in {home.Setting}): dbt fails on two entries for one model; "
                        + "delete this one, and put what it adds in a downstream model's YAML or a template override under electionmatch/templates/");
                }
            }
        }
    }

    private void Report(string code, Severity severity, SourceSpan at, string message) =>
        _diagnostics.Add(new Diagnostic(code, severity, at.File, at.Line, at.Column, message));
}
