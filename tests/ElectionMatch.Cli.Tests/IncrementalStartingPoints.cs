using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// The runs that several incremental-run tests start from, each made when a test first asks for it and then shared by
/// the classes of <see cref="IncrementalRunCollection"/>: the same candidacies run by the same command on the same date
/// give the same project whichever test asks first. A test that runs a command on one or changes it works on its own
/// copy (<see cref="FixtureCopy.Clone"/>); they are deleted when the collection ends.
/// </summary>
public sealed class IncrementalStartingPoints : IDisposable
{
    public const string Match = "candidacy_ddhq_matches";
    private const string Left = "data/airbyte/hubspot_candidacy.csv";

    private readonly Runs _runs = new();

    /// <summary>North Carolina's and the stateless candidacies after a first <c>run --incremental</c> (2030-01-01): nothing is cached, so it trains.</summary>
    internal StartingRun FirstIncremental => _runs.FirstIncremental.Value;

    /// <summary>North Carolina's, Texas's and the stateless candidacies after a first <c>run --incremental</c> (2030-01-01).</summary>
    internal StartingRun FirstIncrementalOfThree => _runs.FirstIncrementalOfThree.Value;

    /// <summary>North Carolina's and the stateless candidacies after a plain <c>run --replace</c> (2030-01-01).</summary>
    internal StartingRun Plain => _runs.Plain.Value;

    /// <summary><see cref="Plain"/> followed by a first <c>run --incremental</c> (2030-01-02) of the same inputs.</summary>
    internal StartingRun PlainThenIncremental => _runs.PlainThenIncremental.Value;

    /// <summary>North Carolina's and the stateless candidacies after <c>run --retrain</c> (2030-01-01).</summary>
    internal StartingRun Retrained => _runs.Retrained.Value;

    /// <summary>Texas's, North Carolina's, Georgia's and the stateless candidacies run incrementally, then North Carolina's surnames changed and run again.</summary>
    internal OneStateChanged NorthCarolinaRenamed => _runs.NorthCarolinaRenamed.Value;

    public void Dispose() => _runs.Dispose();

    /// <summary>Each cached partition of the match as <c>state:cache key</c> (empty state: the stateless partition).</summary>
    internal static List<string> CachedPartitions(string project)
    {
        using var warehouse = DuckDbWarehouse.Open(Path.Combine(project, "target", "goodparty.duckdb"), readOnly: true);
        return warehouse.Query($"select state || ':' || cache_key from electionmatch_cache.partitions where match = '{Match}' order by 1", r => r.GetString(0));
    }

    /// <summary>The schemas an earlier build made for each state partition, which a run of this build drops.</summary>
    internal static List<string> PartitionSchemas(string project)
    {
        using var warehouse = DuckDbWarehouse.Open(Path.Combine(project, "target", "goodparty.duckdb"), readOnly: true);
        return warehouse.Query($"select schema_name from duckdb_schemas() where starts_with(schema_name, 'em_run_{Match}__part_') order by 1", r => r.GetString(0));
    }

    private static string Run(FixtureCopy project, string date, string mode)
    {
        var run = CliProcess.Run("run", Match, mode, "--project-dir", project.Directory, "--allow-future-date", "--snapshot-date", date);
        Assert.True(run.ExitCode == 0, run.Output);
        return run.Stdout;
    }

    private static StartingRun RunOn(string[] states, string date, string mode)
    {
        var project = FixtureCopy.Of("goodparty");
        project.KeepCandidaciesOf(states);
        return new StartingRun(project, Run(project, date, mode));
    }

    /// <summary>A project after its runs, and what the last of them printed.</summary>
    internal sealed record StartingRun(FixtureCopy Project, string Stdout);

    /// <summary>
    /// The first incremental run (2030-01-01) of four state partitions; then North Carolina's candidacies change their
    /// surnames, and the project is copied before the second incremental run (2030-01-02), for a <c>--full</c> recompute
    /// of the same inputs on the same date.
    /// </summary>
    internal sealed class OneStateChanged
    {
        public OneStateChanged()
        {
            Project = FixtureCopy.Of("goodparty");
            Project.KeepCandidaciesOf("TX", "NC", "GA", "");
            KeptLines = File.ReadAllLines(Project.PathOf(Left)).Length;
            FirstStdout = Run(Project, "2030-01-01", "--incremental");
            FirstCached = CachedPartitions(Project.Directory);

            var lines = File.ReadAllLines(Project.PathOf(Left));
            for (var i = 1; i < lines.Length; i++)
            {
                var cells = lines[i].Split(',');
                if (cells[4] == "NC")
                {
                    cells[3] += "son";
                    lines[i] = string.Join(',', cells);
                    RenamedRows++;
                }
            }

            File.WriteAllLines(Project.PathOf(Left), lines);
            Full = Project.Clone();
            SecondStdout = Run(Project, "2030-01-02", "--incremental");
            FullStdout = Run(Full, "2030-01-02", "--full");
        }

        /// <summary>The project after both incremental runs.</summary>
        public FixtureCopy Project { get; }

        /// <summary>A copy of the project made before the second incremental run, then recomputed with <c>--full</c>.</summary>
        public FixtureCopy Full { get; }

        /// <summary>The candidacies file's lines after the states were kept, its header included.</summary>
        public int KeptLines { get; }

        /// <summary>North Carolina's candidacies whose surname changed.</summary>
        public int RenamedRows { get; }

        public string FirstStdout { get; }

        /// <summary>The cached partitions right after the first run (<see cref="CachedPartitions"/>).</summary>
        public IReadOnlyList<string> FirstCached { get; }

        public string SecondStdout { get; }

        public string FullStdout { get; }
    }

    private sealed class Runs : IDisposable
    {
        public Lazy<StartingRun> FirstIncremental { get; } = new(() => RunOn(["NC", ""], "2030-01-01", "--incremental"));

        public Lazy<StartingRun> FirstIncrementalOfThree { get; } = new(() => RunOn(["NC", "TX", ""], "2030-01-01", "--incremental"));

        public Lazy<StartingRun> Plain { get; } = new(() => RunOn(["NC", ""], "2030-01-01", "--replace"));

        public Lazy<StartingRun> Retrained { get; } = new(() => RunOn(["NC", ""], "2030-01-01", "--retrain"));

        public Lazy<OneStateChanged> NorthCarolinaRenamed { get; } = new(() => new OneStateChanged());

        public Lazy<StartingRun> PlainThenIncremental { get; }

        public Runs() => PlainThenIncremental = new(() =>
        {
            var project = Plain.Value.Project.Clone();
            return new StartingRun(project, Run(project, "2030-01-02", "--incremental"));
        });

        public void Dispose()
        {
            foreach (var run in new[] { FirstIncremental, FirstIncrementalOfThree, Plain, PlainThenIncremental, Retrained }.Where(r => r.IsValueCreated))
            {
                run.Value.Project.Dispose();
            }

            if (NorthCarolinaRenamed.IsValueCreated)
            {
                NorthCarolinaRenamed.Value.Project.Dispose();
                NorthCarolinaRenamed.Value.Full.Dispose();
            }
        }
    }
}
