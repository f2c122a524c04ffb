using System.Text.RegularExpressions;
using ElectionMatch.Diagnostics;

namespace ElectionMatch.Dbt;

/// <summary>dbt's <c>{{ env_var('NAME') }}</c> and <c>{{ env_var('NAME', 'default') }}</c> in YAML values.</summary>
internal static partial class EnvVars
{
    /// <summary>dbt's prefix for a variable whose value is a secret (dbt scrubs it from its logs).</summary>
    public const string SecretPrefix = "DBT_ENV_SECRET_";

    /// <summary>
    /// Renders the env_var() expressions of a value in profiles.yml or dbt_project.yml, with their filters
    /// (<see cref="JinjaExpression"/>), and its <c>{# … #}</c> comments as nothing; var() there is EM0017 (dbt reads it only
    /// from its --vars), and so is a <c>{% … %}</c> statement; another expression is left as text.
    /// </summary>
    /// <param name="key">The key whose value this is, for messages.</param>
    /// <param name="environment">Reads a variable; null for the process's (tests pass their own).</param>
    public static string? Expand(string value, SourceSpan at, string key, Func<string, string?>? environment = null) =>
        JinjaExpression.Render(value, at, key, vars: null, environment);

    /// <summary>The value of env_var(<paramref name="name"/>, <paramref name="fallback"/>), as dbt reads it.</summary>
    public static string Value(string name, string? fallback, SourceSpan at, Func<string, string?>? environment = null)
    {
        if ((environment ?? Environment.GetEnvironmentVariable)(name) is { } found)
        {
            if (name.StartsWith(SecretPrefix, StringComparison.Ordinal))
            {
                // dbt's convention: such a value is scrubbed from every log, so it is masked in everything printed; whole
                // only, for here it is part of a path, and its fragments would be other paths.
                Secrets.Register(found, fragments: false);
            }

            return found;
        }

        return fallback ?? throw DiagnosticException.At(Codes.EnvVarUnset, at, $"environment variable '{name}' is not set and env_var() gives no default");
    }

    /// <summary>The names of the environment variables <paramref name="value"/> reads through env_var().</summary>
    public static IEnumerable<string> Names(string value) => EnvVarCall().Matches(value).Select(m => m.Groups["name"].Value);

    [GeneratedRegex("""\benv_var\(\s*(?<q>['"])(?<name>[^'"]+)\k<q>""")]
    private static partial Regex EnvVarCall();
}
