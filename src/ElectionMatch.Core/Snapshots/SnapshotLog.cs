using ElectionMatch.Warehouse;

namespace ElectionMatch.Snapshots;

/// <summary>
/// What the warehouse remembers of each publish, in schema <c>electionmatch</c>: one log row per publish
/// (written in the publish transaction, completed with the manifest's hash and text once every file is
/// written) and one (key, hash) row per snapshot row. A log row never completed marks a run that died after
/// publishing, which the next run finishes; the manifest text lets verify name the field someone edited,
/// and the row hashes name the rows that were edited, deleted or added. A snapshot retired by <c>prune</c> keeps its
/// log rows, marked pruned, and loses its row hashes.
/// </summary>
public sealed class SnapshotLog
{
    public const string Schema = "electionmatch";

    private readonly DuckDbWarehouse _warehouse;

    public SnapshotLog(DuckDbWarehouse warehouse)
    {
        _warehouse = warehouse;
    }

    private static string Log => Sql.Identifier(Schema, "snapshot_log");

    private static string Rows => Sql.Identifier(Schema, "snapshot_rows");

    public bool Exists => _warehouse.TableExists(Schema, "snapshot_log");

    /// <summary>Creates the tables; call inside the publish transaction.</summary>
    public void Ensure() => _warehouse.Execute($"""
        create schema if not exists {Sql.Identifier(Schema)};
        create table if not exists {Log} (
            match varchar, snapshot varchar, run_id varchar, published_at timestamp, canonical_order varchar,
            row_count bigint, content_sha256 varchar, manifest_sha256 varchar, manifest_json varchar);
        create table if not exists {Rows} (snapshot varchar, row_key varchar, row_md5 varchar);
        alter table {Log} add column if not exists run_options varchar;
        alter table {Log} add column if not exists pruned_at timestamp;
        alter table {Log} add column if not exists pending_manifest_json varchar;
        alter table {Log} add column if not exists model_parameters_json varchar;
        alter table {Log} add column if not exists summary_json varchar;
        """);

    /// <summary>Records a publish and its row hashes (<paramref name="rowHashes"/>, see <see cref="RowHashes"/>); call inside the publish transaction.</summary>
    /// <param name="rowHashes">A relation with columns <c>row_key</c> and <c>row_md5</c>, computed before the transaction (<see cref="OutputHashing"/>).</param>
    /// <param name="runOptions">The run's options that change what it publishes (<c>--incremental --full</c>), as the CLI spells them; empty for a plain run.</param>
    /// <param name="pending">What the run's files are written from, so that a run finishing this one after a kill writes them without matching again.</param>
    public void RecordPublish(string match, string snapshot, string runId, string rowHashes, string orderBy, long rows, string contentSha256, string runOptions = "", PendingPublish? pending = null)
    {
        _warehouse.Execute($"delete from {Rows} where snapshot = {Sql.Literal(snapshot)}");
        _warehouse.Execute($"insert into {Rows} select {Sql.Literal(snapshot)}, row_key, row_md5 from {rowHashes}");
        _warehouse.Execute($"""
            insert into {Log} (match, snapshot, run_id, published_at, canonical_order, row_count, content_sha256, manifest_sha256, manifest_json, run_options,
                pending_manifest_json, model_parameters_json, summary_json)
            values ({Sql.Literal(match)}, {Sql.Literal(snapshot)}, {Sql.Literal(runId)}, now(), {Sql.Literal(orderBy)},
                {rows}, {Sql.Literal(contentSha256)}, null, null, {Sql.Literal(runOptions)},
                {Sql.Literal(pending?.Manifest.ToJson())}, {Sql.Literal(pending?.ModelParametersJson)}, {Sql.Literal(pending?.SummaryJson)})
            """);
    }

    /// <summary>
    /// What the publish of <paramref name="runId"/> stored for writing its files (<see cref="PendingPublish"/>); null when it
    /// stored none: a publish by a version before it was stored, whose log lacks the columns or holds nulls in them.
    /// </summary>
    public PendingPublish? Pending(string runId)
    {
        if (!Exists || !LogColumns().Contains("pending_manifest_json"))
        {
            return null;
        }

        return _warehouse.Query($"select pending_manifest_json, model_parameters_json, summary_json from {Log} where run_id = {Sql.Literal(runId)} and pending_manifest_json is not null",
            r => PendingPublish.Read(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2))).FirstOrDefault();
    }

    /// <summary>
    /// Each row of <paramref name="table"/> (qualified) as its key and the MD5 of its text in <paramref name="version"/>'s
    /// definition (<see cref="ContentHash"/>), as a parenthesised query: what <c>snapshot_rows</c> holds and verify
    /// compares. Any table with the snapshot's rows gives the same pairs, in any order.
    /// </summary>
    public string RowHashes(string table, string orderBy, int version) =>
        $"(select {RowKeySql(orderBy)} as row_key, {ContentHash.RowHashSql(_warehouse.Connection, table, "t", version)} as row_md5 from {table} as t)";

    /// <summary>Marks a publish finished: its manifest and every generated file are written.</summary>
    public void Complete(string runId, string manifestJson) =>
        _warehouse.Execute($"update {Log} set manifest_sha256 = {Sql.Literal(SnapshotManifest.Sha256(manifestJson))}, manifest_json = {Sql.Literal(manifestJson)} where run_id = {Sql.Literal(runId)}");

    /// <summary>
    /// Marks every publish of a snapshot pruned and drops its row hashes; call inside the transaction that drops its
    /// tables (<c>prune</c>), so the log never says pruned while the table is there, nor the reverse.
    /// </summary>
    public void RecordPrune(string snapshot)
    {
        Ensure();
        _warehouse.Execute($"update {Log} set pruned_at = now() where snapshot = {Sql.Literal(snapshot)} and pruned_at is null");
        _warehouse.Execute($"delete from {Rows} where snapshot = {Sql.Literal(snapshot)}");
    }

    /// <summary>The newest publish of every snapshot of a match (or of every match), oldest publish first; with <paramref name="all"/>, every publish.</summary>
    /// <remarks>
    /// Read once per command until it next writes (<see cref="DuckDbWarehouse.Remember{T}"/>): a command asks for the
    /// log several times (the chain, each snapshot's record, the newest), about 8 ms a read on the fixture's warehouse.
    /// </remarks>
    public IReadOnlyList<PublishRecord> Latest(string? match = null, bool all = false) =>
        _warehouse.Remember($"snapshot-log\0{match}\0{all}", () => ReadLatest(match, all));

    private IReadOnlyList<PublishRecord> ReadLatest(string? match, bool all)
    {
        if (!Exists)
        {
            return [];
        }

        var where = match is null ? "" : $"where match = {Sql.Literal(match)}";
        // A column added to the log after its first version is null where a log written before it lacks the column until
        // the next publish or prune adds it (verify reads the log read-only). The log's own description is asked, not
        // information_schema.columns, which lists every column of the warehouse: about 25 ms a call on the fixture's
        // warehouse against 1-3 ms, and every command reads the log.
        var columns = LogColumns();
        string Optional(string column, string type) => columns.Contains(column) ? column : $"cast(null as {type})";
        return _warehouse.Query($"""
            select match, snapshot, run_id, canonical_order, row_count, content_sha256, manifest_sha256, manifest_json,
                {Optional("run_options", "varchar")}, {Optional("pruned_at", "timestamp")} is not null
            from {Log} {where}
            {(all ? "" : "qualify row_number() over (partition by snapshot order by published_at desc, run_id desc) = 1")}
            order by published_at, snapshot
            """,
            r => new PublishRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetString(5),
                r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7)) { RunOptions = r.IsDBNull(8) ? "" : r.GetString(8), IsPruned = r.GetBoolean(9) });
    }

    // The log's columns, which depend on the version that last wrote it.
    private IReadOnlySet<string> LogColumns() =>
        _warehouse.Remember("snapshot-log-columns", () => (IReadOnlySet<string>)_warehouse.Describe($"select * from {Log}").Select(c => c.Name).ToHashSet(StringComparer.Ordinal));

    /// <summary>The publish of a run (<paramref name="runId"/>), whether or not a later one replaced it; null when that run published nothing.</summary>
    public PublishRecord? Find(string match, string runId) =>
        Latest(match, all: true).LastOrDefault(r => r.RunId == runId);

    /// <summary>Every manifest hash ever completed for a match, replaced ones too: a chain link to any of them is genuine.</summary>
    public IReadOnlySet<string> ManifestHashes(string match) =>
        Exists
            ? _warehouse.Query($"select manifest_sha256 from {Log} where match = {Sql.Literal(match)} and manifest_sha256 is not null", r => r.GetString(0)).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>();

    public bool HasRowHashes(string snapshot) =>
        _warehouse.TableExists(Schema, "snapshot_rows")
        && _warehouse.Scalar<long>($"select count(*) from (select 1 from {Rows} where snapshot = {Sql.Literal(snapshot)} limit 1)") > 0;

    /// <summary>
    /// Rows of <paramref name="table"/> that differ from those published, by key: a key published but gone is a
    /// deleted row, a key not published is an added row, a key whose row hash changed is an edited row.
    /// Each key is counted as often as it appears, so a duplicated row shows as added.
    /// </summary>
    /// <param name="version">The content hash version the snapshot was published with, which defines its row hashes.</param>
    public RowDifferences Differences(string snapshot, string table, string orderBy, int version)
    {
        var rows = _warehouse.Query($"""
            with published as (
                select row_key, row_md5, row_number() over (partition by row_key order by row_md5) as n
                from {Rows} where snapshot = {Sql.Literal(snapshot)}
            ),
            current_rows as (
                select row_key, row_md5, row_number() over (partition by row_key order by row_md5) as n
                from {RowHashes(table, orderBy, version)}
            ),
            paired as (
                select coalesce(p.row_key, c.row_key) as row_key,
                    case when c.row_key is null then 'deleted' when p.row_key is null then 'added' else 'edited' end as change
                from published as p
                full join current_rows as c on c.row_key = p.row_key and c.n = p.n
                where p.row_md5 is distinct from c.row_md5
            )
            select change, count(*), list(row_key order by row_key)[1:5] from paired group by change
            """,
            r => (Change: r.GetString(0), Count: r.GetInt64(1), Keys: ((System.Collections.IEnumerable)r.GetValue(2)).Cast<object>().Select(k => k.ToString()!).ToList()));
        RowChange For(string change) => rows.Where(r => r.Change == change).Select(r => new RowChange(r.Count, r.Keys)).FirstOrDefault() ?? RowChange.None;
        return new RowDifferences(For("edited"), For("deleted"), For("added"));
    }

    /// <summary>The canonical order's columns as one text key, for example <c>(gpc-1, general, 2024-11-05)</c>.</summary>
    internal static string RowKeySql(string orderBy) => $"cast(row({orderBy}) as varchar)";
}

/// <param name="ManifestSha256">Null while the run that published it has not finished writing its files.</param>
public sealed record PublishRecord(string Match, string Snapshot, string RunId, string CanonicalOrder, long Rows, string ContentSha256, string? ManifestSha256, string? ManifestJson)
{
    public bool IsComplete => ManifestSha256 is not null;

    /// <summary>The run's options that change what it publishes (<c>--incremental --retrain</c>), as the CLI spells them; empty for a plain run or an older log.</summary>
    public string RunOptions { get; init; } = "";

    /// <summary><c>prune</c> dropped this snapshot's tables (in the same transaction that marked it).</summary>
    public bool IsPruned { get; init; }

    /// <summary>The manifest the run completed, parsed; null before it completed, or should the log's text not parse.</summary>
    public SnapshotManifest? ParsedManifest()
    {
        try
        {
            return ManifestJson is { } published ? SnapshotManifest.FromJson(published) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

public sealed record RowDifferences(RowChange Edited, RowChange Deleted, RowChange Added)
{
    public bool Any => Edited.Count + Deleted.Count + Added.Count > 0;
}

/// <param name="Keys">Up to five keys of the rows changed, in key order.</param>
public sealed record RowChange(long Count, IReadOnlyList<string> Keys)
{
    public static RowChange None { get; } = new(0, []);
}
