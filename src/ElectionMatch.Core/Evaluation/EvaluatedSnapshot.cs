using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Evaluation;

/// <summary>
/// The snapshot <c>evaluate</c> scores: the one named with <c>--snapshot</c>, or the match's newest finished one that can be read.
/// A snapshot is read where dbt reads it: a declared one from its entry (its table, or its <c>external_location</c> file,
/// as today's pipeline's hand-uploaded outputs are), one published here but not declared from its table.
/// </summary>
/// <param name="Name">The snapshot's dated name (<c>match_YYYYMMDD</c>).</param>
/// <param name="Relation">SQL relation to read it from.</param>
/// <param name="Display">How output names it: <c>schema.table</c>, with the file it is read from when it is one.</param>
/// <param name="QuarantineTable">The table a run published its quarantine to, when this warehouse has it (null for a snapshot loaded by hand).</param>
public sealed record EvaluatedSnapshot(SnapshotName Name, string Relation, string Display, string? QuarantineTable)
{
    /// <summary>A snapshot published in the warehouse, read from its table (as bench does).</summary>
    /// <summary>EM0608's warning when the snapshot named with <c>--snapshot</c> is of a run that was interrupted; null otherwise.</summary>
    public Diagnostic? Interrupted { get; init; }

    /// <summary>When none was named and the stable model's snapshot cannot be read here, why, and that this older one is scored instead; null otherwise.</summary>
    public string? StableModelUnread { get; init; }

    public static EvaluatedSnapshot Published(string schema, SnapshotName name) =>
        new(name, Sql.Identifier(schema, name.Table), $"{schema}.{name.Table}", Sql.Identifier(schema, name.QuarantineTable));

    /// <param name="requested">The table named on the command line (with or without the snapshot schema), or null for the
    /// newest finished one, which the stable model reads (<see cref="FinishedSnapshots.Newest"/>): a snapshot whose run was
    /// interrupted (EM0608) or that was pruned is passed over, as generate passes it over.</param>
    internal static EvaluatedSnapshot Resolve(ProjectContext context, DuckDbWarehouse warehouse, string match, string? requested, EvaluationColumns columns)
    {
        var schema = context.Settings.Snapshots.Schema;
        var warehouseAt = SourceSpan.PathOnly(DisplayPath.For(context.Target.DatabasePath));
        var readable = Readable(warehouse, context.Resolver(warehouse), schema, match, context.DeclaredSnapshots(match));
        var existing = readable.Count == 0
            ? $"'{match}' has no snapshot in {schema} that can be read (none published in this warehouse, no declared one whose table or external_location exists); run `electionmatch run {match}` first"
            : $"the snapshots of '{match}' are {string.Join(", ", readable.Select(s => s.Name.Table))}";
        EvaluatedSnapshot chosen;
        if (requested is null)
        {
            var newest = Newest(context, warehouse, match, readable);
            chosen = newest is not null ? newest
                : readable.Count == 0 ? throw DiagnosticException.At(Codes.SnapshotTableMissing, warehouseAt, existing)
                : throw DiagnosticException.At(Codes.SnapshotTableMissing, warehouseAt,
                    $"'{match}' has no finished snapshot that can be read ({existing}, none of them finished nor read by the stable model)"
                    + (new SnapshotLog(warehouse).Latest(match).LastOrDefault(r => r.Snapshot == readable[^1].Name.Table) is { IsComplete: false } record ? "; " + FinishedSnapshots.InterruptedRun(context, record) : "")
                    + "; name one with --snapshot to score it as it is");
        }
        else
        {
            var table = RequestedTable(warehouse, requested, schema, match, warehouseAt, existing);
            var found = readable.FirstOrDefault(s => string.Equals(s.Name.Table, table, StringComparison.OrdinalIgnoreCase));
            // DuckDB binds names in any case, so `MODEL_PREDICTIONS.X` names the table dbt reads as model_predictions.x.
            table = found?.Name.Table ?? warehouse.Query(
                $"select table_name from information_schema.tables where table_schema = {Sql.Literal(schema)} and lower(table_name) = lower({Sql.Literal(table)}) order by table_name = {Sql.Literal(table)} desc limit 1",
                r => r.GetString(0)).FirstOrDefault() ?? table;
            if (found is null && warehouse.TableExists(schema, table))
            {
                // Any other table of the schema: refused below by its columns, with the match's snapshots listed.
                found = new EvaluatedSnapshot(SnapshotName.TryParse(table) ?? new SnapshotName(match, DateOnly.MinValue), Sql.Identifier(schema, table), $"{schema}.{table}", null);
            }

            if (found is null && SnapshotName.TryParse(table) is { } other && other.Match != match)
            {
                // Another match's snapshot that is not a table here (one declared with its external_location file, as
                // today's hand-uploaded ones are): `declared` holds only this match's, so it used to be called neither.
                throw DiagnosticException.At(Codes.SnapshotTableMissing, warehouseAt, $"{schema}.{table} (--snapshot) is not a snapshot of '{match}': it is named as a snapshot of '{other.Match}'; {existing}");
            }

            chosen = found ?? throw DiagnosticException.At(Codes.SnapshotTableMissing, warehouseAt,
                $"snapshot {schema}.{table} (--snapshot) is not in the warehouse nor declared with a file; {existing}"
                + (SnapshotName.TryParse(table, match) is { } named && FinishedSnapshots.DroppedSince(context, warehouse, named) is { } since ? "; " + since : ""));
        }

        // Another match's snapshot (or any other table) would stop on its first missing column with DuckDB's words.
        var names = warehouse.Describe($"select * from {chosen.Relation}").Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var rightId = names.Contains(columns.RightId) || columns.RightIdLookup.Count == 0
            ? [columns.RightId]
            : columns.RightIdLookup.Select(k => k.SnapshotColumn);
        var missing = new[] { columns.LeftId, columns.Matched }.Concat(rightId).Where(c => !names.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            var how = requested is null ? "the newest snapshot" : "(--snapshot)";
            throw DiagnosticException.At(Codes.SnapshotTableMissing, warehouseAt, $"{chosen.Display} {how} is not a snapshot of '{match}': it has no column {string.Join(", ", missing)}; {existing}");
        }

        return chosen with
        {
            Interrupted = requested is null ? null : FinishedSnapshots.Interrupted(context, warehouse, chosen.Name, warehouseAt),
            StableModelUnread = requested is null ? FinishedSnapshots.StableModelUnread(context, warehouse, match, chosen.Name) : null,
        };
    }

    /// <summary>
    /// The table <c>--snapshot</c> names, as an analyst copies it: bare, after its schema, or after its database and schema
    /// (dbt's compiled SQL writes <c>"goodparty"."model_predictions"."x"</c>), each part quoted or not, in any case. Before,
    /// only a bare name or one after the schema as written in electionmatch.yml was taken; anything else was looked up
    /// as a table named with the schema again (<c>model_predictions."model_predictions"."x"</c>). A schema that is not
    /// the snapshots' is EM0101, saying where snapshots are.
    /// </summary>
    private static string RequestedTable(DuckDbWarehouse warehouse, string requested, string schema, string match, SourceSpan at, string existing)
    {
        var parts = IdentifierParts(requested.Trim());
        if (parts is null || parts.Count > 3 || parts.Any(p => p.Length == 0))
        {
            throw DiagnosticException.At(Codes.SnapshotTableMissing, at, $"{requested} (--snapshot) is not a table's name: give the snapshot's table, alone or after its schema ({schema}.{match}_YYYYMMDD); {existing}");
        }

        if (parts.Count == 3 && warehouse.Scalar<string>("select current_database()") is var database && !string.Equals(parts[0], database, StringComparison.OrdinalIgnoreCase))
        {
            throw DiagnosticException.At(Codes.SnapshotTableMissing, at, $"{requested} (--snapshot) names the database {parts[0]}, not this warehouse's ({database}); {existing}");
        }

        if (parts.Count >= 2 && !string.Equals(parts[^2], schema, StringComparison.OrdinalIgnoreCase))
        {
            throw DiagnosticException.At(Codes.SnapshotTableMissing, at, $"{requested} (--snapshot) names the schema {parts[^2]}, but snapshots are published in {schema} (electionmatch.yml's snapshots.schema); {existing}");
        }

        return parts[^1];
    }

    /// <summary>The dot-separated parts of a relation name, each unquoted (<c>""</c> inside quotes is one quote); null when a quote is not closed.</summary>
    private static List<string>? IdentifierParts(string name)
    {
        var parts = new List<string>();
        var part = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (quoted)
            {
                if (c != '"')
                {
                    part.Append(c);
                }
                else if (i + 1 < name.Length && name[i + 1] == '"')
                {
                    part.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == '.')
            {
                parts.Add(part.ToString());
                part.Clear();
            }
            else
            {
                part.Append(c);
            }
        }

        if (quoted)
        {
            return null;
        }

        parts.Add(part.ToString());
        return parts;
    }

    /// <summary>The match's snapshots whose relation can be read, oldest first; a declared entry wins over its own table.</summary>
    /// <summary>
    /// The snapshot the match's stable model reads: the newest finished one that can be read here, a declared one whose
    /// table or external_location file exists (today's hand-uploaded files) or one published here; null when none.
    /// </summary>
    internal static EvaluatedSnapshot? StableModelReads(ProjectContext context, DuckDbWarehouse warehouse, string match) =>
        Newest(context, warehouse, match, Readable(warehouse, context.Resolver(warehouse), context.Settings.Snapshots.Schema, match, context.DeclaredSnapshots(match)));

    /// <summary>The declared snapshot <paramref name="name"/> when its table or external_location file can be read here; null otherwise.</summary>
    internal static EvaluatedSnapshot? Declared(ProjectContext context, DuckDbWarehouse warehouse, SnapshotName name) =>
        Readable(warehouse, context.Resolver(warehouse), context.Settings.Snapshots.Schema, name.Match, [.. context.DeclaredSnapshots(name.Match).Where(d => d.Name == name)])
            .FirstOrDefault(s => s.Name == name);

    private static EvaluatedSnapshot? Newest(ProjectContext context, DuckDbWarehouse warehouse, string match, List<EvaluatedSnapshot> readable)
    {
        var byTable = readable.ToDictionary(s => s.Name.Table, StringComparer.Ordinal);
        return FinishedSnapshots.Newest(context, warehouse, match, n => byTable.ContainsKey(n.Table), readable.Select(s => s.Name)) is { } newest ? byTable[newest.Table] : null;
    }

    private static List<EvaluatedSnapshot> Readable(DuckDbWarehouse warehouse, RelationResolver resolver, string schema, string match, IReadOnlyList<(SnapshotName Name, SourceTable Entry)> declared)
    {
        var snapshots = new Dictionary<string, EvaluatedSnapshot>(StringComparer.Ordinal);
        foreach (var (name, entry) in declared)
        {
            try
            {
                var relation = resolver.Relation(entry);
                warehouse.Describe("select * from " + relation);
                var display = entry.ExternalLocation is { } location ? $"{schema}.{name.Table} (file {location})" : $"{entry.Schema}.{entry.Identifier}";
                snapshots[name.Table] = new EvaluatedSnapshot(name, relation, display, Quarantine(warehouse, schema, name));
            }
            catch (Exception e) when (e is DiagnosticException or DuckDB.NET.Data.DuckDBException)
            {
                // Declared, but its table is in another warehouse or its file is gone: check reports it (EM0101).
            }
        }

        // Published by a run but not declared (a run killed before it wrote the sources YAML).
        var published = warehouse.Query(
            $"select table_name from information_schema.tables where table_schema = {Sql.Literal(schema)} and regexp_matches(table_name, {Sql.Literal("^" + match + "_[0-9]{8}$")})",
            r => r.GetString(0));
        foreach (var table in published.Where(t => !snapshots.ContainsKey(t)))
        {
            if (SnapshotName.TryParse(table, match) is { } name)
            {
                snapshots[table] = Published(schema, name) with { QuarantineTable = Quarantine(warehouse, schema, name) };
            }
        }

        return [.. snapshots.Values.OrderBy(s => s.Name.Date)];
    }

    private static string? Quarantine(DuckDbWarehouse warehouse, string schema, SnapshotName name) =>
        warehouse.TableExists(schema, name.QuarantineTable) ? Sql.Identifier(schema, name.QuarantineTable) : null;
}
