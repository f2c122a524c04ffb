using System.Text.RegularExpressions;
using ElectionMatch.Diagnostics;

namespace ElectionMatch.Dbt;

/// <summary>dbt's <c>{{ env_var('NAME') }}</c> and <c>{{ env_var('NAME', 'default') }}</c> in YAML values.</summary>
internal static partial class EnvVars
{
    /// <summary>dbt's prefix for a variable whose value is a secret (dbt scrubs it from its logs).</summary>
    public const string SecretPrefix = "DBT_ENV_SECRET_";

    public static string Expand(string value, SourceSpan at, Func<string, string?>? lookup = null)
    {
        lookup ??= Environment.GetEnvironmentVariable;
        return EnvVarCall().Replace(value, m =>
        {
            var name = m.Groups["name"].Value;
            var found = lookup(name);
            if (found is not null)
            {
                if (name.StartsWith(SecretPrefix, StringComparison.Ordinal))
                {
                    // dbt's convention: such a value is scrubbed from every log, so it is masked in everything printed; whole
                    // only, for here it is part of a path, and its fragments would be other paths.
                    Secrets.Register(found, fragments: false);
                }

                return found;
            }

            return m.Groups["default"].Success
                ? m.Groups["default"].Value
                : throw DiagnosticException.At(Codes.EnvVarUnset, at, $"environment variable '{name}' is not set and env_var() gives no default");
        });
    }

    /// <summary>The names of the environment variables <paramref name="value"/> reads through env_var().</summary>
    public static IEnumerable<string> Names(string value) => EnvVarCall().Matches(value).Select(m => m.Groups["name"].Value);

    [GeneratedRegex("""\{\{\s*env_var\(\s*(?<q>['"])(?<name>[^'"]+)\k<q>\s*(?:,\s*(?<q2>['"])(?<default>.*?)\k<q2>\s*)?\)\s*(?:\|\s*\w+\s*)*\}\}""")]
    private static partial Regex EnvVarCall();
}
