using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>
/// The checks every input row's mapped text passes before it is used: no control characters and no value over
/// the length cap (<see cref="QuarantineSettings.MaxTextLength"/>). Each yields the offending columns, or null.
/// </summary>
internal static class TextChecks
{
    // C0 controls but tab, line feed and carriage return (which quoted CSV fields may hold), DEL, and C1 controls.
    private const string ControlCharacters = @"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F\x{80}-\x{9F}]";

    /// <param name="columns">Each checked column of the input table and the name the user knows it by.</param>
    public static string ControlCharactersSql(IEnumerable<(string Column, string Name)> columns) =>
        Offending(columns, c => $"regexp_matches({c}, {Sql.Literal(ControlCharacters)})");

    public static string TooLongSql(IEnumerable<(string Column, string Name)> columns, int maxLength) =>
        Offending(columns, c => $"length({c}) > {maxLength}");

    /// <summary>The mapped roles of an input that its input table holds as text, named by the user's column.</summary>
    public static IReadOnlyList<(string Column, string Name)> Mapped(InputSettings input, string idColumn, IEnumerable<string> textRoles) =>
        new[] { (idColumn, input.Id) }
            .Concat(textRoles.Where(input.Columns.ContainsKey).Select(role => (role, input.Columns[role].Column)))
            .ToList();

    private static string Offending(IEnumerable<(string Column, string Name)> columns, Func<string, string> test) =>
        "nullif(concat_ws(', ', " + string.Join(", ", columns.Select(c => $"case when {test(Sql.Identifier(c.Column))} then {Sql.Literal(c.Name)} end")) + "), '')";
}
