namespace ElectionMatch.Warehouse;

/// <summary>The one place identifiers and literals are quoted for DuckDB.</summary>
public static class Sql
{
    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static string Identifier(string schema, string name) => Identifier(schema) + "." + Identifier(name);

    public static string Literal(string? value) =>
        value is null ? "null" : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
