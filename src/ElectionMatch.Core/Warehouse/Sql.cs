namespace ElectionMatch.Warehouse;

/// <summary>The one place identifiers and literals are quoted for DuckDB.</summary>
public static class Sql
{
    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static string Identifier(string schema, string name) => Identifier(schema) + "." + Identifier(name);

    /// <summary>A number as SQL reads it back exactly, whatever the culture.</summary>
    public static string Number(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    public static string Literal(string? value) =>
        value is null ? "null" : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A list literal of texts, <c>['a', 'b']</c>.</summary>
    public static string ListLiteral(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(Literal)) + "]";
}
