using ElectionMatch.Generation;
using ElectionMatch.Matches;
using ElectionMatch.Operations;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Snapshots;

/// <summary>
/// A match's newest snapshot whose table is not in the warehouse (dropped, or published into a teammate's) cannot be
/// read here, and whether <c>restore</c> is the remedy reads and hashes its parquet copy. Only a report needs the
/// remedy: a run's look at the files it will write, before its work, and explain's and evaluate's choice of a snapshot
/// must not read the copy. They did, on every command against such a warehouse: 4 s and 8 CPU-s of each bench run at a
/// million candidacies, for a warning the run dropped.
/// </summary>
public sealed class UnreadableSnapshotRemedyTests : IDisposable
{
    private const string Match = "llm_l2_br_match";

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    private ProjectContext Load() => ProjectContext.Load(new ProjectOptions(_fixture.Directory));

    [Fact]
    public void A_dropped_newest_snapshots_parquet_copy_is_read_for_its_remedy_only_when_that_is_reported()
    {
        // Newer than the fixture's declared snapshots, so the stable model's.
        var name = new SnapshotName(Match, new DateOnly(2026, 11, 30));
        new RunOperation(Load()).Execute(new RunOptions(Match, name.Date));
        var context = Load();
        var copy = Path.GetFileName(context.ParquetPath(name));
        Assert.True(File.Exists(context.ParquetPath(name)));
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath);
        warehouse.Execute($"drop table model_predictions.{name.Table}");
        // DuckDB logs each file it opens and reads from here on.
        warehouse.Execute("call enable_logging('FileSystem')");
        long CopyOpened() => warehouse.Scalar<long>($"select count(*) from duckdb_logs where type = 'FileSystem' and message like {Sql.Literal($"%/{copy}\",\"op\":\"OPEN\"%")}");

        // What a run looks at before its work: the hand edits it would meet in the files it writes.
        var definition = MatchDefinition.For(context.Settings.Match(Match).Kind);
        Assert.Empty(new GenerateOperation(context).HandEditsAhead(name, definition, warehouse));
        Assert.Equal(0, CopyOpened());

        // What explain and evaluate ask: the newest finished snapshot they can read. Not this one, and not by its copy.
        Assert.Null(FinishedSnapshots.Newest(context, warehouse, Match, _ => true, []));
        Assert.Equal(0, CopyOpened());

        var target = StableModelTarget.Find(context, Match, context.Sources, [], warehouse, context.Resolver(warehouse));
        Assert.NotNull(target);
        Assert.Equal(name, target.Name);
        Assert.False(target.Readable);
        Assert.Equal(0, CopyOpened());

        // Reported (check's EM0101, generate's EM0107), the remedy is restore, from the copy it has now read.
        Assert.Contains($"`electionmatch restore {Match} --snapshot-date 2026-11-30` puts the table back from it", target.LeftAsItIs(context.Settings.Snapshots.SourceName).Message, StringComparison.Ordinal);
        Assert.True(CopyOpened() > 0);
    }
}
