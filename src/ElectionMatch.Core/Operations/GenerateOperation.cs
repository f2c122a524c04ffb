using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Generation;
using ElectionMatch.Matches;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Operations;

/// <summary>
/// Re-renders the staging files of every existing snapshot and adds missing sources entries.
/// Idempotent: a second call writes nothing. Never touches a file the user wrote or edited.
/// </summary>
public sealed class GenerateOperation
{
    private readonly ProjectContext _context;
    private readonly StagingModelRenderer _renderer;

    public GenerateOperation(ProjectContext context)
    {
        _context = context;
        _renderer = new StagingModelRenderer(context.Templates, context.Settings.Snapshots);
    }

    public GenerateResult Execute()
    {
        var result = new GenerateResult();
        using var warehouse = _context.OpenForReading();
        var resolver = _context.Resolver(warehouse);
        foreach (var match in _context.Settings.Matches.Values)
        {
            var declared = _context.DeclaredSnapshots(match.Name);
            foreach (var (name, entry) in declared)
            {
                try
                {
                    var columns = warehouse.Describe("select * from " + resolver.Relation(entry));
                    WriteStagingFiles(name, columns, MatchDefinition.For(match.Kind), result);
                }
                catch (DiagnosticException e)
                {
                    // A declared snapshot with no table is reported by check; generate renders what exists.
                    result.Diagnostics.AddRange(e.Diagnostics.Select(d => d with { Severity = Severity.Warning }));
                }
            }

            // Snapshots published to the warehouse but missing from the sources YAML (a run killed late).
            foreach (var table in PublishedTables(warehouse, match.Name).Except(declared.Select(d => d.Name.Table)))
            {
                var name = SnapshotName.TryParse(table, match.Name)!;
                AddSourceEntry(name, result);
                var columns = warehouse.Describe("select * from " + Sql.Identifier(_context.Settings.Snapshots.Schema, table));
                WriteStagingFiles(name, columns, MatchDefinition.For(match.Kind), result);
            }
        }

        return result;
    }

    /// <summary>Writes the SQL and YAML of one snapshot unless the user owns or edited them.</summary>
    public void WriteStagingFiles(SnapshotName name, IReadOnlyList<ColumnInfo> columns, MatchDefinition definition, GenerateResult result)
    {
        var sqlPath = _context.SqlPath(name);
        var yamlPath = _context.YamlPath(name);
        var states = new[] { sqlPath, yamlPath }.Select(p => File.Exists(p) ? GeneratedFile.Inspect(File.ReadAllText(p)) : null).ToArray();
        if (states.Any(s => s is { IsGenerated: false }))
        {
            result.UserOwned.AddRange(new[] { sqlPath, yamlPath }.Where(File.Exists).Select(DisplayPath.For));
            return;
        }

        var manifest = _context.ManifestReference(name);
        var files = new[]
        {
            (Path: sqlPath, File: _renderer.RenderSql(sqlPath, name, columns), State: states[0]),
            (Path: yamlPath, File: _renderer.RenderYaml(yamlPath, name, columns, definition.Columns, manifest), State: states[1]),
        };
        foreach (var (path, file, state) in files)
        {
            if (state is { IsIntact: false })
            {
                result.Diagnostics.Add(Diagnostic.Error(Codes.GeneratedFileEdited, new SourceSpan(DisplayPath.For(path), 3, 1), "this generated file was edited by hand, so it is not overwritten; move your change into a downstream model or a template override under electionmatch/templates/, then delete the file and run generate"));
                continue;
            }

            if (state is not null && state.Body == file.Body)
            {
                result.Unchanged.Add(DisplayPath.For(path));
                continue;
            }

            AtomicFile.WriteAllText(path, file.Text);
            result.Written.Add(DisplayPath.For(path));
        }
    }

    /// <summary>Adds the snapshot's table to the sources YAML, changing no other byte of the file.</summary>
    public void AddSourceEntry(SnapshotName name, GenerateResult result)
    {
        var snapshots = _context.Settings.Snapshots;
        var manifest = _context.ManifestReference(name);
        var entry = _renderer.RenderSourceTable(name, manifest);
        var path = _context.Sources.SourceFiles.TryGetValue(snapshots.SourceName, out var declaring)
            ? declaring
            : _context.Project.Resolve(snapshots.SourcesFile);
        if (!File.Exists(path))
        {
            throw DiagnosticException.At(Codes.FileMissing, SourceSpan.WholeFile(DisplayPath.For(path)), $"sources file for '{snapshots.SourceName}' not found; create it or set snapshots.sources_file in electionmatch.yml");
        }

        // Decide from the file as it is now: an earlier call may have just added the source.
        var text = File.ReadAllText(path);
        var updated = SourcesFileEditor.DeclaresSource(text, path, snapshots.SourceName)
            ? SourcesFileEditor.AddTable(text, path, snapshots.SourceName, entry)
            : SourcesFileEditor.AddSource(text, path, _renderer.RenderSource(entry));
        AtomicFile.WriteAllText(path, updated);
        result.Written.Add(DisplayPath.For(path));
    }

    private IEnumerable<string> PublishedTables(DuckDbWarehouse warehouse, string match) =>
        warehouse.Query(
                $"select table_name from information_schema.tables where table_schema = {Sql.Literal(_context.Settings.Snapshots.Schema)}",
                r => r.GetString(0))
            .Where(t => SnapshotName.TryParse(t, match) is not null);
}
