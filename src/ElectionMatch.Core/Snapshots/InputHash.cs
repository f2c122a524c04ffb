using ElectionMatch.Warehouse;

namespace ElectionMatch.Snapshots;

/// <summary>
/// SHA-256 over an input relation's rows in a canonical order, computed in DuckDB: each row's text is hashed
/// and the hashes are joined in sorted order, so the result depends on the rows alone, not on the order a file
/// or table yields them, and the aggregate stays 32 bytes a row however wide the input.
/// </summary>
public static class InputHash
{
    public static string Of(DuckDbWarehouse warehouse, string relation) =>
        warehouse.Scalar<string>($"select sha256(coalesce(string_agg(h, '' order by h), '')) from (select md5(cast(t as varchar)) as h from {relation} as t)")!;
}
