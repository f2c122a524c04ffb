using System.Text.Json;
using ElectionMatch.Dbt;
using ElectionMatch.Incremental;
using ElectionMatch.Matches;
using ElectionMatch.Matching;
using ElectionMatch.Matching.Providers;
using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Incremental;

/// <summary>
/// An incremental run matches the state partitions it recomputes together, in one run, and gives each the cache entry
/// its own run gave it: the same published rows, quarantine (numbered in the partition), counts, row accounts, content
/// hash and the rows of the stages explain reads, keys included.
/// </summary>
public sealed class PartitionBatchTests : IDisposable
{
    private const string Left = "data/airbyte/hubspot_candidacy.csv";
    private const string Right = "data/airbyte/ddhq_election_results.csv";
    private const string Match = "candidacy_ddhq_matches";

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void State_partitions_matched_together_get_the_entries_each_ones_own_run_gives()
    {
        // Six states keep it quick; three of them hold primaries on 2024-03-05, where results rows with no state meet them all.
        string[] states = ["NC", "TX", "CA", "GA", "FL", "WA"];
        var left = _fixture.Read(Left).TrimEnd('\n').Split('\n').Where((l, i) => i == 0 || states.Contains(Field(l, 4))).ToList();
        var right = _fixture.Read(Right).TrimEnd('\n').Split('\n').ToList();

        // What could cross from one partition to another in a batch: an id repeated within NC (quarantined there, the
        // message naming the row of its first use, in the partition's numbering); an id used in GA and in FL (not
        // repeated in either's run, and the two must meet apart); a WA row with no id; a results id repeated within TX;
        // and an NC race and a TX race whose results rows lose their state, so every partition reads a copy of each.
        var carolina = left.First(l => Field(l, 4) == "NC");
        left.Add(With(carolina, 3, Field(carolina, 3) + "son"));
        var georgia = left.First(l => Field(l, 4) == "GA");
        left.Add(With(With(georgia, 4, "FL"), 2, "Someone"));
        left.Add(With(left.First(l => Field(l, 4) == "WA"), 0, ""));
        // Twins: every NC, TX and WA candidacy again under another id, so the rule judge decides between rows as certain,
        // which it must do in the contest's order, not by their keys (numbered otherwise in a batch). And a blank id in
        // every state, quarantined in each partition, which is no id two partitions share.
        foreach (var row in left.Skip(1).Where(l => Field(l, 4) is "NC" or "TX" or "WA").ToList())
        {
            left.Add(With(row, 0, Field(row, 0) + "x"));
        }

        foreach (var state in states)
        {
            left.Add(With(left.Skip(1).First(l => Field(l, 4) == state), 0, " "));
        }

        var texas = right.First(l => Field(l, 8) == "TX");
        right.Add(With(texas, 3, "SOMEONE ELSE"));
        var races = new[] { "NC", "TX" }.Select(s => Field(right.First(l => Field(l, 8) == s && Field(l, 7) == "2024-03-05"), 0)).ToHashSet(StringComparer.Ordinal);
        right = right.Select((l, i) => i > 0 && races.Contains(Field(l, 0)) ? With(l, 8, "") : l).ToList();
        _fixture.Write(Left, string.Join('\n', left) + "\n");
        _fixture.Write(Right, string.Join('\n', right) + "\n");

        var context = ProjectContext.Load(new ProjectOptions(_fixture.Directory));
        var match = context.Settings.Match(Match);
        using var warehouse = DuckDbWarehouse.Open(Path.Combine(_fixture.Directory, "target", "batch.duckdb"));
        var inputs = new RunOperation(context).ResolveInputs(warehouse, match);
        using var providers = ModelProviders.Create(match, _fixture.Directory, context.Templates, warehouse, replay: false);

        (Dictionary<string, string> Entries, string Published, List<string> Stages, string Summary) Run(bool batched, long batchInputRows = 165_000)
        {
            var stages = new List<string>();
            var request = new IncrementalRequest(context.Settings.ContentHash, Full: true, Retrain: false, new MatchRunOptions(null, 2, providers, CancellationToken.None)) { Batched = batched, BatchInputRows = batchInputRows };
            var result = IncrementalRun.Execute(warehouse, match, inputs, request, s => stages.Add(s.Stage));
            var tables = warehouse.Query(
                $"select table_name from information_schema.tables where table_schema = {Sql.Literal(PartitionCache.Schema.Name)} and starts_with(table_name, {Sql.Literal(Match + "__")}) order by table_name",
                r => r.GetString(0));
            var entries = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var state in warehouse.Query($"select state from {PartitionCache.Schema.Table("partitions")} order by state", r => r.GetString(0)))
            {
                var (counts, accounts, content) = warehouse.Query(
                    $"select counts_json, accounts_json, content_sha256 from {PartitionCache.Schema.Table("partitions")} where state = {Sql.Literal(state)}",
                    r => (r.GetString(0), r.GetString(1), r.GetString(2))).Single();
                var sorted = JsonSerializer.Deserialize<Dictionary<string, long>>(counts)!.OrderBy(c => c.Key, StringComparer.Ordinal);
                var rows = tables.Select(t => t + ": " + warehouse.Scalar<string>(
                    $"select coalesce(string_agg(cast(t as varchar), chr(10) order by cast(t as varchar)), '') from (select * exclude (em_state, em_cache_key) from {PartitionCache.Schema.Table(t)} where em_state = {Sql.Literal(state)}) as t"));
                entries[state] = string.Join('\n', [string.Join(", ", sorted), accounts, content, .. rows]);
            }

            var published = warehouse.Scalar<string>($"select md5(string_agg(cast(t as varchar), chr(10) order by cast(t as varchar))) from {result.OutputTable} as t")
                + " " + warehouse.Scalar<string>($"select md5(string_agg(cast(t as varchar), chr(10) order by cast(t as varchar))) from {result.QuarantineTable} as t");
            return (entries, published!, stages, string.Join('\n', result.Summary));
        }

        var alone = Run(batched: false);
        var together = Run(batched: true);

        // GA and FL share an id, so they are not matched together: GA, alone, as its own run; every other state in one batch.
        Assert.Equal(1, together.Stages.Count(s => s == "partition_batch"));
        Assert.DoesNotContain("partition_batch", alone.Stages);
        // The batch's partitions are counted together, each count one query for them all; their entries are still each one's own (below).
        Assert.Equal(1, together.Stages.Count(s => s == "partition_counts"));
        Assert.DoesNotContain("partition_counts", alone.Stages);
        Assert.Equal(alone.Published, together.Published);
        // Named in the partitions' order, as a run of one partition at a time named them, whatever batch each was in.
        Assert.Contains("7 recomputed ((no state), CA, FL, GA, NC, TX, WA)", together.Summary, StringComparison.Ordinal);
        Assert.Equal(alone.Entries.Keys, together.Entries.Keys);
        Assert.Equal(states.Length + 1, together.Entries.Count);
        foreach (var state in alone.Entries.Keys)
        {
            Assert.Equal(alone.Entries[state], together.Entries[state]);
        }

        // Batches of at most one input row: each partition is alone, and matched as its own run, entries the same.
        var small = Run(batched: true, batchInputRows: 1);
        Assert.DoesNotContain("partition_batch", small.Stages);
        Assert.Equal(alone.Published, small.Published);
        foreach (var state in alone.Entries.Keys)
        {
            Assert.Equal(alone.Entries[state], small.Entries[state]);
        }

        // No partition counts the results rows by election type, an account only the whole inputs' types can judge
        // (the run counts it over them); its own run used to count it, for nothing.
        Assert.All(alone.Entries.Values.Concat(together.Entries.Values), e => Assert.DoesNotContain(ElectionMatch.Matches.CandidacyDdhq.ElectionTypeAccount.Unit, e, StringComparison.Ordinal));
        Assert.Contains(InputRowAccount.Unit, together.Entries["NC"], StringComparison.Ordinal);

        // The inputs did put rows in each partition's quarantine: the repeated ids, numbered in their partitions.
        Assert.Contains("as on left input row 1", together.Entries["NC"], StringComparison.Ordinal);
        Assert.Contains("EMQ002", together.Entries["TX"], StringComparison.Ordinal);
        Assert.Contains("EMQ001", together.Entries["WA"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_batch_is_packed_by_the_rows_it_reads_each_partition_with_its_own_copy_of_the_results_rows_with_no_state()
    {
        // Six states, and Ohio's 52 results rows stripped of their state: every partition reads a copy of each.
        string[] states = ["CA", "FL", "GA", "NC", "TX", "WA"];
        var left = _fixture.Read(Left).TrimEnd('\n').Split('\n').Where((l, i) => i == 0 || states.Contains(Field(l, 4))).ToList();
        var right = _fixture.Read(Right).TrimEnd('\n').Split('\n').Select((l, i) => i > 0 && Field(l, 8) == "OH" ? With(l, 8, "") : l).ToList();
        _fixture.Write(Left, string.Join('\n', left) + "\n");
        _fixture.Write(Right, string.Join('\n', right) + "\n");

        var context = ProjectContext.Load(new ProjectOptions(_fixture.Directory));
        var match = context.Settings.Match(Match);
        using var warehouse = DuckDbWarehouse.Open(Path.Combine(_fixture.Directory, "target", "packed.duckdb"));
        var inputs = new RunOperation(context).ResolveInputs(warehouse, match);
        using var providers = ModelProviders.Create(match, _fixture.Directory, context.Templates, warehouse, replay: false);
        // What each partition reads: its candidacies, its state's results rows and the stateless ones (CA 21 + 58 + 52 = 131,
        // FL 102, GA 109, NC 122, TX 167, WA 121), counted here from the files.
        Dictionary<string, long> Rows(string file, string column) => warehouse.Query(
            $"select coalesce({column}, ''), count(*) from read_csv({Sql.Literal(_fixture.PathOf(file))}, all_varchar = true) group by all",
            r => (State: r.GetString(0), Rows: r.GetInt64(1))).ToDictionary(x => x.State, x => x.Rows, StringComparer.Ordinal);
        var (candidacies, results) = (Rows(Left, "state"), Rows(Right, "state"));
        var reads = states.ToDictionary(s => s, s => candidacies[s] + results[s] + results[""], StringComparer.Ordinal);
        Assert.Equal(52, results[""]);
        const long cap = 250;
        // Their candidacies alone would fit in one batch (113 rows), as the cap counted before.
        Assert.True(states.Sum(s => candidacies[s]) <= cap);

        var stages = new List<StageReport>();
        var request = new IncrementalRequest(context.Settings.ContentHash, Full: true, Retrain: false, new MatchRunOptions(null, 2, providers, CancellationToken.None)) { BatchInputRows = cap };
        IncrementalRun.Execute(warehouse, match, inputs, request, stages.Add);

        // First fit in the partitions' order: CA and FL (233), GA and NC (231); TX (167) and WA (121) fit in neither, nor together.
        var batches = stages.Where(s => s.Stage == "partition_batch").Select(s => s.Note!).ToList();
        Assert.Equal(["2 state partitions matched together in one run (CA, FL)", "2 state partitions matched together in one run (GA, NC)"], batches);
        Assert.Contains(stages, s => s.Stage == "partition TX");
        Assert.Contains(stages, s => s.Stage == "partition WA");
        Assert.True(reads["CA"] + reads["FL"] <= cap && reads["GA"] + reads["NC"] <= cap);
        Assert.True(reads["CA"] + reads["FL"] + reads["GA"] > cap && reads["GA"] + reads["NC"] + reads["TX"] > cap && reads["TX"] + reads["WA"] > cap);
    }

    // The fixture quotes a few office and race names that hold a comma: such a line is left as it is.
    private static string Field(string line, int index) => line.Contains('"', StringComparison.Ordinal) ? "" : line.Split(',').ElementAtOrDefault(index) ?? "";

    private static string With(string line, int index, string value)
    {
        var fields = line.Split(',');
        fields[index] = value;
        return string.Join(',', fields);
    }
}
