using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// A run reads an input file more than once (the hash beside the match, quarantine's checks, the cleaned rows by file
/// row number). A file replaced between those reads, as an export or sync landing mid-run would, must stop the run
/// before it publishes a snapshot made of two versions.
/// </summary>
public sealed class InputChangedDuringRunTests
{
    [Fact]
    public void A_results_file_changed_while_the_run_reads_it_stops_the_run_before_it_publishes()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));
        var results = fixture.PathOf("data/airbyte/ddhq_election_results.csv");
        var line = File.ReadLines(results).Skip(1).First();

        // The file grows by one row once the results rows are cleaned: what the reads after that see is not what quarantine saw.
        void Grow(ElectionMatch.Matching.StageReport stage)
        {
            if (stage.Stage == "right_clean")
            {
                File.AppendAllText(results, line.Replace(line.Split(',')[2], "9900001", StringComparison.Ordinal) + "\n");
            }
        }

        var error = Assert.Throws<DiagnosticException>(() =>
            new RunOperation(context).Execute(new RunOptions("candidacy_ddhq_matches", new DateOnly(2030, 6, 3), Replace: true) { AllowFutureDate = true }, Grow));

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal(Codes.InputChangedDuringRun, diagnostic.Code);
        Assert.Contains("ddhq_election_results.csv", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was published", diagnostic.Message, StringComparison.Ordinal);
        Assert.EndsWith("__sources.yaml", diagnostic.File, StringComparison.Ordinal);

        using var warehouse = DuckDbWarehouse.Open(context.Target.DatabasePath);
        Assert.False(warehouse.TableExists("model_predictions", "candidacy_ddhq_matches_20300603"));

        // The same run on the file as it now stands publishes.
        var run = new RunOperation(context).Execute(new RunOptions("candidacy_ddhq_matches", new DateOnly(2030, 6, 3), Replace: true) { AllowFutureDate = true });
        Assert.True(run.Manifest.Rows > 0);
    }
}
