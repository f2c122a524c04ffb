using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Generation;
using ElectionMatch.Settings;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Operations;

/// <summary>Everything read from a dbt repository before any command does its work.</summary>
public sealed partial class ProjectContext
{
    private ProjectContext(DbtProject project, WarehouseTarget target, SourceCatalog sources, ElectionMatchSettings settings)
    {
        Project = project;
        Target = target;
        Sources = sources;
        Settings = settings;
        Templates = TemplateLibrary.ForProject(project.Directory);
        YamlForm = DbtYamlForm.For(settings, project);
    }

    public DbtProject Project { get; }

    public WarehouseTarget Target { get; }

    public SourceCatalog Sources { get; }

    public ElectionMatchSettings Settings { get; }

    public TemplateLibrary Templates { get; }

    /// <summary>Which dbt version's YAML the generated files are written in.</summary>
    public DbtYamlForm YamlForm { get; }

    /// <summary>The renderer of every staging file, stable model and sources entry, in <see cref="YamlForm"/>.</summary>
    public StagingModelRenderer StagingRenderer() => new(Templates, Settings.Snapshots, YamlForm);

    /// <summary>
    /// The templates a run of <paramref name="match"/> records in its manifest, with the SHA-256 of the text in use: the
    /// staging templates, and with an LLM judge its prompt (its answers depend on it). <c>verify</c> compares the same set.
    /// </summary>
    public IReadOnlyDictionary<string, string> RunTemplateHashes(MatchSettings match)
    {
        var staging = StagingRenderer().TemplateHashes();
        if (match.Judge.IsOffline)
        {
            return staging;
        }

        var prompt = Matching.Judging.JudgePrompt.TemplateFor(match.Kind);
        return staging.Append(new(prompt, Templates.Sha256(prompt))).ToDictionary();
    }

    /// <summary>How long to wait for another electionmatch command holding the warehouse (<see cref="WarehouseLock"/>).</summary>
    public TimeSpan LockTimeout { get; private init; } = TimeSpan.FromSeconds(60);

    /// <summary><see cref="ProjectOptions.LockWaiting"/>.</summary>
    public Action<string>? LockWaiting { get; private init; }

    /// <summary>What runs the operation (<see cref="ProjectOptions.Host"/>).</summary>
    public ProjectHost Host { get; private init; } = ProjectHost.Cli;

    /// <summary>
    /// A run option as this host takes it: the CLI's flag (<c>--replace</c>), or in a build the property of
    /// <c>ElectionMatchRun</c> (<c>-p:Replace=true</c>), so advice in a message can be followed where it is read.
    /// </summary>
    public string RunOption(string flag) => Host != ProjectHost.MSBuild ? flag : flag switch
    {
        "--replace" => "-p:Replace=true",
        "--snapshot-date" => "-p:SnapshotDate=YYYY-MM-DD",
        "--allow-future-date" => "-p:AllowFutureDate=true",
        "--incremental" => "-p:Incremental=true",
        "--full" => "-p:Full=true",
        "--retrain" => "-p:Retrain=true",
        _ => throw new ArgumentOutOfRangeException(nameof(flag), flag, "not a run option"),
    };

    /// <summary>Prune's <c>--keep N</c> as this host takes it: in a build, <c>ElectionMatchPrune</c>'s <c>-p:Keep=N</c>.</summary>
    public string KeepOption(int count) => Host == ProjectHost.MSBuild
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"-p:Keep={count}")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"--keep {count}");

    /// <summary>The project options as the command line gave them: advice in a message repeats them (<see cref="CommandOptions"/>).</summary>
    public ProjectOptions Options { get; private init; } = new(".");

    /// <summary>
    /// The command that runs <paramref name="match"/> for <paramref name="date"/> (none: today's) as this host takes it, with
    /// <c>--allow-future-date</c> when the date needs it and the further run <paramref name="options"/> (CLI flags), and on
    /// the command line the user's project options (<see cref="CommandOptions"/>).
    /// </summary>
    public string RunCommand(string match, DateOnly? date, IEnumerable<string> options)
    {
        var future = date is { } d && SnapshotDateRange.NeedsAllowFuture(d, DateOnly.FromDateTime(DateTime.UtcNow)) ? " " + RunOption("--allow-future-date") : "";
        var rest = string.Concat(options.Select(o => " " + RunOption(o)));
        return Host == ProjectHost.MSBuild
            ? $"dotnet build -t:ElectionMatchRun -p:Match={match}{(date is null ? "" : $" -p:SnapshotDate={date:yyyy-MM-dd}")}{future}{rest}"
            : $"electionmatch run {match}{(date is null ? "" : $" --snapshot-date {date:yyyy-MM-dd}")}{future}{rest}{CommandOptions}";
    }

    /// <summary>
    /// The command that finishes the snapshot an interrupted run published (EM0608): that run again, with its own options
    /// (an incremental run's model and partitions), or the rerun would publish something else.
    /// </summary>
    public string FinishCommand(PublishRecord record) =>
        RunCommand(record.Match, SnapshotName.TryParse(record.Snapshot, record.Match)!.Date, record.RunOptions.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>
    /// The command that explains <paramref name="leftId"/> of <paramref name="match"/>: the CLI's, with the user's project
    /// options; explain has no build target, so a build never advises it.
    /// </summary>
    public string ExplainCommand(string match, string leftId) =>
        $"electionmatch explain {match} {ShellWord(leftId)}{CommandOptions}";

    /// <summary>
    /// The user's <c>--project-dir</c>, <c>--profiles-dir</c> and <c>--target</c> as given (each with a space before it, the
    /// defaults left out), to end a CLI command a message advises: without them it would run on another project. Empty in a
    /// build, whose project file names the project.
    /// </summary>
    public string CommandOptions => Host == ProjectHost.MSBuild ? "" :
        (Options.ProjectDirectoryAsGiven is null or "." or "" ? "" : " --project-dir " + ShellWord(Options.ProjectDirectoryAsGiven))
        + (Options.ProfilesDirectory is null ? "" : " --profiles-dir " + ShellWord(Options.ProfilesDirectory))
        + (Options.Target is null ? "" : " --target " + ShellWord(Options.Target));

    // Quoted for a POSIX shell when it holds anything but the characters of a plain path.
    private static string ShellWord(string text) =>
        text.All(c => char.IsAsciiLetterOrDigit(c) || "_-./:=@+,".Contains(c, StringComparison.Ordinal)) ? text : "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// What to do about a snapshot table that no longer holds what was published (EM0601–EM0604, EM0611, EM0612). A run
    /// with <c>--replace</c> recomputes the snapshot from the inputs as they are now, so for a past date it publishes other
    /// data under the old date: <c>electionmatch restore</c> comes first when the parquet copy holds the snapshot as published.
    /// </summary>
    /// <param name="fromParquet">The snapshot's parquet copy (<see cref="ParquetPath"/>) holds what was published, and
    /// restoring the table from it is all the finding needs.</param>
    public string RepublishAdvice(SnapshotName name, bool fromParquet) =>
        fromParquet
            ? RestoreAdvice(name, $"its parquet copy {DisplayPath.For(ParquetPath(name))} holds it as published", "puts the table back from it")
            : $"`{RunCommand(name.Match, name.Date, ["--replace"])}` republishes it, but recomputes it {RecomputedFrom(name)}; to have it back as published, restore the warehouse from a backup";

    /// <summary>
    /// What to do about a snapshot's <c>__quarantine</c> table that is missing or no longer holds what was published (EM0604,
    /// EM0612). No copy of a quarantine is kept, but one its manifest records empty is exactly an empty table with a run's
    /// quarantine columns, which <c>restore</c> recreates (<see cref="SnapshotManifest.QuarantineRecreatable"/>).
    /// </summary>
    /// <param name="manifest">The snapshot's manifest as published.</param>
    public string QuarantineAdvice(SnapshotName name, SnapshotManifest manifest) =>
        manifest.QuarantineRecreatable
            ? RestoreAdvice(name, "its manifest records it empty (quarantine_rows 0)", "recreates it empty, as published")
            : RepublishAdvice(name, fromParquet: false);

    /// <summary>The restore first (<paramref name="holds"/>: why it can; <paramref name="does"/>: what it does), then the run that would recompute instead.</summary>
    private string RestoreAdvice(SnapshotName name, string holds, string does) =>
        $"{holds}: `{RestoreCommand(name)}` {does}; `{RunCommand(name.Match, name.Date, ["--replace"])}` would instead recompute it {RecomputedFrom(name)}";

    /// <summary>The command that restores a snapshot: <c>electionmatch restore</c>, or in a build its target (ElectionMatchRestore).</summary>
    public string RestoreCommand(SnapshotName name) => Host == ProjectHost.MSBuild
        ? $"dotnet build -t:ElectionMatchRestore -p:Match={name.Match} -p:SnapshotDate={name.Date:yyyy-MM-dd}"
        : $"electionmatch restore {name.Match} --snapshot-date {name.Date:yyyy-MM-dd}{CommandOptions}";

    /// <summary>The command that prunes a snapshot: <c>electionmatch prune</c>, or in a build its target (ElectionMatchPrune, a dry run unless told).</summary>
    /// <param name="orphaned">With <c>--orphaned</c> (<c>-p:Orphaned=true</c>): the snapshot's manifest is not in this checkout, and prune refuses it without.</param>
    public string PruneCommand(SnapshotName name, bool orphaned = false) => Host == ProjectHost.MSBuild
        ? $"dotnet build -t:ElectionMatchPrune -p:Match={name.Match} -p:SnapshotDate={name.Date:yyyy-MM-dd}{(orphaned ? " -p:Orphaned=true" : "")} -p:DryRun=false"
        : $"electionmatch prune {name.Match} --snapshot-date {name.Date:yyyy-MM-dd}{(orphaned ? " --orphaned" : "")}{CommandOptions}";

    /// <summary>
    /// The command that retires a match electionmatch.yml no longer defines: prune every snapshot of it, and its stable
    /// model with the last (<c>--keep 0</c>, which prune takes only for such a match).
    /// </summary>
    public string RetireCommand(string match) => Host == ProjectHost.MSBuild
        ? $"dotnet build -t:ElectionMatchPrune -p:Match={match} -p:Keep=0 -p:DryRun=false"
        : $"electionmatch prune {match} --keep 0{CommandOptions}";

    internal static string RecomputedFrom(SnapshotName name) => $"from the inputs as they are now, publishing their current data under {name.Date:yyyy-MM-dd}";

    public static ProjectContext Load(ProjectOptions options)
    {
        var project = DbtProject.Load(options.ProjectDirectory);
        var target = Profiles.Resolve(project, options.ProfilesDirectory, options.Target, options.StartupDirectory);
        var settings = ElectionMatchSettings.Load(project, inputs => RelationErrors(project, target, inputs));
        var sources = SourceCatalog.Load(project);
        return new ProjectContext(project, target, sources, settings) { LockTimeout = options.LockTimeout, LockWaiting = options.LockWaiting, Host = options.Host, Options = options };
    }

    /// <summary>
    /// The inputs whose relation names nothing, for a settings read that fails: said with its errors. A sources YAML
    /// that does not read says nothing here; its own error comes once electionmatch.yml reads.
    /// </summary>
    private static List<Diagnostic> RelationErrors(DbtProject project, WarehouseTarget target, IReadOnlyList<InputSettings> inputs)
    {
        SourceCatalog sources;
        try
        {
            sources = SourceCatalog.Load(project);
        }
        catch (DiagnosticException)
        {
            return [];
        }

        var resolver = new RelationResolver(project, sources, target, (_, _) => false);
        IReadOnlySet<string>? refNames = null;
        return inputs.Select(i => RelationNamed.Error(i, project, sources, resolver, () => refNames ??= project.RefNames())).OfType<Diagnostic>().ToList();
    }

    /// <summary>
    /// Takes the warehouse's lock (<see cref="WarehouseLock"/>) and returns, in <paramref name="current"/>, this context
    /// with the sources YAML read again under it. Another command may have held the lock while this one waited, and a
    /// run adds its snapshot's entry to that file: what is decided under the lock (which entries exist, which to add)
    /// is decided from the file as it is now, or a build that waited for a run would add the run's entry a second time.
    /// </summary>
    public WarehouseLock Lock(string purpose, out ProjectContext current, CancellationToken cancellationToken = default)
    {
        var held = WarehouseLock.Acquire(Target.DatabasePath, new LockWait(LockTimeout, cancellationToken) { Waiting = LockWaiting }, purpose);
        try
        {
            current = new ProjectContext(Project, Target, SourceCatalog.Load(Project), Settings) { LockTimeout = LockTimeout, LockWaiting = LockWaiting, Host = Host, Options = Options };
            return held;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the warehouse under <paramref name="held"/>: a process that holds DuckDB's own lock on the file without
    /// holding ours (a dbt run, another user's command) is waited for with what is left of the lock's wait.
    /// </summary>
    public DuckDbWarehouse Open(WarehouseLock held, bool readOnly = false) =>
        DuckDbWarehouse.Open(Target.DatabasePath, readOnly, Target.PathAt, held.Wait);

    /// <remarks>
    /// A relative file path inside an <c>external_location</c> call (<c>read_parquet('data/x.parquet')</c>) is found in
    /// the project directory, as a plain path is: DuckDB searches <c>file_search_path</c> for one it does not find where
    /// the command was started, so a command run from outside the project (<c>--project-dir</c>) reads the same files as
    /// dbt run inside it.
    /// </remarks>
    public RelationResolver Resolver(DuckDbWarehouse? warehouse)
    {
        // The setting is a comma-separated list: a directory whose name has a comma keeps DuckDB's default.
        if (warehouse is not null && !Project.Directory.Contains(',', StringComparison.Ordinal))
        {
            warehouse.Execute($"set global file_search_path = {Sql.Literal(Project.Directory)}");
        }

        return new(Project, Sources, Target, (schema, table) => warehouse?.TableExists(schema, table) ?? false, warehouse);
    }

    /// <summary>
    /// Takes the warehouse's lock (<see cref="Lock"/>) and opens the warehouse read-only under it, or an empty in-memory
    /// database when it does not exist yet, with the <c>engine:</c> settings a run applies (<see cref="ApplyEngineSettings"/>). A run holding the warehouse has it open for writing, which DuckDB's own lock
    /// refuses a reader: the reader waits for the run instead.
    /// </summary>
    /// <param name="cancellationToken">Stops the wait for the lock at once (<see cref="LockWaitCancelledException"/>).</param>
    internal LockedWarehouse LockForReading(string purpose, out ProjectContext current, CancellationToken cancellationToken = default)
    {
        var held = Lock(purpose, out current, cancellationToken);
        try
        {
            var warehouse = File.Exists(current.Target.DatabasePath) ? current.Open(held, readOnly: true) : DuckDbWarehouse.InMemory();
            try
            {
                current.ApplyEngineSettings(warehouse, reading: true);
            }
            catch
            {
                warehouse.Dispose();
                throw;
            }

            return new LockedWarehouse(held, warehouse);
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sets DuckDB's memory, threads and temp directory from <c>engine:</c>, and asks for huge pages for its pool: for a run,
    /// and for every command that reads the warehouse (<see cref="LockForReading"/>), which DuckDB's default would otherwise
    /// let take 80 % of the machine.
    /// </summary>
    /// <param name="mappingsBeforeOpen">The process's anonymous mappings before the warehouse opened (<see cref="HugePages.AnonymousMappings"/>):
    /// the pool is among the ones added since. Null asks for no huge pages.</param>
    /// <param name="reading">A command that only reads: <c>temp_directory</c> is set but not made (DuckDB makes it if it spills), so a
    /// read-only project stays as it was.</param>
    internal HugePages.Advice ApplyEngineSettings(DuckDbWarehouse warehouse, IReadOnlySet<(ulong Start, ulong End)>? mappingsBeforeOpen = null, bool reading = false)
    {
        var engine = Settings.Engine;
        var memory = engine.MemoryLimit ?? EngineSettings.DefaultMemoryLimit(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        warehouse.Execute($"set memory_limit = {Sql.Literal(memory)}");

        // The pool's blocks stay in physical memory for the run: without it DuckDB hands every freed block back to the
        // kernel and faults it in again on the next allocation, a fifth of a million-row run's CPU in page faults
        // (docs/design.md, "DuckDB's blocks kept in memory"). The pool is bounded by the memory limit either way.
        try
        {
            warehouse.Execute($"set block_allocator_memory = {Sql.Literal(memory)}");
        }
        catch (DuckDB.NET.Data.DuckDBException e) when (VirtualMemorySize().Match(e.Message) is { Success: true } most)
        {
            // DuckDB keeps no more blocks than its virtual memory size (80% of the machine's memory); a memory_limit above
            // that is still the pool's limit, and used to stop the run here with a failure to report (EM0504).
            warehouse.Execute($"set block_allocator_memory = {Sql.Literal(most.Groups["bytes"].Value + " bytes")}");
        }

        if (engine.Threads is { } threads)
        {
            warehouse.Execute($"set threads = {threads}");
        }

        if (engine.TempDirectory is { } temp)
        {
            var directory = Project.Resolve(temp);
            if (!reading)
            {
                Directory.CreateDirectory(directory);
            }

            warehouse.Execute($"set temp_directory = {Sql.Literal(directory)}");
        }

        // Last: in DuckDB 1.5 the pool's mapping is there once the settings have run (not right after opening).
        return engine.HugePages && mappingsBeforeOpen is not null ? HugePages.AdviseNewPool(mappingsBeforeOpen) : HugePages.Advice.None;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"virtual memory size: (?<bytes>\d+)")]
    private static partial System.Text.RegularExpressions.Regex VirtualMemorySize();

    public string SqlPath(SnapshotName name) =>
        Project.Resolve(Path.Combine(Settings.Snapshots.StagingDirectory, name.StagingModel(Settings.Snapshots.SourceName) + ".sql"));

    public string YamlPath(SnapshotName name) => Path.ChangeExtension(SqlPath(name), ".yml");

    /// <summary>The stable "latest" model of a match (<see cref="SnapshotName.LatestModel"/>), beside the dated staging models.</summary>
    public string LatestSqlPath(string match) =>
        Project.Resolve(Path.Combine(Settings.Snapshots.StagingDirectory, SnapshotName.LatestModel(match, Settings.Snapshots.SourceName) + ".sql"));

    public string ManifestPath(SnapshotName name) =>
        Project.Resolve(Path.Combine(Settings.Snapshots.ManifestDirectory, name.Table + ".json"));

    /// <summary>The trained scoring model of a snapshot, beside its manifest.</summary>
    public string ModelParametersPath(SnapshotName name) =>
        Project.Resolve(Path.Combine(Settings.Snapshots.ManifestDirectory, name.Table + ".model.json"));

    /// <summary>
    /// Where <c>prune</c> moves a retired snapshot's manifest and model file, unchanged: <c>&lt;manifest_dir&gt;/pruned/</c>.
    /// Still committed, so the chain verifies through its hash; never read as a snapshot's manifest.
    /// </summary>
    public string PrunedManifestDirectory => Project.Resolve(Path.Combine(Settings.Snapshots.ManifestDirectory, "pruned"));

    public string PrunedManifestPath(SnapshotName name) => Path.Combine(PrunedManifestDirectory, name.Table + ".json");

    public string PrunedModelParametersPath(SnapshotName name) => Path.Combine(PrunedManifestDirectory, name.Table + ".model.json");

    /// <summary>
    /// Where a second prune of a date published again puts the earlier publication's pruned manifest (and with
    /// <paramref name="model"/>, its model file): named by the first 12 hex digits of that manifest's hash, so each
    /// publication of the date keeps its own link of the chain (<see cref="Snapshots.ManifestFiles.Pruned"/> reads them).
    /// </summary>
    public string EarlierPrunedPath(SnapshotName name, string manifestSha256, bool model = false) =>
        Path.Combine(PrunedManifestDirectory, $"{name.Table}.{manifestSha256[..12]}{(model ? ".model" : "")}.json");

    /// <summary>A snapshot's parquet copy under <c>snapshots.export_dir</c>.</summary>
    public string ParquetPath(SnapshotName name) => Path.Combine(Project.Resolve(Settings.Snapshots.ExportDirectory), name.Table + ".parquet");

    /// <summary>
    /// The manifest's path relative to the project, as written into generated files: when the file exists, or when
    /// <paramref name="warehouse"/>'s snapshot log says a run completed it (the file is missing, EM0607: restoring it must
    /// not leave the files generated meanwhile out of date). Null for a snapshot loaded by hand, and until the run writes it.
    /// </summary>
    public string? ManifestReference(SnapshotName name, DuckDbWarehouse warehouse) =>
        File.Exists(ManifestPath(name))
            || new SnapshotLog(warehouse).Latest(name.Match).LastOrDefault(r => r.Snapshot == name.Table) is { IsComplete: true, IsPruned: false }
            ? Path.GetRelativePath(Project.Directory, ManifestPath(name)).Replace('\\', '/')
            : null;

    /// <summary>
    /// The sources YAML that gains a snapshot's entry: <c>snapshots.sources_file</c> when it declares the snapshot source
    /// (or no file does), otherwise the first file, in path order, that declares it (dbt lets a source be split across files).
    /// </summary>
    public string SnapshotSourcesFile
    {
        get
        {
            var configured = Project.Resolve(Settings.Snapshots.SourcesFile);
            return Sources.DeclaringFiles.TryGetValue(Settings.Snapshots.SourceName, out var declaring) && !declaring.Contains(configured, StringComparer.Ordinal)
                ? declaring[0]
                : configured;
        }
    }

    /// <summary>
    /// EM0005 for a missing <see cref="SnapshotSourcesFile"/>: at the <c>sources_file</c> setting that names it, when
    /// electionmatch.yml has one, else at electionmatch.yml's line 1, where the setting goes (the file itself, not being
    /// there, has no line an IDE or CI annotation could mark).
    /// </summary>
    internal Diagnostic SnapshotSourcesFileMissing()
    {
        var path = DisplayPath.For(SnapshotSourcesFile);
        var named = Settings.Snapshots.SourcesFileAt is null ? " (snapshots.sources_file's default)" : "";
        return Diagnostic.Error(Codes.FileMissing, Settings.Snapshots.SourcesFileAt ?? SourceSpan.TextFile(DisplayPath.For(Settings.FilePath)),
            $"sources file {path}{named} for '{Settings.Snapshots.SourceName}' not found; create it (an empty file will do: the run adds the source) or set snapshots.sources_file in electionmatch.yml to the sources YAML the snapshots should be declared in");
    }

    /// <summary>The dated snapshots of a match declared in the snapshot source, oldest first.</summary>
    public IReadOnlyList<(SnapshotName Name, SourceTable Entry)> DeclaredSnapshots(string match) =>
        Sources.TablesOf(Settings.Snapshots.SourceName)
            .Select(t => (Name: SnapshotName.TryParse(t.Name, match), Entry: t))
            .Where(x => x.Name is not null)
            .Select(x => (x.Name!, x.Entry))
            .OrderBy(x => x.Item1.Date)
            .ToList();

    /// <summary>The tables of a match's snapshots in the warehouse's snapshot schema, declared or not, by table name.</summary>
    public IEnumerable<string> PublishedSnapshots(DuckDbWarehouse warehouse, string match) =>
        warehouse.Query(
                $"select table_name from information_schema.tables where table_schema = {Sql.Literal(Settings.Snapshots.Schema)} order by table_name",
                r => r.GetString(0))
            .Where(t => SnapshotName.TryParse(t, match) is not null);
}
