using ElectionMatch.Diagnostics;

namespace ElectionMatch.Dbt;

/// <summary>Every <c>sources:</c> entry declared in the YAML files under the project's model paths.</summary>
public sealed class SourceCatalog
{
    private readonly Dictionary<(string Source, string Table), SourceTable> _tables;

    private SourceCatalog(List<SourceTable> tables, Dictionary<string, string> sourceFiles)
    {
        Tables = tables;
        SourceFiles = sourceFiles;
        _tables = [];
        foreach (var table in tables)
        {
            _tables.TryAdd((table.SourceName, table.Name), table);
        }
    }

    public IReadOnlyList<SourceTable> Tables { get; }

    /// <summary>Which file declares each source (by source name).</summary>
    public IReadOnlyDictionary<string, string> SourceFiles { get; }

    public SourceTable? Find(string source, string table) => _tables.GetValueOrDefault((source, table));

    public IEnumerable<SourceTable> TablesOf(string source) => Tables.Where(t => t.SourceName == source);

    public static SourceCatalog Load(DbtProject project)
    {
        var tables = new List<SourceTable>();
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        var diagnostics = new List<Diagnostic>();
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
                if (!files.TryAdd(sourceName, path))
                {
                    diagnostics.Add(Diagnostic.Error(Codes.YamlShape, source.AtValue("name"), $"source '{sourceName}' is also declared in {DisplayPath.For(files[sourceName])}"));
                    continue;
                }

                var database = source.String("database");
                var schema = source.String("schema") ?? sourceName;
                var sourcePattern = ExternalLocation(source);
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var table in source.MapList("tables"))
                {
                    var name = table.RequiredString("name");
                    if (!seen.Add(name))
                    {
                        diagnostics.Add(Diagnostic.Error(Codes.YamlShape, table.AtValue("name"), $"table '{name}' appears twice in source '{sourceName}'"));
                        continue;
                    }

                    var identifier = table.String("identifier") ?? name;
                    var location = ExternalLocation(table) ?? sourcePattern;
                    location = location?
                        .Replace("{name}", name, StringComparison.Ordinal)
                        .Replace("{identifier}", identifier, StringComparison.Ordinal);
                    var columns = table.MapList("columns").Select(c => c.RequiredString("name")).ToList();
                    tables.Add(new SourceTable(sourceName, name, identifier, table.String("database") ?? database, table.String("schema") ?? schema, location, columns, path, table.At)
                    {
                        ManifestAt = table.Map("meta") is { } meta && meta.Has("manifest") ? meta.AtValue("manifest") : null,
                    });
                }
            }
        }

        return diagnostics.Count > 0 ? throw new DiagnosticException(diagnostics) : new SourceCatalog(tables, files);
    }

    // dbt-duckdb reads external_location from meta (classic) or config (dbt ≥ 1.10).
    private static string? ExternalLocation(YamlMap node) =>
        node.Map("config")?.String("external_location") ?? node.Map("meta")?.String("external_location");
}
