using ElectionMatch.Diagnostics;

namespace ElectionMatch.Tests;

/// <summary>
/// A project adopting ElectionMatch whose sources YAML is not at <c>snapshots.sources_file</c>'s default path (dbt repos
/// name theirs as they like): `check` says what the first `run` would refuse (EM0005), where an IDE or CI can mark it.
/// </summary>
public sealed class SourcesFileMissingCheckTests : IDisposable
{
    private readonly FixtureCopy _project = FixtureCopy.Of("goodparty");

    public SourcesFileMissingCheckTests()
    {
        // The repo's own sources file, by another name, and electionmatch.yml leaving sources_file to its default.
        File.Move(_project.PathOf("models/staging/__sources.yaml"), _project.PathOf("models/staging/_sources.yml"));
        _project.Replace("electionmatch.yml", "  sources_file: models/staging/__sources.yaml\n", "");
        _project.Replace("electionmatch.yml", "  source: model_predictions\n", "  source: em_snapshots\n");
    }

    public void Dispose() => _project.Dispose();

    private CliProcess.Result Cli(params string[] args) => CliProcess.RunIn(_project.Directory, [.. args, "--project-dir", _project.Directory]);

    [Fact]
    public void Check_fails_as_the_run_would_on_a_missing_default_sources_file_at_electionmatch_yml_line_1()
    {
        var check = Cli("check");
        var run = Cli("run", "llm_l2_br_match");

        // Before: check passed, and the run failed with 'models/staging/__sources.yaml: error EM0005', a path with no line.
        const string Expected = "electionmatch.yml(1,1): error " + Codes.FileMissing + ": sources file models/staging/__sources.yaml (snapshots.sources_file's default) for 'em_snapshots' not found";
        Assert.Equal(1, check.ExitCode);
        Assert.Contains(Expected, check.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(Expected, run.Stderr, StringComparison.Ordinal);
    }
}
