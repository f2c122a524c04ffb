namespace ElectionMatch.Tests;

/// <summary>
/// How a command finds its dbt project (as dbt does: <c>--project-dir</c>, else <c>$DBT_PROJECT_DIR</c>, else the
/// working directory or the nearest one above it with dbt_project.yml), and what a command line that does not parse
/// prints (EM0045 on standard error, nothing on standard output).
/// </summary>
public sealed class CommandLineUsageTests : IDisposable
{
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    // Before: "dbt_project.yml: error EM0010: no dbt_project.yml in '.'", where dbt itself walks up to the project.
    [Fact]
    public void A_command_run_from_a_folder_inside_the_project_works_on_that_project()
    {
        var models = Path.Combine(_fixture.Directory, "models", "staging");

        var result = CliProcess.RunIn(models, "check");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("check passed", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("EM0010", result.Output, StringComparison.Ordinal);
    }

    // Before: at electionmatch.yml(1,1), the version line, for every misspelled match.
    [Fact]
    public void A_misspelled_match_is_reported_at_the_entry_of_the_match_it_may_have_meant()
    {
        var result = CliProcess.Run(["explain", "candidacy_ddhq_match", "gpc-000919", "--project-dir", _fixture.Directory]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("electionmatch.yml(18,3): error EM0031: no match named 'candidacy_ddhq_match' in electionmatch.yml; did you mean 'candidacy_ddhq_matches'?", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_project_dir_the_project_named_by_DBT_PROJECT_DIR_is_used()
    {
        var result = CliProcess.RunWith(new Dictionary<string, string?> { ["DBT_PROJECT_DIR"] = _fixture.Directory }, "check");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("check passed", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Outside_any_project_the_error_says_no_directory_above_holds_one()
    {
        var empty = Directory.CreateTempSubdirectory("em-no-project-").FullName;
        try
        {
            var result = CliProcess.RunIn(empty, "check");

            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"error EM0010: no dbt_project.yml in '{empty}' nor in any directory above it", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    // Before: "no dbt_project.yml in '…/dbt_project.yml'" at "…/dbt_project.yml/dbt_project.yml", and for a missing
    // directory the same words as for one without the file.
    [Fact]
    public void A_project_dir_that_is_the_file_or_does_not_exist_is_told_as_such()
    {
        var file = Path.Combine(_fixture.Directory, "dbt_project.yml");
        var missing = Path.Combine(_fixture.Directory, "no-such-folder");

        var asFile = CliProcess.Run("check", "--project-dir", file);
        var absent = CliProcess.Run("check", "--project-dir", missing);

        Assert.Equal(1, asFile.ExitCode);
        Assert.Contains($"error EM0010: '{file}' (--project-dir) is a file; --project-dir names the directory that holds dbt_project.yml ('{_fixture.Directory}')", asFile.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, absent.ExitCode);
        Assert.Contains($"error EM0010: the project directory '{missing}' (--project-dir) does not exist; pass --project-dir to point at the dbt project", absent.Stderr, StringComparison.Ordinal);
    }

    // Before: the same words as for --project-dir, so the variable set long ago in a profile went unsuspected.
    [Fact]
    public void A_DBT_PROJECT_DIR_that_does_not_exist_is_named_as_the_variable()
    {
        var missing = Path.Combine(_fixture.Directory, "no-such-folder");

        var result = CliProcess.RunWith(new Dictionary<string, string?> { ["DBT_PROJECT_DIR"] = missing }, "check");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"error EM0010: the project directory '{missing}' ($DBT_PROJECT_DIR) does not exist; set DBT_PROJECT_DIR to the dbt project's directory, or pass --project-dir", result.Stderr, StringComparison.Ordinal);
    }

    // Before: the error on standard error, "Did you mean one of the following? explain" and the whole help on standard
    // output (so `… > out.txt` filled the file with help), no code, and a second suggestion list that was empty.
    [Fact]
    public void A_mistyped_command_is_an_error_on_standard_error_with_the_command_it_may_mean()
    {
        var result = CliProcess.Run("expain", "x", "--project-dir", _fixture.Directory);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("electionmatch: error EM0045: Unrecognized command or argument 'expain'; did you mean 'explain'?; see `electionmatch --help`", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("one of the following", result.Stderr, StringComparison.Ordinal);
        // Before, a second error restated the first: "Required command was not provided".
        Assert.Single(result.Stderr.Split('\n'), l => l.Contains("error EM0045", StringComparison.Ordinal));
        Assert.Contains("1 error(s)", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mistyped_option_names_the_option_it_may_mean_and_the_command_s_help()
    {
        var before = _fixture.Snapshot();

        var result = CliProcess.Run("evaluate", "candidacy_ddhq_matches", "--truth", "truth.csv", "--hardst", "3", "--project-dir", _fixture.Directory);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("error EM0045: Unrecognized command or argument '--hardst'; did you mean '--hardest'?; see `electionmatch evaluate --help`", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Usage:", result.Output, StringComparison.Ordinal);
        Assert.Equal(before, _fixture.Snapshot());
    }

    [Fact]
    public void A_command_given_no_match_lists_the_matches_the_project_defines()
    {
        // Before: only the parser's "Required argument 'match' missing for command: 'run'".
        var run = CliProcess.Run("run", "--project-dir", _fixture.Directory);
        var explain = CliProcess.RunIn(_fixture.Directory, "explain");
        var elsewhere = CliProcess.Run("run", "--project-dir", Path.Combine(_fixture.Directory, "no-such-folder"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error EM0045: Required argument 'match' missing for command: 'run'; the project defines candidacy_ddhq_matches, llm_l2_br_match; see `electionmatch run --help`", run.Stderr, StringComparison.Ordinal);
        // The list once, with the missing match, not again with the missing id.
        Assert.Single(explain.Stderr.Split('\n'), l => l.Contains("the project defines", StringComparison.Ordinal));
        Assert.Contains("'left-id' missing", explain.Stderr, StringComparison.Ordinal);
        // A project that cannot be read lists nothing; the command given a match shows its error.
        Assert.Contains("error EM0045: Required argument 'match' missing for command: 'run'; see `electionmatch run --help`", elsewhere.Stderr, StringComparison.Ordinal);
    }
}
