using ElectionMatch.Diagnostics;

namespace ElectionMatch.Dbt;

/// <summary>
/// A source's <c>schema</c>, <c>database</c>, <c>identifier</c> or <c>external_location</c> rendered as dbt renders it:
/// <c>{{ env_var('X', 'default') }}</c>, <c>{{ var('x', 'default') }}</c> from dbt_project.yml's <c>vars:</c> (a
/// <c>--vars</c> given to dbt is not seen here) and literals, with their filters, and <c>{# … #}</c> comments as nothing
/// (<see cref="JinjaExpression"/>). Any other Jinja, a <c>{% … %}</c> statement among it, is an error at the key: taken as
/// text, it named a table or file that does not exist, and the messages that followed misled.
/// </summary>
internal static class SourceJinja
{
    /// <param name="key">The key whose value this is, for the message.</param>
    /// <param name="variables">Collects the environment variables read (a build depends on their values).</param>
    /// <returns>Null when the value is one expression that yields none (the key is then unset, as in dbt).</returns>
    public static string? Render(string value, SourceSpan at, string key, ProjectVars vars, ISet<string> variables) =>
        JinjaExpression.Render(value, at, key, JinjaContext.Sources, vars, variables);
}
