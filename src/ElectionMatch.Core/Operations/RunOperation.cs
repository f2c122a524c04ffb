using System.Globalization;
using System.Text.RegularExpressions;
using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Generation;
using ElectionMatch.Matches;
using ElectionMatch.Matching;
using ElectionMatch.Matching.Providers;
using ElectionMatch.Matching.Scoring;
using ElectionMatch.Safety;
using ElectionMatch.Settings;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Operations;

/// <summary>
/// <c>electionmatch run &lt;match&gt;</c>: read the inputs, match inside DuckDB, publish the dated
/// snapshot atomically with its manifest and parquet copy, then write its dbt staging files and
/// sources entry.
/// </summary>
public sealed partial class RunOperation
{
    private ProjectContext _context;
    private readonly System.Collections.Concurrent.ConcurrentQueue<StageReport> _stages = new();
    private ModelProviders? _providers;
    private bool _reportChecked;
    private int? _threads;

    public RunOperation(ProjectContext context)
    {
        _context = context;
    }

    /// <summary>
    /// What the run had done when <see cref="Execute"/> failed or was stopped: the stages it finished and what its
    /// providers were asked (requests, tokens, cost), for the lines and the report a failed run still gives. Null when it
    /// stopped before the report's path was checked.
    /// </summary>
    public RunSoFar? SoFar => _reportChecked ? new RunSoFar([.. _stages], _providers?.Models ?? []) : null;

    /// <remarks>
    /// The order makes a kill at any point safe (docs/design.md, "Crash safety"): the snapshot table and its log
    /// row commit in one transaction; the parquet copy, the model file, the manifest and the dbt files are each
    /// written to a temporary file and renamed; the log row is completed last. A run that dies after the
    /// commit leaves an incomplete log row, and the next run of the same snapshot finishes it: from what the publish
    /// stored, or by matching again when the match now could publish otherwise (<see cref="InterruptedPublish"/>).
    /// </remarks>
    public RunResult Execute(RunOptions options, Action<StageReport>? progress = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return RunAndPublish(options, progress, cancellationToken);
        }
        catch (Exception e) when (MemoryLimitExceeded.Reason(e) is { } reason)
        {
            // A step DuckDB could not spill: the setting to change, not a failure to report (EM0504).
            var engine = _context.Settings.Engine;
            var limit = engine.MemoryLimit ?? EngineSettings.DefaultMemoryLimit(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes) + " (the default)";
            var threads = _threads ?? engine.Threads ?? Environment.ProcessorCount;
            throw DiagnosticException.At(Codes.MemoryLimitExceeded, engine.MemoryLimitAt ?? new SourceSpan(DisplayPath.For(_context.Settings.FilePath), 1, 1),
                $"DuckDB ran out of memory within memory_limit {limit} on {threads} thread{(threads == 1 ? "" : "s")}, in a step it could not spill to temp_directory ({reason}); " +
                "raise engine.memory_limit, or lower engine.threads (each thread holds buffers of its own), and run again");
        }
    }

    private RunResult RunAndPublish(RunOptions options, Action<StageReport>? progress, CancellationToken cancellationToken)
    {
        var startupClock = StageClock.Start();
        var match = _context.Settings.Match(options.Match);
        var definition = MatchDefinition.For(match.Kind);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        SnapshotDateRange.Check(options.SnapshotDate ?? today, today, options.AllowFutureDate);
        WriteProbe.OutputFile("the run report (--report, MSBuild Report)", options.ReportPath, Codes.InvalidOption);
        _reportChecked = true;
        var caller = progress;
        progress = stage =>
        {
            _stages.Enqueue(stage);
            caller?.Invoke(stage);
        };
        var interruption = options.Interruption ?? new Interruption(cancellationToken);
        interruption.Running();
        var incremental = options.Incremental || options.FullRecompute || options.Retrain;
        // Refused before the warehouse is opened: a refused run creates and changes nothing.
        if (incremental && match.Kind != "candidacy_ddhq")
        {
            throw DiagnosticException.At(Codes.IncrementalKindUnsupported, match.At, $"match '{match.Name}' is of kind {match.Kind}; incremental runs ({_context.RunOption("--incremental")}, {_context.RunOption("--full")}, {_context.RunOption("--retrain")}) exist for candidacy_ddhq matches only (spec 003's state partitions of candidacies and results); run it without them: a {match.Kind} run recomputes every state");
        }

        var name = new SnapshotName(match.Name, options.SnapshotDate ?? today);
        var snapshots = _context.Settings.Snapshots;
        ProjectWritability.Ensure(_context, name);
        // A template override that does not parse stops the run here, not at its manifest after the table was published.
        _context.Templates.ParseOverrides();
        WarmTemplates();

        using var held = _context.Lock($"run {match.Name}", out _context, cancellationToken);
        // Listed only when huge pages are asked for: the pool is among the mappings opening the warehouse adds.
        var mappingsBeforeOpen = _context.Settings.Engine.HugePages ? HugePages.AnonymousMappings() : null;
        using var warehouse = _context.Open(held);
        var hugePages = _context.ApplyEngineSettings(warehouse, mappingsBeforeOpen);
        var publisher = new SnapshotPublisher(warehouse, snapshots);
        var warehouseAt = SourceSpan.PathOnly(DisplayPath.For(_context.Target.DatabasePath));
        // A table whose manifest this checkout lacks is, in a shared warehouse, most likely a teammate's: --replace replaces theirs.
        var unmerged = publisher.Exists(name) ? UnmergedPublication.Find(_context, new SnapshotLog(warehouse), name) : null;
        if (unmerged is not null && !options.Replace)
        {
            throw DiagnosticException.At(Codes.SnapshotExists, warehouseAt,
                $"snapshot {snapshots.Schema}.{name.Table} already exists in this warehouse, and its manifest {unmerged.ManifestPath} is not in this checkout: {unmerged.Run} published it, from a checkout or branch whose files are not here ({UnmergedPublication.Readings}); snapshots are immutable, and {_context.RunOption("--replace")} would replace it (a teammate's snapshot, if so) with this run's; pass {_context.RunOption("--snapshot-date")} to publish under another date, or merge their branch first (`git log --all --oneline -- {unmerged.ManifestPath}` finds it)");
        }

        var interrupted = publisher.EnsureWritable(name, options.Replace, warehouseAt, _context.RunOption);
        if (!publisher.Exists(name))
        {
            EnsureNotDeclared(name, options.Replace);
        }

        EnsureSourceReadsSnapshotsSchema();

        if (new GenerateOperation(_context).HandEditsAhead(name, definition, warehouse) is { Count: > 0 } edited)
        {
            throw new DiagnosticException(edited.Select(d => d with { Message = d.Message + "; nothing was run or published" }).ToList());
        }

        var replaced = options.Replace ? ReplacedManifest(name) : null;
        var inputs = ResolveInputs(warehouse, match);
        var inputFiles = InputFileStamps.Take(warehouse, inputs);
        var threads = UseThreads(warehouse, inputFiles);
        var startupNote = "lock, open the warehouse, resolve and check the inputs" + (hugePages.Ranges.Count > 0 ? $"; DuckDB's buffer pool advised for transparent huge pages (THP mode {hugePages.Mode})" : "") +
            (threads.Note is { } threadsNote ? "; " + threadsNote : "");
        StageReport? startup = null;
        var finishChecks = new RunSteps(progress);
        string? runAgain = null;
        if (interrupted && !options.Replace && InterruptedPublish.Of(warehouse, name) is { } committed)
        {
            // A run killed after its commit is finished from what its publish stored, unless the match now could publish otherwise.
            startup = finishChecks.Report("startup", startupClock, startupNote);
            runAgain = committed.WhyRunAgain(_context, name, match, inputs, ResultOptions(options), warehouse, finishChecks);
            if (runAgain is null)
            {
                return FinishFromCommit(name, match, definition, committed, inputs, publisher, warehouse, finishChecks, interruption);
            }
        }

        using var providers = ModelProviders.Create(match, _context.Project.Directory, _context.Templates, warehouse, options.Replay, interruption);
        _providers = providers;
        startup ??= new RunSteps(progress).Report("startup", startupClock, startupNote);

        // An incremental run hashes every input row itself (to find the partitions that changed), so only a plain run hashes beside the match.
        using var hashing = incremental ? null : InputHashing.Start(warehouse, inputs);
        var runOptions = new MatchRunOptions(progress, threads.Count, providers, cancellationToken);
        var result = WithoutStringCompression(warehouse, () => incremental
            ? RunIncremental(warehouse, match, inputs, options, runOptions)
            : definition.Run(warehouse, match, RunSchema.For(match.Name), inputs, runOptions));

        // Awaited after the match, whose input stage names an input it cannot read (EM0024) before the hash could fail on it.
        var steps = new RunSteps(progress);
        var inputHashes = steps.Time("input_hashes", () => result.InputSha256 ?? hashing?.Finish() ?? (InputHash.Of(warehouse, inputs.LeftRelation), InputHash.Of(warehouse, inputs.RightRelation)),
            note: _ => hashing is null ? "from the incremental run's row hashes" : hashing.Note(result.Stages));
        if (inputs.Left.Glob is not null || inputs.Right.Glob is not null || inputs.Left.Csv is not null || inputs.Right.Csv is not null)
        {
            steps.Time("quarantine_places", () => QuarantinePlaces.Name(warehouse, result.QuarantineTable, "left", inputs.Left) + QuarantinePlaces.Name(warehouse, result.QuarantineTable, "right", inputs.Right),
                rows: named => (named, named), note: named => $"quarantined rows the reader read, their file and line added to their message: {named} (a line the reader rejected names its own)");
        }

        // The match's tables leave DuckDB's write-ahead log for the warehouse file here, as the run wrote them. Left to the
        // warehouse's close, they would be compressed after the publish under DuckDB's defaults (CheckpointStages).
        steps.Time("stages_checkpoint", () => CheckpointStages(warehouse), "the match's tables written from DuckDB's log into the warehouse file, their strings uncompressed as the run wrote them");
        inputFiles.EnsureUnchanged();
        var unbalanced = result.Accounts.Where(a => !a.Balances).ToList();
        if (unbalanced.Count > 0)
        {
            throw new DiagnosticException(unbalanced.Select(a => Diagnostic.Error(Codes.RowsUnaccounted, match.At,
                $"{a.Input} {a.Unit}: {a.Read} read but {a.Accounted} accounted for ({string.Join(", ", a.Outcomes.Select(o => $"{o.Outcome} {o.Reason}: {o.Rows}"))}); nothing was published")).ToList());
        }

        RefuseUnusableInputs(warehouse, inputs, result);
        var otherInputs = replaced is null ? [] : InputChanges.Compare(warehouse, replaced, match, inputs, inputHashes).Where(i => i.Changed).ToList();

        // A stop is heard until the publish commits (the publish rolls back then); once the snapshot is committed, its
        // files are written whatever comes, since a run stopped after the commit leaves an interrupted snapshot (EM0608).
        cancellationToken.ThrowIfCancellationRequested();
        var runId = Guid.NewGuid().ToString("N");
        // Before the publish: explain takes the stages for this snapshot's once the log holds this run id, never before.
        RunIdentity.For(runId, name.Table, match).Record(warehouse, RunSchema.For(match.Name));
        // What the files are written from is stored with the publish, so a run killed after the commit can be finished from it.
        PendingPublish? pending = null;
        var resultOptions = ResultOptions(options);
        publisher.Publish(name, result, options.Replace || interrupted, runId, steps, resultOptions,
            published => pending = Pending(name, match, result, published, runId, inputHashes, providers, warehouse, resultOptions), interruption);

        var manifest = WriteSnapshotFiles(name, pending!, publisher, warehouse, steps);
        var generated = new GenerateResult();
        generated.Diagnostics.AddRange([.. inputs.Left.Warnings, .. inputs.Right.Warnings]);
        generated.Diagnostics.AddRange(OpenQuotes(warehouse, result, inputs));
        generated.Diagnostics.AddRange(providers.Warnings(match));
        if (otherInputs.Count > 0)
        {
            // A --replace recomputes from the inputs as they are now; for a past date that is other data under the old date.
            var changed = string.Join("; ", otherInputs.Select(i => $"the {i.Recorded.Role} input {i.Configured.Relation} ({i.Hashes})"));
            generated.Diagnostics.Add(Diagnostic.Warning(Codes.ReplacedFromOtherInputs, new SourceSpan(DisplayPath.For(_context.ManifestPath(name)), TextLines.Of(manifest.ToJson(), "\"inputs\""), 1),
                $"the replaced snapshot {name.Table} was made from other inputs: {changed}; this publishes the inputs as they are today under {name.Date:yyyy-MM-dd}"));
        }

        if (unmerged is not null)
        {
            generated.Diagnostics.Add(Diagnostic.Warning(Codes.ReplacedUnmergedSnapshot, new SourceSpan(DisplayPath.For(_context.ManifestPath(name)), TextLines.Of(manifest.ToJson(), "\"run_id\""), 1),
                $"this run replaced snapshot {name.Table}, which {unmerged.Run} had published and whose manifest this checkout did not have (sha256 {SnapshotManifest.Short(unmerged.ManifestSha256)}): {UnmergedPublication.Readings}. Its rows are gone from this warehouse (the snapshot log keeps its manifest); tell whoever published it: their manifest is now of an earlier publication (verify says so, EM0605), and when both branches are merged, keep this run's manifest (docs/ci.md, \"The same date on both branches\")"));
        }

        generated.Diagnostics.AddRange(ColumnTypeWarnings(name, match, definition, manifest, replaced, inputs, warehouse));
        WriteDbtFiles(name, match, definition, warehouse, steps, generated);
        generated.Diagnostics.AddRange(DistrictTypeWarnings(name, match, warehouse));
        steps.Time("log_complete", () => new SnapshotLog(warehouse).Complete(runId, manifest.ToJson()));
        IReadOnlyList<string> summary = interrupted
            ? [$"finished {name.Table}: an earlier run published it but was stopped before writing its files, so it was run again and replaced{(runAgain is null ? "" : ", not finished from its committed rows: " + runAgain)}", .. result.Summary]
            : DateLine(name, today, warehouse, replaced is not null) is { } dateLine ? [.. result.Summary, dateLine] : result.Summary;
        return new RunResult(name, $"{snapshots.Schema}.{name.Table}", _context.ParquetPath(name), _context.ManifestPath(name), manifest, [startup, .. finishChecks.Reports.Where(r => r != startup), .. result.Stages, .. steps.Reports], generated) { Summary = summary };
    }

    // A CSV input's quotes left open, one warning each at its line (EM0508): each line read into it is quarantined alone.
    private static IEnumerable<Diagnostic> OpenQuotes(DuckDbWarehouse warehouse, MatchResult result, MatchInputs inputs) =>
        new[] { ("left", inputs.Left), ("right", inputs.Right) }
            .Where(i => i.Item2.Csv is not null)
            .SelectMany(i => QuarantinePlaces.OpenQuotes(warehouse, result.QuarantineTable, i.Item1, $"{i.Item1} input {i.Item2.Description}"));

    /// <summary>
    /// What a new snapshot dated before today holds (the inputs as they are today, not as they were on its date), and,
    /// when a finished snapshot is dated after it, that the stable model stays on that one: after a backfill, and also
    /// after a run of today (or a replace) while a snapshot published with --allow-future-date is newer, which before
    /// said nothing, so downstream models went on reading the future-dated snapshot unannounced. A replace's inputs
    /// are said by EM0615 instead. Null when there is nothing to say.
    /// </summary>
    private static string? DateLine(SnapshotName name, DateOnly today, DuckDbWarehouse warehouse, bool replace)
    {
        var newer = new SnapshotLog(warehouse).Latest(name.Match)
            .Where(r => r.IsComplete && !r.IsPruned)
            .Select(r => SnapshotName.TryParse(r.Snapshot, name.Match))
            .Where(n => n is not null && n.Date > name.Date)
            .MaxBy(n => n!.Date);
        var stays = newer is null ? null : $"the stable model stays on the newest snapshot, {newer.Table}";
        if (name.Date < today && !replace)
        {
            var days = today.DayNumber - name.Date.DayNumber;
            return $"date: {name.Table} is dated {days} day{(days == 1 ? "" : "s")} before today ({today:yyyy-MM-dd}) and holds the inputs as they are today" +
                (stays is null ? "" : "; " + stays);
        }

        return stays is null ? null : $"date: {name.Table} is dated {name.Date:yyyy-MM-dd}, before {newer!.Table} ({newer.Date:yyyy-MM-dd}); {stays}";
    }

    /// <summary>
    /// Finishes a snapshot whose run was killed after its commit from what that publish stored (<see cref="PendingPublish"/>),
    /// without matching again: its parquet copy, model file, manifest and dbt files, then its log row, as that run would have.
    /// The manifest keeps that run's id, since it completes that run's log row and the run schema holds that run's stages.
    /// </summary>
    private RunResult FinishFromCommit(SnapshotName name, MatchSettings match, MatchDefinition definition, InterruptedPublish committed, MatchInputs inputs,
        SnapshotPublisher publisher, DuckDbWarehouse warehouse, RunSteps steps, Interruption interruption)
    {
        // A stop before this leaves the snapshot interrupted, as it was; after it, the files are finished.
        interruption.Committed(name.Table);

        var pending = committed.Pending!;
        var manifest = WriteSnapshotFiles(name, pending, publisher, warehouse, steps);
        var generated = new GenerateResult();
        generated.Diagnostics.AddRange([.. inputs.Left.Warnings, .. inputs.Right.Warnings]);
        generated.Diagnostics.AddRange(ColumnTypeWarnings(name, match, definition, manifest, null, inputs, warehouse));
        WriteDbtFiles(name, match, definition, warehouse, steps, generated);
        generated.Diagnostics.AddRange(DistrictTypeWarnings(name, match, warehouse));
        steps.Time("log_complete", () => new SnapshotLog(warehouse).Complete(committed.Record.RunId, manifest.ToJson()));
        IReadOnlyList<string> summary =
        [
            $"finished {name.Table} from its committed rows: an earlier run published it but was stopped before writing its files, which were written from what its publish stored; the match was not run again",
            .. pending.Summary,
        ];
        return new RunResult(name, $"{_context.Settings.Snapshots.Schema}.{name.Table}", _context.ParquetPath(name), _context.ManifestPath(name), manifest, steps.Reports, generated) { Summary = summary };
    }

    /// <summary>
    /// The parquet copy, then the model file, then the manifest (which records the model file's hash: a manifest never
    /// names a file not yet written), each through a temporary file; the manifest gets its creation time and the chain's
    /// previous link now.
    /// </summary>
    private SnapshotManifest WriteSnapshotFiles(SnapshotName name, PendingPublish pending, SnapshotPublisher publisher, DuckDbWarehouse warehouse, RunSteps steps)
    {
        steps.Time("parquet", () => { publisher.ExportParquet(name, _context.ParquetPath(name)); return pending.Manifest.Rows; }, rows => (rows, rows));
        CrashPoint.Reached("parquet:renamed");
        if (pending.ModelParametersJson is { } parameters)
        {
            AtomicFile.WriteAllText(_context.ModelParametersPath(name), parameters);
            CrashPoint.Reached("model:written");
        }

        var manifest = steps.Time("manifest", () =>
        {
            var written = pending.ManifestAt(DateTimeOffset.UtcNow, PreviousManifest(name, new SnapshotLog(warehouse)));
            AtomicFile.WriteAllText(_context.ManifestPath(name), written.ToJson());
            return written;
        });
        CrashPoint.Reached("manifest:written");
        return manifest;
    }

    /// <summary>
    /// EM0619 for each column the snapshot publishes with another type than the snapshot a <c>--replace</c> replaces, or
    /// else than the match's snapshot dated before it (<see cref="ColumnTypeChange.Preceding"/>), each with why as the
    /// inputs read now tell it. Reported at the new manifest's <c>columns</c>; nothing when either manifest lacks them.
    /// </summary>
    private List<Diagnostic> ColumnTypeWarnings(SnapshotName name, MatchSettings match, MatchDefinition definition, SnapshotManifest manifest, SnapshotManifest? replaced, MatchInputs inputs, DuckDbWarehouse warehouse)
    {
        var passedOver = FinishedSnapshots.PassedOver(_context, warehouse, match.Name, finishing: name);
        var (earlier, before) = replaced?.Columns is { } replacedColumns
            ? ("the snapshot it replaces", replacedColumns)
            : ColumnTypeChange.Preceding(_context, name, passedOver.Contains) is { Manifest: { } preceding }
                ? ($"the snapshot before it, {preceding.Snapshot},", preceding.Columns)
                : ("", null);
        var changes = ColumnTypeChange.Between(before, manifest.Columns);
        if (changes.Count == 0)
        {
            return [];
        }

        var at = new SourceSpan(DisplayPath.For(_context.ManifestPath(name)), TextLines.Of(manifest.ToJson(), "\"columns\""), 1);
        var stable = !_context.DeclaredSnapshots(match.Name).Any(d => d.Name.Date > name.Date && !passedOver.Contains(d.Name.Table));
        return changes.Select(c => c.Warning(_context, name, at, earlier, c.WhyFromInput(warehouse, inputs, match, definition), stable)).ToList();
    }

    /// <summary>
    /// EM0305 and EM0306, as check says them, when this run's snapshot is the one the zip code models read (the stable
    /// model's) and links positions to a district type that district_types leaves out or no voter-file column carries:
    /// from the published table and the voter file's columns (its description, not its rows); the match's inputs are not
    /// read again. Before, only check said them. A voter file that cannot be read is said first, whichever snapshot the
    /// run published (<see cref="VoterFileUnreadable"/>).
    /// </summary>
    private IEnumerable<Diagnostic> DistrictTypeWarnings(SnapshotName name, MatchSettings match, DuckDbWarehouse warehouse)
    {
        if (_context.Settings.ZipCodes is not { } zipCodes || zipCodes.Match != match.Name)
        {
            return [];
        }

        // The sources YAML as the run left it, its entry added; a snapshot dated before the newest is not what the models read.
        var sources = SourceCatalog.Load(_context.Project);
        var resolver = new RelationResolver(_context.Project, sources, _context.Target, warehouse.TableExists, warehouse);
        if (VoterFileUnreadable(name, zipCodes, warehouse, resolver) is { Count: > 0 } unreadable)
        {
            return unreadable;
        }

        var passedOver = FinishedSnapshots.PassedOver(_context, warehouse, match.Name, finishing: name).Tables;
        if (StableModelTarget.Find(_context, match.Name, sources, passedOver, warehouse, resolver) is not { Readable: true } target || target.Name != name)
        {
            return [];
        }

        var linked = LinkedDistrictTypes.Read(warehouse, resolver, zipCodes, name.Table, Sql.Identifier(_context.Settings.Snapshots.Schema, name.Table));
        return linked is null ? [] : new[] { linked.NotListed(), linked.WithoutColumn() }.OfType<Diagnostic>();
    }

    /// <summary>
    /// Why the zip code models cannot read the voter file, as check and generate say it (<see cref="ZipCodeInputs.VoterFile"/>:
    /// its file missing, cut, damaged or misnamed, or its reference naming nothing), each a warning of the run at the same
    /// line: the snapshot it published is right, and the match does not read the voter file; the models that do fail
    /// in check and in dbt. Before, the run said nothing of it.
    /// </summary>
    private static List<Diagnostic> VoterFileUnreadable(SnapshotName name, ZipCodeSettings zipCodes, DuckDbWarehouse warehouse, RelationResolver resolver) =>
        ZipCodeInputs.VoterFile(warehouse, resolver, zipCodes).Unreadable
            .Select(d => d with
            {
                Severity = Severity.Warning,
                Message = $"{d.Message}; the run published {name.Table}, but the zip code models, which read the voter file {zipCodes.Voters}, cannot run until this is fixed",
            })
            .ToList();

    /// <summary>The snapshot's sources entry (or its manifest line), its staging model and the match's stable model.</summary>
    private void WriteDbtFiles(SnapshotName name, MatchSettings match, MatchDefinition definition, DuckDbWarehouse warehouse, RunSteps steps, GenerateResult generated)
    {
        var snapshots = _context.Settings.Snapshots;
        var generate = new GenerateOperation(_context);
        steps.Time("staging_files", () =>
        {
            if (_context.Sources.Find(snapshots.SourceName, name.Table) is not { } entry)
            {
                generate.AddSourceEntry(name, warehouse, generated);
                CrashPoint.Reached("sources:written");
            }
            else
            {
                // An entry generated before the manifest existed (generate after an interrupted run) lacks its manifest: line.
                generate.NameManifest(name, entry, warehouse, generated);
            }

            var columns = warehouse.Describe("select * from " + Sql.Identifier(snapshots.Schema, name.Table));
            generate.WriteStagingFiles(name, columns, definition, warehouse, generated);
            generate.WriteLatestModel(match.Name, definition, warehouse, generated, finishing: name);
            CrashPoint.Reached("generate:written");
        });
    }

    /// <summary>The manifest of the snapshot a --replace replaces, when it has one that parses (an edited one is verify's to report).</summary>
    private SnapshotManifest? ReplacedManifest(SnapshotName name)
    {
        var path = _context.ManifestPath(name);
        try
        {
            return File.Exists(path) ? SnapshotManifest.FromJson(File.ReadAllText(path)) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    // The entry a run adds takes its source's schema (UnreadableSnapshot.NewEntrySchemaMismatch). Another schema than
    // snapshots.schema: dbt would read a table that is not there, and check would fail (EM0115) after the run published.
    private void EnsureSourceReadsSnapshotsSchema()
    {
        if (UnreadableSnapshot.NewEntrySchemaMismatch(_context) is { } telling)
        {
            throw DiagnosticException.At(Codes.SnapshotSchemaMismatch, telling.SchemaAt,
                $"source '{_context.Settings.Snapshots.SourceName}' reads schema {telling.Schema}, but electionmatch.yml's snapshots.schema is {_context.Settings.Snapshots.Schema}, where this run would publish, and dbt would not find the snapshot its new entry names; make them the same; nothing was run or published");
        }
    }

    /// <summary>
    /// A snapshot the sources YAML already declares exists for dbt even when this warehouse has no table of that name: a
    /// snapshot loaded by hand from a file (<c>external_location</c>, or an entry naming another table), which dbt would
    /// go on reading whatever a run published, or one a teammate's run published into another warehouse. The first is
    /// never overwritten; the second only with --replace, as a table in this warehouse would be.
    /// </summary>
    private void EnsureNotDeclared(SnapshotName name, bool replace)
    {
        var snapshots = _context.Settings.Snapshots;
        if (_context.Sources.Find(snapshots.SourceName, name.Table) is not { } entry)
        {
            return;
        }

        var elsewhere = entry.ExternalLocation is { } file ? $"reads the file {file}"
            : !string.Equals(entry.Identifier, name.Table, StringComparison.OrdinalIgnoreCase) || !string.Equals(entry.Schema, snapshots.Schema, StringComparison.OrdinalIgnoreCase) ? $"reads the table {entry.Schema}.{entry.Identifier}"
            : null;
        if (elsewhere is not null)
        {
            throw DiagnosticException.At(Codes.SnapshotExists, entry.At,
                $"snapshot {name.Table} is already declared here, and its entry {elsewhere}: a snapshot ElectionMatch did not publish, which dbt would go on reading if a run published {snapshots.Schema}.{name.Table}; pass another {_context.RunOption("--snapshot-date")}, or remove this entry and its staging model first");
        }

        if (!replace)
        {
            throw DiagnosticException.At(Codes.SnapshotExists, entry.At,
                $"snapshot {name.Table} is already declared here (published by a run into another warehouse, or its table was dropped); snapshots are immutable, so pass {_context.RunOption("--replace")} to publish it again into {DisplayPath.For(_context.Target.DatabasePath)} or {_context.RunOption("--snapshot-date")} to publish under another date");
        }
    }

    /// <summary>
    /// Parses the staging templates on a pool thread while the run reads its inputs: the first parse builds Fluid's parser,
    /// about 0.2 s of JIT that the manifest (which records the templates' hashes) would otherwise wait for at the end of
    /// every run. The library keeps what it parsed; a template that does not parse is reported where it always was.
    /// </summary>
    private void WarmTemplates() => Task.Run(() =>
    {
        try
        {
            _context.StagingRenderer().TemplateHashes();
        }
        catch (DiagnosticException)
        {
            // The manifest step loads them again and reports it.
        }
    });

    /// <summary>
    /// The run's threads (<see cref="EngineSettings.ThreadsFor"/>), set on DuckDB when small inputs take fewer than
    /// electionmatch.yml's default of every core, with the words the startup stage says so in (null when nothing was
    /// chosen for the user).
    /// </summary>
    private (int Count, string? Note) UseThreads(DuckDbWarehouse warehouse, InputFileStamps inputFiles)
    {
        var engine = _context.Settings.Engine;
        // What a compressed file holds, not its size on disk: a small .csv.gz of many rows is no small input.
        var bytes = engine.Threads is null ? inputFiles.HeldBytes(EngineSettings.SmallInputBytes) : null;
        var threads = engine.ThreadsFor(bytes?.Held);
        _threads = threads;
        if (engine.Threads is not null || threads == Environment.ProcessorCount || bytes is not { } counted)
        {
            return (threads, null);
        }

        warehouse.Execute($"set threads = {threads}");
        var size = counted.Compressed ? $"hold {counted.Held:N0} bytes decompressed ({counted.OnDisk:N0} on disk)" : $"are {counted.Held:N0} bytes";
        return (threads, $"one thread, as engine.threads is unset and the input files {size}, at most {EngineSettings.SmallInputBytes:N0}");
    }

    private MatchResult RunIncremental(DuckDbWarehouse warehouse, MatchSettings match, MatchInputs inputs, RunOptions options, MatchRunOptions runOptions)
    {
        var (earlier, refused) = EarlierModel(match.Name);
        var request = new Incremental.IncrementalRequest(match.ResultsSha256, options.FullRecompute, options.Retrain, runOptions)
        {
            EarlierModel = earlier,
            EarlierModelRefused = refused,
            RetrainOption = _context.RunOption("--retrain"),
        };
        return Incremental.IncrementalRun.Execute(warehouse, match, inputs, request, runOptions.Progress, runOptions.CancellationToken);
    }

    /// <summary>
    /// The newest snapshot's trained model when that run had these settings and this tool version and its model file
    /// is the one its manifest recorded, with the reference files, comparison definitions and build the manifest records (the
    /// incremental run compares them with this build's, as it does a stored model's); else no model, with the reason when a model file was
    /// refused for not matching.
    /// </summary>
    private ((string Json, string Snapshot, Incremental.ModelProvenance Provenance)? Model, string? Refused) EarlierModel(string match)
    {
        // LastOrDefault, not MaxBy, which throws on no manifest at all: the default is (null, null).
        var (newest, name) = ManifestFiles.Of(_context, match).Select(f => (File: f, Name: SnapshotName.TryParse(f.Snapshot, match)!)).OrderBy(x => x.Name.Date).LastOrDefault();
        // A manifest that does not parse only means training afresh here.
        if (newest?.Manifest is not { } manifest || !File.Exists(_context.ModelParametersPath(name)))
        {
            return (null, null);
        }

        if (manifest.SettingsChanged(_context.Settings.Match(match), _context.Settings.ContentHash) || manifest.ToolVersion != ToolInfo.Version)
        {
            return (null, null);
        }

        // Read once, hashed and parsed from the same bytes: an edited model file would score every partition unseen.
        var path = _context.ModelParametersPath(name);
        var bytes = File.ReadAllBytes(path);
        return SnapshotManifest.FileSha256(bytes) == manifest.ModelParametersSha256
            ? ((System.Text.Encoding.UTF8.GetString(bytes), name.Table, new Incremental.ModelProvenance(manifest.ReferenceFiles, manifest.ComparisonLevels, manifest.ToolBuild)), null)
            : (null, $"not adopted: {Path.GetFileName(path)} does not match the model_parameters_sha256 of its manifest");
    }

    /// <summary>
    /// Runs the match with DuckDB's dictionary and FSST string compression off. Measured on the 100k synthetic
    /// set: writing a string column to a table costs about 1 µs a row with them and a quarter of that without, and
    /// the run schema's stage tables are mostly strings written once and read a few times. The published snapshot
    /// is written after this, compressed (without dictionary compression, see <see cref="SnapshotPublisher.Publish"/>).
    /// </summary>
    private static T WithoutStringCompression<T>(DuckDbWarehouse warehouse, Func<T> run)
    {
        warehouse.Execute("set disabled_compression_methods = 'fsst,dictionary'");
        try
        {
            return run();
        }
        finally
        {
            warehouse.Execute("reset disabled_compression_methods");
        }
    }

    /// <summary>
    /// Checkpoints the warehouse with string compression off, as the run's stages were written. A table smaller than a
    /// row group (DuckDB's 122,880 rows) is kept in the write-ahead log until a checkpoint, which compresses it with the
    /// methods allowed then: left to the warehouse's close, every stage of a small run was analysed for FSST and
    /// dictionary compression after all, about half the close's CPU on the goodparty fixture (docs/design.md, "The test
    /// suite's cost", session 58). A read on another connection (the input hashes) does not hold a checkpoint back.
    /// </summary>
    private static void CheckpointStages(DuckDbWarehouse warehouse) => WithoutStringCompression(warehouse, () => warehouse.Execute("checkpoint"));

    // date_format: and timestamp_format: only for a CSV input read with the store, and only a format DuckDB's strptime
    // takes (it refuses an unknown specifier such as %Q when a read first uses it, failing the run at the source instead
    // of at the setting).
    private static void CheckDateFormat(DuckDbWarehouse warehouse, TemporalFormat kind, string format, SourceSpan at, InputRelation relation)
    {
        if (relation.Csv is null)
        {
            throw DiagnosticException.At(Codes.InvalidSetting, at,
                $"'{kind.Key}' is read only for a CSV file or glob named by a source's external_location, which {relation.Description} is not; remove it (a read_csv(…) call takes its own {kind.Option} = '…')");
        }

        CheckDateFormat(warehouse, kind, format, at);
    }

    internal static IEnumerable<Diagnostic> DateFormatErrors(DuckDbWarehouse warehouse, InputSettings input)
    {
        var formats = new[] { (TemporalFormat.Date, input.DateFormat, input.DateFormatAt), (TemporalFormat.Timestamp, input.TimestampFormat, input.TimestampFormatAt) };
        foreach (var (kind, format, at) in formats)
        {
            DiagnosticException? error = null;
            if (format is not null && at is { } formatAt)
            {
                try
                {
                    CheckDateFormat(warehouse, kind, format, formatAt);
                }
                catch (DiagnosticException e)
                {
                    error = e;
                }
            }

            foreach (var diagnostic in error?.Diagnostics ?? [])
            {
                yield return diagnostic;
            }
        }
    }

    /// <summary>What a format says whatever the input it reads: DuckDB reads it, and it has a day and a month.</summary>
    private static void CheckDateFormat(DuckDbWarehouse warehouse, TemporalFormat kind, string format, SourceSpan at)
    {
        var (key, values, example) = (kind.Key, kind.Values, kind.Example);
        try
        {
            warehouse.Scalar<bool>($"select try_strptime('', {Sql.Literal(format)}) is null");
        }
        catch (DuckDB.NET.Data.DuckDBException e)
        {
            throw DiagnosticException.At(Codes.InvalidSetting, at,
                $"'{key}' '{format}' is not a format DuckDB can read {values} by ({Reason(e.Message)}); write it with strptime's specifiers, such as {example}");
        }

        if (!format.Contains("%d", StringComparison.Ordinal) || !format.Contains("%m", StringComparison.Ordinal) && !format.Contains("%b", StringComparison.Ordinal) && !format.Contains("%B", StringComparison.Ordinal))
        {
            throw DiagnosticException.At(Codes.InvalidSetting, at,
                $"'{key}' '{format}' has no day (%d) or no month (%m, %b, %B), so it reads no date; write the order of the file's {values}, such as {example[..example.IndexOf(" or ", StringComparison.Ordinal)]}");
        }
    }

    /// <summary>Both inputs of a match as relations DuckDB can read, every mapped column checked.</summary>
    internal MatchInputs ResolveInputs(DuckDbWarehouse warehouse, MatchSettings match)
    {
        var resolver = _context.Resolver(warehouse);
        var published = Matches.MatchDefinition.For(match.Kind).Columns.Select(c => c.Name).ToList();
        // Each input is resolved and checked apart, so an error of one (a relation that names nothing) does not hide the
        // other's: the user sees every error of the match's inputs in one pass.
        var diagnostics = new List<Diagnostic>();
        InputRelation? Side(InputSettings input, string side)
        {
            try
            {
                return Resolve(warehouse, resolver, input, side, published);
            }
            catch (DiagnosticException e)
            {
                diagnostics.AddRange(e.Diagnostics);
                return null;
            }
        }

        var (left, right) = (Side(match.Left, "left"), Side(match.Right, "right"));
        return left is not null && right is not null ? new MatchInputs(left, right) : throw new DiagnosticException(diagnostics);
    }

    // EM0029 (a warning) at each data_type the sources YAML declares for a column the CSV file does not have: the
    // declaration reads nothing, and is most likely the column's name misspelt.
    private static IEnumerable<Diagnostic> UndeclaredColumns(CsvInput csv, InputRelation relation)
    {
        var names = csv.SniffedColumns.Select(c => c.Name).ToList();
        return names.Count == 0 ? [] : csv.DeclaredTypes
            .Where(d => !names.Contains(d.Column, StringComparer.OrdinalIgnoreCase))
            .Select(d => Diagnostic.Warning(Codes.DeclaredTypeInvalid, d.At,
                $"data_type {d.Type} is not used: {Spelling.ColumnNotFound(d.Column, relation.Description, names)}"));
    }

    /// <summary>One input of a match as <see cref="ResolveInputs"/> resolves it.</summary>
    internal InputRelation ResolveInput(DuckDbWarehouse warehouse, MatchSettings match, InputSettings input, string side) =>
        Resolve(warehouse, _context.Resolver(warehouse), input, side, Matches.MatchDefinition.For(match.Kind).Columns.Select(c => c.Name).ToList());

    /// <summary>Resolves an input and checks that every mapped column exists, naming the mapping's line when one does not.</summary>
    /// <param name="published">The match's own output columns: <c>keep_columns: all</c> keeps every other column (<see cref="InputRelation.Kept"/>).</param>
    private static InputRelation Resolve(DuckDbWarehouse warehouse, RelationResolver resolver, InputSettings input, string side, IReadOnlyList<string> published)
    {
        InputRelation relation;
        try
        {
            relation = resolver.ResolveInput(input.Relation, input.RelationAt, side, warehouse, input.Encoding, input.DateFormat, input.TimestampFormat);
        }
        catch (DiagnosticException e)
        {
            // What the input's settings say whatever they read is reported with the relation's error; what depends on the
            // relation (its columns, whether it is a CSV file) is not, as it cannot be known.
            throw new DiagnosticException([.. e.Diagnostics, .. DateFormatErrors(warehouse, input)]);
        }

        // A compressed file that is not whole, or not what its name says, is refused before any check reads its first lines
        // (its header, UTF-16): DuckDB reads a cut one up to the cut, or not at all, without a word, so the rows after it
        // would be neither read nor counted, and ZstdSharp, unlike GZipStream, reads none of a cut block. Said at the
        // source's external_location, as an empty or misnamed file is.
        foreach (var file in relation.LocalFiles(warehouse))
        {
            if (CsvCompression.Fault(file) is { } fault)
            {
                var shown = relation.Glob is null && relation.Csv is not { IsGlob: true } ? "the file" : relation.Csv?.DisplayOf(file) ?? DisplayPath.For(file);
                throw DiagnosticException.At(Codes.InputUnreadable, relation.Source?.LocationAt ?? relation.At, $"cannot read {relation.Description}: {shown} {fault}");
            }
        }

        // A ref() to a model that reads a source's compressed file (a view, or a model not built, compiled here) reads that
        // file too, but a model has no LocalFiles: a cut .csv.gz behind one lost the rows after the cut with exit 0. Said
        // at the source's external_location, as for the source read directly; a model dbt built as a table reads no file.
        if (RelationExpression.Parse(input.Relation, input.RelationAt) is { IsRef: true }
            && resolver.CompressedFileFault(input.Relation, input.RelationAt, warehouse, readNow: true) is var (source, sourceFile, sourceFault))
        {
            throw DiagnosticException.At(Codes.InputUnreadable, source.LocationAt,
                $"cannot read {relation.Description}: it reads source('{source.SourceName}', '{source.Name}'), whose file {DisplayPath.For(sourceFile)} {sourceFault}");
        }

        // So does a model that reads a compressed file itself (read_csv('x.csv.gz'), from 'x.csv.gz'): said at that read's
        // line in the model file.
        if (RelationExpression.Parse(input.Relation, input.RelationAt) is { IsRef: true }
            && resolver.ModelFileFault(input.Relation, input.RelationAt, warehouse) is var (model, modelRead, modelFile, modelFault))
        {
            throw DiagnosticException.At(Codes.InputUnreadable, modelRead.At,
                $"cannot read {relation.Description}: model '{model}' reads '{modelRead.Path}', whose file {DisplayPath.For(modelFile)} {modelFault}");
        }

        // A column of dates declared TIMESTAMP WITH TIME ZONE is read as instants, which keep no offset: a date's day in
        // UTC is not the one written (the sniffer never takes the type for it, CsvInput.TypeCandidates), and a match of
        // a file of +02:00 dates lost almost every election to the temporal filter without a word.
        if (relation.Csv?.DeclaredTypes.FirstOrDefault(d => d.Type == "TIMESTAMP WITH TIME ZONE" && input.DateColumns.Contains(d.Column, StringComparer.OrdinalIgnoreCase)) is { } zoned)
        {
            throw DiagnosticException.At(Codes.DeclaredTypeInvalid, zoned.At,
                $"data_type {zoned.Type} of column '{zoned.Column}' of {relation.Description} would read the dates the match takes from it as instants, which keep no offset: "
                + "'2024-11-05T00:00:00+02:00' would be 4 November, its day in UTC, not the date written; declare it timestamp or date, which read the date written, or varchar");
        }

        // DuckDB casts text to almost any type: a date column declared boolean or bigint lost every row to the quarantine
        // (EM0500 at best), and an id column declared interval ran and published its ids as lengths of time.
        foreach (var declared in relation.Csv?.DeclaredTypes ?? [])
        {
            if (input.DateColumns.Contains(declared.Column, StringComparer.OrdinalIgnoreCase) && DeclaredTypeFit.DateFault(declared.Type) is { } dateFault)
            {
                throw DiagnosticException.At(Codes.DeclaredTypeInvalid, declared.At,
                    $"data_type {declared.Type} of column '{declared.Column}' of {relation.Description} {dateFault}, and the match takes dates from it; declare it date, timestamp or varchar, or remove data_type to let DuckDB's sniffer choose");
            }

            if (input.IdentifierColumns.FirstOrDefault(m => string.Equals(m.Column, declared.Column, StringComparison.OrdinalIgnoreCase)) is { } identifier
                && DeclaredTypeFit.IdentifierFault(declared.Type) is { } idFault)
            {
                throw DiagnosticException.At(Codes.DeclaredTypeInvalid, declared.At,
                    $"data_type {declared.Type} of column '{declared.Column}' of {relation.Description} {idFault}, and the match reads the column as an identifier ({identifier.Role}: in {identifier.At.File} line {identifier.At.Line}); "
                    + "declare it an integer type such as bigint, varchar (which keeps an id's leading zeros) or uuid, or remove data_type to let DuckDB's sniffer choose");
            }
        }

        if (input.EncodingAt is { } encodingAt && relation.Csv is null)
        {
            throw DiagnosticException.At(Codes.InvalidSetting, encodingAt,
                $"'encoding' is read only for a CSV file or glob named by a source's external_location, which {relation.Description} is not; remove it (a read_csv(…) call takes its own encoding = '…')");
        }

        if (input.DateFormatAt is { } dateFormatAt)
        {
            CheckDateFormat(warehouse, TemporalFormat.Date, input.DateFormat!, dateFormatAt, relation);
        }

        if (input.TimestampFormatAt is { } timestampFormatAt)
        {
            CheckDateFormat(warehouse, TemporalFormat.Timestamp, input.TimestampFormat!, timestampFormatAt, relation);
        }

        if (relation.Csv is { Encoding: not "utf-16" } encoded
            && encoded.Files.Select(f => (File: f, Layout: Utf16Layout.Evident(f))).ToList() is var layouts
            && layouts.FirstOrDefault(f => f.Layout is not null) is { File: { } utf16, Layout: { } layout })
        {
            // DuckDB reads the bytes as UTF-8 and finds one garbled column per character pair, not an error: every mapped
            // column is then missing from a header of spaced-out letters (g p _ c a n d i d a c y _ i d). encoding: utf-16
            // reads every file of the input so: advised only when every file is UTF-16 little-endian.
            var how = (layout.BigEndian, layout.ByteOrderMark) switch
            {
                (true, true) => " (big-endian)",
                (true, false) => $" (big-endian, without a byte order mark: {layout.ZeroBytesSaid})",
                (false, true) => "",
                (false, false) => $" (little-endian, without a byte order mark: {layout.ZeroBytesSaid})",
            };
            throw DiagnosticException.At(Codes.InputUnreadable, relation.At, $"cannot read {relation.Description}: {(encoded.IsGlob ? encoded.DisplayOf(utf16) : "the file")} is UTF-16 encoded{how}; save it as UTF-8, which DuckDB's CSV reader reads{(layout.BigEndian || !layouts.All(f => f.Layout is { BigEndian: false }) ? "" : ", or set encoding: utf-16 on the input")}");
        }

        if (relation.Csv is { Encoding: "utf-16" } wide
            && wide.Files.Select(f => (File: f, Layout: Utf16Layout.Of(f))).FirstOrDefault(f => f.Layout is { IsUtf16: false } or { BigEndian: true }) is { File: { } unread } unreadable)
        {
            // DuckDB reads such a file's bytes in pairs, little-endian: its whole text is one garbled header line, and the
            // input "has no rows" or lacks every mapped column.
            var shown = wide.IsGlob ? wide.DisplayOf(unread) : "the file";
            throw DiagnosticException.At(Codes.InputUnreadable, input.EncodingAt ?? relation.At, unreadable.Layout is { IsUtf16: true } bigEndian
                ? $"cannot read {relation.Description} with encoding: utf-16: {shown} is UTF-16 big-endian ({(bigEndian.ByteOrderMark ? "its byte order mark says so" : bigEndian.ZeroBytesSaid)}), and DuckDB's CSV reader reads UTF-16 little-endian only, every character garbled: save the file as UTF-16 little-endian (what Windows calls Unicode) or as UTF-8 (then remove encoding: utf-16)"
                : $"cannot read {relation.Description} with encoding: utf-16: {shown} is not UTF-16 (it has no byte order mark, and none of its first bytes is the zero byte UTF-16 writes beside every ASCII character: a letter, a digit, a comma, a line break){(Utf8(unread) ? "; it reads as UTF-8" : "")}: remove encoding: utf-16 from the input, or save the file as UTF-16");
        }

        if (relation.Csv?.FileWithoutHeader() is { } headless)
        {
            throw DiagnosticException.At(Codes.InputUnreadable, new SourceSpan(relation.Csv.DisplayOf(headless.File), 1, 1),
                $"cannot read {relation.Description}: {relation.Csv.DisplayOf(headless.File)} {headless.What}, and every file of the glob needs the header line " +
                "the others have (an export that failed?): export it again, or remove it if it should hold no rows");
        }

        // A file the sniffer's written-out read cannot carry keeps detection, with the column types the sniffer found.
        // Only the columns the match reads are typed (keep_columns: all reads every one).
        // A kept column the match does not read is typed too, but read as text when a value does not fit (EM0027).
        IReadOnlyCollection<string> read = [input.Id, .. input.Columns.Values.Select(m => m.Column)];
        IReadOnlyCollection<string>? typed = input.Keep is { All: true } ? null : [.. read, .. (input.Keep?.Listed ?? []).Select(m => m.Column)];
        if (relation.Csv?.Sniff(warehouse, typed, input.DateColumns) is { } sniffedAll)
        {
            var (sniffed, warnings) = sniffedAll.PassThroughAsText(warehouse, read);
            // An input that keeps detection (a path or header the sniffer's read cannot carry) is read anew: only now does
            // its read know the columns, and so give the declared ones their data_type (CsvInput.AutoDetected).
            relation = relation with { Sql = sniffed.Sniffed ?? sniffed.Relation, Csv = sniffed, Warnings = [.. warnings, .. UndeclaredColumns(sniffed, relation)] };
            if (sniffed.DatesOfEitherOrder(warehouse) is { } dates)
            {
                throw DiagnosticException.At(Codes.DateOrderAmbiguous, new SourceSpan(sniffed.DisplayOf(sniffed.Files[0]), 1, 1), dates.Message(relation.Description));
            }
        }

        if (relation.Csv is { } files && files.FileWithOtherHeader() is { } other)
        {
            throw DiagnosticException.At(Codes.InputUnreadable, new SourceSpan(files.DisplayOf(other.File), 1, 1),
                $"cannot read {relation.Description}: the header of {files.DisplayOf(other.File)} ({Header(other.Header)}) is not that of {files.DisplayOf(files.Files[0])} ({Header(other.FirstHeader)}), " +
                "the glob's first file, whose columns DuckDB reads every file's fields into by position: give the files one header, or read them with their own source each");
        }

        if (relation.Csv?.WithSurplusFieldRowsApart(warehouse) is { SurplusFieldRows.Count: > 0 } apart)
        {
            // A line with one field too many, the last empty, is a ragged row as DuckDB's reader does not take it.
            relation = relation with { Sql = apart.Relation, Csv = apart };
        }

        IReadOnlyList<ColumnInfo> columns;
        bool empty;
        try
        {
            columns = warehouse.Describe("select * from " + relation.Sql);
            empty = !warehouse.Scalar<bool>($"select exists (select 1 from {relation.Sql})")
                && (relation.Csv is null || warehouse.Scalar<long>($"select count(*) from {relation.Csv.RejectsTable}") == 0);
        }
        catch (DuckDB.NET.Data.DuckDBException e) when (!MemoryLimitExceeded.Is(e))
        {
            DiskFull.ThrowIfFull(e);
            if (LineEndings.MixedIn(relation) is { } mixed)
            {
                throw mixed;
            }

            if (LineTooLong(relation.Csv, e.Message) is { } tooLong)
            {
                throw tooLong;
            }

            throw DiagnosticException.At(Codes.InputUnreadable, relation.At, $"cannot read {relation.Description}: {Reason(e.Message)}");
        }

        // An input with no rows is a failed export or sync, not a quiet day: publishing "nothing matched" would be wrong.
        if (empty)
        {
            throw DiagnosticException.At(Codes.InputEmpty, relation.At, $"{relation.Description} has no rows; nothing to match, so nothing was published");
        }

        // DuckDB's binder resolves a column name without regard to case (a dbt-duckdb model reads `gp_candidacy_id` of a
        // header `GP_CANDIDACY_ID`), and the repeated-header check (EM0025) compares so too: a mapping is found alike.
        var names = columns.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = new List<Diagnostic>();
        if (!names.Contains(input.Id))
        {
            missing.Add(Diagnostic.Error(Codes.ColumnNotFound, input.IdAt, Spelling.ColumnNotFound(input.Id, relation.Description, names)));
        }

        foreach (var mapping in input.Columns.Values.Concat(input.Keep?.Listed ?? []).Where(m => !names.Contains(m.Column)))
        {
            missing.Add(Diagnostic.Error(Codes.ColumnNotFound, mapping.At, Spelling.ColumnNotFound(mapping.Column, relation.Description, names)));
        }

        if (missing.Count > 0 && relation.Csv is { HeaderFound: false } firstLineData)
        {
            // Every mapped column is "missing" because the sniffer read the first line as data: say that once, at that line.
            var notUtf8 = firstLineData.HeaderLineNotUtf8();
            throw DiagnosticException.At(Codes.InputUnreadable, new SourceSpan(firstLineData.DisplayOf(firstLineData.Files[0]), 1, notUtf8?.Column ?? 1), HeaderNotFound(relation.Description, firstLineData, notUtf8, columns));
        }

        if (missing.Count > 0 && columns is [var only] && OneColumnSeparator(only.Name) is { } separator)
        {
            // Every mapped column is "missing" because the whole header is one name: say that once, and why.
            var first = missing[0];
            var column = names.Contains(input.Id) ? input.Columns.Values.First(m => !names.Contains(m.Column)).Column : input.Id;
            throw DiagnosticException.At(Codes.ColumnNotFound, new SourceSpan(first.File, first.Line, first.Column), OneColumnRead(column, relation, only.Name, separator, resolver.Project.Directory));
        }

        missing.AddRange(NotReadableTypes(input, columns, relation.Description));
        if (relation.Csv is { } csv)
        {
            missing.AddRange(RepeatedHeaderNames(csv, [input.Id, .. input.Columns.Values.Concat(input.Keep?.Listed ?? []).Select(m => m.Column)], input.Keep is { All: true }));
        }

        if (missing.Count > 0)
        {
            throw new DiagnosticException(missing);
        }

        var kept = input.Keep?.Of(columns, published) ?? [];
        return relation with { Kept = kept, Warnings = [.. relation.Warnings, .. DeclaredTypeMismatch.Warnings(warehouse, relation, columns, [.. read, .. kept])] };
    }

    /// <summary>
    /// An error at each mapping (and the id) whose column is of a type the match reads no text, number or date from: a
    /// LIST, ARRAY, STRUCT, MAP, UNION, JSON or BLOB column. Before, each was cast to text: a JSON-typed name (a JSON
    /// file with one object among its strings) was matched with its quotes (<c>"STATE HOUSE 005"</c>), a STRUCT id was
    /// published as <c>{'id': gpc-000116}</c>, and a LIST of names was matched as its brackets or quarantined as too long.
    /// </summary>
    private static IEnumerable<Diagnostic> NotReadableTypes(InputSettings input, IReadOnlyList<ColumnInfo> columns, string description)
    {
        var mappings = new[] { new ColumnMapping("id", input.Id, input.IdAt) }.Concat(input.Columns.Values);
        foreach (var mapping in mappings)
        {
            if (columns.FirstOrDefault(c => c.Name.Equals(mapping.Column, StringComparison.OrdinalIgnoreCase)) is { } column && NotReadableKind(column.DataType) is { } kind)
            {
                yield return Diagnostic.Error(Codes.ColumnTypeNotReadable, mapping.At,
                    $"column '{column.Name}' of {description}, mapped as the {(mapping.Role == "id" ? "id" : $"'{mapping.Role}'")}, is a {kind} ({column.DataType}); the match reads text, a number or a date from each column it maps, and would read this one's values cast to text as a whole: " +
                    "map a column of text, numbers or dates instead, or select the field or element meant in a model (for a JSON file whose value is an object or list on some line, fix those lines)");
            }
        }
    }

    // The kind of a DuckDB type the match cannot read a value from (LIST, ARRAY, STRUCT, MAP, UNION, JSON, BLOB), or null.
    internal static string? NotReadableKind(string type) => type.Trim() switch
    {
        var t when t.EndsWith("[]", StringComparison.Ordinal) => "LIST",
        var t when t.EndsWith(']') => "ARRAY",
        var t when t.StartsWith("STRUCT", StringComparison.OrdinalIgnoreCase) => "STRUCT",
        var t when t.StartsWith("MAP", StringComparison.OrdinalIgnoreCase) => "MAP",
        var t when t.StartsWith("UNION", StringComparison.OrdinalIgnoreCase) => "UNION",
        var t when t.Equals("JSON", StringComparison.OrdinalIgnoreCase) => "JSON",
        var t when t.Equals("BLOB", StringComparison.OrdinalIgnoreCase) => "BLOB",
        _ => null,
    };

    /// <summary>
    /// The options that change what a run publishes, as the CLI spells them: what a run that finishes an interrupted one
    /// must be given to publish the same (<see cref="Codes.RunInterrupted"/>).
    /// </summary>
    internal static string ResultOptions(RunOptions options) => string.Join(' ', new[]
    {
        (options.Incremental || options.FullRecompute || options.Retrain, "--incremental"),
        (options.FullRecompute, "--full"),
        (options.Retrain, "--retrain"),
    }.Where(o => o.Item1).Select(o => o.Item2));

    /// <summary>
    /// An input whose every row went to quarantine is a failed export as surely as an empty one (EM0500): a snapshot of
    /// nothing matched would move the stable model, and every model downstream of it, onto no rows. The error gives the
    /// reasons and the first row's message; the rows stay in the run's quarantine table.
    /// </summary>
    private static void RefuseUnusableInputs(DuckDbWarehouse warehouse, MatchInputs inputs, MatchResult result)
    {
        var refused = new List<Diagnostic>();
        foreach (var (side, input) in new[] { ("left", inputs.Left), ("right", inputs.Right) })
        {
            if (result.Accounts.FirstOrDefault(a => a.Input == side && a.Unit == InputRowAccount.Unit) is not { Read: > 0 } account
                || account.Outcomes.Any(o => o.Outcome == "used" && o.Rows > 0))
            {
                continue;
            }

            var reasons = string.Join(", ", account.Outcomes.Where(o => o.Rows > 0).Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Reason}: {o.Rows:N0}")));
            var first = warehouse.Query($"select row_number, message from {result.QuarantineTable} where input = {Sql.Literal(side)} order by row_number limit 1",
                r => string.Create(CultureInfo.InvariantCulture, $"; the first, row {r.GetInt64(0)}: {r.GetString(1)}")).FirstOrDefault() ?? "";
            refused.Add(Diagnostic.Error(Codes.InputEmpty, input.At, string.Create(CultureInfo.InvariantCulture,
                $"{input.Description}: none of its {account.Read:N0} rows could be used ({reasons}){first}; nothing to match, so nothing was published (the rows are in {result.QuarantineTable})")));
        }

        if (refused.Count > 0)
        {
            throw new DiagnosticException(refused);
        }
    }

    private static string HeaderNotFound(string description, CsvInput csv, (byte Byte, int Column, int Field)? notUtf8, IReadOnlyList<ColumnInfo> columns)
    {
        var named = columns.Count > 0 ? $"names the columns {columns[0].Name}…{columns[^1].Name}" : "names no column";
        var file = csv.DisplayOf(csv.Files[0]);
        return notUtf8 is { } bad
            ? string.Create(CultureInfo.InvariantCulture, $"cannot read {description}: the header line of {file} is not UTF-8 (byte 0x{bad.Byte:X2} in field {bad.Field}, column {bad.Column}), so DuckDB's sniffer did not take it for the header and {named}, not the names electionmatch.yml maps; save the file as UTF-8 (an export in Windows-1252 or Latin-1 writes such bytes for accented letters)")
            : $"cannot read {description}: DuckDB's sniffer found no header line in {file}: its first line reads as a row of data like the others, so it {named}, not the names electionmatch.yml maps; add the header line (the columns' names, separated as the rows are) as the file's first line";
    }

    /// <summary>The separator a lone column's name holds most often (',' ';' '|' or tab): the file's delimiter the read did not use.</summary>
    private static char? OneColumnSeparator(string name) =>
        new[] { ',', ';', '|', '\t' }.Select(c => (Separator: c, Count: name.Count(n => n == c))).Where(x => x.Count > 0)
            .OrderByDescending(x => x.Count).Select(x => (char?)x.Separator).FirstOrDefault();

    private static string OneColumnRead(string column, InputRelation relation, string header, char separator, string projectDirectory)
    {
        var shown = header.Length > 120 ? header[..120] + "…" : header;
        var delim = separator == '\t' ? "\\t" : separator.ToString();
        var read = $"column '{column}' is not in {relation.Description}: it was read as one column, named '{shown}'; its header holds the names separated by '{delim}', ";
        if (relation.Csv is not null || DelimiterGiven().IsMatch(relation.Sql))
        {
            return read + $"which the read did not take as the delimiter; read it with delim = '{delim}' (in the source's external_location, read_csv(…, delim = '{delim}')), or leave delim out for DuckDB to detect it";
        }

        // DuckDB's sniffer, left to find the delimiter, settles on none when a line splits otherwise than the header, and
        // given the delimiter it fails without naming the line: find it, when the call reads one local file.
        var file = CsvCallFile(relation.Sql, projectDirectory);
        var cause = file is not null && FirstRaggedLine(file, separator) is var (line, fields, headerFields)
            ? string.Create(CultureInfo.InvariantCulture, $"but line {line} of {DisplayPath.For(file)} has {fields} {(fields == 1 ? "field" : "fields")} where the header has {headerFields}, so DuckDB's sniffer, left to find the delimiter, took none")
            : "but DuckDB's sniffer, left to find the delimiter, took none, as it does when a line has more or fewer fields than the header";
        return read + cause + "; fix that line, or give the file's path alone as the source's external_location: ElectionMatch then reads it with its header's delimiter and quarantines such a line (EMQ009), naming it, while the run goes on";
    }

    [GeneratedRegex(@"\b(delim|sep|delimiter)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex DelimiterGiven();

    [GeneratedRegex(@"^\s*read_csv(_auto)?\s*\(\s*'((?:[^']|'')*)'", RegexOptions.IgnoreCase)]
    private static partial Regex CsvCall();

    /// <summary>The one local, existing file a <c>read_csv('…')</c> call reads (as DuckDB finds it: where the command runs, else in the project), or null.</summary>
    private static string? CsvCallFile(string sql, string projectDirectory)
    {
        if (CsvCall().Match(sql) is not { Success: true } call)
        {
            return null;
        }

        var path = call.Groups[2].Value.Replace("''", "'", StringComparison.Ordinal);
        return DuckDbWarehouse.IsGlob(path) ? null
            : File.Exists(path) ? Path.GetFullPath(path)
            : File.Exists(Path.Combine(projectDirectory, path)) ? Path.Combine(projectDirectory, path)
            : null;
    }

    /// <summary>The first record whose fields, split by the header's delimiter, are more or fewer than the header's.</summary>
    private static (int Line, int Fields, int HeaderFields)? FirstRaggedLine(string path, char delimiter)
    {
        using var reader = CsvRecords.Open(path);
        int? header = null;
        foreach (var (line, fields) in CsvRecords.Read(reader, delimiter, _ => { }))
        {
            header ??= fields.Count;
            if (fields.Count != header)
            {
                return (line, fields.Count, header.Value);
            }
        }

        return null;
    }

    /// <summary>
    /// A column the match reads whose name the CSV header repeats, in any case (DuckDB's names ignore case): DuckDB reads
    /// the first under the name and the second as <c>name_1</c>, so the match would read whichever came first, silently;
    /// with <c>keep_columns: all</c> (<paramref name="keepsAll"/>) every column is read, and the second would be published
    /// as <c>name_1</c>, a name the input does not have. Reported at the header line.
    /// </summary>
    private static IEnumerable<Diagnostic> RepeatedHeaderNames(CsvInput csv, IReadOnlyList<string> read, bool keepsAll)
    {
        var header = csv.HeaderNames(csv.Delimiter);
        foreach (var repeated in header.Select((name, i) => (Name: name, Column: i + 1)).GroupBy(h => h.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            var used = read.FirstOrDefault(r => string.Equals(r, repeated.Key, StringComparison.OrdinalIgnoreCase));
            if (used is null && !keepsAll)
            {
                continue;
            }

            var names = string.Join(", ", repeated.Select(h => $"'{h.Name}'").Distinct(StringComparer.Ordinal));
            var reads = used is not null
                ? $"electionmatch.yml reads '{used}'"
                : $"{KeptColumns.Key}: {KeptColumns.AllWord} in electionmatch.yml publishes every column, the second as '{repeated.ElementAt(1).Name}_1', a name the input does not have";
            yield return Diagnostic.Error(Codes.ColumnRepeated, new SourceSpan(csv.DisplayPath, 1, 1),
                $"the header names column '{repeated.Key}' more than once (fields {string.Join(", ", repeated.Select(h => h.Column))}{(names.Contains(',', StringComparison.Ordinal) ? $": {names}, the same name to DuckDB, which ignores case" : "")}), and {reads}: rename the others so it is clear which to read");
        }
    }

    /// <summary>
    /// A CSV line longer than DuckDB's reader takes ("Maximum line size of 2000000 bytes exceeded") stops the whole read,
    /// and DuckDB names it as line 1 whatever its line: the error is put at the line itself, found by reading the file.
    /// </summary>
    private static DiagnosticException? LineTooLong(CsvInput? csv, string message)
    {
        var limit = Regex.Match(message, @"Maximum line size of (\d+) bytes");
        if (csv is null || !limit.Success || csv.FirstLineLongerThan(long.Parse(limit.Groups[1].Value, CultureInfo.InvariantCulture)) is not { } line)
        {
            return null;
        }

        return DiagnosticException.At(Codes.InputUnreadable, new SourceSpan(csv.DisplayOf(line.File), (int)Math.Min(line.Line, int.MaxValue), 1), string.Create(CultureInfo.InvariantCulture,
            $"line {line.Line:N0} is {line.Bytes:N0} bytes, longer than DuckDB's CSV reader takes ({limit.Groups[1].Value} bytes), which stops the whole read, so nothing was matched or published; shorten that line's long value (a value over max_text_length would then be quarantined, EMQ006), or read the file with its own read_csv(…, max_line_size = …) call as the external_location"));
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    /// <summary>DuckDB's reason, said plainly where its first line misleads: an over-long CSV line is "CSV Error on Line: 1" whatever its line.</summary>
    private static string Reason(string message)
    {
        var tooLong = message.Split('\n').FirstOrDefault(l => l.Contains("Maximum line size", StringComparison.Ordinal));
        return tooLong is null ? FirstLine(message) : $"a line is longer than DuckDB's CSV reader takes ({tooLong.Trim()}); shorten that value or read the file with its own read_csv(…, max_line_size = …) call as the external_location";
    }

    private static string Header(IReadOnlyList<string> names) => names.Count == 0 ? "no header line" : string.Join(", ", names);

    // Whether a file's first 4 KB are UTF-8 (a sequence cut at the end allowed).
    private static bool Utf8(string path)
    {
        var start = new byte[4096];
        using var file = CsvRecords.OpenBytes(path);
        var read = file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        var status = System.Text.Unicode.Utf8.ToUtf16(start.AsSpan(0, read), new char[read], out _, out _, replaceInvalidSequences: false, isFinalBlock: read < start.Length);
        return status is System.Buffers.OperationStatus.Done or System.Buffers.OperationStatus.NeedMoreData;
    }

    /// <summary>
    /// What the run's files are written from (<see cref="PendingPublish"/>), built inside the publish transaction once the
    /// snapshot table has its name: the manifest but for its creation time and previous link, the model file's text and the
    /// matcher's summary lines.
    /// </summary>
    private PendingPublish Pending(SnapshotName name, MatchSettings match, MatchResult result, PublishedSnapshot published, string runId, (string Left, string Right) inputHashes, ModelProviders providers, DuckDbWarehouse warehouse, string runOptions)
    {
        var manifest = new SnapshotManifest
        {
            Tool = ToolInfo.Name,
            ToolVersion = ToolInfo.Version,
            ToolBuild = ToolInfo.Fingerprint,
            Match = match.Name,
            Snapshot = name.Table,
            Table = $"{_context.Settings.Snapshots.Schema}.{name.Table}",
            QuarantineTable = $"{_context.Settings.Snapshots.Schema}.{name.QuarantineTable}",
            SnapshotDate = name.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            CreatedAtUtc = default,
            RunId = runId,
            SettingsSha256 = _context.Settings.ContentHash,
            MatchSettingsSha256 = match.ResultsSha256,
            TemplateSha256 = _context.RunTemplateHashes(match),
            ModelParametersSha256 = result.ModelParametersJson is { } parameters ? SnapshotManifest.Sha256(parameters) : null,
            Inputs =
            [
                new ManifestInput("left", match.Left.Relation, result.Counts["left_rows_read"], inputHashes.Left, InputHash.CurrentVersion),
                new ManifestInput("right", match.Right.Relation, result.Counts["right_rows_read"], inputHashes.Right, InputHash.CurrentVersion),
            ],
            Counts = result.Counts,
            Rows = published.Rows,
            RowAccounting = result.Accounts,
            CanonicalOrder = result.OrderBy,
            ContentSha256 = published.ContentSha256,
            ContentSha256Version = published.ContentVersion,
            QuarantineRows = published.QuarantineRows,
            QuarantineContentSha256 = published.QuarantineSha256,
            Models = providers.Models,
            JudgeShare = JudgeShare(result.Counts),
            Columns = warehouse.Describe("select * from " + Sql.Identifier(_context.Settings.Snapshots.Schema, name.Table)),
            ReferenceFiles = ReferenceData.Hashes(MatchDefinition.For(match.Kind).ReferenceFiles),
            ComparisonLevels = ComparisonDefinitions.Of(MatchDefinition.For(match.Kind).Comparisons),
            RunOptions = runOptions,
        };
        return new PendingPublish(manifest, result.ModelParametersJson, result.Summary);
    }

    /// <summary>
    /// Published rows the judge decided over the rows published, as <c>evaluate</c> reckons it from the snapshot; rows
    /// judged but not published (a discovered runoff left unlinked) are said apart by <see cref="RunSummary"/>.
    /// </summary>
    private static double JudgeShare(IReadOnlyDictionary<string, long> counts) =>
        counts.TryGetValue("output_rows", out var rows) && rows > 0 ? Math.Round((double)counts.GetValueOrDefault("decided_by_judge") / rows, 4) : 0;

    /// <summary>
    /// The previous link of the chain: the hash of the match's most recently published manifest other than this
    /// snapshot's. Publication order, not date order, so a back-dated snapshot published later (or an interrupted one
    /// repaired later) extends the chain instead of splitting it; a manifest of an interrupted run is no link until
    /// its repair (<see cref="ManifestFiles.Chain"/>), and one that does not parse is skipped here and reported by verify.
    /// A pruned snapshot's manifest is a link like any other: it was published, and is kept under pruned/.
    /// The warehouse's snapshot log names the manifests its runs completed, so a manifest file missing here (moved away,
    /// not yet restored from version control) is still the link when it is the newest: before, the run linked to the
    /// newest file there was, or to none, and the restored file then broke the chain for good (EM0606). The newer of
    /// the two by publication wins, so a teammate's newer manifest, which this warehouse's log lacks, is the link too.
    /// </summary>
    private string? PreviousManifest(SnapshotName name, SnapshotLog log)
    {
        var file = ManifestFiles.Chain([.. ManifestFiles.Of(_context, name.Match), .. ManifestFiles.Pruned(_context, name.Match)], log, name.Match)
            .LastOrDefault(m => m.Manifest!.Snapshot != name.Table);
        var logged = log.Latest(name.Match)
            .Where(r => r.IsComplete && r.Snapshot != name.Table)
            .Select(r => (r.ManifestSha256, Manifest: r.ParsedManifest()))
            .LastOrDefault(r => r.Manifest is not null);
        return logged.Manifest is { } manifest && (file is null || manifest.CreatedAtUtc > file.Manifest!.CreatedAtUtc)
            ? logged.ManifestSha256
            : file?.Sha256;
    }
}
