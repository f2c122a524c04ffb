using ElectionMatch.Diagnostics;

namespace ElectionMatch.Dbt;

/// <summary>dbt's <c>{{ env_var('NAME') }}</c> and <c>{{ env_var('NAME', 'default') }}</c> in YAML values.</summary>
internal static class EnvVars
{
    /// <summary>dbt's prefix for a variable whose value is a secret (dbt scrubs it from its logs).</summary>
    public const string SecretPrefix = "DBT_ENV_SECRET_";

    /// <summary>
    /// Renders a value of profiles.yml or dbt_project.yml as dbt does: env_var() and literals, with their filters
    /// (<see cref="JinjaExpression"/>), and its <c>{# … #}</c> comments as nothing. var() there is EM0017 (dbt reads it only
    /// from its --vars), and so is target (undefined in profiles.yml; not yet chosen when dbt_project.yml is read), a
    /// <c>{% … %}</c> statement and any other expression.
    /// </summary>
    /// <param name="key">The key whose value this is, for messages.</param>
    /// <param name="read">Collects the names of the variables read, only those evaluated (not one in a comment).</param>
    /// <param name="context"><see cref="JinjaContext.Profiles"/> or <see cref="JinjaContext.Project"/>.</param>
    /// <param name="environment">Reads a variable; null for the process's (tests pass their own).</param>
    public static string? Expand(string value, SourceSpan at, string key, ISet<string>? read = null, JinjaContext context = JinjaContext.Profiles, Func<string, string?>? environment = null) =>
        JinjaExpression.Render(value, at, key, context, ProjectVars.None, read, environment);

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
}
