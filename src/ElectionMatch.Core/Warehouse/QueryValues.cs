using System.Data.Common;

namespace ElectionMatch.Warehouse;

/// <summary>A query row's values as the operations that read them show them.</summary>
internal static class QueryValues
{
    /// <summary>The column's value as text, whatever its type (an id, a number, a date); null for SQL null.</summary>
    public static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetValue(i).ToString();
}
