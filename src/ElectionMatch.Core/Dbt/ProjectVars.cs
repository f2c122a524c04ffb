using System.Globalization;
using ElectionMatch.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace ElectionMatch.Dbt;

/// <summary>A var of dbt_project.yml's <c>vars:</c>: its value as dbt's YAML reader types it, or the shape that has none in text.</summary>
/// <param name="Value">Text, a whole number, a decimal, true or false, or null (YAML's null); null too for a list or mapping.</param>
/// <param name="Shape">"a list" or "a mapping" when the var is one; null for a scalar.</param>
/// <param name="At">Where its value is written.</param>
internal sealed record ProjectVar(object? Value, string? Shape, SourceSpan At);

/// <summary>
/// dbt_project.yml's <c>vars:</c> as dbt scopes them for the project's own files: every top-level key, overridden by the
/// keys of the mapping under the project's own name. A mapping under another key holds that package's vars, which dbt
/// applies to that package's files only; to the project it is one var of that name (a mapping). A <c>--vars</c> given to
/// dbt is not seen here.
/// </summary>
internal sealed class ProjectVars
{
    private readonly Dictionary<string, ProjectVar> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Package, SourceSpan At)> _otherPackages = new(StringComparer.Ordinal);

    public static ProjectVars None { get; } = new();

    public static ProjectVars Read(YamlMap? vars, string projectName)
    {
        var read = new ProjectVars();
        if (vars is null)
        {
            return read;
        }

        foreach (var (key, value, _) in vars.Entries())
        {
            read._values[key] = Typed(vars.File, value);
            if (key != projectName && value is YamlMappingNode package)
            {
                foreach (var (name, _, at) in new YamlMap(vars.File, package).Entries())
                {
                    read._otherPackages.TryAdd(name, (key, at));
                }
            }
        }

        if (vars.Get(projectName) is YamlMappingNode own)
        {
            foreach (var (key, value, _) in new YamlMap(vars.File, own).Entries())
            {
                read._values[key] = Typed(vars.File, value);
            }
        }

        return read;
    }

    public ProjectVar? Find(string name) => _values.GetValueOrDefault(name);

    /// <summary>The package whose scoped vars set <paramref name="name"/>, when only another package's do (for the message that it has no value here).</summary>
    public (string Package, SourceSpan At)? SetForAnotherPackage(string name) =>
        _otherPackages.TryGetValue(name, out var found) ? found : null;

    /// <summary>The value as dbt's YAML reader (PyYAML, YAML 1.1) gives it to var(): an unquoted 5, true or null is a number, a boolean or none.</summary>
    private static ProjectVar Typed(YamlFile file, YamlNode node)
    {
        var at = file.At(node);
        if (node is YamlMappingNode)
        {
            return new ProjectVar(null, "a mapping", at);
        }

        if (node is YamlSequenceNode)
        {
            return new ProjectVar(null, "a list", at);
        }

        var scalar = (YamlScalarNode)node;
        var text = scalar.Value ?? "";
        if (scalar.Style is YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any)
        {
            if (YamlMap.IsNull(scalar))
            {
                return new ProjectVar(null, null, at);
            }

            if (text is "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON")
            {
                return new ProjectVar(true, null, at);
            }

            if (text is "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF")
            {
                return new ProjectVar(false, null, at);
            }

            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
            {
                return new ProjectVar(whole, null, at);
            }

            if (text.Contains('.', StringComparison.Ordinal) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return new ProjectVar(number, null, at);
            }
        }

        return new ProjectVar(text, null, at);
    }
}
