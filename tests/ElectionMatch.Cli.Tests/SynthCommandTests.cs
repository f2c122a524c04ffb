namespace ElectionMatch.Tests;

/// <summary><c>electionmatch synth</c> writes a project the other commands accept unchanged.</summary>
public sealed class SynthCommandTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "em-synth-cli-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static void Succeeded(CliProcess.Result result) => Assert.True(result.ExitCode == 0, result.Output);

    [Fact]
    public void A_synthetic_project_runs_evaluates_and_checks()
    {
        var synth = CliProcess.Run("synth", "--rows", "2000", "--seed", "5", "--out", _directory, "--rate", "typo=0.1", "--rate", "namesake=0.1");
        Succeeded(synth);
        Assert.Matches(@"candidacies: +2,000", synth.Stdout);
        Assert.Contains("| `typo` | 0.1 | candidacy |", File.ReadAllText(Path.Combine(_directory, "truth", "README.md")), StringComparison.Ordinal);

        var run = CliProcess.Run("run", "candidacy_ddhq_matches", "--allow-future-date", "--snapshot-date", "2030-06-03", "--project-dir", _directory);
        Succeeded(run);

        // Parquet inputs are hashed beside the match; the note names the stages whose CPU time includes that work.
        Assert.Matches(@"(?m)^  input_hashes .*hashed beside the match in \d+\.\d s of wall time, during reference(, | to [a-z_]+, )whose CPU time includes it$", run.Stdout);
        var evaluate = CliProcess.Run("evaluate", "candidacy_ddhq_matches", "--project-dir", _directory, "--truth", Path.Combine(_directory, "truth", "candidacy_ddhq_matches.csv"));
        Succeeded(evaluate);
        Assert.Matches(@"(?m)^precision: [01]\.\d{4}$", evaluate.Stdout);
        Assert.Matches(@"(?m)^recall: [01]\.\d{4}$", evaluate.Stdout);

        var check = CliProcess.Run("check", "--project-dir", _directory);
        Succeeded(check);
        Assert.Contains("check passed", check.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_empty_directory_and_an_unknown_rate_are_refused()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, "keep.txt"), "mine");

        var occupied = CliProcess.Run("synth", "--rows", "10", "--out", _directory);
        var unknown = CliProcess.Run("synth", "--rows", "10", "--out", _directory, "--force", "--rate", "nicknames=0.1");

        Assert.Equal(1, occupied.ExitCode);
        Assert.Contains("error EM0050", occupied.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("error EM0051", unknown.Stderr, StringComparison.Ordinal);
        Assert.Contains("nickname", unknown.Stderr, StringComparison.Ordinal);
        Assert.Equal(["keep.txt"], Directory.EnumerateFileSystemEntries(_directory).Select(Path.GetFileName));
    }
}
