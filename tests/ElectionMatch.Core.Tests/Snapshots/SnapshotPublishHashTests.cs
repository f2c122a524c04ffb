using ElectionMatch.Matching;
using ElectionMatch.Settings;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Snapshots;

/// <summary>
/// A publish hashes the run's output before its transaction, from the run schema, instead of the copy it makes, and
/// the copy sorts an unsorted output into canonical order: the snapshot, its content hash and its per-row hashes must
/// be those of the published table, whichever order the output was stored in.
/// </summary>
public sealed class SnapshotPublishHashTests : IDisposable
{
    private const string OrderBy = "name, id";

    private readonly string _directory = Directory.CreateTempSubdirectory("em-publish-hash-").FullName;
    private readonly DuckDbWarehouse _warehouse;

    public SnapshotPublishHashTests()
    {
        // A file, not memory, as in a run.
        _warehouse = DuckDbWarehouse.Open(Path.Combine(_directory, "w.duckdb"));
        // Text with a comma, a quote, a line feed, non-ASCII letters, nulls and JSON: row text that renders differently per type.
        _warehouse.Execute("""
            create schema run;
            create table run.rows as
            select i as id, 'Name ' || (i % 997) || case when i % 7 = 0 then ', "Jr."' when i % 11 = 0 then e'\nline' else '' end as name,
                case when i % 5 = 0 then null else date '2024-11-05' + cast(i as integer) end as election_date, i * 0.25 as score,
                case when i % 3 = 0 then 'José Ñúñez' end as accented,
                to_json(struct_pack(weight := round(i / 7.0, 3), found_by := ['embedding_top_k'])) as explanation
            from range(20000) as r(i);
            create table run.sorted_output as select * from run.rows order by name, id;
            create table run.quarantine as select 1 as row_number limit 0;
            """);
    }

    public void Dispose()
    {
        _warehouse.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void An_unsorted_output_publishes_the_rows_order_and_hashes_of_one_in_canonical_order()
    {
        var publisher = new SnapshotPublisher(_warehouse, SnapshotSettings.Defaults);
        var unsorted = new SnapshotName("m", new DateOnly(2030, 1, 1));
        var steps = new RunSteps(null);
        var fromUnsorted = publisher.Publish(unsorted, Result("run.rows", inCanonicalOrder: false), replace: false, "run-1", steps);
        Assert.Contains(steps.Reports, s => s.Stage == "row_hashes");

        var sorted = new SnapshotName("m", new DateOnly(2030, 1, 2));
        var fromSorted = publisher.Publish(sorted, Result("run.sorted_output", inCanonicalOrder: true), replace: false, "run-2");

        Assert.Equal(20000, fromSorted.Rows);
        Assert.Equal(ContentHash.CurrentVersion, fromUnsorted.ContentVersion);
        Assert.Equal(fromUnsorted.ContentSha256, fromSorted.ContentSha256);
        Assert.Equal(ContentHash.Of(_warehouse, Table(unsorted), OrderBy), fromUnsorted.ContentSha256);
        Assert.Equal(0, _warehouse.Scalar<long>($"select count(*) from ((from {Table(unsorted)}) except all (from {Table(sorted)}))"));

        // Stored in canonical order, which the parquet copy reads: the table's own order is the sorted one.
        Assert.Equal(0, _warehouse.Scalar<long>($"""
            select count(*) from (select id, row_number() over () as n from {Table(unsorted)}) as t
            join (select id, row_number() over (order by name, id) as n from run.rows) as s using (n)
            where t.id <> s.id
            """));

        // The per-row hashes verify compares: equal for both publishes, and a match for the published rows.
        Assert.Equal(0, _warehouse.Scalar<long>("""
            select count(*) from (
                (select row_key, row_md5 from electionmatch.snapshot_rows where snapshot = 'm_20300101')
                except all (select row_key, row_md5 from electionmatch.snapshot_rows where snapshot = 'm_20300102')
            )
            """));
        Assert.Equal(20000, _warehouse.Scalar<long>("select count(*) from electionmatch.snapshot_rows where snapshot = 'm_20300101'"));
        var log = new SnapshotLog(_warehouse);
        Assert.False(log.Differences(unsorted.Table, Table(unsorted), OrderBy, ContentHash.CurrentVersion).Any);
        Assert.False(_warehouse.TableExists("main", "em_output_row_hashes"));

        // An edited row is named by its key under the version it was published with.
        _warehouse.Execute($"update {Table(unsorted)} set score = -1 where id = 42");
        var edited = log.Differences(unsorted.Table, Table(unsorted), OrderBy, ContentHash.CurrentVersion);
        Assert.Equal(1, edited.Edited.Count);
        Assert.Equal(0, edited.Deleted.Count + edited.Added.Count);
        Assert.NotEqual(fromUnsorted.ContentSha256, ContentHash.Of(_warehouse, Table(unsorted), OrderBy));
    }

    [Fact]
    public void Tied_canonical_keys_hash_as_verify_recomputes_them()
    {
        _warehouse.Execute("create table run.tied as select * from run.rows union all select * from run.rows where id < 10");
        var publisher = new SnapshotPublisher(_warehouse, SnapshotSettings.Defaults);
        var name = new SnapshotName("m", new DateOnly(2030, 1, 3));

        var published = publisher.Publish(name, Result("run.tied", inCanonicalOrder: false), replace: false, "run-3");

        Assert.Equal(20010, published.Rows);
        Assert.Equal(ContentHash.Of(_warehouse, Table(name), OrderBy), published.ContentSha256);
        Assert.False(new SnapshotLog(_warehouse).Differences(name.Table, Table(name), OrderBy, ContentHash.CurrentVersion).Any);
    }

    [Fact]
    public void A_snapshot_is_stored_without_dictionary_compression_and_the_session_setting_comes_back()
    {
        // A low-cardinality column dictionary compression would otherwise take, and a run's own setting to restore. Enough
        // rows that DuckDB writes full row groups during the copy, with the setting of that moment, not at a later checkpoint.
        _warehouse.Execute("create table run.repeated as select i as id, 'name ' || (i % 1000) as name, case when i % 2 = 0 then 'score' else 'judge' end as decided_by from range(400000) as r(i) order by name, id");
        _warehouse.Execute("set disabled_compression_methods = 'fsst'");
        var publisher = new SnapshotPublisher(_warehouse, SnapshotSettings.Defaults);
        var name = new SnapshotName("m", new DateOnly(2030, 1, 4));

        var published = publisher.Publish(name, Result("run.repeated", inCanonicalOrder: true), replace: false, "run-4");

        Assert.Equal(400000, published.Rows);
        Assert.Equal(ContentHash.Of(_warehouse, Table(name), OrderBy), published.ContentSha256);
        var compressions = _warehouse.Query($"select distinct compression from pragma_storage_info('{SnapshotSettings.Defaults.Schema}.{name.Table}') where column_name = 'decided_by'", r => r.GetString(0));
        Assert.NotEmpty(compressions);
        Assert.DoesNotContain("Dictionary", compressions);
        Assert.Equal("FSST", _warehouse.Scalar<string>("select current_setting('disabled_compression_methods')"), ignoreCase: true);
    }

    private static MatchResult Result(string output, bool inCanonicalOrder) =>
        new(output, "run.quarantine", OrderBy, [], new Dictionary<string, long>()) { OutputInCanonicalOrder = inCanonicalOrder };

    private static string Table(SnapshotName name) => Sql.Identifier(SnapshotSettings.Defaults.Schema, name.Table);
}
