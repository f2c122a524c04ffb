using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// A run checks every file it will replace before it publishes anything: a generated file that cannot be written
/// stops it with EM0503 at that file, with no table, manifest or log row left behind.
/// </summary>
public sealed class ProjectWritabilityTests : IDisposable
{
    private const string StableModel = "models/staging/model_predictions_source/stg_model_predictions__candidacy_ddhq_matches.sql";

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void A_stable_model_that_cannot_be_replaced_stops_the_run_before_it_publishes()
    {
        var file = _fixture.PathOf(StableModel);
        Assert.True(File.Exists(file));
        ReadOnlyPaths.Set([file], true);
        CliProcess.Result run;
        try
        {
            run = CliProcess.Run("run", "candidacy_ddhq_matches", "--project-dir", _fixture.Directory, "--allow-future-date", "--snapshot-date", "2030-01-01");
        }
        finally
        {
            ReadOnlyPaths.Set([file], false);
        }

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("stg_model_predictions__candidacy_ddhq_matches.sql: error EM0503: cannot be written", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_fixture.PathOf("electionmatch/manifests/candidacy_ddhq_matches_20300101.json")));
        if (File.Exists(_fixture.WarehousePath))
        {
            using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
            Assert.False(warehouse.TableExists("model_predictions", "candidacy_ddhq_matches_20300101"));
        }

        var check = CliProcess.Run("check", "--project-dir", _fixture.Directory);
        Assert.DoesNotContain("EM0608", check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_temp_directory_that_cannot_be_written_stops_the_run_at_its_line_before_any_work()
    {
        // DuckDB writes there only once a run outgrows memory_limit: without the check, a run failed half way (EM0504).
        var temp = _fixture.PathOf("target/duckdb_tmp");
        Directory.CreateDirectory(temp);
        var settings = _fixture.Read("electionmatch.yml");
        var line = settings.Split('\n').ToList().FindIndex(l => l.Contains("temp_directory: target/duckdb_tmp", StringComparison.Ordinal)) + 1;
        Assert.True(line > 0);
        ReadOnlyPaths.Set([temp], true);
        CliProcess.Result run;
        try
        {
            run = CliProcess.Run("run", "candidacy_ddhq_matches", "--project-dir", _fixture.Directory, "--allow-future-date", "--snapshot-date", "2030-01-01");
        }
        finally
        {
            ReadOnlyPaths.Set([temp], false);
        }

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"electionmatch.yml({line},", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("error EM0503: 'temp_directory' is ", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("EM0504", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_fixture.PathOf("electionmatch/manifests/candidacy_ddhq_matches_20300101.json")));
    }
}
