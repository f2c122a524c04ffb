using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using ElectionMatch.Matching;
using ElectionMatch.Settings;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Generation;

/// <summary>Renders a snapshot's staging model (SQL and YAML) and its sources entry from the templates.</summary>
public sealed partial class StagingModelRenderer
{
    public const string SqlTemplate = "staging/model.sql.liquid";
    public const string LatestSqlTemplate = "staging/latest.sql.liquid";
    public const string YamlTemplate = "staging/model.yml.liquid";
    public const string SourceTableTemplate = "sources/table.yml.liquid";
    public const string SourceTemplate = "sources/source.yml.liquid";

    private readonly TemplateLibrary _templates;
    private readonly SnapshotSettings _settings;
    private readonly DbtYamlForm _form;

    public StagingModelRenderer(TemplateLibrary templates, SnapshotSettings settings, DbtYamlForm form)
    {
        _templates = templates;
        _settings = settings;
        _form = form;
    }

    public IReadOnlyDictionary<string, string> TemplateHashes() =>
        new[] { SqlTemplate, YamlTemplate, SourceTableTemplate, LatestSqlTemplate }.ToDictionary(t => t, _templates.Sha256);

    public GeneratedFile RenderSql(string path, SnapshotName name, IReadOnlyList<ColumnInfo> columns) =>
        GeneratedFile.Create(path, SqlTemplate, _templates.Render(SqlTemplate, new Dictionary<string, object?>
        {
            ["source_call"] = $"{{{{ source('{_settings.SourceName}', '{name.Table}') }}}}",
            ["columns"] = columns.Select(c => new Dictionary<string, object?> { ["name"] = c.Name, ["sql_name"] = SqlName(c.Name) }).ToList(),
        }));

    public GeneratedFile RenderYaml(string path, SnapshotName name, IReadOnlyList<ColumnInfo> columns, IReadOnlyList<OutputColumn> definitions, string? manifest) =>
        RenderYaml(path, name.StagingModel(_settings.SourceName), latest: false, name, columns, definitions, manifest);

    /// <summary>The stable model of a match: <c>select *</c> from the staging model of its newest snapshot.</summary>
    public GeneratedFile RenderLatestSql(string path, SnapshotName newest) =>
        GeneratedFile.Create(path, LatestSqlTemplate, _templates.Render(LatestSqlTemplate, new Dictionary<string, object?>
        {
            ["match"] = newest.Match,
            ["table"] = newest.Table,
            ["snapshot_date"] = newest.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["tool"] = ToolInfo.Name,
            ["ref_call"] = $"{{{{ ref('{newest.StagingModel(_settings.SourceName)}') }}}}",
        }));

    /// <param name="columns">What the newest snapshot's staging model returns.</param>
    public GeneratedFile RenderLatestYaml(string path, SnapshotName newest, IReadOnlyList<ColumnInfo> columns, IReadOnlyList<OutputColumn> definitions, string? manifest) =>
        RenderYaml(path, SnapshotName.LatestModel(newest.Match, _settings.SourceName), latest: true, newest, columns, definitions, manifest);

    private GeneratedFile RenderYaml(string path, string model, bool latest, SnapshotName name, IReadOnlyList<ColumnInfo> columns, IReadOnlyList<OutputColumn> definitions, string? manifest) =>
        GeneratedFile.Create(path, YamlTemplate, _templates.Render(YamlTemplate, new Dictionary<string, object?>
        {
            ["model"] = model,
            ["latest"] = latest,
            ["match"] = name.Match,
            ["snapshot_date"] = name.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["tool"] = ToolInfo.Name,
            ["version"] = ToolInfo.Version,
            ["source_name"] = _settings.SourceName,
            ["table"] = name.Table,
            ["manifest"] = manifest,
            ["columns"] = columns.Select(c => Column(c, definitions.FirstOrDefault(d => d.Name == c.Name))).ToList(),
            ["test_arguments_property"] = _form.TestArgumentsProperty,
        }));

    public string RenderSourceTable(SnapshotName name, string? manifest) =>
        _templates.Render(SourceTableTemplate, new Dictionary<string, object?>
        {
            ["table"] = name.Table,
            ["description"] = $"{name.Match} snapshot of {name.Date:yyyy-MM-dd}",
            ["tool"] = ToolInfo.Name,
            ["version"] = ToolInfo.Version,
            ["manifest"] = manifest,
            ["meta_in_config"] = _form.MetaInConfig,
        });

    public string RenderSource(string firstTable) =>
        _templates.Render(SourceTemplate, new Dictionary<string, object?>
        {
            ["source_name"] = _settings.SourceName,
            ["schema"] = _settings.Schema,
            ["tool"] = ToolInfo.Name,
            ["first_table"] = string.Join("\n", firstTable.TrimEnd('\n').Split('\n').Select(l => "    " + l)),
        });

    private static Dictionary<string, object?> Column(ColumnInfo column, OutputColumn? definition)
    {
        var tests = new List<Dictionary<string, object?>>();
        if (definition is { NotNull: true })
        {
            tests.Add(Test("not_null"));
        }

        if (definition is { Unique: true })
        {
            tests.Add(Test("unique"));
        }

        if (definition?.Range is { } range)
        {
            tests.Add(Test("dbt_utils.accepted_range", ("min_value", range.Min), ("max_value", range.Max)));
        }

        return new Dictionary<string, object?>
        {
            ["name"] = YamlName(column.Name),
            ["data_type"] = column.DataType.ToLowerInvariant(),
            ["description"] = definition?.Description ?? "",
            ["tests"] = tests,
        };
    }

    private static Dictionary<string, object?> Test(string name, params (string Key, object Value)[] args) => new()
    {
        ["name"] = name,
        ["args"] = args.Select(a => new Dictionary<string, object?> { ["key"] = a.Key, ["value"] = a.Value }).ToList(),
    };

    // A kept column named as a keyword (select, order) is quoted too, or the staging model does not parse.
    private static string SqlName(string name) => PlainIdentifier().IsMatch(name) && !SqlKeywords.Contains(name) ? name : Sql.Identifier(name);

    // A kept column's name as YAML reads it back: plain when it is words of letters, digits and underscores, else a
    // double-quoted scalar, or `Votes #` was read as `Votes` (a comment), `null` as no name, `2024` as a number.
    private static string YamlName(string name) =>
        PlainYamlName().IsMatch(name) && !YamlWords.Contains(name) ? name : JsonSerializer.Serialize(name, YamlStringJson);

    // The words YAML (PyYAML, as dbt reads it) takes for a null or a boolean when plain.
    private static readonly HashSet<string> YamlWords = new(["null", "true", "false", "yes", "no", "on", "off", "y", "n"], StringComparer.OrdinalIgnoreCase);

    private static readonly JsonSerializerOptions YamlStringJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex PlainIdentifier();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*( [A-Za-z0-9_]+)*$")]
    private static partial Regex PlainYamlName();
}
