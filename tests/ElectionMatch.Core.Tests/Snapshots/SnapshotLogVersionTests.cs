using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Snapshots;

/// <summary>
/// A warehouse whose snapshot log was written before <c>run_options</c>, <c>pruned_at</c> and what a publish stores for its
/// files were added is read as it is (verify opens it read-only, so nothing may add them), and the next publish adds them.
/// </summary>
public sealed class SnapshotLogVersionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("em-log-version-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_log_of_the_first_version_reads_without_options_or_prunes_and_the_next_publish_adds_the_columns()
    {
        var path = Path.Combine(_directory, "w.duckdb");
        using (var warehouse = DuckDbWarehouse.Open(path))
        {
            // The log as its first version created it: no run_options, no pruned_at.
            warehouse.Execute("""
                create schema electionmatch;
                create table electionmatch.snapshot_log (
                    match varchar, snapshot varchar, run_id varchar, published_at timestamp, canonical_order varchar,
                    row_count bigint, content_sha256 varchar, manifest_sha256 varchar, manifest_json varchar);
                insert into electionmatch.snapshot_log values
                    ('m', 'm_20300101', 'run-1', timestamp '2030-01-01 10:00:00', 'id', 3, 'abc', 'def', '{}');
                """);
        }

        using (var readOnly = DuckDbWarehouse.Open(path, readOnly: true))
        {
            var record = Assert.Single(new SnapshotLog(readOnly).Latest("m"));
            Assert.Equal(("m_20300101", "run-1", 3L, "", false), (record.Snapshot, record.RunId, record.Rows, record.RunOptions, record.IsPruned));
            Assert.Null(new SnapshotLog(readOnly).Pending("run-1"));
        }

        using (var warehouse = DuckDbWarehouse.Open(path))
        {
            var log = new SnapshotLog(warehouse);
            log.RecordPrune("m_20300101");
            var pruned = Assert.Single(log.Latest("m"));
            Assert.True(pruned.IsPruned);
            Assert.Equal(["run_options", "pruned_at", "pending_manifest_json", "model_parameters_json", "summary_json"], warehouse.Describe("select * from electionmatch.snapshot_log").Select(c => c.Name).TakeLast(5));
            Assert.Null(log.Pending("run-1"));
        }
    }
}
