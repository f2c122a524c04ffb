using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Warehouse;

/// <summary>
/// What a command reads over and over (whether a table is there, the snapshot log) is read once and remembered until the
/// command next runs a statement through <see cref="DuckDbWarehouse.Execute"/>, which every statement of ours that
/// creates, drops or writes goes through. A table not found is asked again every time, since a second connection (the
/// judge's cache, retrieval) may create one.
/// </summary>
public sealed class RememberedReadsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("em-remembered-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_table_found_is_remembered_until_the_next_statement_and_one_not_found_is_asked_again()
    {
        using var warehouse = DuckDbWarehouse.Open(Path.Combine(_directory, "w.duckdb"));
        warehouse.Execute("create schema s; create table s.kept (a int)");
        Assert.True(warehouse.TableExists("s", "kept"));

        using (var second = warehouse.OpenSecondConnection())
        {
            using var command = second.CreateCommand();
            command.CommandText = "drop table s.kept; create table s.made_beside (a int)";
            command.ExecuteNonQuery();
        }

        // Remembered: the drop went around Execute, which no statement of ours does.
        Assert.True(warehouse.TableExists("s", "kept"));
        // Not remembered as missing: found once a second connection made it.
        Assert.True(warehouse.TableExists("s", "made_beside"));

        warehouse.Execute("drop table s.made_beside");
        Assert.False(warehouse.TableExists("s", "kept"));
        Assert.False(warehouse.TableExists("s", "made_beside"));

        // A view counts, as in information_schema.tables.
        warehouse.Execute("create view s.seen as select 1 as a");
        Assert.True(warehouse.TableExists("s", "seen"));
    }

    [Fact]
    public void The_snapshot_log_read_before_a_publish_is_read_again_after_it()
    {
        using var warehouse = DuckDbWarehouse.Open(Path.Combine(_directory, "w.duckdb"));
        var log = new SnapshotLog(warehouse);
        Assert.Empty(log.Latest("m"));
        Assert.Same(log.Latest("m"), log.Latest("m"));

        log.Ensure();
        Assert.Empty(log.Latest("m"));
        log.RecordPublish("m", "m_20300101", "run-1", "(select 'k1' as row_key, 'h1' as row_md5)", "id", rows: 1, contentSha256: "abc");
        var published = Assert.Single(log.Latest("m"));
        Assert.Equal(("m_20300101", "run-1", null), (published.Snapshot, published.RunId, published.ManifestSha256));

        log.Complete("run-1", "{}");
        Assert.Equal(SnapshotManifest.Sha256("{}"), Assert.Single(log.Latest("m")).ManifestSha256);
        Assert.Single(log.Latest(all: true));

        log.RecordPublish("m", "m_20300102", "run-2", "(select 'k1' as row_key, 'h2' as row_md5)", "id", rows: 1, contentSha256: "def");
        Assert.Equal(["m_20300101", "m_20300102"], log.Latest("m").Select(r => r.Snapshot));
    }
}
