using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// A run whose token is cancelled (Ctrl-C in the CLI, a cancelled `dotnet build`) stops at its next stage and never
/// publishes: most of a run is DuckDB statements, which do not watch the token, so stages and the commit are where it
/// is heard.
/// </summary>
public sealed class CancelledRunTests : IDisposable
{
    private const string Match = "llm_l2_br_match";
    private static readonly DateOnly Date = new(2030, 1, 1);

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void A_run_cancelled_after_matching_publishes_nothing()
    {
        var sources = _fixture.Read("models/staging/__sources.yaml");

        // Before, only the retrieval and judge steps watched the token: a stop after them was published.
        Assert.Throws<OperationCanceledException>(() => RunCancelledAt("input_hashes"));

        Assert.Equal(sources, _fixture.Read("models/staging/__sources.yaml"));
        Assert.False(File.Exists(_fixture.PathOf($"electionmatch/manifests/{Match}_20300101.json")));
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        Assert.False(warehouse.TableExists("model_predictions", $"{Match}_20300101"));
    }

    [Fact]
    public void A_run_cancelled_during_a_stage_runs_no_further_stage()
    {
        var after = new List<string>();

        Assert.Throws<OperationCanceledException>(() => RunCancelledAt("left_input", after));

        // Before, the SQL stages after it ran on until the retrieval step looked at the token.
        Assert.Empty(after);
    }

    /// <param name="later">Gets every stage reported after the one the token was cancelled at.</param>
    private RunResult RunCancelledAt(string stage, List<string>? later = null)
    {
        using var stop = new CancellationTokenSource();
        return new RunOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute(new RunOptions(Match, Date) { AllowFutureDate = true }, report =>
        {
            if (stop.IsCancellationRequested)
            {
                later?.Add(report.Stage);
            }

            if (report.Stage == stage)
            {
                stop.Cancel();
            }
        }, stop.Token);
    }
}
