using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Generation;

/// <summary>
/// What a match's stable model returns, which its YAML declares: what the newest snapshot's staging model returns.
/// A generated staging model is described as ElectionMatch renders it, not as the file on disk reads: generate refuses
/// a hand edit of it (EM0102), so the stable model's YAML, written by generate and compared by check, never follows one.
/// A hand-written staging model (no header) is the user's, and is described as written.
/// </summary>
internal static class StableModelColumns
{
    /// <exception cref="DiagnosticException">The staging model does not compile.</exception>
    /// <exception cref="DuckDB.NET.Data.DuckDBException">It does not run.</exception>
    public static IReadOnlyList<ColumnInfo> Describe(ProjectContext context, StagingModelRenderer renderer, SnapshotName newest, DuckDbWarehouse warehouse, RelationResolver resolver)
    {
        var source = context.Settings.Snapshots.SourceName;
        var sqlPath = context.SqlPath(newest);
        var at = SourceSpan.TextFile(DisplayPath.For(sqlPath));
        if (!GeneratedFile.Inspect(File.ReadAllText(sqlPath)).IsGenerated)
        {
            return warehouse.Describe("select * from " + resolver.Ref(newest.StagingModel(source), at));
        }

        var snapshot = warehouse.Describe("select * from " + resolver.Source(source, newest.Table, at));
        var rendered = ModelSql.Compile(renderer.RenderSql(sqlPath, newest, snapshot).Text, at.File, resolver.Resolve);
        return warehouse.Describe($"select * from {ModelSql.AsSubquery(rendered)}");
    }
}
