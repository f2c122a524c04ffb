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
    private static string SqlName(string name) => PlainIdentifier().IsMatch(name) && !SqlKeywords.Contains(name) ? name : Sql.Identifier(name);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex PlainIdentifier();
}
