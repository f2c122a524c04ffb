using ElectionMatch.Diagnostics;

namespace ElectionMatch.Tests;

/// <summary>
/// A run whose <c>engine.memory_limit</c> is too small for a step DuckDB cannot spill: 20,000 synthetic candidacies at
/// 128MB run out while the results rows are cleaned, each thread holding buffers of its own (on one thread they fit; on
/// two they ran out in one CI run and fitted in the next, so the test asks for eight). The run must say which setting
/// to change, at its line, not ask for a bug report (EM0504).
/// </summary>
public sealed class MemoryLimitRunTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "em-memory-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void Running_out_of_the_memory_limit_is_reported_at_the_setting_with_what_to_change()
    {
        var synth = CliProcess.Run("synth", "--rows", "20000", "--out", _directory);
        Assert.True(synth.ExitCode == 0, synth.Output);
        var settings = Path.Combine(_directory, "electionmatch.yml");
        var text = File.ReadAllText(settings);
        Assert.Contains("engine:\n", text, StringComparison.Ordinal);
        File.WriteAllText(settings, text.Replace("engine:\n", "engine:\n  memory_limit: 128MB\n  threads: 8\n", StringComparison.Ordinal));
        var line = File.ReadAllLines(settings).ToList().FindIndex(l => l.Contains("memory_limit: 128MB", StringComparison.Ordinal)) + 1;

        var run = CliProcess.Run("run", "candidacy_ddhq_matches", "--allow-future-date", "--snapshot-date", "2030-01-01", "--project-dir", _directory);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"electionmatch.yml({line},17): error {Codes.MemoryLimitExceeded}: DuckDB ran out of memory within memory_limit 128MB on 8 threads", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("raise engine.memory_limit, or lower engine.threads", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Codes.UnexpectedFailure, run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "electionmatch", "manifests", "candidacy_ddhq_matches_20300101.json")));
    }
}
