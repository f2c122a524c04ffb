using System.Text.RegularExpressions;
using ElectionMatch.Diagnostics;

namespace ElectionMatch.Dbt;

/// <summary>
/// A source's <c>schema</c>, <c>database</c>, <c>identifier</c> or <c>external_location</c> rendered as dbt renders it:
/// <c>{{ env_var('X', 'default') }}</c> (<see cref="EnvVars"/>) and <c>{{ var('x', 'default') }}</c> from
/// dbt_project.yml's <c>vars:</c> (a <c>--vars</c> given to dbt is not seen here). Any other Jinja is an error at the
/// key: taken as text, it named a table or file that does not exist, and the messages that followed misled.
/// </summary>
internal static partial class SourceJinja
{
    /// <param name="key">The key whose value this is, for the message.</param>
    /// <param name="variables">Collects the environment variables read (a build depends on their values).</param>
    public static string Render(string value, SourceSpan at, string key, IReadOnlyDictionary<string, string> vars, ISet<string> variables)
    {
        if (!value.Contains("{{", StringComparison.Ordinal) && !value.Contains("{%", StringComparison.Ordinal) && !value.Contains("{#", StringComparison.Ordinal))
        {
            return value;
        }

        variables.UnionWith(EnvVars.Names(value));
        var rendered = VarCall().Replace(EnvVars.Expand(value, at), m =>
            vars.TryGetValue(m.Groups["name"].Value, out var found) ? found
            : m.Groups["default"].Success ? m.Groups["default"].Value
            : throw DiagnosticException.At(Codes.VarUndefined, at,
                $"{key}: var('{m.Groups["name"].Value}') has no value: dbt_project.yml's vars: does not set it and var() gives no default (a --vars given to dbt is not seen here); set it under vars: or give a default"));
        return Unsupported().Match(rendered) is { Success: true } other
            ? throw DiagnosticException.At(Codes.SourceJinjaUnsupported, at,
                $"{key} holds Jinja that ElectionMatch does not render ('{other.Value}'); only {{{{ env_var('X', 'default') }}}} and {{{{ var('x', 'default') }}}} (from dbt_project.yml's vars:) are rendered here, so write the value itself or one of those")
            : rendered;
    }

    [GeneratedRegex("""\{\{\s*var\(\s*(?<q>['"])(?<name>[^'"]+)\k<q>\s*(?:,\s*(?<q2>['"])(?<default>.*?)\k<q2>\s*)?\)\s*\}\}""")]
    private static partial Regex VarCall();

    [GeneratedRegex(@"\{\{.*?(\}\}|$)|\{%.*?(%\}|$)|\{#.*?(#\}|$)", RegexOptions.Singleline)]
    private static partial Regex Unsupported();
}
