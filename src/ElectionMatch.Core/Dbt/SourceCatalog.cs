using ElectionMatch.Diagnostics;

namespace ElectionMatch.Dbt;

/// <summary>Every <c>sources:</c> entry declared in the YAML files under the project's model paths.</summary>
public sealed class SourceCatalog
{
    private readonly Dictionary<(string Source, string Table), SourceTable> _tables;

    private SourceCatalog(List<SourceTable> tables, Dictionary<string, List<string>> sourceFiles, Dictionary<string, SourceSpan> sourceNames)
    {
        Tables = tables;
        SourceNames = sourceNames;
        SourceFiles = sourceFiles.ToDictionary(f => f.Key, f => f.Value[0], StringComparer.Ordinal);
        DeclaringFiles = sourceFiles.ToDictionary(f => f.Key, IReadOnlyList<string> (f) => f.Value, StringComparer.Ordinal);
        _tables = [];
        foreach (var table in tables)
        {
            _tables.TryAdd((table.SourceName, table.Name), table);
        }
    }

    public IReadOnlyList<SourceTable> Tables { get; }

    /// <summary>The first file (in path order) that declares each source (by source name).</summary>
    public IReadOnlyDictionary<string, string> SourceFiles { get; }

    /// <summary>
    /// Every file that declares each source, in path order: dbt lets one source's tables be split across files,
    /// each file's entry giving its own tables their source-level properties (schema, database, meta).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> DeclaringFiles { get; }

    /// <summary>Where each source's name is first declared (in path order), by source name.</summary>
    public IReadOnlyDictionary<string, SourceSpan> SourceNames { get; }

    /// <summary>The environment variables the sources' schema, database, identifier and external_location read through env_var().</summary>
    public IReadOnlyList<string> EnvironmentVariables { get; private init; } = [];

    public SourceTable? Find(string source, string table) => _tables.GetValueOrDefault((source, table));

    public IEnumerable<SourceTable> TablesOf(string source) => Tables.Where(t => t.SourceName == source);

    public static SourceCatalog Load(DbtProject project)
    {
        var tables = new List<SourceTable>();
        var files = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var declared = new Dictionary<(string Source, string Table), string>();
        var names = new Dictionary<string, SourceSpan>(StringComparer.Ordinal);
        var diagnostics = new List<Diagnostic>();
        var variables = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var path in project.ModelFiles(".yml", ".yaml"))
        {
            var yaml = YamlFile.Load(path);
            if (yaml.Root is not YamlDotNet.RepresentationModel.YamlMappingNode)
            {
                continue;
            }

            var root = yaml.RootMap();
            foreach (var source in root.MapList("sources"))
            {
                var sourceName = source.RequiredString("name");
                names.TryAdd(sourceName, source.AtValue("name"));
                var declaring = files.TryGetValue(sourceName, out var list) ? list : files[sourceName] = [];
                if (!declaring.Contains(path))
                {
                    declaring.Add(path);
                }

                // dbt renders env_var() and var() in these values; any other Jinja is an error at its key (SourceJinja).
                string? Rendered(YamlMap? node, string key) =>
                    node?.String(key) is { } value ? SourceJinja.Render(value, node.AtValue(key), key, project.Vars, variables) : null;
                var database = Rendered(source, "database");
                var schema = Rendered(source, "schema") ?? sourceName;
                var schemaAt = source.Has("schema") ? source.AtValue("schema") : source.AtValue("name");
                var sourceLocation = LocationOf(source);
                var sourcePattern = Rendered(sourceLocation, "external_location");
                foreach (var table in source.MapList("tables"))
                {
                    var name = table.RequiredString("name");
                    if (!declared.TryAdd((sourceName, name), path))
                    {
                        // dbt refuses two sources with one name and table ("dbt found two sources with the name ...").
                        var other = declared[(sourceName, name)];
                        diagnostics.Add(Diagnostic.Error(Codes.YamlShape, table.AtValue("name"), other == path
                            ? $"table '{name}' appears twice in source '{sourceName}'"
                            : $"table '{name}' of source '{sourceName}' is also declared in {DisplayPath.For(other)}"));
                        continue;
                    }

                    var identifier = Rendered(table, "identifier") ?? name;
                    var tableLocation = LocationOf(table);
                    var location = Rendered(tableLocation, "external_location") ?? sourcePattern;
                    location = location?
                        .Replace("{name}", name, StringComparison.Ordinal)
                        .Replace("{identifier}", identifier, StringComparison.Ordinal);
                    var columns = table.MapList("columns").Select(c => c.RequiredString("name")).ToList();
                    tables.Add(new SourceTable(sourceName, name, identifier, Rendered(table, "database") ?? database, Rendered(table, "schema") ?? schema, location, columns, path, table.At)
                    {
                        ManifestAt = MetaWith(table, "manifest") is { } meta ? meta.AtValue("manifest") : null,
                        Manifest = MetaWith(table, "manifest")?.String("manifest"),
                        IsGenerated = MetaWith(table, "generated_by") is not null || MetaWith(table, "manifest") is not null,
                        GeneratedMetaAtTop = table.Map("meta")?.Has("generated_by") == true ? table.AtKey("meta") : null,
                        SchemaAt = table.Has("schema") ? table.AtValue("schema") : schemaAt,
                        LocationAt = (tableLocation ?? sourceLocation)?.AtValue("external_location") ?? table.At,
                        // dbt renders a column's data_type as it renders the keys above (a var() or env_var() choosing the type).
                        DeclaredTypes = [.. table.MapList("columns")
                            .Select(c => (Column: c, Type: Rendered(c, "data_type")))
                            .Where(c => !string.IsNullOrWhiteSpace(c.Type))
                            .Select(c => new DeclaredColumnType(c.Column.RequiredString("name"), c.Type!.Trim(), c.Column.AtValue("data_type")))],
                    });
                }
            }
        }

        return diagnostics.Count > 0 ? throw new DiagnosticException(diagnostics) : new SourceCatalog(tables, files, names) { EnvironmentVariables = [.. variables] };
    }

    /// <summary>The table's <c>meta:</c> holding the key: top-level (classic) or under <c>config:</c> (dbt ≥ 1.10, where a generated entry puts it).</summary>
    private static YamlMap? MetaWith(YamlMap table, string key) =>
        new[] { table.Map("config")?.Map("meta"), table.Map("meta") }.FirstOrDefault(m => m is not null && m.Has(key));

    // dbt-duckdb reads external_location from meta (classic), config, or config's meta (dbt ≥ 1.10 moves meta there).
    private static YamlMap? LocationOf(YamlMap node) =>
        new[] { node.Map("config"), node.Map("config")?.Map("meta"), node.Map("meta") }.FirstOrDefault(m => m?.String("external_location") is not null);
}
