using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Snapshots;

/// <summary>
/// Why a snapshot the sources YAML declares cannot be read here, and what to do about it. check says it at the entry
/// (EM0101); generate and run say it in the same words when it is a match's newest snapshot and they leave the stable
/// model as it is (EM0107, <see cref="Generation.StableModelTarget"/>), so that no command asks for another that would
/// change nothing.
/// </summary>
/// <param name="Reason">What is missing, following "snapshot 'x' is declared here but".</param>
/// <param name="Remedy">The user's options, each a thing that makes the snapshot readable here or removes it.</param>
/// <param name="WarehouseNotHere">The warehouse file itself is not here (a clone without it, docs/ci.md).</param>
internal sealed record UnreadableSnapshot(string Reason, string Remedy, bool WarehouseNotHere)
{
    /// <summary>Whether the snapshot's table (or <c>external_location</c> file) can be read here (<see cref="For"/> says why not).</summary>
    public static bool CanRead(SourceTable entry, DuckDbWarehouse warehouse, RelationResolver resolver)
    {
        try
        {
            warehouse.Describe("select * from " + resolver.Relation(entry));
            return true;
        }
        catch (Exception e) when (e is DiagnosticException or DuckDB.NET.Data.DuckDBException)
        {
            return false;
        }
    }

    /// <summary>For a snapshot known not to be readable here.</summary>
    /// <param name="warehouse">Where its parquet copy is read, when the table was published here and dropped: then
    /// <c>restore</c> is the remedy, as verify's EM0604 says.</param>
    public static UnreadableSnapshot For(ProjectContext context, SnapshotName name, SourceTable entry, DuckDbWarehouse warehouse)
    {
        const string Reachable = "docs/ci.md, \"The snapshots must be reachable\"";
        var path = context.Target.DatabasePath;
        var file = DisplayPath.For(path);
        var table = $"{entry.Schema}.{entry.Identifier}";
        if (entry.ExternalLocation is { } location)
        {
            return new($"its external_location '{location}' does not exist", "restore the file, or delete this entry if the snapshot should not exist", WarehouseNotHere: false);
        }

        if (SchemaMismatch(context, entry) is { } mismatch)
        {
            return new(mismatch, $"set the source's schema: to {context.Settings.Snapshots.Schema}, or snapshots.schema to the schema its snapshots are in", WarehouseNotHere: false);
        }

        if (!File.Exists(path))
        {
            return new($"its table {table} cannot be read: the warehouse {file} is not here (a clone without it, as in CI)",
                $"check a copy of it through a profile target such as `ci` ({Reachable})", WarehouseNotHere: true);
        }

        // An older warehouse than the one a teammate ran the match in (their entry, staging model and manifest are
        // committed), or a table dropped since: either way the table is what is missing, not a generate. Dropped from
        // this one with its parquet copy as published, restore puts it back; deleting the entry, or a --replace, would
        // lose the snapshot as published.
        if (SnapshotAsPublished.Find(context, warehouse, name) is { } published && published.ParquetHoldsIt(context, warehouse))
        {
            return new($"table {table} in {file} does not exist (dropped from this one, or published into another warehouse, such as a teammate's)",
                $"{context.RepublishAdvice(name, fromParquet: true)}; or read the warehouse that has it through a profile target ({Reachable})",
                WarehouseNotHere: false);
        }

        return new($"table {table} in {file} does not exist (it was published into another warehouse, such as a teammate's, or dropped from this one)",
            $"read the warehouse that has it through a profile target ({Reachable}), publish it into this one with `{context.RunCommand(name.Match, name.Date, ["--replace"])}` (which recomputes it from the inputs as they are now, not the snapshot as it was published), or delete this entry if the snapshot should not exist",
            WarehouseNotHere: false);
    }

    /// <summary>
    /// Why the snapshot cannot be read here, said without reading its parquet copy (<see cref="For"/> reads it for the
    /// remedy): what explain and evaluate say when they take an older snapshot.
    /// </summary>
    public static string Briefly(ProjectContext context, SourceTable entry) =>
        entry.ExternalLocation is { } location ? $"its external_location '{location}' does not exist"
        : SchemaMismatch(context, entry) ?? $"its table {entry.Schema}.{entry.Identifier} is not in the warehouse {DisplayPath.For(context.Target.DatabasePath)} (dropped from it, or published into another, such as a teammate's)";

    /// <summary>
    /// Why a snapshot source's table is not where ElectionMatch publishes snapshots: its schema (the source's or its own,
    /// as rendered) is not electionmatch.yml's <c>snapshots.schema</c>; null when it is, or when it reads a file. check
    /// reports it at the schema's line (EM0115).
    /// </summary>
    public static string? SchemaMismatch(ProjectContext context, SourceTable entry) =>
        entry.ExternalLocation is null && !string.Equals(entry.Schema, context.Settings.Snapshots.Schema, StringComparison.OrdinalIgnoreCase)
            ? $"its schema {entry.Schema} ({entry.SchemaAt.File}:{entry.SchemaAt.Line}) is not snapshots.schema {context.Settings.Snapshots.Schema} of electionmatch.yml, where snapshots are published"
            : null;

    /// <summary>
    /// The entry whose schema the entry a run adds takes, when that schema is not <c>snapshots.schema</c>: the source's
    /// generated entries (which write none of their own) say which, or else any of its entries, one that reads a file
    /// too. dbt would then read the new snapshot from a table that is not there: run refuses before it runs, and check
    /// reports it (EM0115), so CI fails where the next run would.
    /// </summary>
    public static SourceTable? NewEntrySchemaMismatch(ProjectContext context)
    {
        var snapshots = context.Settings.Snapshots;
        var entries = context.Sources.TablesOf(snapshots.SourceName).ToList();
        var telling = entries.Where(t => t.ManifestAt is not null).DefaultIfEmpty(entries.FirstOrDefault()).FirstOrDefault();
        return telling is not null && !string.Equals(telling.Schema, snapshots.Schema, StringComparison.OrdinalIgnoreCase) ? telling : null;
    }
}
