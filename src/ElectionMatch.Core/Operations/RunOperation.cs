using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Generation;
using ElectionMatch.Matches;
using ElectionMatch.Matching;
using ElectionMatch.Settings;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Operations;

/// <summary>
/// <c>electionmatch run &lt;match&gt;</c>: read the inputs, match inside DuckDB, publish the dated
/// snapshot atomically with its manifest and parquet copy, then write its dbt staging files and
/// sources entry.
/// </summary>
public sealed class RunOperation
{
    private readonly ProjectContext _context;

    public RunOperation(ProjectContext context)
    {
        _context = context;
    }

    public RunResult Execute(RunOptions options, Action<StageReport>? progress = null)
    {
        var match = _context.Settings.Match(options.Match);
        var definition = MatchDefinition.For(match.Kind);
        var name = new SnapshotName(match.Name, options.SnapshotDate ?? DateOnly.FromDateTime(DateTime.UtcNow));
        var snapshots = _context.Settings.Snapshots;

        using var warehouse = DuckDbWarehouse.Open(_context.Target.DatabasePath);
        ApplyEngineSettings(warehouse);
        var publisher = new SnapshotPublisher(warehouse, snapshots);
        publisher.EnsureWritable(name, options.Replace, SourceSpan.WholeFile(DisplayPath.For(_context.Target.DatabasePath)));

        var inputs = ResolveInputs(warehouse, match);
        var result = WithoutStringCompression(warehouse, () =>
            definition.Run(warehouse, match, RunSchema.For(match.Name), inputs, progress, _context.Settings.Engine.Threads ?? Environment.ProcessorCount));

        var unbalanced = result.Accounts.Where(a => !a.Balances).ToList();
        if (unbalanced.Count > 0)
        {
            throw new DiagnosticException(unbalanced.Select(a => Diagnostic.Error(Codes.RowsUnaccounted, match.At,
                $"{a.Input} {a.Unit}: {a.Read} read but {a.Accounted} accounted for ({string.Join(", ", a.Outcomes.Select(o => $"{o.Outcome} {o.Reason}: {o.Rows}"))}); nothing was published")).ToList());
        }

        publisher.Publish(name, result, options.Replace);
        var parquet = publisher.ExportParquet(name, _context.Project.Resolve(snapshots.ExportDirectory), result.OrderBy);
        var manifest = WriteManifest(name, match, result, publisher);
        if (result.ModelParametersJson is { } parameters)
        {
            AtomicFile.WriteAllText(_context.ModelParametersPath(name), parameters);
        }

        var generate = new GenerateOperation(_context);
        var generated = new GenerateResult();
        if (_context.Sources.Find(snapshots.SourceName, name.Table) is null)
        {
            generate.AddSourceEntry(name, generated);
        }

        var columns = warehouse.Describe("select * from " + Sql.Identifier(snapshots.Schema, name.Table));
        generate.WriteStagingFiles(name, columns, definition, generated);
        generate.WriteLatestModel(match.Name, definition, warehouse, generated);
        return new RunResult(name, $"{snapshots.Schema}.{name.Table}", parquet, _context.ManifestPath(name), manifest, result.Stages, generated) { Summary = result.Summary };
    }

    /// <summary>
    /// Runs the match with DuckDB's dictionary and FSST string compression off. Measured on the 100k synthetic
    /// set: writing a string column to a table costs about 1 µs a row with them and a quarter of that without, and
    /// the run schema's stage tables are mostly strings written once and read a few times. The published snapshot
    /// is written after this, compressed as usual.
    /// </summary>
    private static MatchResult WithoutStringCompression(DuckDbWarehouse warehouse, Func<MatchResult> run)
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

    private void ApplyEngineSettings(DuckDbWarehouse warehouse)
    {
        var engine = _context.Settings.Engine;
        if (engine.MemoryLimit is { } memory)
        {
            warehouse.Execute($"set memory_limit = {Sql.Literal(memory)}");
        }

        if (engine.Threads is { } threads)
        {
            warehouse.Execute($"set threads = {threads}");
        }

        if (engine.TempDirectory is { } temp)
        {
            var directory = _context.Project.Resolve(temp);
            Directory.CreateDirectory(directory);
            warehouse.Execute($"set temp_directory = {Sql.Literal(directory)}");
        }
    }

    /// <summary>Both inputs of a match as relations DuckDB can read, every mapped column checked.</summary>
    internal MatchInputs ResolveInputs(DuckDbWarehouse warehouse, MatchSettings match)
    {
        var resolver = _context.Resolver(warehouse);
        return new MatchInputs(Resolve(warehouse, resolver, match.Left), Resolve(warehouse, resolver, match.Right));
    }

    /// <summary>Resolves an input and checks that every mapped column exists, naming the mapping's line when one does not.</summary>
    private string Resolve(DuckDbWarehouse warehouse, RelationResolver resolver, InputSettings input)
    {
        var relation = resolver.Resolve(input.Relation, input.RelationAt);
        IReadOnlyList<ColumnInfo> columns;
        try
        {
            columns = warehouse.Describe("select * from " + relation);
        }
        catch (DuckDB.NET.Data.DuckDBException e)
        {
            throw DiagnosticException.At(Codes.InputUnreadable, input.RelationAt, $"cannot read {input.Relation}: {FirstLine(e.Message)}");
        }

        var names = columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var missing = new List<Diagnostic>();
        if (!names.Contains(input.Id))
        {
            missing.Add(Diagnostic.Error(Codes.ColumnNotFound, input.IdAt, NotFound(input.Id, input.Relation, names)));
        }

        foreach (var mapping in input.Columns.Values.Where(m => !names.Contains(m.Column)))
        {
            missing.Add(Diagnostic.Error(Codes.ColumnNotFound, mapping.At, NotFound(mapping.Column, input.Relation, names)));
        }

        return missing.Count > 0 ? throw new DiagnosticException(missing) : relation;
    }

    private static string NotFound(string column, string relation, IReadOnlyCollection<string> names) =>
        $"column '{column}' is not in {relation}" + (Spelling.Nearest(column, names) is { } near ? $"; did you mean '{near}'?" : $"; it has: {string.Join(", ", names)}");

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    private SnapshotManifest WriteManifest(SnapshotName name, MatchSettings match, MatchResult result, SnapshotPublisher publisher)
    {
        var path = _context.ManifestPath(name);
        var previous = PreviousManifest(name);
        var renderer = new StagingModelRenderer(_context.Templates, _context.Settings.Snapshots);
        var manifest = new SnapshotManifest
        {
            Tool = ToolInfo.Name,
            ToolVersion = ToolInfo.Version,
            Match = match.Name,
            Snapshot = name.Table,
            Table = $"{_context.Settings.Snapshots.Schema}.{name.Table}",
            QuarantineTable = $"{_context.Settings.Snapshots.Schema}.{name.QuarantineTable}",
            SnapshotDate = name.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            CreatedAtUtc = DateTimeOffset.UtcNow,
            SettingsSha256 = _context.Settings.ContentHash,
            TemplateSha256 = renderer.TemplateHashes(),
            Inputs =
            [
                new ManifestInput("left", match.Left.Relation, result.Counts["left_rows_read"]),
                new ManifestInput("right", match.Right.Relation, result.Counts["right_rows_read"]),
            ],
            Counts = result.Counts,
            Rows = publisher.RowCount(name),
            RowAccounting = result.Accounts,
            ContentSha256 = publisher.ContentHash(name, result.OrderBy),
            PreviousManifestSha256 = previous is null ? null : SnapshotManifest.Sha256(File.ReadAllText(previous)),
        };
        AtomicFile.WriteAllText(path, manifest.ToJson());
        return manifest;
    }

    /// <summary>The newest manifest of the same match dated before this snapshot: the previous link of the chain.</summary>
    private string? PreviousManifest(SnapshotName name)
    {
        var directory = _context.Project.Resolve(_context.Settings.Snapshots.ManifestDirectory);
        if (!Directory.Exists(directory))
        {
            return null;
        }

        return Directory.EnumerateFiles(directory, name.Match + "_*.json")
            .Select(f => (File: f, Name: SnapshotName.TryParse(Path.GetFileNameWithoutExtension(f), name.Match)))
            .Where(x => x.Name is not null && x.Name.Date < name.Date)
            .OrderBy(x => x.Name!.Date)
            .Select(x => x.File)
            .LastOrDefault();
    }
}
