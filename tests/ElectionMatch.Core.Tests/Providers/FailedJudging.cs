using ElectionMatch.Diagnostics;
using ElectionMatch.Matching.Providers;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Providers;

/// <summary>
/// One contest of one row (John Smith for Council) judged by a Vertex judge of these connection settings, which
/// must fail: the error, with the warehouse and providers left open for the test to inspect.
/// </summary>
internal sealed class FailedJudging : IDisposable
{
    private FailedJudging(DuckDbWarehouse warehouse, ModelProviders providers, DiagnosticException error) =>
        (Warehouse, Providers, Error) = (warehouse, providers, error);

    public DuckDbWarehouse Warehouse { get; }

    public ModelProviders Providers { get; }

    public DiagnosticException Error { get; }

    public static FailedJudging Of(ModelConnection connection)
    {
        var warehouse = DuckDbWarehouse.InMemory();
        warehouse.Execute("create schema em_run_test_match");
        var providers = JudgeFixture.Providers(JudgeFixture.Match("vertex", connection), warehouse);
        var evidence = new[] { new ElectionMatch.Matching.Judging.JudgeEvidence("race-1", "Council", 1, "John Smith", new Dictionary<string, string?>(), 10, 1, "John Smith", new Dictionary<string, string?>(), new Dictionary<string, string>()) };
        var error = Assert.Throws<DiagnosticException>(() => { new ElectionMatch.Matching.Judging.JudgeStage(warehouse, new ElectionMatch.Matching.RunSchema("em_run_test_match"), providers.Judge!, 25).Run(evidence, "judge_answers", default); });
        return new FailedJudging(warehouse, providers, error);
    }

    public void Dispose()
    {
        Providers.Dispose();
        Warehouse.Dispose();
    }
}
