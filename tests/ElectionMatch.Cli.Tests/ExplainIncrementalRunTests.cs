using System.Text.RegularExpressions;
using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// `explain` after `run --incremental`: the stages explain reads are cached with each state partition's rows and shown
/// by a schema named by its cache key, so an id of a reused partition is explained as after a full recompute of the same
/// inputs, and a partition whose schema is gone is named, not taken for a missing run. Two tests start from runs
/// IncrementalRunTests starts from as well (<see cref="IncrementalStartingPoints"/>): made once for both classes, which
/// are one collection (<see cref="IncrementalRunCollection"/>).
/// </summary>
[Collection(IncrementalRunCollection.Name)]
public sealed partial class ExplainIncrementalRunTests(ExplainIncrementalRunTests.JudgedRuns judgedRuns, IncrementalStartingPoints starts)
    : IClassFixture<ExplainIncrementalRunTests.JudgedRuns>, IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private const string Left = "data/airbyte/hubspot_candidacy.csv";
    private const string Results = "data/airbyte/ddhq_election_results.csv";

    private readonly List<FixtureCopy> _copies = [];

    public void Dispose()
    {
        foreach (var copy in _copies)
        {
            copy.Dispose();
        }
    }

    [Fact]
    public void Ids_are_explained_after_partitions_were_reused_as_after_a_full_recompute_of_the_same_inputs()
    {
        // Texas's, North Carolina's, Georgia's and the stateless candidacies, run incrementally (the runs
        // IncrementalRunTests starts from too, made once; this test explains in copies of them).
        var start = starts.NorthCarolinaRenamed;
        var firstCached = start.FirstCached;
        Assert.Equal(4, firstCached.Count);

        // North Carolina's candidacies change their surnames: the next run recomputes NC and reuses the rest.
        var fixture = CopyOf(start.Project);
        var fullCopy = CopyOf(start.Full);
        var lines = File.ReadAllLines(fixture.PathOf(Left));
        Assert.Contains("incremental: 4 state partitions, 3 reused, 1 recomputed (NC)", start.SecondStdout, StringComparison.Ordinal);
        Assert.Contains("incremental: 4 state partitions, 0 reused, 4 recomputed", start.FullStdout, StringComparison.Ordinal);

        // NC's entry of the old key is dropped with the run that no longer uses it; the three reused ones stay. One schema
        // shows a partition at a time: none is made for each.
        var secondCached = CachedPartitions(fixture.Directory);
        Assert.Equal(4, secondCached.Count);
        Assert.Equal(3, secondCached.Intersect(firstCached).Count());
        Assert.Single(secondCached, s => s.StartsWith("NC:", StringComparison.Ordinal) && !firstCached.Contains(s));
        Assert.Empty(PartitionSchemas(fixture.Directory));

        // Every fourth id of each partition (explaining all of them took 38 s, every other one 24 s), the recomputed NC's included.
        var ids = lines.Skip(1).Select(l => (Id: l.Split(',')[0], State: l.Split(',')[4])).GroupBy(i => i.State).SelectMany(g => g.Where((_, n) => n % 4 == 0)).ToList();
        var incremental = new ExplainOperation(ProjectContext.Load(new ProjectOptions(fixture.Directory)));
        var full = new ExplainOperation(ProjectContext.Load(new ProjectOptions(fullCopy.Directory)));
        var linkedInReused = 0;
        foreach (var (id, state) in ids)
        {
            var after = incremental.Execute(Match, id);
            var expected = full.Execute(Match, id);
            Assert.Empty(after.UnreadPartitions);
            Assert.Equal(Describe(expected), Describe(after));
            Assert.True(after.Rows.Count + after.Removed.Count + after.Quarantined.Count > 0, id);
            if (state != "NC" && after.Rows.Any(r => r.Candidates.Any(c => c.Linked)))
            {
                linkedInReused++;
            }
        }

        // The reused partitions' ids have their linked candidates, as many as the snapshot links.
        Assert.Equal(Linked(fixture.Directory, "20300102", ids.Where(i => i.State != "NC").Select(i => i.Id)), linkedInReused);
        Assert.True(linkedInReused > 5, $"{linkedInReused} linked ids in reused partitions");

        // From the command line: a Texas id (a reused partition) reads as after the full recompute, with its waterfall and the published reasoning.
        var texas = ids.First(i => i.State == "TX" && Published(fixture.Directory, "20300102", i.Id).Count > 0).Id;
        var cli = Explain(fixture.Directory, texas);
        Assert.True(cli.ExitCode == 0, cli.Output);
        var recomputed = Explain(fullCopy.Directory, texas);
        Assert.StartsWith($"snapshot model_predictions.{Match}_20300102 (2030-01-02), from the stages of the run that published it\n", cli.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Matches($@"^{texas}: state partition TX of the latest \(incremental\) run, reused; computed \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC\n", AfterSnapshotLine(cli.Stdout));
        Assert.StartsWith($"{texas}: state partition TX of the latest (incremental) run, recomputed; computed ", AfterSnapshotLine(recomputed.Stdout), StringComparison.Ordinal);
        Assert.Equal(WithoutPartition(recomputed.Stdout), WithoutPartition(cli.Stdout));
        var text = cli.Stdout.ReplaceLineEndings("\n");
        Assert.All(Published(fixture.Directory, "20300102", texas), reasoning => Assert.Contains("\n  decision: " + reasoning + "\n", text, StringComparison.Ordinal));
        Assert.Matches(WaterfallLine(), text);
    }

    [Fact]
    public void A_partition_whose_cached_stages_are_gone_is_named_and_the_next_incremental_run_computes_it_again()
    {
        // North Carolina's and the stateless candidacies after a first incremental run, made once and copied.
        var fixture = CopyOf(starts.FirstIncremental.Project);
        var rows = File.ReadAllLines(fixture.PathOf(Left)).Skip(1).Select(l => l.Split(',')).ToList();
        var stateless = rows.First(c => c[4] == "")[0];
        var carolina = rows.First(c => c[4] == "NC")[0];
        var before = Explain(fixture.Directory, stateless);
        Assert.True(before.ExitCode == 0, before.Output);
        Assert.Contains("decision: ", before.Stdout, StringComparison.Ordinal);

        // The stateless partition's cache entry removed by hand.
        Assert.Single(CachedPartitions(fixture.Directory), s => s.StartsWith(":", StringComparison.Ordinal));
        using (var warehouse = DuckDbWarehouse.Open(fixture.WarehousePath))
        {
            Assert.Equal(1, warehouse.Execute($"delete from electionmatch_cache.partitions where match = '{Match}' and state = ''"));
        }

        var gone = Explain(fixture.Directory, stateless);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains($"error EM0112: '{stateless}' is in none of the state partitions of the latest (incremental) run of 'candidacy_ddhq_matches' that can be read, and the cached stages of state partition (no state) are gone", gone.Stderr, StringComparison.Ordinal);
        var other = Explain(fixture.Directory, carolina);
        Assert.True(other.ExitCode == 0, other.Output);
        Assert.StartsWith("note: the cached stages of state partition (no state) of the latest run are gone", AfterSnapshotLine(other.Stdout), StringComparison.Ordinal);
        Assert.Contains("decision: ", other.Stdout, StringComparison.Ordinal);

        // The next run recomputes that partition alone, and explain says again what it said.
        Assert.Contains("incremental: 2 state partitions, 1 reused, 1 recomputed ((no state))", Run(fixture.Directory, "2030-01-02", "--incremental"), StringComparison.Ordinal);
        var again = Explain(fixture.Directory, stateless).Stdout;
        Assert.Contains(": state partition (no state) of the latest (incremental) run, recomputed; computed ", again, StringComparison.Ordinal);
        Assert.Equal(WithoutPartition(before.Stdout), WithoutPartition(again));
        Assert.DoesNotContain("note:", Explain(fixture.Directory, carolina).Stdout, StringComparison.Ordinal);

        // evaluate scores the snapshot and says why it cannot compare embedders, instead of leaving the lines out.
        var evaluate = CliProcess.Run("evaluate", Match, "--truth", fixture.PathOf("truth/candidacy_ddhq_matches.csv"), "--partial-truth", "--project-dir", fixture.Directory);
        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Contains("precision: ", evaluate.Stdout, StringComparison.Ordinal);
        Assert.Contains($"retrieval: not measured: the latest run of '{Match}' was incremental", evaluate.Stdout, StringComparison.Ordinal);
    }

    // Before session 58 every partition had a schema of some 27 views of its own (864 after a run of the fixture's 32),
    // which every later open of the warehouse loaded: one schema now shows a partition at a time, by its key.
    [Fact]
    public void One_schema_shows_every_cached_partition_and_the_next_run_makes_it_again_and_drops_an_earlier_builds_schemas()
    {
        var fixture = CopyOf(starts.FirstIncremental.Project);
        var rows = File.ReadAllLines(fixture.PathOf(Left)).Skip(1).Select(l => l.Split(',')).ToList();
        var stateless = rows.First(c => c[4] == "")[0];
        var carolina = rows.First(c => c[4] == "NC")[0];
        var before = Explain(fixture.Directory, carolina);
        Assert.True(before.ExitCode == 0, before.Output);
        Assert.Contains("decision: ", before.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, CachedPartitions(fixture.Directory).Count);
        Assert.Empty(PartitionSchemas(fixture.Directory));
        var shared = $"em_run_{Match}__cached";
        var views = Views(fixture, shared);
        Assert.Contains("output", views);
        Assert.Contains("left_input", views);
        Assert.Contains("scored_pairs", views);

        // An id no partition holds: every partition's ids are searched for the nearest (in a temporary table, the warehouse read-only).
        var typo = Explain(fixture.Directory, carolina + "x");
        Assert.Equal(1, typo.ExitCode);
        Assert.Contains("the left_input tables of its 2 state partitions", typo.Stderr, StringComparison.Ordinal);
        Assert.Contains($"did you mean '{carolina}'?", typo.Stderr, StringComparison.Ordinal);

        // The schema dropped by hand, and one an earlier build made for a partition left beside it: no partition can be read.
        using (var warehouse = DuckDbWarehouse.Open(fixture.WarehousePath))
        {
            warehouse.Execute($"drop schema {shared} cascade; create schema em_run_{Match}__part_nc_0123456789abcdef; create view em_run_{Match}__part_nc_0123456789abcdef.output as select 1 as x");
        }

        var gone = Explain(fixture.Directory, stateless);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("and the cached stages of state partitions (no state), NC are gone", gone.Stderr, StringComparison.Ordinal);

        // Both entries are still cached: the next run reuses them, makes the schema again and drops the earlier build's.
        Assert.Contains("incremental: 2 state partitions, 2 reused, 0 recomputed", Run(fixture.Directory, "2030-01-02", "--incremental"), StringComparison.Ordinal);
        Assert.Equal(views, Views(fixture, shared));
        Assert.Empty(PartitionSchemas(fixture.Directory));
        var again = Explain(fixture.Directory, carolina);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Equal(WithoutPartition(before.Stdout), WithoutPartition(again.Stdout));
    }

    private static List<string> Views(FixtureCopy fixture, string schema)
    {
        using var warehouse = DuckDbWarehouse.Open(fixture.WarehousePath, readOnly: true);
        return warehouse.Query($"select view_name from duckdb_views() where schema_name = '{schema}' order by 1", r => r.GetString(0));
    }

    // Before, a judged row explained after an incremental run had no judge block (the cache kept none of the stages it
    // reads), and a discovered runoff left unlinked read "not linked", as if no reason were known.
    [Fact]
    public void A_judged_row_after_an_incremental_run_shows_the_judge_block_of_a_plain_run_and_an_unlinked_discovered_runoff_says_where_its_reason_is()
    {
        var (incrementalProject, fullProject) = judgedRuns.Projects;
        var judged = JudgedIds(fullProject);
        Assert.True(judged.Count >= 4, $"{judged.Count} judged ids");
        var incremental = new ExplainOperation(ProjectContext.Load(new ProjectOptions(incrementalProject)));
        var full = new ExplainOperation(ProjectContext.Load(new ProjectOptions(fullProject)));
        foreach (var id in judged)
        {
            var expected = full.Execute(Match, id);
            Assert.Contains(expected.Rows, r => r.Judged is not null);
            Assert.Equal(DescribeJudged(expected), DescribeJudged(incremental.Execute(Match, id)));
        }

        // From the command line, the whole explanation of a judged row reads as after the plain run.
        var cli = Explain(incrementalProject, judged[0]);
        Assert.True(cli.ExitCode == 0, cli.Output);
        Assert.Contains("\n  sent to the judge: ", cli.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal(AfterSnapshotLine(Explain(fullProject, judged[0]).Stdout), WithoutPartition(cli.Stdout));

        // The discovered runoff: a plain run words why it is unlinked, an incremental run's partition says that only a plain run does.
        var plain = Assert.Single(full.Execute(Match, Waters).Rows, r => r.DiscoveredAfter is not null);
        Assert.StartsWith("best candidate ", plain.Decision, StringComparison.Ordinal);
        var partition = Assert.Single(incremental.Execute(Match, Waters).Rows, r => r.DiscoveredAfter is not null);
        Assert.False(partition.InSnapshot);
        Assert.Equal(ExplainOperation.UnlinkedRunoffInPartition, partition.Decision);
    }

    // Before, after an incremental run its decision read "judge did not accept: <the judge's reasoning>", the words of an
    // earlier build, where a plain run says which candidate the judge chose and that its confidence was below judge_accept.
    [Fact]
    public void A_discovered_runoff_the_judge_left_unlinked_is_explained_after_an_incremental_run_as_after_a_plain_run()
    {
        var (incrementalProject, fullProject) = judgedRuns.Projects;
        var plain = Explain(fullProject, Villarreal);
        var incremental = Explain(incrementalProject, Villarreal);
        Assert.True(plain.ExitCode == 0, plain.Output);
        Assert.True(incremental.ExitCode == 0, incremental.Output);

        // The row is the case meant: discovered, judged, and the judge's choice not linked for its confidence.
        var lines = AfterSnapshotLine(plain.Stdout).Split('\n');
        var runoff = Array.FindIndex(lines, l => l.StartsWith($"{Villarreal} runoff 2024-05-28: ", StringComparison.Ordinal));
        Assert.True(runoff >= 0, plain.Stdout);
        Assert.StartsWith("  discovered runoff: ", lines[runoff + 1], StringComparison.Ordinal);
        Assert.Matches(@"^  decision: judge chose Dolores Villarreal \(confidence \d+\), below judge_accept 70, so it is not linked: .+; not in the snapshot, which holds a discovered runoff only when it is linked$", lines[runoff + 2]);
        Assert.StartsWith("  sent to the judge: ", lines[runoff + 3], StringComparison.Ordinal);

        Assert.Equal(AfterSnapshotLine(plain.Stdout), WithoutPartition(incremental.Stdout));
        Assert.Equal("", incremental.Stderr);
    }

    private const string Waters = "gpc-009004";

    // Dolores Villarreal, who no longer lists her primary runoff: the run discovers it from her primary link.
    private const string Villarreal = "gpc-003602";

    /// <summary>
    /// An incremental run and a plain run of the same inputs, made once for the class when a test first asks: the states
    /// of the fixture's four judged rows (Texas and California one each, Florida, Arizona) and the stateless partition;
    /// Bonnie Waters, a primary loser whose primary link leads to a runoff she is not in (RunoffCandidacyRun); and Dolores
    /// Villarreal's runoff discovered, with a namesake on its ballot, so the judge answers it and its confidence, cut for
    /// the namesake, is below judge_accept.
    /// </summary>
    public sealed class JudgedRuns : IDisposable
    {
        private readonly FixtureCopy _incremental = FixtureCopy.Of("goodparty");
        private readonly string _full = Path.Combine(Path.GetTempPath(), "em-test-full-" + Guid.NewGuid().ToString("N")[..12]);
        private readonly Lazy<(string, string)> _projects;

        public JudgedRuns()
        {
            _projects = new(() =>
            {
                _incremental.KeepCandidaciesOf("FL", "AZ", "TX", "CA", "");
                File.AppendAllText(_incremental.PathOf(Left), $"{Waters},580181897,Bonnie,Waters,TX,State House,Texas House of Representatives - District 54,state,54,Republican,2024-03-05,,\n");
                const string listed = "gpc-003602,70693647248,Dolores,Villarreal,TX,State House,Texas House of Representatives - District 54,state,54,Republican,2024-03-05,2024-11-05,2024-05-28\n";
                _incremental.Replace(Left, listed, listed.Replace(",2024-05-28\n", ",\n", StringComparison.Ordinal));
                File.AppendAllText(_incremental.PathOf(Results), "281828,TX Texas House of Representatives - District 54 - Republican Primary Runoff,1402668,Dolores Villarreal,Republican,false,100,2024-05-28,TX,runoff,State House,54,false\n");
                _incremental.CopyTo(_full);
                Run(_incremental.Directory, "2030-01-01", "--incremental");
                Run(_full, "2030-01-01");
                return (_incremental.Directory, _full);
            });
        }

        /// <summary>The incremental run's project and the plain run's.</summary>
        public (string Incremental, string Full) Projects => _projects.Value;

        public void Dispose()
        {
            _incremental.Dispose();
            if (Directory.Exists(_full))
            {
                Directory.Delete(_full, recursive: true);
            }
        }
    }

    // The ids with a row the plain run's judge saw, in either pass.
    private static List<string> JudgedIds(string project)
    {
        using var warehouse = DuckDbWarehouse.Open(Path.Combine(project, "target", "goodparty.duckdb"), readOnly: true);
        var run = $"em_run_{Match}";
        return warehouse.Query($"""
            select left_id from {run}.judge_answers join {run}.left_keyed using (left_key)
            union
            select left_id from {run}.runoff_judge_answers join {run}.runoff_left_keyed using (left_key)
            order by 1
            """, r => r.GetString(0));
    }

    // The judge block of each row explain shows, as text to compare.
    private static string DescribeJudged(Explanation e) => string.Join("\n", e.Rows.Select(r => r.Judged is not { } j
        ? $"{r.ElectionType} {r.ElectionDate}: not judged"
        : $"{r.ElectionType} {r.ElectionDate}: {j.WhyJudged} | {j.Answer} [{string.Join(", ", j.Answer.CloseAlternatives)}] {j.Answer.Chosen} | {j.Contest} {j.ContestRows} | "
            + string.Join("; ", j.Candidates)));

    // explain's output without the lines that name the snapshot and the partition, whose words say which snapshot and
    // when and by which run the partition was computed.
    private static string WithoutPartition(string stdout) =>
        string.Join("\n", AfterSnapshotLine(stdout).Split('\n').Where(l => !l.Contains(": state partition ", StringComparison.Ordinal)));

    // explain's output after its first line, which names the snapshot explained.
    private static string AfterSnapshotLine(string stdout)
    {
        var text = stdout.ReplaceLineEndings("\n");
        Assert.StartsWith("snapshot ", text, StringComparison.Ordinal);
        return text[(text.IndexOf('\n', StringComparison.Ordinal) + 1)..];
    }

    // Everything explain says of an id, as text to compare.
    private static string Describe(Explanation e) => string.Join("\n",
        e.Quarantined.Select(q => $"quarantined {q.Code} {q.Message} {q.RowNumber}")
            .Concat(e.Removed.Select(r => $"removed {r.ElectionType} {r.ElectionDate} {r.State}"))
            .Concat(e.Rows.Select(r => $"{r.ElectionType} {r.ElectionDate} {r.Name} {r.State} {r.InSnapshot} {r.MatchDate} {r.DiscoveredAfter} | {r.Decision} | "
                + string.Join("; ", r.Candidates.Select(c => $"{c.RightId} {c.Candidate} {c.Race} {c.MatchWeight:R} {c.MatchProbability:R} {c.Linked} [{string.Join(",", c.FoundBy)}] "
                    + string.Join(" ", c.Steps.Select(s => $"{s.Field}:{s.Level}:{s.Weight:R}")))))));

    private static List<string> PartitionSchemas(string project) => IncrementalStartingPoints.PartitionSchemas(project);

    private static List<string> CachedPartitions(string project) => IncrementalStartingPoints.CachedPartitions(project);

    // The test's own copy of a shared run's project, deleted with the test.
    private FixtureCopy CopyOf(FixtureCopy project)
    {
        var copy = project.Clone();
        _copies.Add(copy);
        return copy;
    }

    private static CliProcess.Result Explain(string project, string id) =>
        CliProcess.Run("explain", Match, id, "--candidates", "5", "--project-dir", project);

    private static string Run(string project, string date, params string[] mode)
    {
        var run = CliProcess.Run(["run", Match, .. mode, "--project-dir", project, "--allow-future-date", "--snapshot-date", date]);
        Assert.True(run.ExitCode == 0, run.Output);
        return run.Stdout;
    }

    private static List<string> Published(string project, string date, string id)
    {
        using var warehouse = DuckDbWarehouse.Open(Path.Combine(project, "target", "goodparty.duckdb"), readOnly: true);
        return warehouse.Query($"select llm_reasoning from model_predictions.{Match}_{date} where gp_candidacy_id = {Sql.Literal(id)}", r => r.GetString(0));
    }

    private static long Linked(string project, string date, IEnumerable<string> ids)
    {
        using var warehouse = DuckDbWarehouse.Open(Path.Combine(project, "target", "goodparty.duckdb"), readOnly: true);
        return warehouse.Scalar<long>($"select count(distinct gp_candidacy_id) from model_predictions.{Match}_{date} where has_match and gp_candidacy_id in ({string.Join(", ", ids.Select(Sql.Literal))})");
    }

    // A bar of the waterfall: field, level, weight and running total.
    [GeneratedRegex(@"(?m)^      last_name +[a-z_]+ +[+-]\d+\.\d\d +[+-]\d+\.\d\d  [+-]*$")]
    private static partial Regex WaterfallLine();
}
