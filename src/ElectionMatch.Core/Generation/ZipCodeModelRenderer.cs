using System.Text.RegularExpressions;
using ElectionMatch.Settings;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Generation;

/// <summary>
/// Renders spec 000's zip code models from <c>zip_codes:</c> settings: <c>int__zip_code_to_l2_district</c> (the voter
/// file's district columns unpivoted, per zip code) and <c>int__zip_code_to_br_office</c> (the per-state zip range
/// filter, then the join to the L2 → BallotReady match's stable model).
/// </summary>
public sealed partial class ZipCodeModelRenderer
{
    public const string ZipToDistrict = "int__zip_code_to_l2_district";
    public const string ZipToOffice = "int__zip_code_to_br_office";

    private readonly TemplateLibrary _templates;
    private readonly SnapshotSettings _snapshots;
    private readonly ZipCodeSettings _settings;

    public ZipCodeModelRenderer(TemplateLibrary templates, SnapshotSettings snapshots, ZipCodeSettings settings)
    {
        _templates = templates;
        _snapshots = snapshots;
        _settings = settings;
    }

    /// <summary>The models, in the order dbt builds them.</summary>
    public static IReadOnlyList<string> Models { get; } = [ZipToDistrict, ZipToOffice];

    public static string Template(string model) => $"zip_codes/{model}.sql.liquid";

    public GeneratedFile Render(string path, string model) =>
        GeneratedFile.Create(path, Template(model), _templates.Render(Template(model), new Dictionary<string, object?>
        {
            ["voters_call"] = Jinja(_settings.Voters),
            ["zip_column"] = SqlName(_settings.ZipColumn),
            ["state_column"] = SqlName(_settings.StateColumn),
            ["state_names"] = Matching.ReferenceData.StateNameKeys()
                .Select(s => new Dictionary<string, object?> { ["key"] = Sql.Literal(s.Key), ["code"] = Sql.Literal(s.Code) })
                .ToList(),
            ["district_columns"] = _settings.DistrictTypes
                .Select(t => new Dictionary<string, object?> { ["sql_name"] = SqlName(t), ["literal"] = Sql.Literal(t) })
                .ToList(),
            ["ranges_call"] = Jinja(_settings.StateZipCodeRanges),
            ["zip_model_call"] = Jinja($"ref('{ZipToDistrict}')"),
            ["match_model_call"] = Jinja($"ref('{SnapshotName.LatestModel(_settings.Match, _snapshots.SourceName)}')"),
        }));

    private static string Jinja(string call) => "{{ " + call + " }}";

    // A plain name stays as the user wrote it; a keyword (Group, Order, Left, Position) is quoted, or the model does not parse.
    private static string SqlName(string name) => PlainIdentifier().IsMatch(name) && !Keywords.Contains(name) ? name : Sql.Identifier(name);

    // DuckDB's keywords that a column reference may not be written as (duckdb_keywords(): its reserved, type_function
    // and column_name categories, DuckDB 1.5).
    private static readonly HashSet<string> Keywords = new(
        """
        all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create default
        deferrable desc describe distinct do else end except false fetch for foreign from group having in initially intersect
        into lambda lateral leading limit not null offset on only or order pivot pivot_longer pivot_wider placing primary
        qualify references returning select show some summarize symmetric table then to trailing true union unique unpivot
        using variadic when where window with
        anti asof at authorization binary by collation columns concurrently cross freeze full generated glob ilike inner is
        isnull join left like map natural notnull outer overlaps positional right semi similar struct tablesample try_cast
        unpack verbose
        between bigint bit boolean char character coalesce dec decimal exists extract float grouping grouping_id inout int
        integer interval national nchar none nullif numeric out overlay position precision real row setof smallint substring
        time timestamp treat trim values varchar xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces
        xmlparse xmlpi xmlroot xmlserialize xmltable
        """.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries),
        StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex PlainIdentifier();
}
