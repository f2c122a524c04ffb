using ElectionMatch.Dbt;
using ElectionMatch.Operations;
using ElectionMatch.Settings;

namespace ElectionMatch.Tests;

public sealed class RunThreadsTests
{
    [Theory]
    [InlineData(null, 165_744L, 1)]
    [InlineData(null, EngineSettings.SmallInputBytes, 1)]
    [InlineData(null, 0L, 1)]
    [InlineData(3, 165_744L, 3)]
    [InlineData(1, 900_000_000L, 1)]
    public void Small_input_files_take_one_thread_unless_engine_threads_says_otherwise(int? configured, long inputFileBytes, int threads) =>
        Assert.Equal(threads, (EngineSettings.Defaults with { Threads = configured }).ThreadsFor(inputFileBytes));

    [Fact]
    public void Larger_inputs_and_inputs_of_unknown_size_take_every_core()
    {
        Assert.Equal(Environment.ProcessorCount, EngineSettings.Defaults.ThreadsFor(EngineSettings.SmallInputBytes + 1));
        Assert.Equal(Environment.ProcessorCount, EngineSettings.Defaults.ThreadsFor(null));
    }

    [Fact]
    public void A_run_on_small_input_files_says_it_took_one_thread_and_publishes_what_a_run_on_two_publishes()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var date = new DateOnly(2026, 11, 30);
        var one = new RunOperation(ProjectContext.Load(new ProjectOptions(fixture.Directory))).Execute(new RunOptions("candidacy_ddhq_matches", date));
        var bytes = new[] { "hubspot_candidacy.csv", "ddhq_election_results.csv" }.Sum(f => new FileInfo(Path.Combine(fixture.Directory, "data", "airbyte", f)).Length);
        Assert.Contains($"one thread, as engine.threads is unset and the input files are {bytes:N0} bytes", Startup(one), StringComparison.Ordinal);

        fixture.Write("electionmatch.yml", fixture.Read("electionmatch.yml").Replace("engine:\n", "engine:\n  threads: 2\n", StringComparison.Ordinal));
        var two = new RunOperation(ProjectContext.Load(new ProjectOptions(fixture.Directory))).Execute(new RunOptions("candidacy_ddhq_matches", date, Replace: true));
        Assert.DoesNotContain("thread", Startup(two), StringComparison.Ordinal);
        Assert.Equal(one.Manifest.ContentSha256, two.Manifest.ContentSha256);
        Assert.Equal(one.Manifest.Rows, two.Manifest.Rows);
    }

    [Theory]
    [InlineData(".gz")]
    [InlineData(".zst")]
    public void A_compressed_input_counts_by_what_it_holds_so_a_small_file_of_many_bytes_takes_every_core(string compression)
    {
        using var fixture = FixtureCopy.Of("goodparty");
        const string Candidacies = "data/airbyte/hubspot_candidacy.csv";
        var results = new FileInfo(fixture.PathOf("data/airbyte/ddhq_election_results.csv")).Length;
        var lines = File.ReadAllLines(fixture.PathOf(Candidacies));
        File.Delete(fixture.PathOf(Candidacies));
        fixture.Replace("models/staging/__sources.yaml", $"external_location: \"{Candidacies}\"", $"external_location: \"{Candidacies}{compression}\"");

        // Each candidacy given a column of 30,000 x's: 9 MB of CSV in a file of a few KB. Before, its size on disk took one
        // thread, the run and the incremental run alike.
        var padded = string.Join('\n', lines.Select((l, i) => l + "," + (i == 0 ? "notes" : new string('x', 30_000)))) + "\n";
        var large = Compress(padded, compression);
        File.WriteAllBytes(fixture.PathOf(Candidacies + compression), large);
        Assert.True(large.Length + results < EngineSettings.SmallInputBytes && padded.Length > EngineSettings.SmallInputBytes);

        var plain = Run(fixture, new RunOptions("candidacy_ddhq_matches", new DateOnly(2026, 11, 30)));
        var incremental = Run(fixture, new RunOptions("candidacy_ddhq_matches", new DateOnly(2026, 12, 1)) { Incremental = true });

        Assert.DoesNotContain("thread", Startup(plain), StringComparison.Ordinal);
        Assert.DoesNotContain("thread", Startup(incremental), StringComparison.Ordinal);
        Assert.Equal(300, plain.Manifest.RowAccounting.Single(a => a.Input == "left" && a.Unit == "input rows").Read);

        // The candidacies as they are: 39 KB of CSV, held and on disk both small; the note says what it counted.
        var text = string.Join('\n', lines) + "\n";
        var small = Compress(text, compression);
        File.WriteAllBytes(fixture.PathOf(Candidacies + compression), small);
        var run = Run(fixture, new RunOptions("candidacy_ddhq_matches", new DateOnly(2026, 11, 30), Replace: true));
        Assert.Contains(
            $"one thread, as engine.threads is unset and the input files hold {System.Text.Encoding.UTF8.GetByteCount(text) + results:N0} bytes decompressed ({small.Length + results:N0} on disk), at most 8,388,608",
            Startup(run),
            StringComparison.Ordinal);
    }

    private static RunResult Run(FixtureCopy fixture, RunOptions options) =>
        WorkingDirectory.In(fixture.Directory, () => new RunOperation(ProjectContext.Load(new ProjectOptions(fixture.Directory))).Execute(options));

    private static byte[] Compress(string text, string compression)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        if (compression == ".zst")
        {
            return new ZstdSharp.Compressor().Wrap(bytes).ToArray();
        }

        using var memory = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(memory, System.IO.Compression.CompressionLevel.Optimal))
        {
            gzip.Write(bytes);
        }

        return memory.ToArray();
    }

    private static string Startup(RunResult run) => run.Stages.Single(s => s.Stage == "startup").Note ?? "";
}
