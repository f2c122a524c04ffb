using System.Text.RegularExpressions;

namespace ElectionMatch.Dbt;

/// <summary>
/// What a profiles.yml <c>path:</c> may name: a local DuckDB file. A connection string (MotherDuck's
/// <c>md:db?motherduck_token=…</c>) may carry a credential, often through env_var(), so it is refused before it becomes a
/// file name, a dependency of the build or part of a message, and messages quote <c>path:</c> only as written.
/// </summary>
internal static partial class WarehousePath
{
    public static bool IsInMemory(string rendered) => rendered.StartsWith(":memory:", StringComparison.Ordinal);

    /// <summary>
    /// A word of two or more characters and ':' at the start (md:, motherduck:, s3://, https://: DuckDB's prefix for an
    /// extension's database; a one-letter drive such as C: is a file), or a '?' (a query string, where tokens go).
    /// </summary>
    public static bool IsConnectionString(string rendered) => Scheme().IsMatch(rendered) || rendered.Contains('?', StringComparison.Ordinal);

    /// <summary><c>path:</c> as written in profiles.yml, its env_var() calls unrendered, and cut at its first '?'.</summary>
    public static string AsWritten(string written)
    {
        var query = written.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? written : written[..(query + 1)] + "…";
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_+.-]+:")]
    private static partial Regex Scheme();
}
