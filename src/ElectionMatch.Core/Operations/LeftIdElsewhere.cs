using DuckDB.NET.Data;
using ElectionMatch.Diagnostics;
using ElectionMatch.Matching;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Operations;

/// <summary>
/// For EM0111: whether an id that is no left id of the match explained is a left id of another match explain reads, so a
/// user who typed the wrong match name (a <c>br_database_id</c> given to the candidacy match) is told which one, and how
/// to explain it there.
/// </summary>
/// <remarks>
/// Only what the warehouse already holds is read, never another match's input relation (a source that may be a file
/// moved since, or a query that fails): the other match's run schema <c>left_input</c> when there is one (every row its
/// latest plain run read, quarantined ones too, with the trimmed text ids explain compares), else the left id column of
/// the snapshot explain would read for it (<see cref="ExplainOperation.Newest"/>) (an incremental run keeps no assembled left input, and a snapshot lacks only the ids
/// quarantine or the temporal filter kept out). One exists query a match, milliseconds on the fixture. A table that
/// cannot be read (a view over a file gone) says nothing, so the EM0111 stays an EM0111.
/// </remarks>
internal static class LeftIdElsewhere
{
    /// <summary>
    /// The words to end EM0111 with (<c>it is a left id of 'x' (…): `electionmatch explain x id`</c>, one clause per match
    /// that holds the id); null when no other match does.
    /// </summary>
    public static string? Words(ProjectContext context, DuckDbWarehouse warehouse, string match, string leftId)
    {
        var log = new SnapshotLog(warehouse);
        var found = new List<string>();
        foreach (var other in context.Settings.Matches.Values.Where(m => m.Name != match).OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            var idColumn = other.Kind == Settings.MatchKind.CandidacyDdhq.Name ? "gp_candidacy_id"
                : other.Kind == Settings.MatchKind.L2BallotReady.Name ? PositionExplanation.LeftIdColumn
                : null;
            if (idColumn is not null && Where(context, warehouse, log, other.Name, idColumn, leftId) is { } where)
            {
                found.Add($"it is a left id of '{other.Name}' (a {other.Left.Id}, in {where}): `{PrintableText.Of(context.ExplainCommand(other.Name, leftId))}`");
            }
        }

        return found.Count == 0 ? null : string.Join("; ", found);
    }

    /// <summary>Where <paramref name="match"/>'s stages or newest snapshot hold the id; null when they do not, or cannot be read.</summary>
    private static string? Where(ProjectContext context, DuckDbWarehouse warehouse, SnapshotLog log, string match, string idColumn, string leftId)
    {
        try
        {
            var run = RunSchema.For(match);
            if (warehouse.TableExists(run.Name, "left_input"))
            {
                return Holds(warehouse, run.Table("left_input"), "left_id", leftId) ? $"{run.Name}.left_input" : null;
            }

            var schema = context.Settings.Snapshots.Schema;
            var newest = ExplainOperation.Newest(context, warehouse, log, match);
            return newest is not null && Holds(warehouse, Sql.Identifier(schema, newest.Table), idColumn, leftId) ? $"its snapshot {schema}.{newest.Table}" : null;
        }
        catch (DuckDBException)
        {
            // A hint only: an unreadable stage or snapshot (a view over a file gone) must not replace the EM0111.
            return null;
        }
    }

    private static bool Holds(DuckDbWarehouse warehouse, string table, string column, string leftId) =>
        warehouse.Scalar<bool>($"select exists (select 1 from {table} where cast({Sql.Identifier(column)} as varchar) = {Sql.Literal(leftId)})");
}
