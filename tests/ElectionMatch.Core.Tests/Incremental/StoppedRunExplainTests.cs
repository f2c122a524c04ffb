using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Incremental;

/// <summary>
/// An incremental run that stops after it recomputed a partition, before it assembled, leaves the last assembled run
/// explainable as it was: the partition's rows under the older key stay until a run is assembled without them. Both
/// tests start from the same first incremental run (<see cref="FirstRun"/>), made once and copied.
/// </summary>
public sealed class StoppedRunExplainTests(StoppedRunExplainTests.FirstRun start) : IClassFixture<StoppedRunExplainTests.FirstRun>, IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private const string Left = "data/airbyte/hubspot_candidacy.csv";

    // The test's own copy of the first run's project.
    private readonly FixtureCopy _fixture = start.Project.Clone();

    public void Dispose() => _fixture.Dispose();

    /// <summary>North Carolina's and the stateless candidacies after a first <c>run --incremental</c> (2030-01-01): it trains and computes both partitions.</summary>
    public sealed class FirstRun : IDisposable
    {
        public FirstRun()
        {
            Project.KeepCandidaciesOf("NC", "");
            Run(Project, new DateOnly(2030, 1, 1));
        }

        public FixtureCopy Project { get; } = FixtureCopy.Of("goodparty");

        public void Dispose() => Project.Dispose();
    }

    [Fact]
    public void A_run_stopped_after_a_recomputed_partition_leaves_the_last_assembled_run_explained_as_it_was()
    {
        var carolina = _fixture.Read(Left).Split('\n').Skip(1).Select(l => l.Split(',')).First(c => c.ElementAtOrDefault(4) == "NC" && c[3].Length > 0);
        var id = carolina[0];
        var before = Explain(id);
        Assert.Contains(before.Rows, r => r.Name.EndsWith(carolina[3], StringComparison.Ordinal));

        // North Carolina's surnames change; the next run stores NC's new rows and stops before it assembles.
        _fixture.Write(Left, string.Join('\n', _fixture.Read(Left).Split('\n').Select(l => l.Split(',') is { Length: > 4 } c && c[4] == "NC" ? string.Join(',', c.Take(3).Append(c[3] + "son").Concat(c.Skip(4))) : l)));
        var stop = Assert.Throws<InvalidOperationException>(() => Run(new DateOnly(2030, 1, 2), stage =>
        {
            if (stage.Stage == "partition NC")
            {
                throw new InvalidOperationException("stopped after NC");
            }
        }));
        Assert.Equal("stopped after NC", stop.Message);
        // NC's entry and rows are cached under its old key (the assembled run's) and its new one; no schema is made per partition.
        Assert.Equal((2, 2), CachedKeys("NC"));
        Assert.Empty(PartitionSchemas());

        var stopped = Explain(id);
        Assert.Equal(Describe(before), Describe(stopped));
        Assert.Empty(stopped.UnreadPartitions);

        // The next run reuses what the stopped one stored, and explain then reads the new surnames.
        var next = Run(new DateOnly(2030, 1, 3));
        Assert.Contains("incremental: 2 state partitions, 2 reused, 0 recomputed", next.Summary);
        var after = Explain(id);
        Assert.Contains(after.Rows, r => r.Name.EndsWith(carolina[3] + "son", StringComparison.Ordinal));
        Assert.Equal((1, 1), CachedKeys("NC"));
        Assert.Empty(PartitionSchemas());
    }

    [Fact]
    public void A_run_that_starts_the_cache_afresh_and_stops_leaves_the_partitions_named_unreadable()
    {
        var id = _fixture.Read(Left).Split('\n').Skip(1).Select(l => l.Split(',')).First(c => c.ElementAtOrDefault(4) == "NC")[0];
        Assert.NotEmpty(Explain(id).Rows);

        // Another build's output layout: the next run starts the cache afresh, and stops before it stores a partition.
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath))
        {
            warehouse.Execute($"alter table electionmatch_cache.{Match}__output add column other_build varchar");
        }

        var stop = Assert.Throws<InvalidOperationException>(() => Run(new DateOnly(2030, 1, 2), stage =>
        {
            if (stage.Stage == "state_partitions")
            {
                throw new InvalidOperationException("stopped");
            }
        }));
        Assert.Equal("stopped", stop.Message);

        // The last assembled run's partitions are no longer cached: named, not read from a schema over dropped tables.
        var unreadable = Assert.Throws<ElectionMatch.Diagnostics.DiagnosticException>(() => Explain(id));
        Assert.Contains("error EM0112", unreadable.Message, StringComparison.Ordinal);
        Assert.Contains("the cached stages of state partitions (no state), NC are gone", unreadable.Message, StringComparison.Ordinal);

        // The next run computes both partitions again, and explain reads them.
        Assert.Contains(Run(new DateOnly(2030, 1, 3)).Summary, l => l.StartsWith("incremental: 2 state partitions, 0 reused, 2 recomputed", StringComparison.Ordinal));
        Assert.NotEmpty(Explain(id).Rows);
    }

    [Fact]
    public void What_a_run_killed_while_training_or_matching_left_is_dropped_by_the_next_run()
    {
        // As a kill leaves them; the next run reuses its model and every partition, so it neither trains nor matches.
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath))
        {
            warehouse.Execute($"""
                create schema em_run_{Match}__training; create table em_run_{Match}__training.comparisons as select range as left_key from range(10);
                create schema em_run_{Match}__partition; create table em_run_{Match}__partition.left_keyed as select range as left_key from range(10);
                create schema em_run_{Match}__reference; create table em_run_{Match}__reference.states as select 'NC' as key, 'NC' as code;
                """);
        }

        Assert.Contains("incremental: 2 state partitions, 2 reused, 0 recomputed", Run(new DateOnly(2030, 1, 2)).Summary);

        using var after = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        Assert.Empty(after.Query($"select schema_name from duckdb_schemas() where schema_name in ('em_run_{Match}__training', 'em_run_{Match}__partition', 'em_run_{Match}__reference')", r => r.GetString(0)));
    }

    private RunResult Run(DateOnly date, Action<ElectionMatch.Matching.StageReport>? progress = null) => Run(_fixture, date, progress);

    private static RunResult Run(FixtureCopy project, DateOnly date, Action<ElectionMatch.Matching.StageReport>? progress = null) =>
        new RunOperation(ProjectContext.Load(new ProjectOptions(project.Directory)))
            .Execute(new RunOptions(Match, date) { AllowFutureDate = true, Incremental = true }, progress);

    private Explanation Explain(string id) => new ExplainOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute(Match, id);

    // The schemas an earlier build made for each partition.
    private List<string> PartitionSchemas()
    {
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        return warehouse.Query($"select schema_name from duckdb_schemas() where starts_with(schema_name, 'em_run_{Match}__part_')", r => r.GetString(0));
    }

    // The keys a state's partition has an entry under, and rows under (an older key's stay until a run is assembled).
    private (long Entries, long Rows) CachedKeys(string state)
    {
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        return (warehouse.Scalar<long>($"select count(distinct cache_key) from electionmatch_cache.partitions where match = '{Match}' and state = '{state}'"),
            warehouse.Scalar<long>($"select count(distinct em_cache_key) from electionmatch_cache.{Match}__stage_left_input where em_state = '{state}'"));
    }

    private static string Describe(Explanation e) => string.Join("\n",
        e.Rows.Select(r => $"{r.ElectionType} {r.ElectionDate} {r.Name} {r.State} {r.Decision} | "
            + string.Join("; ", r.Candidates.Select(c => $"{c.RightId} {c.MatchWeight:R} {c.Linked} " + string.Join(" ", c.Steps.Select(s => $"{s.Field}:{s.Level}:{s.Weight:R}"))))));
}
