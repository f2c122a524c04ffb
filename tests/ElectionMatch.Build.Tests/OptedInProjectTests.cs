namespace ElectionMatch.Tests;

/// <summary>
/// A real <c>dotnet build</c> in a private copy of the goodparty dbt project that opts in with
/// <c>&lt;Project Sdk="ElectionMatch.Sdk/…"&gt;</c>, restored from a folder feed the tests pack. Each test has its own copy.
/// </summary>
/// <remarks>
/// The tests are several classes, by what they prove, because xunit runs the tests of one class one after another:
/// a build is mostly one core's work, and when they were one class it ran alone for most of the project's run with
/// the second core idle. Two classes side by side use both.
/// </remarks>
public abstract class OptedInProjectTests : IDisposable
{
    private protected const string StagingDirectory = "models/staging/model_predictions_source/";
    internal const string Staging1016 = StagingDirectory + "stg_model_predictions__candidacy_ddhq_matches_20251016.sql";
    internal const string Staging1112 = StagingDirectory + "stg_model_predictions__candidacy_ddhq_matches_20251112.sql";
    internal const string Mart = "models/marts/general/m_general__candidacy_result.sql";
    private protected const string SourcesYaml = "models/staging/__sources.yaml";
    internal const string SkippedGenerate = "Skipping target \"ElectionMatchGenerate\" because all output files are up-to-date";
    internal const string SkippedCheck = "Skipping target \"ElectionMatchCheck\" because all output files are up-to-date";
    internal const string CheckRan = "electionmatch check: 0 error(s)";

    private protected readonly SdkPackage _sdk;
    private protected readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    private protected OptedInProjectTests(SdkPackage sdk)
    {
        _sdk = sdk;
        // The fixture's hand-written staging models are what a repository has before it adopts ElectionMatch:
        // with them deleted, the first build renders generated ones for the two existing snapshots.
        File.Delete(_fixture.PathOf(Staging1016));
        File.Delete(_fixture.PathOf(Staging1112));
        sdk.AddTo(_fixture.Directory);
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _fixture.Dispose();
        }
    }

    private protected DotnetProcess.Result Build(params string[] args) => DotnetProcess.Build(_fixture.Directory, _sdk.Packages, args);

    private protected DotnetProcess.Result BuildSucceeds(params string[] args)
    {
        var build = Build(args);
        Assert.True(build.ExitCode == 0, build.Output);
        return build;
    }

    private protected Dictionary<string, DateTime> WriteTimes() =>
        Directory.EnumerateFiles(_fixture.Directory, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);
}
