namespace ElectionMatch.Tests;

/// <summary>
/// <c>dotnet build</c> in a dbt project whose directory name holds MSBuild's special characters. The targets glob,
/// remove and compare paths as items, where an unescaped <c>;</c> splits one, <c>%41</c> reads as <c>A</c> and
/// <c>@(x)</c> is an item list: the no-op build must hold there too. Under <c>*</c> and <c>?</c> MSBuild globs
/// nothing, so the build refuses them (EM0204) instead of missing edits.
/// </summary>
public sealed class ProjectDirectoryNameTests(SdkPackage sdk) : IClassFixture<SdkPackage>
{
    /// <summary>A copy of the goodparty project in a folder whose name ends in <paramref name="suffix"/>, opted in as OptedInProjectTests' is.</summary>
    private FixtureCopy Project(string suffix)
    {
        var fixture = FixtureCopy.Of("goodparty", suffix);
        File.Delete(fixture.PathOf(OptedInProjectTests.Staging1016));
        File.Delete(fixture.PathOf(OptedInProjectTests.Staging1112));
        sdk.AddTo(fixture.Directory);
        return fixture;
    }

    private DotnetProcess.Result Build(FixtureCopy project) => DotnetProcess.Build(project.Directory, sdk.Packages, "-v:n");

    [Theory]
    [InlineData(" a;b")] // the list separator
    [InlineData(" 100%41")] // '%' and two hex digits: MSBuild's own escape syntax
    [InlineData(" @(x)")] // an item list reference
    [InlineData(" $(x)")] // a property reference
    [InlineData(" ;%41 $(x) @(y) 'z'")] // all of them, with an apostrophe and spaces
    public void A_project_directory_holding_MSBuild_special_characters_builds_then_does_no_work_until_a_model_is_edited(string suffix)
    {
        using var project = Project(suffix);
        // A second model folder: its models are globbed from the folder the tasks report and watched-folders.txt keeps, not from the patterns.
        project.Write("dbt_project.yml", project.Read("dbt_project.yml").Replace("model-paths: [\"models\"]", "model-paths: [\"models\", \"transform\"]", StringComparison.Ordinal));
        Directory.CreateDirectory(project.PathOf("transform"));
        project.Write("transform/m_ok.sql", "select 1 as one\n");

        var first = Build(project);
        var unchanged = Build(project);
        project.Write(OptedInProjectTests.Mart, project.Read(OptedInProjectTests.Mart) + "-- edited\n");
        var modelEdited = Build(project);
        project.Write("transform/m_ok.sql", "select 2 as one\n");
        var otherFolderEdited = Build(project);

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("electionmatch: wrote " + OptedInProjectTests.Staging1112, first.Output, StringComparison.Ordinal);
        Assert.Contains(OptedInProjectTests.CheckRan, first.Output, StringComparison.Ordinal);
        Assert.True(unchanged.ExitCode == 0, unchanged.Output);
        Assert.Contains(OptedInProjectTests.SkippedGenerate, unchanged.Output, StringComparison.Ordinal);
        Assert.Contains(OptedInProjectTests.SkippedCheck, unchanged.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(OptedInProjectTests.CheckRan, unchanged.Output, StringComparison.Ordinal);
        foreach (var edited in new[] { modelEdited, otherFolderEdited })
        {
            Assert.True(edited.ExitCode == 0, edited.Output);
            Assert.Contains("electionmatch generate:", edited.Output, StringComparison.Ordinal);
            Assert.Contains(OptedInProjectTests.CheckRan, edited.Output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("*")]
    [InlineData("?")]
    public void A_project_directory_holding_a_wildcard_fails_with_EM0204_naming_it_before_any_work(string wildcard)
    {
        using var project = Project(" a" + wildcard);

        var build = Build(project);

        Assert.Equal(1, build.ExitCode);
        Assert.Contains($"{project.PathOf("electionmatch.proj")} : error EM0204: the dbt project directory '{project.Directory}/' holds '{wildcard}'", build.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(project.PathOf(OptedInProjectTests.Staging1112)));
        Assert.False(Directory.Exists(project.PathOf("target/electionmatch")));
    }

    [Theory]
    [InlineData("model-paths: [\"models\"]", "model-paths: [\"models\", \"transform*\"]")]
    [InlineData("test-paths: [\"tests\"]", "test-paths: [\"tests\", \"transform*\"]")]
    public void A_watched_folder_holding_a_wildcard_fails_with_EM0204_naming_it(string setting, string withWildcard)
    {
        using var project = Project("");
        project.Write("dbt_project.yml", project.Read("dbt_project.yml").Replace(setting, withWildcard, StringComparison.Ordinal));
        Directory.CreateDirectory(project.PathOf("transform*"));
        project.Write("transform*/m_ok.sql", "select 1 as one\n");

        var build = Build(project);

        Assert.Equal(1, build.ExitCode);
        Assert.Contains($"error EM0204: the folder '{project.PathOf("transform*")}' (from dbt_project.yml's model-paths, test-paths, analysis-paths or snapshot-paths, or electionmatch.yml's staging_dir, manifest_dir or zip_codes model_dir, whose files the build watches) holds '*' or '?'", build.Output, StringComparison.Ordinal);
    }
}
