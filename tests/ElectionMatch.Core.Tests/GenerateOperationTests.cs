using System.Text.RegularExpressions;
using ElectionMatch.Checks;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;

namespace ElectionMatch.Tests;

/// <summary>
/// generate decides from the project as it is once it holds the warehouse, and renders what exists: a build that
/// waited for a run, or a clone without the warehouse, must not corrupt the sources YAML or fail on a missing table.
/// </summary>
public sealed class GenerateOperationTests : IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private const string SourcesYaml = "models/staging/__sources.yaml";
    private const string StagingDirectory = "models/staging/model_predictions_source";

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    private ProjectContext Load() => ProjectContext.Load(new ProjectOptions(_fixture.Directory));

    private int Entries(string table) => Regex.Matches(_fixture.Read(SourcesYaml), $@"- name: {table}\n").Count;

    [Fact]
    public void A_generate_that_loaded_the_project_before_a_run_finished_does_not_add_the_runs_entry_again()
    {
        // As `dotnet build` during `-t:ElectionMatchRun`: the build read the project, then waited for the run's lock.
        var loadedBefore = Load();
        new RunOperation(Load()).Execute(new RunOptions(Match, new DateOnly(2030, 1, 1)) { AllowFutureDate = true });
        Assert.Equal(1, Entries(Match + "_20300101"));

        var result = new GenerateOperation(loadedBefore).Execute();

        Assert.Equal(1, Entries(Match + "_20300101"));
        Assert.DoesNotContain(_fixture.PathOf(SourcesYaml), result.Written.Select(Path.GetFullPath));
        Assert.DoesNotContain(new CheckOperation(Load()).Execute(), d => d.IsError);
    }

    [Fact]
    public void A_check_that_loaded_the_project_before_a_run_finished_sees_the_runs_entry()
    {
        var loadedBefore = Load();
        new RunOperation(Load()).Execute(new RunOptions(Match, new DateOnly(2030, 1, 1)) { AllowFutureDate = true });

        Assert.DoesNotContain(new CheckOperation(loadedBefore).Execute(), d => d.IsError);
    }

    [Fact]
    public void In_a_clone_without_the_warehouse_generate_skips_a_declared_snapshot_and_check_reports_its_table_missing()
    {
        new RunOperation(Load()).Execute(new RunOptions(Match, new DateOnly(2030, 1, 1)) { AllowFutureDate = true });
        // A teammate's clone: the run's sources entry and staging files are committed, its warehouse is not.
        File.Delete(_fixture.WarehousePath);
        var staging = Directory.EnumerateFiles(_fixture.Directory, "*_20300101.*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllText);

        var result = new GenerateOperation(Load()).Execute();
        var check = new CheckOperation(Load()).Execute();

        Assert.DoesNotContain(result.Diagnostics, d => d.IsError);
        Assert.All(staging, f => Assert.Equal(f.Value, File.ReadAllText(f.Key)));
        var missing = Assert.Single(check, d => d.Code == Codes.SnapshotTableMissing && d.Message.Contains(Match + "_20300101", StringComparison.Ordinal));
        Assert.EndsWith("__sources.yaml", missing.File, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_fails_when_the_stable_models_yaml_is_missing_and_generate_writes_it_again()
    {
        using var fixture = FixtureCopy.AsCommitted("goodparty");
        var context = () => ProjectContext.Load(new ProjectOptions(fixture.Directory));
        new RunOperation(context()).Execute(new RunOptions(Match, new DateOnly(2026, 1, 1)));
        var stableSql = fixture.PathOf($"{StagingDirectory}/stg_model_predictions__{Match}.sql");
        var stableYaml = Path.ChangeExtension(stableSql, ".yml");
        var yaml = File.ReadAllText(stableYaml);
        File.Delete(stableYaml);

        var check = new CheckOperation(context()).Execute();
        var generate = new GenerateOperation(context()).Execute();

        // Reported at the stable model's SQL, naming the missing YAML; as a dated model's missing YAML is an error (EM0100).
        var error = Assert.Single(check, d => d.IsError);
        Assert.Equal(Codes.StagingModelMissing, error.Code);
        Assert.Equal((Path.GetFullPath(stableSql), 1, 1), (Path.GetFullPath(error.File), error.Line, error.Column));
        Assert.Contains($"stg_model_predictions__{Match}.yml; run `electionmatch generate`", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(generate.Diagnostics, d => d.IsError);
        Assert.Equal(yaml, File.ReadAllText(stableYaml));
        Assert.DoesNotContain(new CheckOperation(context()).Execute(), d => d.IsError);
    }

    [Fact]
    public void Generate_points_at_the_newest_staging_model_when_it_does_not_run_and_the_stable_model_cannot_follow_it()
    {
        using var fixture = FixtureCopy.AsCommitted("goodparty");
        var context = () => ProjectContext.Load(new ProjectOptions(fixture.Directory));
        new RunOperation(context()).Execute(new RunOptions(Match, new DateOnly(2026, 1, 1)));
        // The newest snapshot's staging model, replaced by a hand-written one (no header: generate leaves it alone) that does not run.
        var staging = fixture.PathOf($"{StagingDirectory}/stg_model_predictions__{Match}_20260101.sql");
        File.WriteAllText(staging, "select no_such_column from {{ source('model_predictions', 'candidacy_ddhq_matches_20260101') }}\n");

        var generate = new GenerateOperation(context()).Execute();

        var warning = Assert.Single(generate.Diagnostics, d => d.Code == Codes.GeneratedFileStale);
        // Before, the stable model's path with no line; it is the staging model that must be fixed.
        Assert.Equal((Path.GetFullPath(staging), 1, 1), (Path.GetFullPath(warning.File), warning.Line, warning.Column));
        Assert.Contains($"stg_model_predictions__{Match}_20260101 does not run", warning.Message, StringComparison.Ordinal);
    }
}
