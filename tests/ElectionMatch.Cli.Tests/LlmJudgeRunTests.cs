using System.Text.Json;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using ElectionMatch.Snapshots;
using ElectionMatch.Tests.Models;

namespace ElectionMatch.Tests;

/// <summary>
/// <c>electionmatch run</c> on a copy of the goodparty fixture with <c>judge: provider: openai</c> pointed at the fake
/// model server, a planted API key in the environment (<see cref="PlantedKeyVariable"/>). Commands run in this process,
/// except where the process is the point: a run whose output is checked for the key or another credential (the child's
/// own stdout and stderr, whatever writes to them), Ctrl-C, and a key missing from the environment. The plain runs of
/// each match that several tests start from are made once for the class (<see cref="CarefulRuns"/>); a test that runs
/// again does so on its own copy, with a server of its own.
/// </summary>
public sealed class LlmJudgeRunTests(LlmJudgeRunTests.CarefulRuns careful) : IClassFixture<LlmJudgeRunTests.CarefulRuns>, IAsyncLifetime
{
    private const string Match = "candidacy_ddhq_matches";
    private const string PlantedKey = "sk-test-PLANTED-cli-0123456789abcdefghijkl";

    /// <summary>The snapshot date of <see cref="CarefulRuns"/>' runs, and as their snapshots' names end.</summary>
    private const string CarefulDate = "2031-01-17";
    private const string CarefulDay = "20310117";
    private FakeModelServer _server = null!;
    private FixtureCopy _fixture = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeModelServer.StartAsync();
        _fixture = Configured(_server, careful.Key);
    }

    public async Task DisposeAsync()
    {
        _fixture.Dispose();
        await _server.DisposeAsync();
    }

    /// <summary>
    /// A copy of the goodparty fixture whose candidacy match has an OpenAI judge on <paramref name="server"/> (three
    /// requests at a time, priced) and whose district match has OpenAI embeddings and judge there, deciding every position.
    /// </summary>
    private static FixtureCopy Configured(FakeModelServer server, PlantedKeyVariable key)
    {
        var fixture = FixtureCopy.Of("goodparty");
        const string offline = "    judge:\n      provider: offline\n\n  # L2";
        fixture.Replace("electionmatch.yml", offline, $"""
                judge:
                  provider: openai
                  model: gpt-4o-mini
                  endpoint: {server.OpenAiEndpoint}
                  api_key_env: {key.Name}
                  max_concurrency: 3
                  requests_per_minute: 0
                  retry_base_delay_seconds: 0.001
                  max_retry_delay_seconds: 0.05
                  price_per_million_input_tokens: 0.15
                  price_per_million_output_tokens: 0.6

              # L2
            """);
        const string districtOffline = "    judge:\n      provider: offline\n\n# Zip code";
        fixture.Replace("electionmatch.yml", districtOffline, $"""
                embeddings:
                  provider: openai
                  dimensions: 64
                  endpoint: {server.OpenAiEndpoint}
                  api_key_env: {key.Name}
                  requests_per_minute: 0
                judge:
                  provider: openai
                  endpoint: {server.OpenAiEndpoint}
                  api_key_env: {key.Name}
                  requests_per_minute: 0
                # The judge alone: the offline model decides every fixture position by score.
                thresholds:
                  accept: 1
                  reject: 0

            # Zip code
            """);
        return fixture;
    }

    /// <summary>In this process: nothing about the process is what the test proves.</summary>
    private CliProcess.Result Cli(params string[] args) => CliProcess.Run([.. args, "--project-dir", _fixture.Directory]);

    /// <summary>A child process, its environment holding the key: the test checks its whole output for the key.</summary>
    private CliProcess.Result Child(params string[] args) => CliProcess.RunWith(careful.Key.ForChild, [.. args, "--project-dir", _fixture.Directory]);

    /// <summary>This test's project becomes a copy of <paramref name="project"/>, its match <paramref name="match"/> served by this test's server.</summary>
    private void UseCopyOf(FixtureCopy project, string match)
    {
        _fixture.Dispose();
        _fixture = careful.CopyFor(project, match, _server);
    }

    [Fact]
    public void The_judge_is_shown_each_candidacys_party_affiliation_from_the_fixtures_hubspot_export_as_its_party()
    {
        // The class's candidacy run, every answer the careful judge's. The fixture maps the optional left role party: to
        // HubSpot's party_affiliation; before, no fixture mapped it, so no run of either showed the judge a candidacy's party.
        using var csv = ElectionMatch.Warehouse.DuckDbWarehouse.InMemory();
        var parties = csv.Query(
            $"select distinct first_name || ' ' || last_name || ', ' || official_office_name, party_affiliation from read_csv('{careful.Candidacy.Project.PathOf("data/airbyte/hubspot_candidacy.csv")}')",
            r => (Candidacy: r.GetString(0), Party: r.GetString(1))).ToDictionary(p => p.Candidacy, p => p.Party);
        var rows = careful.Candidacy.Requests.Where(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal))
            .Select(r => new ChatCall([.. JsonNode.Parse(r.Body)!["messages"]!.AsArray().Select(m => new ChatTurn(m!["role"]!.GetValue<string>(), m["content"]!.GetValue<string>()))]))
            .SelectMany(call => call.Data["rows"]!.AsArray())
            .ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, row => Assert.Equal(
            parties[$"{row!["name"]!.GetValue<string>()}, {row["attributes"]!["office"]!.GetValue<string>()}"],
            row["attributes"]!["party"]?.GetValue<string>()));
    }

    [Fact]
    public void Run_with_an_openai_judge_pays_once_replays_from_the_cache_and_never_shows_the_key()
    {
        // A 429 and a 500 on the way, and one contest whose reply is malformed twice: retried, then undecided.
        _server.Script(FakeReply.Status(429, new Dictionary<string, string> { ["retry-after-ms"] = "10" }), FakeReply.Status(500));
        var spoilt = FakeModelServer.FirstContest();
        _server.Default = call =>
        {
            var victim = spoilt(call);
            return victim ? "I think it is the second one." : FakeModelServer.CarefulAnswer(call);
        };
        var first = Child("run", Match, "--allow-future-date", "--snapshot-date", "2031-01-05");
        Assert.True(first.ExitCode == 0, first.Output);
        var paid = _server.ModelHits;
        Assert.True(paid >= 3, $"{paid} model requests");
        Assert.Contains("judge: openai/gpt-4o-mini:", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("judge share:", first.Stdout, StringComparison.Ordinal);
        var manifest = SnapshotManifest.FromJson(_fixture.Read($"electionmatch/manifests/{Match}_20310105.json"));
        var judge = Assert.Single(manifest.Models);
        Assert.Equal(("judge", "openai", "gpt-4o-mini"), (judge.Step, judge.Provider, judge.Model));
        Assert.Equal(paid, judge.HttpAttempts);
        Assert.True(judge.InputTokens > 0 && judge.EstimatedCost > 0);
        Assert.True(manifest.JudgeShare > 0);
        Assert.Matches("^[0-9a-f]{64}$", manifest.TemplateSha256["prompts/candidacy_ddhq.liquid"]);
        Assert.True(judge.UndecidedRows >= 1 && judge.InvalidReplies == 2, $"{judge.UndecidedRows} undecided, {judge.InvalidReplies} invalid");
        // The follow-up was answered (invalidly again): none went unanswered.
        Assert.Equal(0, judge.FailedFollowUps);
        Assert.Equal(judge.UndecidedRows, manifest.Counts["judge_rows_undecided"]);
        Assert.Contains($"{judge.UndecidedRows} rows undecided", first.Stdout, StringComparison.Ordinal);
        // Published as documented, the reasoning starting 'undecided:' (no prefix), so a dbt filter on it finds them.
        Assert.Equal(judge.UndecidedRows, Scalar<long>($"select count(*) from model_predictions.{Match}_20310105 where llm_reasoning like 'undecided: the judge''s reply was invalid twice%'"));
        Assert.Equal(0L, CountInWarehouse("judge did not accept: undecided"));
        var undecidedId = Scalar<string>($"select min(gp_candidacy_id) from model_predictions.{Match}_20310105 where llm_reasoning like 'undecided: %'");
        var explained = Cli("explain", Match, undecidedId);
        Assert.True(explained.ExitCode == 0, explained.Output);
        Assert.Contains("undecided: the judge's reply was invalid twice", explained.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("judge did not accept: undecided", explained.Stdout, StringComparison.Ordinal);
        var contests = manifest.Counts["judge_contests"] + manifest.Counts["runoff_judge_contests"];
        // Every contest asked once, plus one follow-up for the contest whose first reply was invalid.
        Assert.Equal(contests + 1, judge.Requests);

        var evaluate = Cli("evaluate", Match, "--truth", _fixture.PathOf("truth/candidacy_ddhq_matches.csv"));
        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Contains($"judge_undecided: {judge.UndecidedRows} rows the judge could not decide", evaluate.Stdout, StringComparison.Ordinal);

        // Second run of the same inputs: every answer from the cache except the undecided contest's, which is asked
        // again (and, the server still answering it badly, followed up once and left undecided).
        var second = Child("run", Match, "--allow-future-date", "--snapshot-date", "2031-01-05", "--replace");
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Equal(paid + 2, _server.ModelHits);
        var again = Assert.Single(SnapshotManifest.FromJson(_fixture.Read($"electionmatch/manifests/{Match}_20310105.json")).Models);
        Assert.Equal((2L, 2L), (again.Requests, again.HttpAttempts));
        Assert.Equal(contests - 1, again.CacheHits);
        Assert.Equal(judge.UndecidedRows, again.UndecidedRows);
        // The stage lines of the main and runoff passes count the same requests and cache hits between them.
        var stages = JudgeStageLines(second.Stdout);
        Assert.Equal((manifest.Counts["judge_contests"], manifest.Counts["runoff_judge_contests"]), (stages["judge"].Contests, stages["runoff_judge"].Contests));
        Assert.Equal((2L, contests - 1), (stages.Values.Sum(s => s.Requests), stages.Values.Sum(s => s.FromCache)));

        // Replay answers from the same cache, the undecided outcome included: no HTTP, the same undecided rows.
        var replay = Child("run", Match, "--allow-future-date", "--snapshot-date", "2031-01-05", "--replace", "--replay");
        Assert.True(replay.ExitCode == 0, replay.Output);
        Assert.Equal(paid + 2, _server.ModelHits);
        Assert.Equal(judge.UndecidedRows, SnapshotManifest.FromJson(_fixture.Read($"electionmatch/manifests/{Match}_20310105.json")).Counts["judge_rows_undecided"]);
        Assert.All(JudgeStageLines(replay.Stdout).Values, s => Assert.Equal(0L, s.Requests));
        Assert.Equal(contests, JudgeStageLines(replay.Stdout).Values.Sum(s => s.FromCache));

        foreach (var output in new[] { first, second, replay })
        {
            Assert.DoesNotContain(PlantedKey, output.Output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(PlantedKey, _fixture.Read($"electionmatch/manifests/{Match}_20310105.json"), StringComparison.Ordinal);
        Assert.Equal(0L, CountInWarehouse(PlantedKey));
        Assert.True(CountInWarehouse("same name") + CountInWarehouse("no candidate has this name") > 0, "the judge's answers are in the warehouse");
    }

    [Fact]
    public void A_run_whose_judge_has_more_contests_than_one_window_publishes_and_replays_them_from_the_cache()
    {
        // Every scored candidacy row is in the band: more contests than one window of requests (64 at three at a time),
        // streamed from the warehouse file. Before, the second window's read failed (EM0504), on every run after too.
        _server.Default = FakeModelServer.CarefulAnswer;
        _fixture.Replace("electionmatch.yml", "accept: 0.95        # match probability: link without the judge", "accept: 1");
        _fixture.Replace("electionmatch.yml", "reject: 0.5         # match probability: reject without the judge", "reject: 0");

        var live = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2031-01-05");
        Assert.True(live.ExitCode == 0, live.Output);
        var paid = _server.ModelHits;
        var replay = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2031-01-06", "--replay");
        Assert.True(replay.ExitCode == 0, replay.Output);

        var first = SnapshotManifest.FromJson(_fixture.Read($"electionmatch/manifests/{Match}_20310105.json"));
        var second = SnapshotManifest.FromJson(_fixture.Read($"electionmatch/manifests/{Match}_20310106.json"));
        Assert.True(first.Counts["judge_contests"] > 64, $"{first.Counts["judge_contests"]} contests");
        Assert.Equal(paid, _server.ModelHits);
        Assert.Equal(first.ContentSha256, second.ContentSha256);
    }

    [Fact]
    public void A_refused_follow_up_leaves_only_the_rows_still_invalid_undecided_and_the_run_its_summary_and_replay_agree()
    {
        // The first contest asked: its first reply spoils its last row (the fixture's contests have one ambiguous row
        // each; LlmJudgeTests keeps a contest's other rows), and the follow-up is refused. The run goes on.
        string? victim = null;
        var gate = new Lock();
        _server.Default = call =>
        {
            var data = call.Data.ToJsonString();
            var reply = JsonNode.Parse(FakeModelServer.CarefulAnswer(call))!;
            lock (gate)
            {
                victim ??= data;
            }

            if (data == victim)
            {
                reply["answers"]!.AsArray()[^1]!["selected_candidate_number"] = 99;
            }

            return reply.ToJsonString();
        };
        _server.RefuseChat = call => call.Messages.Count > 2 ? 400 : null;

        var run = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2031-01-11");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.NotNull(victim);
        var manifest = SnapshotManifest.FromJson(_fixture.Read($"electionmatch/manifests/{Match}_20310111.json"));
        var judge = Assert.Single(manifest.Models);
        var contests = manifest.Counts["judge_contests"] + manifest.Counts["runoff_judge_contests"];
        // Every contest answered once; the refused follow-up is one more HTTP attempt, not an answer.
        Assert.Equal((contests, contests + 1, 1L, 1L, 1L), (judge.Requests, judge.HttpAttempts, judge.InvalidReplies, judge.FailedFollowUps, judge.UndecidedRows));
        Assert.Equal(1L, manifest.Counts["judge_rows_undecided"]);
        Assert.Contains($"judge: openai/gpt-4o-mini: {contests} requests ({contests + 1} HTTP attempts), 0 from cache", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 invalid replies, 1 follow-ups unanswered, 1 rows undecided", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(1L, CountInWarehouse("and the follow-up request failed (HTTP 400: scripted failure)", $"model_predictions.{Match}_20310111"));
        // The victim's cached outcome: only the spoilt row undecided.
        var cached = JsonNode.Parse(Scalar<string>($"select cast(answers as varchar) from electionmatch_cache.judge_answers where contains(cast(answers as varchar), 'follow-up request failed')"))!.AsArray();
        Assert.Equal(cached.Count - 1, cached.Count(a => !a!["Undecided"]!.GetValue<bool>()));

        var paid = _server.ModelHits;
        var replay = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2031-01-11", "--replace", "--replay");

        Assert.True(replay.ExitCode == 0, replay.Output);
        Assert.Equal(paid, _server.ModelHits);
        Assert.Contains($"judge: openai/gpt-4o-mini: 0 requests (0 HTTP attempts), {contests} from cache", replay.Stdout, StringComparison.Ordinal);
        Assert.Equal(1L, SnapshotManifest.FromJson(_fixture.Read($"electionmatch/manifests/{Match}_20310111.json")).Counts["judge_rows_undecided"]);
    }

    [Fact]
    public void Of_two_judge_picks_of_one_candidate_in_separate_requests_the_more_confident_links_and_the_other_names_it()
    {
        // A second William Harris, and one row per request: each request holds one of the two rows, and the judge picks
        // Bill Harris for both, at 95 for the first request to arrive and 80 for the second. The office is written without
        // the dash, so the two requests differ (two identical requests are one cache entry, so one answer for both).
        var settings = _fixture.Read("electionmatch.yml");
        Assert.Contains("      max_concurrency: 3\n", settings, StringComparison.Ordinal);
        _fixture.Write("electionmatch.yml", settings.Replace("      max_concurrency: 3\n", "      max_concurrency: 3\n      max_rows_per_request: 1\n", StringComparison.Ordinal));
        File.AppendAllText(_fixture.PathOf("data/airbyte/hubspot_candidacy.csv"), "gpc-009001,672709399,William,Harris,TX,City Council,Plano City Council District 4,local,4,Nonpartisan,2024-03-05,2024-11-05,\n");
        var confidences = new Queue<int>([95, 80]);
        var gate = new Lock();
        var seen = new List<string>();
        _server.Default = call =>
        {
            var data = call.Data;
            lock (gate)
            {
                seen.Add(data.ToJsonString());
            }

            var row = data["rows"]!.AsArray().Single()!;
            var bill = data["candidates"]!.AsArray().FirstOrDefault(c => c!["name"]!.GetValue<string>().Trim() == "Bill Harris");
            if (!row["name"]!.GetValue<string>().Contains("William Harris", StringComparison.Ordinal) || bill is null || !data.ToJsonString().Contains("General", StringComparison.Ordinal))
            {
                return FakeModelServer.CarefulAnswer(call);
            }

            int confidence;
            lock (gate)
            {
                confidence = confidences.Count > 0 ? confidences.Dequeue() : 0;
            }

            return new JsonObject
            {
                ["answers"] = new JsonArray(new JsonObject
                {
                    ["row_id"] = row["row_id"]!.GetValue<string>(),
                    ["selected_candidate_number"] = bill["number"]!.GetValue<int>(),
                    ["selected_name"] = "Bill Harris",
                    ["selection_confidence"] = confidence,
                    ["reasoning"] = "Bill is William",
                    ["close_alternatives"] = new JsonArray(),
                }),
            }.ToJsonString();
        };

        var run = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2031-01-14");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.True(confidences.Count == 0, "the two general rows were not asked apart:\n" + string.Join("\n", seen.Where(x => x.Contains("Harris", StringComparison.Ordinal))));
        var table = $"model_predictions.{Match}_20310114";
        var winner = Scalar<string>($"select gp_candidacy_id from {table} where hubspot_election_type = 'general' and has_match and ddhq_candidate = 'Bill Harris' and llm_confidence = 95 and decided_by = 'judge'");
        var loser = winner == "gpc-000153" ? "gpc-009001" : "gpc-000153";
        Assert.Equal($"judge chose Bill Harris (confidence 80) but it is linked to another row ({winner}): Bill is William",
            Scalar<string>($"select llm_reasoning from {table} where gp_candidacy_id = '{loser}' and hubspot_election_type = 'general' and not has_match"));
    }

    [Fact]
    public void Ctrl_c_lets_the_answer_in_flight_arrive_and_be_cached_publishes_nothing_and_the_next_run_does_not_ask_again()
    {
        OneRequestAtATime();
        var release = new TaskCompletionSource();
        _server.Script(FakeReply.HeldUntil(release.Task));
        using (var running = WatchedCli.Start(new Dictionary<string, string> { [careful.Key.Name] = PlantedKey }, "run", Match, "--allow-future-date", "--snapshot-date", "2031-01-12", "--project-dir", _fixture.Directory))
        {
            WaitForModelHits(1);
            running.Interrupt();
            running.WaitForStderr("electionmatch: stopping: no new provider request; 1 in flight may still answer within");
            release.SetResult();
            var stopped = running.Finish();

            Assert.True(stopped.ExitCode == 130, stopped.Output);
            Assert.Contains("electionmatch: cancelled; nothing was published; 1 provider answer in flight at the stop arrived and is cached, 0 requests in flight were abandoned", stopped.Stderr, StringComparison.Ordinal);
        }

        Assert.Equal(1, _server.ModelHits);
        Assert.False(File.Exists(_fixture.PathOf($"electionmatch/manifests/{Match}_20310112.json")));
        Assert.Equal(0L, Scalar<long>($"select count(*) from information_schema.tables where table_name = '{Match}_20310112'"));
        Assert.Equal(1L, Scalar<long>("select count(*) from electionmatch_cache.judge_answers"));

        var resumed = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2031-01-12");

        Assert.True(resumed.ExitCode == 0, resumed.Output);
        var manifest = SnapshotManifest.FromJson(_fixture.Read($"electionmatch/manifests/{Match}_20310112.json"));
        var judge = Assert.Single(manifest.Models);
        var contests = manifest.Counts["judge_contests"] + manifest.Counts["runoff_judge_contests"];
        // The contest answered after Ctrl-C comes from the cache; every contest was asked exactly once over both runs.
        Assert.Equal((1L, contests - 1), (judge.CacheHits, judge.Requests));
        Assert.Equal(contests, _server.ModelHits);
    }

    [Fact]
    public void A_second_ctrl_c_abandons_the_request_in_flight_at_once_and_publishes_nothing()
    {
        OneRequestAtATime();
        _server.Script(FakeReply.Hang());
        using var running = WatchedCli.Start(new Dictionary<string, string> { [careful.Key.Name] = PlantedKey }, "run", Match, "--allow-future-date", "--snapshot-date", "2031-01-13", "--project-dir", _fixture.Directory);
        WaitForModelHits(1);
        running.Interrupt();
        running.WaitForStderr("electionmatch: stopping:");
        running.Interrupt();
        var stopped = running.Finish();

        Assert.True(stopped.ExitCode == 130, stopped.Output);
        // The same words whether the run stopped itself or, on a loaded machine, was ended 2 s after the second Ctrl-C.
        Assert.Contains("electionmatch: cancelled; ", stopped.Stderr, StringComparison.Ordinal);
        Assert.Contains("0 provider answers in flight at the stop arrived and are cached, 1 request in flight was abandoned", stopped.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, _server.ModelHits);
        Assert.False(File.Exists(_fixture.PathOf($"electionmatch/manifests/{Match}_20310113.json")));
        Assert.Equal(0L, Scalar<long>("select count(*) from electionmatch_cache.judge_answers"));
        Assert.DoesNotContain(PlantedKey, stopped.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_with_an_empty_cache_fails_with_em0402_and_calls_nothing()
    {
        var result = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2031-01-06", "--replay");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error EM0402: replay:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"judge contests of match '{Match}' (step judge, openai/gpt-4o-mini)", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, _server.ModelHits);
        Assert.False(File.Exists(Path.Combine(_fixture.Directory, "electionmatch", "manifests", $"{Match}_20310106.json")));
    }

    [Fact]
    public void A_missing_key_is_an_error_naming_the_variable()
    {
        // A child whose environment lacks the variable this process holds.
        var result = CliProcess.RunWith(new Dictionary<string, string?> { [careful.Key.Name] = null }, "run", Match, "--allow-future-date", "--snapshot-date", "2031-01-07", "--project-dir", _fixture.Directory);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error EM0401:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(careful.Key.Name, result.Stderr, StringComparison.Ordinal);
        Assert.Contains("electionmatch.yml(", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_district_match_with_openai_embeddings_and_judge_asks_one_position_per_request_and_evaluate_compares_both_embedders()
    {
        // The class's district run, every answer the careful judge's.
        var result = careful.District.Run;
        var requests = careful.District.Requests;
        Assert.True(requests.Count > 0, result.Stdout);
        foreach (var request in requests.Where(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal)))
        {
            var messages = System.Text.Json.Nodes.JsonNode.Parse(request.Body)!["messages"]!.AsArray();
            Assert.Contains("Ignore seats and positions", messages[0]!["content"]!.ToJsonString(), StringComparison.Ordinal);
            var call = new ChatCall([new ChatTurn("user", System.Text.Json.Nodes.JsonNode.Parse(messages[1]!["content"]!.ToJsonString())!.ToString())]);
            Assert.Single(call.Data["rows"]!.AsArray());
            Assert.InRange(call.Data["candidates"]!.AsArray().Count, 1, 13);
        }

        UseCopyOf(careful.District.Project, "llm_l2_br_match");
        var models = SnapshotManifest.FromJson(_fixture.Read($"electionmatch/manifests/llm_l2_br_match_{CarefulDay}.json")).Models;
        var judge = Assert.Single(models, m => m.Step == "judge");
        var embeddings = Assert.Single(models, m => m.Step == "embeddings");
        Assert.Equal(requests.Count, judge.Requests + embeddings.Requests);
        Assert.Equal(("openai", "text-embedding-3-small"), (embeddings.Provider, embeddings.Model));
        Assert.True(embeddings.Requests > 0 && embeddings.InputTokens > 0);

        // evaluate compares the retrieval tier of both embedders once the provider's cache covers the run.
        var evaluate = Cli("evaluate", "llm_l2_br_match", "--truth", _fixture.PathOf("truth/llm_l2_br_match.csv"));
        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Matches(@"(?m)^retrieval offline/hashed-ngram-v1/256: recall@10 [01]\.\d{4} \(\d+ of \d+ truth pairs", evaluate.Stdout);
        Assert.Matches(@"(?m)^retrieval openai/text-embedding-3-small/64: recall@10 [01]\.\d{4} \(\d+ of \d+ truth pairs", evaluate.Stdout);
        // The fake's vectors are the offline embedder's at 64 dimensions without the district reading: worse, and said so.
        Assert.Contains("retrieval warning: openai/text-embedding-3-small/64 finds ", evaluate.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_district_rerun_answered_from_the_cache_says_on_its_judge_stage_line_that_it_sent_no_request()
    {
        // The class's district run, then the same run again on a copy of its project.
        var first = careful.District.Run;
        UseCopyOf(careful.District.Project, "llm_l2_br_match");
        var contests = SnapshotManifest.FromJson(_fixture.Read($"electionmatch/manifests/llm_l2_br_match_{CarefulDay}.json")).Counts["judge_contests"];
        Assert.True(contests > 0, first.Stdout);

        var again = Cli("run", "llm_l2_br_match", "--allow-future-date", "--snapshot-date", CarefulDate, "--replace");

        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains($"judge: openai/gpt-4o-mini: 0 requests (0 HTTP attempts), {contests} from cache", again.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^  judge .* 0 requests to openai/gpt-4o-mini", again.Stdout);
        Assert.Equal(0, _server.ModelHits);
        Assert.Equal((contests, 0L, contests), JudgeStageLines(again.Stdout)["judge"]);
        Assert.Equal((contests, contests, 0L), JudgeStageLines(first.Stdout)["judge"]);
    }

    [Fact]
    public void Verify_after_runs_with_llm_judges_warns_of_no_template_until_one_is_edited_and_advises_per_kind_of_template()
    {
        // The class's candidacy run (at CarefulDate), then a district run on a copy of its project the same day.
        var candidacy = careful.Candidacy.Run;
        UseCopyOf(careful.Candidacy.Project, "llm_l2_br_match");
        // One district position's reply is malformed twice: undecided, published unlinked at confidence 0.
        var spoilt = FakeModelServer.FirstContest();
        _server.Default = call => spoilt(call) ? "I think it is the second one." : FakeModelServer.CarefulAnswer(call);
        var district = Cli("run", "llm_l2_br_match", "--allow-future-date", "--snapshot-date", "2031-01-17");
        Assert.True(district.ExitCode == 0, district.Output);

        // The candidacy judge sets prices, the district's none: an estimate, or a plain "not estimated" (never "0").
        Assert.Matches(@"(?m)^judge: openai/gpt-4o-mini: .*, estimated cost 0\.[0-9]*[1-9], ", candidacy.Stdout);
        Assert.Contains(", cost not estimated (no price_per_million_* set), ", district.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("estimated cost", district.Stdout, StringComparison.Ordinal);
        var manifest = SnapshotManifest.FromJson(_fixture.Read("electionmatch/manifests/llm_l2_br_match_20310117.json"));
        var judge = Assert.Single(manifest.Models, m => m.Step == "judge");
        Assert.Null(judge.EstimatedCost);
        Assert.Contains("\"estimated_cost\": null", _fixture.Read("electionmatch/manifests/llm_l2_br_match_20310117.json"), StringComparison.Ordinal);

        // The state table's confidence columns count matched positions only, and the line under it says so.
        var undecided = manifest.Counts["judge_rows_undecided"];
        Assert.True(undecided >= 1, district.Stdout);
        Assert.Contains($"mean confidence and 90-100 / 70-89 / <70 count matched positions only; {manifest.Rows - manifest.Counts["matched"]} unmatched ({undecided} of them undecided by the judge, published at confidence 0)",
            district.Stdout, StringComparison.Ordinal);

        // Both manifests record their judge's prompt, and nothing changed: no warning (before, every prompt was "changed").
        Assert.Contains("prompts/l2_ballotready.liquid", manifest.TemplateSha256.Keys);
        foreach (var match in new[] { Match, "llm_l2_br_match" })
        {
            var verify = Cli("verify", "--match", match);
            Assert.True(verify.ExitCode == 0, verify.Output);
            Assert.DoesNotContain("EM0609", verify.Output, StringComparison.Ordinal);
        }

        // An edited prompt override: the judge's answers depend on it, so the advice is a new run, not generate.
        var shipped = File.ReadAllText(Path.Combine(FixtureCopy.RepositoryRoot, "templates", "prompts", "l2_ballotready.liquid"));
        Directory.CreateDirectory(_fixture.PathOf("electionmatch/templates/prompts"));
        _fixture.Write("electionmatch/templates/prompts/l2_ballotready.liquid", shipped + "\nName the district exactly as the candidates list writes it.\n");
        var edited = Cli("verify", "--match", "llm_l2_br_match");
        Assert.True(edited.ExitCode == 0, edited.Output);
        Assert.Contains("warning EM0609: template prompts/l2_ballotready.liquid changed since llm_l2_br_match_20310117 was made (sha256 now ", edited.Stderr, StringComparison.Ordinal);
        Assert.Contains("the judge's answers depend on its prompt, so run the match again to publish a snapshot judged with it", edited.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("re-renders the staging files", edited.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("EM0609", Cli("verify", "--match", Match).Output, StringComparison.Ordinal);

        // An edited staging template is generate's to re-render.
        var staging = File.ReadAllText(Path.Combine(FixtureCopy.RepositoryRoot, "templates", "staging", "model.sql.liquid"));
        Directory.CreateDirectory(_fixture.PathOf("electionmatch/templates/staging"));
        _fixture.Write("electionmatch/templates/staging/model.sql.liquid", "-- our header\n" + staging);
        var restaged = Cli("verify", "--match", Match);
        Assert.Contains($"warning EM0609: template staging/model.sql.liquid changed since {Match}_{CarefulDay} was made (sha256 now ", restaged.Stderr, StringComparison.Ordinal);
        Assert.Contains("`electionmatch generate` re-renders the staging files", restaged.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("prompts/", restaged.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_with_a_vertex_judge_and_a_service_account_never_shows_the_private_key_or_the_access_token()
    {
        using var account = new ServiceAccountFile(_server.TokenUri);
        UseVertexJudge(account);
        _server.FailWith = 503;
        var failing = Child("run", Match, "--allow-future-date", "--snapshot-date", "2031-01-09");
        _server.FailWith = null;
        var run = Child("run", Match, "--allow-future-date", "--snapshot-date", "2031-01-09");

        Assert.Equal(1, failing.ExitCode);
        Assert.Contains("error EM0403: match 'candidacy_ddhq_matches', step judge: the judge vertex/gemini-3.5-flash-lite failed", failing.Stderr, StringComparison.Ordinal);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains(_server.Requests, r => r.Path.EndsWith("/models/gemini-3.5-flash-lite:generateContent", StringComparison.Ordinal) && r.Authorization == "Bearer " + FakeModelServer.AccessToken);
        var manifest = _fixture.Read($"electionmatch/manifests/{Match}_20310109.json");
        Assert.Contains("\"provider\": \"vertex\"", manifest, StringComparison.Ordinal);
        // The signed JWT each token request carries: whoever holds it gets an access token.
        var assertion = System.Web.HttpUtility.ParseQueryString(_server.TokenRequests[0].Body)["assertion"]!;
        foreach (var secret in new[] { FakeModelServer.AccessToken, account.KeyBodyLine, ServiceAccountFile.PrivateKeyId, assertion, assertion.Split('.')[2] })
        {
            Assert.DoesNotContain(secret, run.Output + failing.Output + manifest, StringComparison.Ordinal);
            Assert.Equal(0L, CountInWarehouse(secret));
        }
    }

    [Fact]
    public void A_vertex_embedder_refusing_a_batch_for_its_size_gets_it_in_parts_and_the_run_warns_with_the_batch_size_to_set()
    {
        using var account = new ServiceAccountFile(_server.TokenUri);
        _fixture.Replace("electionmatch.yml", "    embeddings:\n      provider: offline\n      dimensions: 256\n", $"""
                embeddings:
                  provider: vertex
                  model: gemini-embedding-001
                  dimensions: 64
                  project: test-project
                  credentials_file: {account.Path}
                  endpoint: {_server.BaseUrl}
                  max_concurrency: 1
                  requests_per_minute: 0

            """);
        _server.PredictBatchLimits["gemini-embedding-001"] = 40;

        var run = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2031-01-21");

        Assert.True(run.ExitCode == 0, run.Output);
        var predicts = _server.Requests.Where(r => r.Path.EndsWith("/models/gemini-embedding-001:predict", StringComparison.Ordinal))
            .Select(r => JsonNode.Parse(r.Body)!["instances"]!.AsArray().Count).ToList();
        // One request a run is refused (one at a time); every other holds at most 40 texts.
        Assert.Equal(1, predicts.Count(n => n > 40));
        Assert.True(predicts.Count > 2, string.Join(",", predicts));
        Assert.Contains("warning EM0404: match 'candidacy_ddhq_matches': 1 embedding request was refused for holding more texts than vertex/gemini-embedding-001 takes (at most 40 a request; 128 were sent) and sent again in parts of 40; set 'batch_size: 40' under embeddings: to send none it refuses", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("electionmatch.yml(", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vertex_judge_answering_without_candidates_leaves_the_rows_undecided_saying_so_and_the_run_publishes()
    {
        using var account = new ServiceAccountFile(_server.TokenUri);
        UseVertexJudge(account);
        // A primary loser whose primary link leads the run to a runoff she is not in, where a look-alike name stands: a
        // runoff row for the judge, left undecided, so unlinked and not published.
        _fixture.Write("data/airbyte/hubspot_candidacy.csv", _fixture.Read("data/airbyte/hubspot_candidacy.csv")
            + "gpc-009004,580181897,Bonnie,Waters,TX,State House,Texas House of Representatives - District 54,state,54,Republican,2024-03-05,,\n");
        _fixture.Write("data/airbyte/ddhq_election_results.csv", _fixture.Read("data/airbyte/ddhq_election_results.csv")
            + "281828,TX Texas House of Representatives - District 54 - Republican Primary Runoff,1409999,Bonita Waters,Republican,false,12,2024-05-28,TX,runoff,State House,54,false\n");
        // Every request, first reply and follow-up alike: Vertex AI's reply with an empty candidates list.
        _server.Script(Enumerable.Repeat(FakeReply.Body(200, """{"candidates":[],"usageMetadata":{"promptTokenCount":900,"totalTokenCount":900}}"""), 500).ToArray());

        var run = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2031-01-15");

        Assert.True(run.ExitCode == 0, run.Output);
        var manifest = SnapshotManifest.FromJson(_fixture.Read($"electionmatch/manifests/{Match}_20310115.json"));
        var judge = Assert.Single(manifest.Models);
        var contests = manifest.Counts["judge_contests"] + manifest.Counts["runoff_judge_contests"];
        Assert.True(contests > 0, run.Stdout);
        // Each contest asked, answered empty, followed up once, answered empty again: every row undecided, none failed.
        Assert.Equal((2 * contests, 2 * contests, 0L), (judge.Requests, judge.InvalidReplies, judge.FailedFollowUps));
        Assert.Equal(manifest.Counts["judge_rows"] + manifest.Counts["runoff_judge_rows"], judge.UndecidedRows);
        Assert.Equal(judge.UndecidedRows, CountInWarehouse("undecided: the judge's reply was invalid twice: the reply is empty (Vertex AI answered without candidates)", $"em_run_{Match}.judge_answers") + CountInWarehouse("undecided: the judge's reply was invalid twice: the reply is empty (Vertex AI answered without candidates)", $"em_run_{Match}.runoff_judge_answers"));

        // The runoff pass's judged rows, all undecided, are discovered runoffs left unlinked: not published. The run, the
        // manifest and evaluate count the published rows alike; the run says the others apart.
        var runoffRows = manifest.Counts["runoff_judge_rows"];
        Assert.True(runoffRows > 0, run.Stdout);
        var published = judge.UndecidedRows - runoffRows;
        var evaluate = Cli("evaluate", Match, "--truth", _fixture.PathOf("truth/candidacy_ddhq_matches.csv"));
        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"judge_share: {manifest.JudgeShare:0.0000}\n"), evaluate.Stdout, StringComparison.Ordinal);
        Assert.Equal(Math.Round((double)published / manifest.Rows, 4), manifest.JudgeShare);
        Assert.Contains($"judge_undecided: {published} rows the judge could not decide", evaluate.Stdout, StringComparison.Ordinal);
        Assert.Equal((published, published), (manifest.Counts["decided_by_judge"], manifest.Counts["judge_rows_undecided_published"]));
        Assert.Contains($"{published} rows undecided (+{runoffRows} runoff {(runoffRows == 1 ? "row" : "rows")} undecided, not published)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"of rows went to the judge (+{runoffRows} runoff {(runoffRows == 1 ? "row" : "rows")} judged, not published)", run.Stdout, StringComparison.Ordinal);
    }

    /// <summary>Each judge stage line of a run's output (<c>judge</c>, <c>runoff_judge</c>): its contests, requests sent and contests answered from the cache.</summary>
    private static Dictionary<string, (long Contests, long Requests, long FromCache)> JudgeStageLines(string stdout) =>
        System.Text.RegularExpressions.Regex.Matches(stdout, @"(?m)^  ((?:runoff_)?judge) .* (\d+) contests: (\d+) requests to openai/gpt-4o-mini, (\d+) answered from the cache$")
            .ToDictionary(m => m.Groups[1].Value, m => (long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), long.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture), long.Parse(m.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The candidacy judge on Vertex AI (this test's server), with a service account.</summary>
    private void UseVertexJudge(ServiceAccountFile account)
    {
        var settings = _fixture.Read("electionmatch.yml");
        var openai = $"  provider: openai\n      model: gpt-4o-mini\n      endpoint: {_server.OpenAiEndpoint}\n";
        Assert.Contains(openai, settings, StringComparison.Ordinal);
        _fixture.Write("electionmatch.yml", settings.Replace(openai,
            $"  provider: vertex\n      project: test-project\n      credentials_file: {account.Path}\n      endpoint: {_server.BaseUrl}\n", StringComparison.Ordinal));
    }

    /// <summary>The candidacy judge sends one contest at a time and gives a request in flight a minute after Ctrl-C.</summary>
    private void OneRequestAtATime()
    {
        var settings = _fixture.Read("electionmatch.yml");
        const string concurrency = "      max_concurrency: 3\n";
        Assert.Contains(concurrency, settings, StringComparison.Ordinal);
        _fixture.Write("electionmatch.yml", settings.Replace(concurrency, "      max_concurrency: 1\n      cancel_grace_seconds: 60\n", StringComparison.Ordinal));
    }

    private void WaitForModelHits(int hits)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (_server.ModelHits < hits)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"{_server.ModelHits} model requests arrived, {hits} expected");
            Thread.Sleep(20);
        }
    }

    private T Scalar<T>(string sql)
    {
        using var connection = new DuckDBConnection($"Data Source={_fixture.WarehousePath};ACCESS_MODE=READ_ONLY");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Rows of every table of the warehouse (snapshots, run stages, caches) whose text contains <paramref name="text"/>.</summary>
    private long CountInWarehouse(string text, string? onlyTable = null)
    {
        using var connection = new DuckDBConnection($"Data Source={_fixture.WarehousePath};ACCESS_MODE=READ_ONLY");
        connection.Open();
        var tables = new List<(string Schema, string Table)>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        long found = 0;
        foreach (var (schema, table) in tables.Where(t => onlyTable is null || $"{t.Schema}.{t.Table}" == onlyTable))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"select count(*) from \"{schema}\".\"{table}\" as t where contains(cast(to_json(t) as varchar), $text)";
            command.Parameters.Add(new DuckDBParameter("text", text));
            found += Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        return found;
    }

    /// <summary>One run of a match and the model requests it sent.</summary>
    internal sealed record CarefulRun(FixtureCopy Project, CliProcess.Result Run, IReadOnlyList<RecordedRequest> Requests);

    /// <summary>
    /// The class's plain runs, made when a test first asks for each: the candidacy match and the district match, each
    /// on a project of its own at 2031-01-17, every answer the careful judge's; and the planted key, in this process's
    /// environment while the class runs. Its server answers for the class's lifetime; tests run again on copies whose
    /// models are their own server (<see cref="CopyFor"/>).
    /// </summary>
    public sealed class CarefulRuns : IAsyncLifetime
    {
        private readonly Lock _gate = new();
        private FakeModelServer _server = null!;
        private CarefulRun? _candidacy;
        private CarefulRun? _district;

        public PlantedKeyVariable Key { get; } = new("EM_PLANTED_KEY", PlantedKey);

        internal CarefulRun Candidacy
        {
            get
            {
                lock (_gate)
                {
                    return _candidacy ??= RunOf(Match);
                }
            }
        }

        internal CarefulRun District
        {
            get
            {
                lock (_gate)
                {
                    return _district ??= RunOf("llm_l2_br_match");
                }
            }
        }

        public async Task InitializeAsync() => _server = await FakeModelServer.StartAsync();

        public async Task DisposeAsync()
        {
            _candidacy?.Project.Dispose();
            _district?.Project.Dispose();
            Key.Dispose();
            await _server.DisposeAsync();
        }

        /// <summary>
        /// A copy of <paramref name="project"/> (warehouse and caches included) whose match <paramref name="match"/> asks
        /// <paramref name="server"/>. Only that match's entry changes: another match's settings stay as its snapshot was
        /// made with, so verify finds them unchanged.
        /// </summary>
        public FixtureCopy CopyFor(FixtureCopy project, string match, FakeModelServer server)
        {
            var copy = project.Clone();
            var settings = copy.Read("electionmatch.yml");
            var start = settings.IndexOf($"\n  {match}:\n", StringComparison.Ordinal);
            Assert.True(start >= 0, match);
            var next = System.Text.RegularExpressions.Regex.Match(settings[(start + 1)..], @"(?m)^(  )?[a-z_]+:$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
            var end = next.NextMatch() is { Success: true } following ? start + 1 + following.Index : settings.Length;
            var entry = settings[start..end];
            Assert.Contains(_server.BaseUrl, entry, StringComparison.Ordinal);
            copy.Write("electionmatch.yml", settings[..start] + entry.Replace(_server.BaseUrl, server.BaseUrl, StringComparison.Ordinal) + settings[end..]);
            return copy;
        }

        private CarefulRun RunOf(string match)
        {
            var project = Configured(_server, Key);
            var before = _server.Requests.Count;
            var run = CliProcess.Run("run", match, "--allow-future-date", "--snapshot-date", CarefulDate, "--project-dir", project.Directory);
            Assert.True(run.ExitCode == 0, run.Output);
            return new CarefulRun(project, run, [.. _server.Requests.Skip(before)]);
        }
    }
}
