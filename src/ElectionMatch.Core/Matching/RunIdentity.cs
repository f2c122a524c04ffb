using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>
/// Which run the stages of a run schema are of: its run id (the snapshot log's) and the snapshot it was to publish, in the
/// table <c>run_identity</c> of the schema. A run writes it once its stages are whole, before it publishes; a run stopped
/// or failed before then leaves its stages without it (a plain run drops the schema as it starts), so <c>explain</c> never
/// takes an unpublished run's stages for a snapshot's.
/// </summary>
public sealed record RunIdentity(string RunId, string Snapshot)
{
    public const string Table = "run_identity";

    public void Record(DuckDbWarehouse warehouse, RunSchema run) => warehouse.Execute($"""
        create or replace table {run.Table(Table)} as
        select {Sql.Literal(RunId)} as run_id, {Sql.Literal(Snapshot)} as snapshot
        """);

    /// <summary>The run the schema's stages are of; null when the schema has none recorded.</summary>
    public static RunIdentity? Of(DuckDbWarehouse warehouse, RunSchema run) =>
        warehouse.TableExists(run.Name, Table)
            ? warehouse.Query($"select run_id, snapshot from {run.Table(Table)}", r => new RunIdentity(r.GetString(0), r.GetString(1))).FirstOrDefault()
            : null;
}
