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

    private static string Startup(RunResult run) => run.Stages.Single(s => s.Stage == "startup").Note ?? "";
}
