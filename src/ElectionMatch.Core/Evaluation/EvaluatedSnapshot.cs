using ElectionMatch.Diagnostics;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Evaluation;

/// <summary>The snapshot <c>evaluate</c> scores: the table named with <c>--snapshot</c>, or the match's newest.</summary>
public static class EvaluatedSnapshot
{
    /// <param name="requested">The table named on the command line (with or without <paramref name="schema"/>), or null for the newest.</param>
    /// <param name="warehouseAt">The warehouse file, where a missing table is reported.</param>
    /// <returns>The table's name in <paramref name="schema"/>.</returns>
    public static string Resolve(DuckDbWarehouse warehouse, string schema, string match, string? requested, EvaluationColumns columns, SourceSpan warehouseAt)
    {
        var snapshots = warehouse.Query(
            $"select table_name from information_schema.tables where table_schema = {Sql.Literal(schema)} and regexp_matches(table_name, {Sql.Literal("^" + match + "_[0-9]{8}$")}) order by table_name",
            r => r.GetString(0));
        var existing = snapshots.Count == 0
            ? $"'{match}' has no snapshot in {schema}; run `electionmatch run {match}` first"
            : $"the snapshots of '{match}' are {string.Join(", ", snapshots)}";
        if (requested is null)
        {
            return snapshots.Count > 0 ? snapshots[^1] : throw DiagnosticException.At(Codes.SnapshotTableMissing, warehouseAt, existing);
        }

        var table = requested.StartsWith(schema + ".", StringComparison.Ordinal) ? requested[(schema.Length + 1)..] : requested;
        if (!warehouse.TableExists(schema, table))
        {
            throw DiagnosticException.At(Codes.SnapshotTableMissing, warehouseAt, $"snapshot {schema}.{table} (--snapshot) is not in the warehouse; {existing}");
        }

        // Another match's snapshot (or any other table) would stop on its first missing column with DuckDB's words.
        var names = warehouse.Describe($"select * from {Sql.Identifier(schema, table)}").Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = new[] { columns.LeftId, columns.RightId, columns.Matched }.Where(c => !names.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            throw DiagnosticException.At(Codes.SnapshotTableMissing, warehouseAt, $"{schema}.{table} (--snapshot) is not a snapshot of '{match}': it has no column {string.Join(", ", missing)}; {existing}");
        }

        return table;
    }
}
