namespace ElectionMatch.Tests;

/// <summary>
/// Kills <c>electionmatch run</c> after the snapshot is published, at each file it writes (between the temporary
/// file and its rename, and between files), and <c>electionmatch generate</c> between two files.
/// </summary>
public sealed class CrashSafetyFileTests : IClassFixture<UninterruptedRun>
{
    private const string StagingSql = $"models/staging/model_predictions_source/stg_model_predictions__{UninterruptedRun.Snapshot}.sql";
    private const string StagingYaml = $"models/staging/model_predictions_source/stg_model_predictions__{UninterruptedRun.Snapshot}.yml";

    private static readonly string[] KillPoints =
    [
        "parquet:written", "parquet:renamed", "model:written",
        $"file:{UninterruptedRun.Snapshot}.json", "manifest:written",
        "file:__sources.yaml", "sources:written",
        $"file:stg_model_predictions__{UninterruptedRun.Snapshot}.sql",
        $"generated:stg_model_predictions__{UninterruptedRun.Snapshot}.sql",
        "generated:stg_model_predictions__candidacy_ddhq_matches.sql",
        "generate:written",
    ];

    private readonly UninterruptedRun _reference;

    public CrashSafetyFileTests(UninterruptedRun reference)
    {
        _reference = reference;
    }

    public static TheoryData<string> Points() => new(KillPoints);

    [Theory]
    [MemberData(nameof(Points))]
    public void A_run_killed_while_writing_files_leaves_a_safe_state_and_the_next_run_publishes_the_same(string point) =>
        CrashState.KillAt(point, _reference);

    [Fact]
    public void Generate_killed_between_two_files_leaves_whole_files_and_the_next_generate_finishes()
    {
        using var project = _reference.Project.Clone();
        File.Delete(project.PathOf(StagingSql));
        File.Delete(project.PathOf(StagingYaml));

        var killed = CliProcess.Run(new Dictionary<string, string> { ["ELECTIONMATCH_TEST_DIE_AT"] = $"generated:stg_model_predictions__{UninterruptedRun.Snapshot}.sql" }, null,
            "generate", "--project-dir", project.Directory);

        Assert.True(killed.WasKilled, killed.Output);
        Assert.Equal(_reference.Project.Read(StagingSql), project.Read(StagingSql));
        Assert.False(File.Exists(project.PathOf(StagingYaml)));
        var generate = CliProcess.Run("generate", "--project-dir", project.Directory);
        Assert.True(generate.ExitCode == 0, generate.Output);
        Assert.Equal(_reference.Project.Read(StagingYaml), project.Read(StagingYaml));
        var check = CliProcess.Run("check", "--project-dir", project.Directory);
        Assert.True(check.ExitCode == 0, check.Output);
    }
}
