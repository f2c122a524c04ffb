using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Generation;
using ElectionMatch.Matches;
using ElectionMatch.Safety;
using ElectionMatch.Settings;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Operations;

/// <summary>
/// Re-renders the staging files of every existing snapshot and adds missing sources entries.
/// Idempotent: a second call writes nothing. Never touches a file the user wrote or edited.
/// </summary>
public sealed class GenerateOperation
{
    private ProjectContext _context;
    private readonly StagingModelRenderer _renderer;

    // Set while HandEditsAhead or Rewrites looks at what a run or generate would write: files are inspected, never written.
    private Preview _preview;

    // The names ref() resolves to in the project, read once per --rewrite-refs.
    private IReadOnlySet<string>? _refNames;

    public GenerateOperation(ProjectContext context)
    {
        _context = context;
        _renderer = context.StagingRenderer();
    }

    /// <param name="rewriteReferences">Also point downstream models that ref a dated staging model at the match's stable model.</param>
    /// <param name="cancellationToken">Stops the wait for the warehouse lock (<see cref="Warehouse.LockWaitCancelledException"/>).</param>
    public GenerateResult Execute(bool rewriteReferences = false, CancellationToken cancellationToken = default)
    {
        var result = new GenerateResult();
        _context.Templates.ParseOverrides();
        using var locked = _context.LockForReading("generate", out _context, cancellationToken);
        var warehouse = locked.Warehouse;
        var resolver = _context.Resolver(warehouse);
        // Each match's snapshots in the sources YAML, and those published but not there (a run killed late): read once,
        // for the check below and for the files.
        // Of those not there, one whose manifest is not in this checkout either (UnmergedPublication) is left out.
        var snapshots = new Dictionary<string, MatchSnapshots>(StringComparer.Ordinal);
        var log = new SnapshotLog(warehouse);
        foreach (var match in _context.Settings.Matches.Values)
        {
            var declared = _context.DeclaredSnapshots(match.Name);
            var passedOver = FinishedSnapshots.PassedOver(_context, warehouse, match.Name);
            var undeclared = _context.PublishedSnapshots(warehouse, match.Name).Except(declared.Select(d => d.Name.Table)).ToList();
            var unmerged = undeclared.Where(t => !passedOver.Contains(t))
                .Select(t => UnmergedPublication.Find(_context, log, SnapshotName.TryParse(t, match.Name)!)).OfType<UnmergedPublication>().ToList();
            snapshots[match.Name] = new MatchSnapshots(declared, [.. undeclared.Except(unmerged.Select(u => u.Name.Table))], unmerged, passedOver);
        }

        RefuseDirectoriesInTheWay(snapshots);
        // The snapshots whose table exists: a ref() to any other dated staging model is left for check to report.
        var present = new HashSet<SnapshotName>();
        foreach (var match in _context.Settings.Matches.Values)
        {
            var definition = MatchDefinition.For(match.Kind);
            var (declared, undeclared, unmerged, passedOver) = snapshots[match.Name];
            // A snapshot whose run was killed before it wrote its files is the next run's to finish (check: EM0608). Files
            // written for it now would carry no manifest, and the stable model moved onto it would read an unfinished snapshot.
            // A snapshot prune retired (its manifest under pruned/) gets nothing back; what a stopped prune left is the next
            // prune's to remove (check: EM0613). Read once with the snapshots, above.
            foreach (var record in passedOver.Interrupted.Values)
            {
                result.LeftInterrupted.Add(LeftInterruptedLine(record));
            }

            foreach (var (name, entry) in declared.Where(d => !passedOver.Contains(d.Name.Table)))
            {
                // Whether or not its table is here: the entry is what a clone without the warehouse finds the manifest by.
                NameManifest(name, entry, warehouse, result);
                MoveMetaUnderConfig(entry, result);
                if (entry.ExternalLocation is null && !warehouse.TableExists(entry.Schema, entry.Identifier))
                {
                    // Declared, but its table is in another warehouse (a teammate's run, a fresh clone) or gone:
                    // check reports it (EM0101); generate renders what exists.
                    continue;
                }

                try
                {
                    var columns = warehouse.Describe("select * from " + resolver.Relation(entry));
                    present.Add(name);
                    if (!Altered(name, columns, warehouse, result))
                    {
                        WriteStagingFiles(name, columns, definition, warehouse, result);
                    }
                }
                catch (DiagnosticException e) when (e.Diagnostics.All(d => d.Code is not Codes.ProjectNotWritable and not Codes.InvalidSetting))
                {
                    // A declared snapshot with no table is reported by check; generate renders what exists.
                    // A file that cannot be written, or a template that cannot be rendered, is not skipped quietly: it
                    // propagates as an error.
                    result.Diagnostics.AddRange(e.Diagnostics.Select(d => d with { Severity = Severity.Warning }));
                }
            }

            // Published, but neither declared nor with its manifest here: most likely a teammate's unmerged run. Adopting it
            // would copy their entry and staging model into this branch and move the stable model onto their snapshot.
            foreach (var publication in unmerged)
            {
                result.UnmergedLeftOut.Add(publication.Name.Table);
                result.Diagnostics.Add(UnmergedLeftOut(publication));
            }

            // Snapshots published to the warehouse but missing from the sources YAML (a run killed late).
            foreach (var table in undeclared.Where(t => !passedOver.Contains(t)))
            {
                var name = SnapshotName.TryParse(table, match.Name)!;
                AddSourceEntry(name, warehouse, result);
                var columns = warehouse.Describe("select * from " + Sql.Identifier(_context.Settings.Snapshots.Schema, table));
                present.Add(name);
                if (!Altered(name, columns, warehouse, result))
                {
                    WriteStagingFiles(name, columns, definition, warehouse, result);
                }
            }

            WriteLatestModel(match.Name, definition, warehouse, result);
        }

        if (_context.Settings.ZipCodes is { } zipCodes)
        {
            WriteZipCodeModels(zipCodes, warehouse, resolver, result);
        }

        if (rewriteReferences)
        {
            var source = _context.Settings.Snapshots.SourceName;
            result.Rewrites.AddRange(RefRewriter.Rewrite(_context.Project, file =>
            {
                var pinned = PinnedReferences.In(file.Path, file.Text, file.References, source);
                return call => StableModelFor(call, present, pinned, result);
            }));
        }

        return result;
    }

    /// <summary>
    /// EM0503 before anything is written, as a run checks (<see cref="ProjectWritability"/>), for a directory standing where
    /// generate may write a file: a snapshot's staging files, a match's stable model, the zip code models, and the
    /// sources YAML when a published snapshot has no entry. Before, generate wrote the files before it and then stopped.
    /// </summary>
    private void RefuseDirectoriesInTheWay(IReadOnlyDictionary<string, MatchSnapshots> snapshots)
    {
        var paths = new List<string>();
        foreach (var (match, (declared, undeclared, _, _)) in snapshots)
        {
            foreach (var name in declared.Select(d => d.Name).Concat(undeclared.Select(t => SnapshotName.TryParse(t, match)!)))
            {
                paths.AddRange([_context.SqlPath(name), _context.YamlPath(name)]);
            }

            if (undeclared.Count > 0)
            {
                paths.Add(_context.SnapshotSourcesFile);
            }

            var latest = _context.LatestSqlPath(match);
            paths.AddRange([latest, Path.ChangeExtension(latest, ".yml")]);
        }

        if (_context.Settings.ZipCodes is { } zipCodes)
        {
            paths.AddRange(ZipCodeModelRenderer.Models.Select(model => ZipCodeModelPath(zipCodes, model)));
        }

        ProjectWritability.RefuseDirectoriesAt(paths, "generate");
    }

    /// <summary>
    /// A match's snapshots in the sources YAML, the tables published but not there (a run killed late), and those published,
    /// not there, whose manifest is not in this checkout either (left out); and the snapshots a run left unfinished or prune
    /// retired (<see cref="FinishedSnapshots.PassedOver"/>), read once for both.
    /// </summary>
    private sealed record MatchSnapshots(IReadOnlyList<(SnapshotName Name, SourceTable Entry)> Declared, IReadOnlyList<string> Undeclared, IReadOnlyList<UnmergedPublication> Unmerged, PassedOverSnapshots PassedOver);

    /// <summary>
    /// EM0108 as a warning, where and as check reports it as an error: generate writes nothing for a snapshot whose manifest
    /// is not here (before, it added the entry and staging model of a teammate's unmerged run and moved the stable model to it).
    /// </summary>
    private Diagnostic UnmergedLeftOut(UnmergedPublication unmerged)
    {
        var source = _context.Settings.Snapshots.SourceName;
        var at = _context.Sources.SourceNames.TryGetValue(source, out var declared) ? declared : SourceSpan.TextFile(DisplayPath.For(_context.SnapshotSourcesFile));
        var name = unmerged.Name;
        return Diagnostic.Warning(Codes.SourceEntryMissing, at,
            $"snapshot '{name.Table}' is published in the warehouse ({_context.Settings.Snapshots.Schema}.{name.Table}, {unmerged.Run}) but not declared in source '{source}', and its manifest {unmerged.ManifestPath} is not in this checkout: {UnmergedPublication.Readings}. "
            + $"generate leaves it out: it adds no sources entry or staging model for it, and the stable model {SnapshotName.LatestModel(name.Match, source)} does not move to it. {unmerged.WhatToDo(_context)}. "
            + $"To adopt it here deliberately, put its manifest in {DisplayPath.For(_context.Project.Resolve(_context.Settings.Snapshots.ManifestDirectory))} (from the commit `git log` lists; no command writes it from the snapshot log's copy) and run generate again, "
            + $"or publish it again with its manifest here: `{_context.RunCommand(name.Match, name.Date, ["--replace"])}` (which recomputes it from the inputs as they are now, and warns that it replaced the run, EM0620)");
    }

    private string ZipCodeModelPath(ZipCodeSettings zipCodes, string model) =>
        _context.Project.Resolve(Path.Combine(zipCodes.ModelDirectory, model + ".sql"));

    /// <summary>Writes the SQL and YAML of one snapshot unless the user owns or edited them.</summary>
    public void WriteStagingFiles(SnapshotName name, IReadOnlyList<ColumnInfo> columns, MatchDefinition definition, DuckDbWarehouse warehouse, GenerateResult result)
    {
        var sqlPath = _context.SqlPath(name);
        var yamlPath = _context.YamlPath(name);
        var manifest = _context.ManifestReference(name, warehouse);
        WriteGenerated(
            [
                (sqlPath, () => _renderer.RenderSql(sqlPath, name, columns)),
                (yamlPath, () => _renderer.RenderYaml(yamlPath, name, columns, definition.Described(columns), manifest)),
            ],
            result);
    }

    /// <summary>
    /// Writes a match's stable model over its newest declared snapshot (<see cref="StableModelTarget"/>), so downstream
    /// models that ref it never change for a new snapshot; while that snapshot cannot be read here, it is left as it is
    /// with a warning. Nothing is written for a match with no snapshot or no staging model yet.
    /// A snapshot whose run was interrupted is passed over (check leaves it out too), unless it is <paramref name="finishing"/>:
    /// the one the calling run is finishing, which completes its log row only after this.
    /// </summary>
    public void WriteLatestModel(string match, MatchDefinition definition, DuckDbWarehouse warehouse, GenerateResult result, SnapshotName? finishing = null)
    {
        // The sources YAML as it is now: this call may follow one that added an entry.
        var sources = SourceCatalog.Load(_context.Project);
        var resolver = new RelationResolver(_context.Project, sources, _context.Target, warehouse.TableExists, warehouse);
        if (StableModelTarget.Find(_context, match, sources, FinishedSnapshots.PassedOver(_context, warehouse, match, finishing).Tables, warehouse, resolver) is not { } target || !File.Exists(_context.SqlPath(target.Name)))
        {
            return;
        }

        var newest = target.Name;
        if (!target.Readable)
        {
            // check says the same at the entry (EM0101), and asks for no generate. A preview reports nothing, so it does not
            // work out the remedy (Unreadable), which may hash the snapshot's parquet copy.
            if (_preview == Preview.None)
            {
                result.Diagnostics.Add(target.LeftAsItIs(_context.Settings.Snapshots.SourceName));
            }

            return;
        }

        // Before a run's work (the hand edits ahead), the stable model is looked at as the run will write it.
        if (_preview != Preview.HandEdits && SnapshotAsPublished.Find(_context, warehouse, newest) is { } published
            && warehouse.Describe("select * from " + resolver.Relation(target.Entry)) is var now && published.ColumnChanges(now) is not null)
        {
            // Its YAML would declare the altered columns; the snapshot's own finding (EM0618) says what to do.
            var model = SnapshotName.LatestModel(match, _context.Settings.Snapshots.SourceName);
            if (result.ColumnsAltered.TryGetValue(newest, out var said))
            {
                // generate reported the snapshot already, for its staging files: that one finding says this too.
                result.Diagnostics[result.Diagnostics.IndexOf(said)] = published.ColumnsAltered(_context, warehouse, now, $"{StagingFilesNotRendered}, and the stable model {model} is left as it is")!;
                result.StableModelsLeft.Add(model);
                return;
            }

            // A run of another date renders nothing else from the table, and does not report it.
            result.Diagnostics.Add(Diagnostic.Warning(Codes.GeneratedFileStale, target.Entry.At,
                $"the stable model {model} is left as it is: its newest snapshot {newest.Table} no longer has the columns its manifest recorded (EM0618, {DisplayPath.For(published.File.Path)})"));
            return;
        }

        var staging = newest.StagingModel(_context.Settings.Snapshots.SourceName);
        var stagingAt = SourceSpan.TextFile(DisplayPath.For(_context.SqlPath(newest)));
        IReadOnlyList<ColumnInfo> columns;
        try
        {
            // As generate writes the staging model, not as a hand edit it refuses (EM0102) left it.
            columns = StableModelColumns.Describe(_context, _renderer, newest, warehouse, resolver);
        }
        catch (Exception e) when (e is DiagnosticException or DuckDB.NET.Data.DuckDBException)
        {
            // The staging model itself is broken; check reports it where it is (EM0103), and this warning points there
            // too: it is the file to fix, and the stable model may not exist yet.
            result.Diagnostics.Add(Diagnostic.Warning(Codes.GeneratedFileStale, stagingAt, $"the stable model of '{match}' is not rewritten: {staging} does not run ({e.Message.Split('\n')[0]})"));
            return;
        }

        var sqlPath = _context.LatestSqlPath(match);
        var yamlPath = Path.ChangeExtension(sqlPath, ".yml");
        var manifest = _context.ManifestReference(newest, warehouse);
        WriteGenerated(
            [
                (sqlPath, () => _renderer.RenderLatestSql(sqlPath, newest)),
                (yamlPath, () => _renderer.RenderLatestYaml(yamlPath, newest, columns, definition.Described(columns), manifest)),
            ],
            result);
        foreach (var (call, read) in OwnedStableModel.OlderReads(sqlPath, _context.Settings.Snapshots.SourceName, match, newest))
        {
            result.Diagnostics.Add(OwnedStableModel.Warning(call, read, newest, _context.Settings.Snapshots.SourceName));
        }
    }

    /// <summary>
    /// The hand edits (EM0102, at the line generate reports) of the files a run of this snapshot rewrites: its own staging
    /// files when its table exists (a --replace) and the match's stable model. A run checks this before any work, since
    /// it would otherwise publish the snapshot and then stop at the edited file with the rest of its files half written.
    /// </summary>
    internal IReadOnlyList<Diagnostic> HandEditsAhead(SnapshotName name, MatchDefinition definition, DuckDbWarehouse warehouse) =>
        PreviewOf(Preview.HandEdits, name, definition, warehouse, finishing: name).Diagnostics.Where(d => d.Code == Codes.GeneratedFileEdited).ToList();

    /// <summary>
    /// The files of this snapshot (its staging files) and of its match's stable model that generate would write now, a
    /// changed template's re-rendering: once generate has written them, only a new run records the template (EM0609).
    /// </summary>
    internal IReadOnlyList<string> Rewrites(SnapshotName name, MatchDefinition definition, DuckDbWarehouse warehouse) =>
        PreviewOf(Preview.Rewrites, name, definition, warehouse, finishing: null).Written;

    private GenerateResult PreviewOf(Preview preview, SnapshotName name, MatchDefinition definition, DuckDbWarehouse warehouse, SnapshotName? finishing)
    {
        var result = new GenerateResult();
        _preview = preview;
        try
        {
            var schema = _context.Settings.Snapshots.Schema;
            // A run (the hand edits it would meet) replaces an altered table; generate (the rewrites) leaves it.
            if (warehouse.TableExists(schema, name.Table) && warehouse.Describe("select * from " + Sql.Identifier(schema, name.Table)) is var columns
                && (preview == Preview.HandEdits || !Altered(name, columns, warehouse, result)))
            {
                WriteStagingFiles(name, columns, definition, warehouse, result);
            }

            WriteLatestModel(name.Match, definition, warehouse, result, finishing);
        }
        finally
        {
            _preview = Preview.None;
        }

        return result;
    }

    /// <summary>
    /// For a ref() to a dated staging model: its match's stable model, when that has been generated. A ref() to a
    /// snapshot that does not exist (no table, or no staging model) is probably a mistake: it is left as written, with
    /// a warning, and check still reports it (EM0105).
    /// </summary>
    private string? StableModelFor(JinjaCall call, IReadOnlySet<SnapshotName> present, IReadOnlyDictionary<SourceSpan, ReferencePin> pinned, GenerateResult result)
    {
        var prefix = $"stg_{_context.Settings.Snapshots.SourceName}__";
        WarnOfReferenceToNoSnapshot(call, result);
        if (!call.RefModel.StartsWith(prefix, StringComparison.Ordinal)
            || SnapshotName.TryParse(call.RefModel[prefix.Length..]) is not { } dated
            || !_context.Settings.Matches.ContainsKey(dated.Match)
            || !File.Exists(_context.LatestSqlPath(dated.Match)))
        {
            return null;
        }

        if (!present.Contains(dated) || !File.Exists(_context.SqlPath(dated)))
        {
            result.Diagnostics.Add(new Diagnostic(Codes.ReferenceToMissingSnapshot, Severity.Warning, call.At.File, call.At.Line, call.At.Column,
                $"ref('{call.RefModel}') names snapshot '{dated.Table}', which does not exist; left as written, since moving it to the stable model would hide the mistake: point it at an existing snapshot"));
            return null;
        }

        if (pinned.TryGetValue(call.At, out var pin))
        {
            // A line marked pinned already says so; a comparison is told, as a rewrite would have changed what it means.
            if (!pin.Marked)
            {
                result.Diagnostics.Add(new Diagnostic(Codes.ReferenceLeftPinned, Severity.Warning, call.At.File, call.At.Line, call.At.Column,
                    $"ref('{call.RefModel}') left as written: {pin.Why}; mark the line {{# electionmatch: pinned #}} (in YAML, # electionmatch: pinned) to say it is meant"));
            }

            return null;
        }

        // The stable model reads the match's newest snapshot: a reference to an older one now reads other data.
        if (present.Where(n => n.Match == dated.Match).MaxBy(n => n.Date) is { } newest && newest != dated)
        {
            result.NewerSnapshots.Add(new NewerSnapshotRewrite(call.At, dated, newest));
        }

        return SnapshotName.LatestModel(dated.Match, _context.Settings.Snapshots.SourceName);
    }

    /// <summary>
    /// A ref() of a defined match's staging-model prefix followed by no snapshot date (<c>_20251131</c>) that no model of
    /// the project defines: it is left as written, as a missing snapshot is, and said (check reports it, EM0105).
    /// </summary>
    private void WarnOfReferenceToNoSnapshot(JinjaCall call, GenerateResult result)
    {
        var source = _context.Settings.Snapshots.SourceName;
        if (call.Arguments.Count == 1
            && StagingModelReference.Classify(call.RefModel, source, _context.Settings.Matches.Keys) is { NotADate: { } why, Match: { } match }
            && File.Exists(_context.LatestSqlPath(match))
            && !(_refNames ??= _context.Project.RefNames()).Contains(call.RefModel))
        {
            result.Diagnostics.Add(new Diagnostic(Codes.ReferenceToMissingSnapshot, Severity.Warning, call.At.File, call.At.Line, call.At.Column,
                $"ref('{call.RefModel}') names no snapshot of match '{match}': {why}; left as written, since moving it to the stable model would hide the mistake: point it at an existing snapshot"));
        }
    }

    private void WriteZipCodeModels(ZipCodeSettings zipCodes, DuckDbWarehouse warehouse, RelationResolver resolver, GenerateResult result)
    {
        // A model that reads a column the voter file lacks cannot run: name the setting, and write nothing.
        if (ZipCodeInputs.Missing(warehouse, resolver, zipCodes) is { Count: > 0 } missing)
        {
            result.Diagnostics.AddRange(missing);
            return;
        }

        var renderer = new ZipCodeModelRenderer(_context.Templates, _context.Settings.Snapshots, zipCodes);
        foreach (var model in ZipCodeModelRenderer.Models)
        {
            var path = ZipCodeModelPath(zipCodes, model);
            WriteGenerated([(path, () => renderer.Render(path, model))], result);
        }
    }

    /// <summary>
    /// Writes files that belong together unless the user owns one of them (no header: all are left alone) or
    /// edited one (an error; that file is not overwritten). Unchanged bodies are not rewritten.
    /// </summary>
    private void WriteGenerated(IReadOnlyList<(string Path, Func<GeneratedFile> Render)> files, GenerateResult result)
    {
        var states = files.Select(f => File.Exists(f.Path) ? GeneratedFile.Inspect(File.ReadAllText(f.Path)) : null).ToArray();
        if (states.Any(s => s is { IsGenerated: false }))
        {
            result.UserOwned.AddRange(files.Select(f => f.Path).Where(File.Exists).Select(DisplayPath.For));
            return;
        }

        for (var i = 0; i < files.Count; i++)
        {
            var (path, render) = files[i];
            if (states[i] is { IsIntact: false } edited)
            {
                result.Diagnostics.Add(Diagnostic.Error(Codes.GeneratedFileEdited, new SourceSpan(DisplayPath.For(path), edited.FirstEditedLine(render()), 1), "this generated file was edited by hand, so it is not overwritten; move your change into a downstream model or a template override under electionmatch/templates/, then delete the file and run generate"));
                continue;
            }

            if (_preview == Preview.HandEdits)
            {
                continue;
            }

            var file = render();
            if (states[i] is { } state && state.Body == file.Body)
            {
                result.Unchanged.Add(DisplayPath.For(path));
                continue;
            }

            if (_preview == Preview.Rewrites)
            {
                // What generate would write, not written.
                result.Written.Add(DisplayPath.For(path));
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.WriteAllText(path, file.Text);
            result.Written.Add(DisplayPath.For(path));
            CrashPoint.Reached("generated:" + Path.GetFileName(path));
        }
    }

    /// <summary>
    /// Whether the snapshot's table no longer has the columns its manifest recorded (EM0618, added to the result): its
    /// staging files are not rendered from it, or the committed files would follow a hand's <c>alter table</c>.
    /// </summary>
    private bool Altered(SnapshotName name, IReadOnlyList<ColumnInfo> columns, DuckDbWarehouse warehouse, GenerateResult result)
    {
        if (SnapshotAsPublished.Find(_context, warehouse, name)?.ColumnsAltered(_context, warehouse, columns, StagingFilesNotRendered) is not { } altered)
        {
            return false;
        }

        result.Diagnostics.Add(altered);
        result.ColumnsAltered[name] = altered;
        return true;
    }

    private const string StagingFilesNotRendered = ", so its staging files are not rendered from it";

    /// <summary>What generate says of an interrupted snapshot it leaves alone, with the command that finishes it.</summary>
    private string LeftInterruptedLine(PublishRecord record)
    {
        var rerun = _context.FinishCommand(record);
        return $"left {record.Snapshot} alone: the run that published it was interrupted before it wrote its files (EM0608); `{rerun}` finishes it";
    }

    /// <summary>
    /// Puts back the <c>manifest:</c> line of a sources entry ElectionMatch generated (<c>meta: generated_by:</c>) that
    /// lacks it while the snapshot has a manifest (the file, or the snapshot log's word that a run wrote it): an entry
    /// written before the manifest (by a generate after an interrupted run), or the line deleted by hand. A clone without
    /// the warehouse finds the manifest by it (EM0607).
    /// An entry the user wrote is left alone.
    /// </summary>
    public void NameManifest(SnapshotName name, SourceTable entry, DuckDbWarehouse warehouse, GenerateResult result)
    {
        if (!entry.IsGenerated || entry.Manifest is not null || _context.ManifestReference(name, warehouse) is not { } manifest || _preview != Preview.None)
        {
            return;
        }

        var path = entry.FilePath;
        var (text, byteOrderMark) = UserFileText.Read(path);
        if (SourcesFileEditor.AddManifest(text, path, entry.SourceName, entry.Name, manifest) is not { } updated)
        {
            return;
        }

        UserFileText.Write(path, updated, byteOrderMark);
        var display = DisplayPath.For(path);
        if (!result.Written.Contains(display))
        {
            result.Written.Add(display);
        }
    }

    /// <summary>
    /// Moves the top-level <c>meta:</c> of a sources entry ElectionMatch generated under <c>config:</c> when the generated
    /// YAML takes dbt 1.10's form (<see cref="DbtYamlForm.MetaInConfig"/>), which warns on the old one; the entry is the
    /// tool's (<c>generated_by:</c>), every other byte of the file the user's and left as it is. An entry the user wrote is
    /// never touched.
    /// </summary>
    public void MoveMetaUnderConfig(SourceTable entry, GenerateResult result)
    {
        if (!_context.YamlForm.MetaInConfig || entry.GeneratedMetaAtTop is null || _preview != Preview.None)
        {
            return;
        }

        var path = entry.FilePath;
        var (text, byteOrderMark) = UserFileText.Read(path);
        if (SourcesFileEditor.MoveMetaUnderConfig(text, path, entry.SourceName, entry.Name) is not { } updated)
        {
            return;
        }

        UserFileText.Write(path, updated, byteOrderMark);
        var display = DisplayPath.For(path);
        if (!result.Written.Contains(display))
        {
            result.Written.Add(display);
        }
    }

    /// <summary>Adds the snapshot's table to the sources YAML, changing no other byte of the file.</summary>
    public void AddSourceEntry(SnapshotName name, DuckDbWarehouse warehouse, GenerateResult result)
    {
        var snapshots = _context.Settings.Snapshots;
        var manifest = _context.ManifestReference(name, warehouse);
        var entry = _renderer.RenderSourceTable(name, manifest);
        var path = _context.SnapshotSourcesFile;
        if (!File.Exists(path))
        {
            throw new DiagnosticException(_context.SnapshotSourcesFileMissing());
        }

        // Decide from the file as it is now: an earlier call may have just added the source.
        var (text, byteOrderMark) = UserFileText.Read(path);
        var updated = SourcesFileEditor.DeclaresSource(text, path, snapshots.SourceName)
            ? SourcesFileEditor.AddTable(text, path, snapshots.SourceName, entry)
            : SourcesFileEditor.AddSource(text, path, _renderer.RenderSource(entry));
        UserFileText.Write(path, updated, byteOrderMark);
        result.Written.Add(DisplayPath.For(path));
    }

    /// <summary>What a preview of generate's writes looks for (<see cref="HandEditsAhead"/>, <see cref="Rewrites"/>).</summary>
    private enum Preview
    {
        None,
        HandEdits,
        Rewrites,
    }
}
