namespace ElectionMatch.Tests;

/// <summary>Settings from outside the project files (environment variables, <c>DBT_PROFILES_DIR</c>, warnings as errors) that change what a build checks.</summary>
public sealed class BuildSettingsTests(SdkPackage sdk) : OptedInProjectTests(sdk), IClassFixture<SdkPackage>
{
    [Fact]
    public void A_new_value_of_a_variable_profiles_yml_reads_makes_the_next_build_check_the_warehouse_it_names()
    {
        BuildSucceeds();
        BuildSucceeds("-t:ElectionMatchRun", "-p:Match=candidacy_ddhq_matches", "-p:AllowFutureDate=true", "-p:SnapshotDate=2030-06-03");
        BuildSucceeds();
        var unchanged = BuildSucceeds("-v:n");

        // Another warehouse, as a teammate's clone has: the run's snapshot is declared but not in it.
        var elsewhere = new Dictionary<string, string> { ["GOODPARTY_WAREHOUSE"] = Path.Combine(_fixture.Directory, "target", "elsewhere.duckdb") };
        var moved = DotnetProcess.Build(_fixture.Directory, _sdk.Packages, elsewhere, "-v:n");
        var back = BuildSucceeds("-v:n");

        Assert.Contains(SkippedCheck, unchanged.Output, StringComparison.Ordinal);
        Assert.Equal(1, moved.ExitCode);
        Assert.Matches(@"__sources\.yaml\(\d+,\d+\): error EM0101: .*candidacy_ddhq_matches_20300603", moved.Output);
        Assert.DoesNotContain("EM0201", moved.Output, StringComparison.Ordinal);
        Assert.Contains(CheckRan, back.Output, StringComparison.Ordinal);
        // The stamp's directory keeps the variables' names, never their values: profiles.yml's, and DBT_TARGET, which
        // chooses the target when the build names none (as dbt 1.5 and later).
        Assert.Equal("DBT_TARGET\nGOODPARTY_WAREHOUSE", _fixture.Read("target/electionmatch/environment.txt").Trim().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void A_relative_DBT_PROFILES_DIR_is_read_from_where_dotnet_build_was_started_as_the_CLI_reads_it()
    {
        // profiles.yml moved out of the project's own place, into a folder named from models/ as ../<folder>.
        var folder = "profiles-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(_fixture.PathOf(folder));
        File.Move(_fixture.PathOf("profiles.yml"), _fixture.PathOf(folder + "/profiles.yml"));
        var variable = new Dictionary<string, string> { ["DBT_PROFILES_DIR"] = "../" + folder };

        // Before, the tasks read it from the project's folder (where MSBuild runs them): EM0011 from models/.
        var fromModels = DotnetProcess.Build(_fixture.PathOf("models"), _sdk.Packages, variable, "../electionmatch.proj", "-v:n");
        // From the project's folder the same value names a folder beside the project: a build that reran nothing would pass.
        var fromProject = DotnetProcess.Build(_fixture.Directory, _sdk.Packages, variable);

        Assert.True(fromModels.ExitCode == 0, fromModels.Output);
        Assert.Contains(CheckRan, fromModels.Output, StringComparison.Ordinal);
        Assert.Equal(1, fromProject.ExitCode);
        var beside = Path.GetFullPath(Path.Combine(_fixture.Directory, "..", folder));
        Assert.Contains($"{_fixture.PathOf("dbt_project.yml")}(4,10): error EM0011: profiles.yml not found in {beside}, the folder DBT_PROFILES_DIR names ('../{folder}', read from {_fixture.Directory}, where the command was started)", fromProject.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-warnaserror")]
    [InlineData("-p:MSBuildTreatWarningsAsErrors=true")]
    [InlineData("-p:TreatWarningsAsErrors=true")]
    public void A_build_that_makes_warnings_errors_checks_again_after_a_passing_build_and_fails_on_them(string strict)
    {
        var passing = BuildSucceeds();
        Assert.Contains($"{_fixture.PathOf(Mart)}(8,26): warning EM0300: ", passing.Output, StringComparison.Ordinal);

        // Before, the stamp knew only ElectionMatchWarningsAsErrors: this build skipped the check and succeeded.
        var failing = Build(strict);
        var again = BuildSucceeds("-v:n");

        Assert.Equal(1, failing.ExitCode);
        Assert.Contains($"{_fixture.PathOf(Mart)}(8,26): error EM0300: ", failing.Output, StringComparison.Ordinal);
        Assert.Contains(CheckRan, again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_project_directory_given_on_the_command_line_is_read_as_one_set_in_the_project_file()
    {
        // The opted-in project file moved above the dbt project. A -p: property is global, so the targets' normalising
        // assignment never took: 'dbt' was joined to file names as given (dbtdbt_project.yml, stamps in dbttarget/), and
        // an edit of electionmatch.yml was not seen.
        var above = MoveProjectFileAbove();
        var first = DotnetProcess.Build(above, _sdk.Packages, "-p:ElectionMatchProjectDirectory=..");
        _fixture.Write("electionmatch.yml", _fixture.Read("electionmatch.yml") + "bogus_key: 1\n");
        var edited = DotnetProcess.Build(above, _sdk.Packages, "-p:ElectionMatchProjectDirectory=..");

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(File.Exists(_fixture.PathOf("target/electionmatch/check.stamp")));
        Assert.False(Directory.Exists(Path.Combine(above, "..target")));
        Assert.Equal(1, edited.ExitCode);
        Assert.Contains("error EM0003: unknown key 'bogus_key'", edited.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Project_and_profiles_directories_given_from_the_home_directory_are_read_there()
    {
        // A shell leaves `-p:…=~/repo` as written. Before, the build looked in a folder '~' beside the project file (EM0010).
        var above = MoveProjectFileAbove();
        Directory.CreateDirectory(_fixture.PathOf("profs"));
        File.Move(_fixture.PathOf("profiles.yml"), _fixture.PathOf("profs/profiles.yml"));
        var fromHome = "~/" + Path.GetRelativePath(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), _fixture.Directory).Replace('\\', '/');

        var build = DotnetProcess.Build(above, _sdk.Packages, $"-p:ElectionMatchProjectDirectory={fromHome}", $"-p:ElectionMatchProfilesDirectory={fromHome}/profs", "-v:n");

        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Contains(CheckRan, build.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(_fixture.PathOf("target/electionmatch/check.stamp")));
    }

    [Fact]
    public void A_build_whose_project_directory_holds_no_dbt_project_names_the_property_that_sets_it()
    {
        // Before: "no dbt_project.yml in '.'; pass --project-dir to point at the dbt project", the CLI's option.
        File.Move(_fixture.PathOf("dbt_project.yml"), _fixture.PathOf("dbt_project.yml.away"));

        var build = Build();

        Assert.Equal(1, build.ExitCode);
        Assert.Contains($"error EM0010: no dbt_project.yml in {_fixture.Directory}; put the project file beside dbt_project.yml, or set ElectionMatchProjectDirectory", build.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("--project-dir", build.Output, StringComparison.Ordinal);

        // No profiles.yml where a build looks: its property, not the CLI's --profiles-dir.
        File.Move(_fixture.PathOf("dbt_project.yml.away"), _fixture.PathOf("dbt_project.yml"));
        File.Move(_fixture.PathOf("profiles.yml"), _fixture.PathOf("profiles.yml.away"));
        var noProfiles = DotnetProcess.Build(_fixture.Directory, _sdk.Packages, new Dictionary<string, string> { ["HOME"] = _fixture.PathOf("models") });

        Assert.Equal(1, noProfiles.ExitCode);
        Assert.Contains("error EM0011: profiles.yml not found; looked in ", noProfiles.Output, StringComparison.Ordinal);
        Assert.Contains("(set ElectionMatchProfilesDirectory or DBT_PROFILES_DIR)", noProfiles.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("--profiles-dir", noProfiles.Output, StringComparison.Ordinal);
    }

    /// <summary>The opted-in project file moved into a folder of its own inside the dbt project, which it then names with ElectionMatchProjectDirectory.</summary>
    private string MoveProjectFileAbove()
    {
        var above = _fixture.PathOf("above");
        Directory.CreateDirectory(above);
        File.Move(_fixture.PathOf("electionmatch.proj"), Path.Combine(above, "electionmatch.proj"));
        File.Copy(_fixture.PathOf("nuget.config"), Path.Combine(above, "nuget.config"));
        return above;
    }
}
