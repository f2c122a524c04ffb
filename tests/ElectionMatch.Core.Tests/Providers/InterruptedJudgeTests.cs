using ElectionMatch.Diagnostics;
using ElectionMatch.Matching.Judging;
using ElectionMatch.Tests.Models;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Providers;

/// <summary>Ctrl-C and provider outages: what was paid for is kept, and the next run asks only for the rest.</summary>
[Collection(ProviderEnvironment.Name)]
public sealed class InterruptedJudgeTests : OpenAiServerTests
{
    [Fact]
    public async Task Cancellation_stops_a_request_in_flight_without_retrying_it()
    {
        Server.Script(FakeReply.Hang());
        using var warehouse = DuckDbWarehouse.InMemory();
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("openai", JudgeFixture.Connection(new FakeModelServerEndpoint(Server.OpenAiEndpoint), timeoutSeconds: 60)), warehouse);
        using var ctrlC = new CancellationTokenSource();

        var judging = providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "John Smith"), ctrlC.Token);
        // Ctrl-C while the server holds the request.
        for (var waited = 0; Server.ModelHits == 0 && waited < 30_000; waited += 10)
        {
            await Task.Delay(10);
        }

        await ctrlC.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => judging);

        Assert.Empty(providers.JudgeUsage!.RetryWaits);
        Assert.Equal(1, providers.JudgeUsage.Attempts);
        Assert.Equal(0L, warehouse.Scalar<long>($"select count(*) from {JudgeCache.QualifiedTable}"));
    }

    [Fact]
    public void A_run_stopped_by_an_outage_resumes_without_paying_twice()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        var match = JudgeFixture.Match("openai", JudgeFixture.Connection(new FakeModelServerEndpoint(Server.OpenAiEndpoint)) with { MaxConcurrency = 1 });
        var evidence = Enumerable.Range(1, 3).Select(i => new JudgeEvidence(
            $"race-{i}", $"Council {i}", i, "John Smith", new Dictionary<string, string?>(), 100 + i, 1, "John Smith", new Dictionary<string, string?>(), new Dictionary<string, string>())).ToList();

        // Contest 1 is answered; contest 2 meets a 500 on every attempt (1 + 3 retries).
        Server.Script([FakeReply.Careful, .. Enumerable.Repeat(FakeReply.Status(500), 4)]);
        warehouse.Execute("create schema em_run_test_match");
        using (var providers = JudgeFixture.Providers(match, warehouse))
        {
            var error = Assert.Throws<DiagnosticException>(() => { new JudgeStage(warehouse, new ElectionMatch.Matching.RunSchema("em_run_test_match"), providers.Judge!, 25).Run(evidence, "judge_answers", default); });
            Assert.Equal(Codes.ProviderFailed, error.Diagnostics[0].Code);
            Assert.Contains("resumes without paying for them twice", error.Diagnostics[0].Message, StringComparison.Ordinal);
        }

        Assert.Equal(5, Server.ModelHits);
        Assert.Equal(1L, warehouse.Scalar<long>($"select count(*) from {JudgeCache.QualifiedTable}"));

        warehouse.Execute("drop schema em_run_test_match cascade; create schema em_run_test_match");
        using (var providers = JudgeFixture.Providers(match, warehouse))
        {
            new JudgeStage(warehouse, new ElectionMatch.Matching.RunSchema("em_run_test_match"), providers.Judge!, 25).Run(evidence, "judge_answers", default);
            Assert.Equal(1, providers.JudgeUsage!.CacheHits);
            Assert.Equal(2, providers.JudgeUsage.Requests);
        }

        Assert.Equal(7, Server.ModelHits);
        Assert.Equal(3L, warehouse.Scalar<long>("select count(*) from em_run_test_match.judge_answers where right_key = left_key + 100"));
    }
}
