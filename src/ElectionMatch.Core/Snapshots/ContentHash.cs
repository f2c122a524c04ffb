using ElectionMatch.Warehouse;

namespace ElectionMatch.Snapshots;

/// <summary>SHA-256 over a snapshot's rows, each as DuckDB renders it as text, in the snapshot's canonical order: what the manifest records and verify recomputes.</summary>
public static class ContentHash
{
    /// <param name="table">A qualified, quoted table name.</param>
    public static string Of(DuckDbWarehouse warehouse, string table, string orderBy) =>
        warehouse.Scalar<string>($"select sha256(coalesce(string_agg(cast(t as varchar), chr(10) order by {orderBy}), '')) from {table} as t")!;
}
