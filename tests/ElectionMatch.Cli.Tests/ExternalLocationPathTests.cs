namespace ElectionMatch.Tests;

/// <summary>Where a relative path inside an <c>external_location</c> call is read from when the command runs outside the project.</summary>
public sealed class ExternalLocationPathTests : IDisposable
{
    private const string Sources = "models/staging/__sources.yaml";

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void A_relative_path_in_a_table_function_call_is_read_from_the_project_directory()
    {
        // The candidacies as a read_csv call with a relative path, as dbt-duckdb users write it; the executable runs in
        // the test's own directory, not the project's (--project-dir, as the README's main command does).
        var text = _fixture.Read(Sources);
        const string Plain = "external_location: \"data/airbyte/hubspot_candidacy.csv\"";
        Assert.Contains(Plain, text, StringComparison.Ordinal);
        File.WriteAllText(_fixture.PathOf(Sources), text.Replace(Plain, "external_location: \"read_csv('data/airbyte/hubspot_candidacy.csv', header = true)\"", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(Environment.CurrentDirectory, "data/airbyte/hubspot_candidacy.csv")));

        var run = CliProcess.RunChild("run", "candidacy_ddhq_matches", "--allow-future-date", "--snapshot-date", "2030-06-03", "--project-dir", _fixture.Directory);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("left input rows: 300 read = 300 used", run.Stdout, StringComparison.Ordinal);
    }
}
