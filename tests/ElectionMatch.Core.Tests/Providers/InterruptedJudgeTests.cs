using ElectionMatch.Diagnostics;
using ElectionMatch.Matching.Embeddings;
using ElectionMatch.Matching.Judging;
using ElectionMatch.Matching.Providers;
using ElectionMatch.Tests.Models;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Providers;

/// <summary>Ctrl-C and provider outages: what was paid for is kept, and the next run asks only for the rest.</summary>
[Collection(ProviderEnvironment.Name)]
public sealed class InterruptedJudgeTests : OpenAiServerTests
{
    [Fact]
    public async Task Cancellation_with_no_grace_stops_a_request_in_flight_without_retrying_it()
    {
        Server.Script(FakeReply.Hang());
        using var warehouse = DuckDbWarehouse.InMemory();
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("openai", JudgeFixture.Connection(new FakeModelServerEndpoint(Server.OpenAiEndpoint), timeoutSeconds: 60) with { CancelGraceSeconds = 0 }), warehouse);
        using var ctrlC = new CancellationTokenSource();

        var judging = providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "John Smith"), ctrlC.Token);
        // Ctrl-C while the server holds the request.
        await WaitForModelHits(1);

        await ctrlC.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => judging);

        Assert.Empty(providers.JudgeUsage!.RetryWaits);
        Assert.Equal(1, providers.JudgeUsage.Attempts);
        Assert.Equal(0L, warehouse.Scalar<long>($"select count(*) from {JudgeCache.QualifiedTable}"));
    }

    [Fact]
    public async Task Embeddings_in_flight_at_the_stop_arrive_within_the_grace_and_are_cached_and_no_further_batch_is_sent()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        // Two batches (128 + 72 texts), one at a time; each answer takes a second.
        warehouse.Execute("create table texts as select 'name: person ' || i as embedding_text from range(200) as t(i)");
        Server.EmbeddingLatency = TimeSpan.FromSeconds(1);
        using var ctrlC = new CancellationTokenSource();
        var interruption = new Interruption(ctrlC.Token);
        var connection = JudgeFixture.Connection(new FakeModelServerEndpoint(Server.OpenAiEndpoint)) with { MaxConcurrency = 1, CancelGraceSeconds = 60 };
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("offline", connection, embeddingProvider: "openai"), warehouse, interruption: interruption);

        var embedding = Task.Run(() => new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, ctrlC.Token));
        await WaitForModelHits(1);
        await ctrlC.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => embedding);
        Assert.Equal(1, Server.ModelHits);
        Assert.Equal(128L, warehouse.Scalar<long>("select count(*) from electionmatch_cache.embeddings"));
        Assert.Equal((1L, 0L, 0L), (interruption.Saved, interruption.Abandoned, interruption.InFlight));
    }

    [Fact]
    public async Task A_second_stop_abandons_the_contest_in_flight_at_once_and_caches_nothing_for_it()
    {
        Server.Script(FakeReply.Hang());
        using var warehouse = DuckDbWarehouse.InMemory();
        warehouse.Execute("create schema em_run_test_match");
        using var stop = new CancellationTokenSource();
        using var abandon = new CancellationTokenSource();
        var interruption = new Interruption(stop.Token, abandon.Token);
        var connection = JudgeFixture.Connection(new FakeModelServerEndpoint(Server.OpenAiEndpoint), timeoutSeconds: 60) with { MaxConcurrency = 1, CancelGraceSeconds = 60 };
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("openai", connection), warehouse, interruption: interruption);
        var evidence = Enumerable.Range(1, 3).Select(i => new JudgeEvidence(
            $"race-{i}", $"Council {i}", i, "John Smith", new Dictionary<string, string?>(), 100 + i, 1, "John Smith", new Dictionary<string, string?>(), new Dictionary<string, string>())).ToList();

        var judging = Task.Run(() => new JudgeStage(warehouse, new ElectionMatch.Matching.RunSchema("em_run_test_match"), providers.Judge!, 25).Run(evidence, "judge_answers", stop.Token));
        await WaitForModelHits(1);
        await stop.CancelAsync();
        await abandon.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => judging);
        Assert.Equal(1, Server.ModelHits);
        Assert.Equal(1, providers.JudgeUsage!.Attempts);
        Assert.Equal((0L, 1L), (interruption.Saved, interruption.Abandoned));
        Assert.Equal(0L, warehouse.Scalar<long>($"select count(*) from {JudgeCache.QualifiedTable}"));
        Assert.Contains("nothing was published; 0 provider answers in flight at the stop arrived and are cached, 1 request in flight was abandoned", interruption.Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_waiting_for_its_turn_at_the_stop_is_not_counted_in_flight_nor_abandoned()
    {
        using var release = new SemaphoreSlim(0);
        var held = release.WaitAsync();
        Server.Script(FakeReply.HeldUntil(held));
        using var warehouse = DuckDbWarehouse.InMemory();
        using var stop = new CancellationTokenSource();
        var interruption = new Interruption(stop.Token);
        // One request start every 10 s: the second contest waits for its turn while the first is on the wire.
        var connection = JudgeFixture.Connection(new FakeModelServerEndpoint(Server.OpenAiEndpoint), timeoutSeconds: 60) with { MaxConcurrency = 2, CancelGraceSeconds = 60, RequestsPerMinute = 6 };
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("openai", connection), warehouse, interruption: interruption);

        var first = providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "John Smith"), stop.Token);
        await WaitForModelHits(1);
        var second = providers.Judge.JudgeAsync(JudgeFixture.Request("r2", "Maria Lopez"), stop.Token);
        await Task.Delay(200);
        Assert.Equal(1L, interruption.InFlight);
        await stop.CancelAsync();
        release.Release();

        Assert.Equal(2, (await first).Single().CandidateNumber);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
        Assert.Equal(1, Server.ModelHits);
        Assert.Equal((1L, 0L, 0L), (interruption.Saved, interruption.Abandoned, interruption.InFlight));
        Assert.Contains("1 provider answer in flight at the stop arrived and is cached, 0 requests in flight were abandoned", interruption.Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stop_the_moment_the_pacer_lets_an_attempt_go_counts_it_in_flight_and_its_answer_as_saved()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        using var stop = new CancellationTokenSource();
        var interruption = new Interruption(stop.Token);
        var connection = JudgeFixture.Connection(new FakeModelServerEndpoint(Server.OpenAiEndpoint), timeoutSeconds: 60) with { MaxConcurrency = 1, CancelGraceSeconds = 60, RequestsPerMinute = 600 };
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("openai", connection), warehouse, interruption: interruption);
        // Ctrl-C on the attempt's own thread as it starts, its turn given: the step a stop could fall between
        // (before, after the check for a stop and before the mark on the wire, so it went out uncounted).
        providers.JudgeUsage!.AttemptCounted = stop.Cancel;

        var answers = await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "John Smith"), stop.Token);

        Assert.Equal(2, answers.Single().CandidateNumber);
        Assert.Equal(1, Server.ModelHits);
        Assert.Equal(1L, warehouse.Scalar<long>($"select count(*) from {JudgeCache.QualifiedTable}"));
        Assert.Equal((1L, 0L, 0L), (interruption.Saved, interruption.Abandoned, interruption.InFlight));
        Assert.Contains("1 provider answer in flight at the stop arrived and is cached, 0 requests in flight were abandoned", interruption.Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stop_the_moment_the_pacer_lets_an_attempt_go_then_a_second_stop_counts_it_abandoned()
    {
        Server.Script(FakeReply.Hang());
        using var warehouse = DuckDbWarehouse.InMemory();
        using var stop = new CancellationTokenSource();
        using var abandon = new CancellationTokenSource();
        var interruption = new Interruption(stop.Token, abandon.Token);
        var connection = JudgeFixture.Connection(new FakeModelServerEndpoint(Server.OpenAiEndpoint), timeoutSeconds: 60) with { MaxConcurrency = 1, CancelGraceSeconds = 60, RequestsPerMinute = 600 };
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("openai", connection), warehouse, interruption: interruption);
        providers.JudgeUsage!.AttemptCounted = stop.Cancel;

        var judging = providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "John Smith"), stop.Token);
        await WaitForModelHits(1);
        await abandon.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => judging);
        Assert.Equal((0L, 1L, 0L), (interruption.Saved, interruption.Abandoned, interruption.InFlight));
        Assert.Contains("0 provider answers in flight at the stop arrived and are cached, 1 request in flight was abandoned", interruption.Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_attempt_marked_after_the_stop_is_refused_unsent_and_counted_nowhere()
    {
        using var stop = new CancellationTokenSource();
        var interruption = new Interruption(stop.Token);
        var sent = false;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => interruption.SendAsync(TimeSpan.FromSeconds(60), stop.Token, async inFlight =>
        {
            // The stop comes after the request was let through and before its attempt is marked on the wire.
            await stop.CancelAsync();
            using var wire = interruption.OnWire(inFlight);
            sent = true;
            return 0;
        }));

        Assert.False(sent);
        Assert.Equal((0L, 0L, 0L), (interruption.Saved, interruption.Abandoned, interruption.InFlight));
    }

    [Fact]
    public async Task A_follow_up_abandoned_by_the_stop_counts_as_a_failed_follow_up()
    {
        Server.Script(FakeReply.Say("not an answer"), FakeReply.Hang());
        using var warehouse = DuckDbWarehouse.InMemory();
        using var stop = new CancellationTokenSource();
        var interruption = new Interruption(stop.Token);
        var connection = JudgeFixture.Connection(new FakeModelServerEndpoint(Server.OpenAiEndpoint), timeoutSeconds: 60) with { CancelGraceSeconds = 0 };
        using var providers = JudgeFixture.Providers(JudgeFixture.Match("openai", connection), warehouse, interruption: interruption);

        var judging = providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "John Smith"), stop.Token);
        await WaitForModelHits(2);
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => judging);
        Assert.Equal((1L, 1L), (providers.JudgeUsage!.InvalidReplies, providers.JudgeUsage.FailedFollowUps));
        Assert.Equal(1L, interruption.Abandoned);
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

    /// <summary>Until the server has received <paramref name="hits"/> model requests (a minute at most).</summary>
    private async Task WaitForModelHits(int hits)
    {
        for (var waited = 0; Server.ModelHits < hits && waited < 60_000; waited += 10)
        {
            await Task.Delay(10);
        }

        Assert.True(Server.ModelHits >= hits, $"{Server.ModelHits} model requests arrived, {hits} expected");
    }
}
