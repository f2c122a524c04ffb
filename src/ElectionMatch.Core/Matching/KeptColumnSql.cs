using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>
/// The columns <c>keep_columns:</c> carries from an input row to the published row (<see cref="InputRelation.Kept"/>):
/// the input stage holds them as <c>kept_1</c>, <c>kept_2</c>, … (no name of the input can clash with the stage's own
/// columns), and the output gives each its input name back, its value and type as read.
/// </summary>
internal static class KeptColumnSql
{
    /// <summary>The input stage's select items, each followed by a comma; empty when nothing is kept.</summary>
    public static string Input(IReadOnlyList<string> kept, string source) =>
        string.Concat(kept.Select((name, i) => $"{source}.{Sql.Identifier(name)} as kept_{i + 1},\n"));

    /// <summary>The output's select items, each preceded by a comma; empty when nothing is kept.</summary>
    public static string Output(IReadOnlyList<string> kept, string input) =>
        string.Concat(kept.Select((name, i) => $",\n{input}.kept_{i + 1} as {Sql.Identifier(name)}"));
}
