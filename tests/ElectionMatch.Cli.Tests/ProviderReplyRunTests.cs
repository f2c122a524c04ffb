using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using ElectionMatch.Tests.Models;

namespace ElectionMatch.Tests;

/// <summary>
/// <c>electionmatch run</c> against a model server whose replies are wrong in ways a real deployment can be: it echoes
/// the request's credential back in the judge's answers, or it sends vectors of another length than the settings ask.
/// A run whose output is checked for the key is a child process (its own stdout and stderr, whatever writes to them);
/// the others run in this process, the key planted in its environment (<see cref="PlantedKeyVariable"/>).
/// </summary>
public sealed class ProviderReplyRunTests : IAsyncLifetime
{
    private const string PlantedKey = "sk-test-PLANTED-echo-0123456789abcdefghijkl";
    private readonly PlantedKeyVariable _key = new("EM_ECHO_KEY", PlantedKey);
    private FakeModelServer _server = null!;
    private FixtureCopy _fixture = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeModelServer.StartAsync();
        _fixture = FixtureCopy.Of("goodparty");
    }

    public async Task DisposeAsync()
    {
        _fixture.Dispose();
        _key.Dispose();
        await _server.DisposeAsync();
    }

    /// <summary>In this process: nothing about the process is what the test proves.</summary>
    private CliProcess.Result Cli(params string[] args) => CliProcess.Run([.. args, "--project-dir", _fixture.Directory]);

    /// <summary>A child process, its environment holding the key: the test checks its whole output for the key.</summary>
    private CliProcess.Result Child(params string[] args) => CliProcess.RunWith(_key.ForChild, [.. args, "--project-dir", _fixture.Directory]);

    /// <summary>The candidacy match's judge: this test's OpenAI-wire server, keyed by the planted variable.</summary>
    private void UseOpenAiJudge() => Configure("    judge:\n      provider: offline\n\n  # L2", $"""
                judge:
                  provider: openai
                  endpoint: {_server.OpenAiEndpoint}
                  api_key_env: {_key.Name}
                  requests_per_minute: 0
                  retry_base_delay_seconds: 0.001

              # L2
            """);

    /// <summary>Replaces the offline block <paramref name="offline"/> with <paramref name="block"/>; returns the line of the block's first key.</summary>
    private int Configure(string offline, string block)
    {
        var settings = _fixture.Read("electionmatch.yml");
        var at = settings.IndexOf(offline, StringComparison.Ordinal);
        Assert.True(at >= 0, offline);
        _fixture.Write("electionmatch.yml", settings.Replace(offline, block, StringComparison.Ordinal));
        return settings[..at].Count(c => c == '\n') + 2;
    }

    [Fact]
    public void A_server_that_echoes_the_key_in_its_answers_leaves_it_in_no_table_file_or_output()
    {
        UseOpenAiJudge();
        // Every contest's reasoning quotes the Authorization header; one contest also names it as its choice (invalid
        // twice, so undecided with a reason quoting the name).
        var spoilt = FakeModelServer.FirstContest();
        _server.Default = call =>
        {
            var victim = spoilt(call);
            var reply = JsonNode.Parse(FakeModelServer.CarefulAnswer(call))!;
            foreach (var answer in reply["answers"]!.AsArray())
            {
                answer!["reasoning"] = "request authorized by " + call.Authorization;
                if (victim)
                {
                    answer["selected_candidate_number"] = 1;
                    answer["selected_name"] = call.Authorization;
                }
            }

            return reply.ToJsonString();
        };
        var report = _fixture.PathOf("target/run-report.json");

        var run = Child("run", "candidacy_ddhq_matches", "--snapshot-date", "2026-01-05", "--report", report);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains(_server.Requests, r => r.Authorization == "Bearer " + PlantedKey);
        Assert.Contains("rows undecided", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("0 rows undecided", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(PlantedKey, run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(PlantedKey, File.ReadAllText(report), StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(_fixture.Directory, "*", SearchOption.AllDirectories))
        {
            Assert.False(File.ReadAllBytes(file).AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(PlantedKey)) >= 0, $"{file} holds the key");
        }

        Assert.Equal(0L, RowsHolding(PlantedKey));
        Assert.True(RowsHolding("request authorized by Bearer ***") > 0, "the masked reasoning is published");
        // The report carries the provider's figures as the manifest has them.
        var manifest = ElectionMatch.Snapshots.SnapshotManifest.FromJson(_fixture.Read("electionmatch/manifests/candidacy_ddhq_matches_20260105.json"));
        var reported = ElectionMatch.Operations.RunReport.FromJson(File.ReadAllText(report));
        Assert.Equal(manifest.Models, reported.Models);
        Assert.True(reported.Models.Single().Requests > 0);
        Assert.Null(reported.Error);
    }

    [Fact]
    public void A_run_the_provider_fails_midway_prints_what_it_paid_for_and_writes_its_report()
    {
        // Three contests answered (and billed), then the provider refuses every request: the run publishes nothing, but
        // says what it asked, and --report holds the stages it finished, the provider's figures and the error.
        UseOpenAiJudge();
        _server.Script([FakeReply.Careful, FakeReply.Careful, FakeReply.Careful, .. Enumerable.Repeat(FakeReply.Body(400, """{"error":{"message":"context length exceeded"}}"""), 40)]);
        var report = _fixture.PathOf("target/run-report.json");

        var run = Child("run", "candidacy_ddhq_matches", "--snapshot-date", "2026-01-05", "--report", report);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error EM0403:", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("before it stopped, the run asked its providers", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"judge: openai/gpt-4o-mini: 3 requests ({_server.ModelHits} HTTP attempts), 0 from cache, ", run.Stdout, StringComparison.Ordinal);
        var reported = ElectionMatch.Operations.RunReport.FromJson(File.ReadAllText(report));
        Assert.Null(reported.Snapshot);
        Assert.Contains("EM0403", reported.Error, StringComparison.Ordinal);
        Assert.Contains("context length exceeded", reported.Error, StringComparison.Ordinal);
        Assert.Equal((3L, (long)_server.ModelHits), (reported.Models.Single().Requests, reported.Models.Single().HttpAttempts));
        Assert.True(reported.Models.Single().InputTokens > 0);
        Assert.Contains(reported.Stages, s => s.Stage == "judge_evidence");
        Assert.DoesNotContain(reported.Stages, s => s.Stage == "judge");
        Assert.DoesNotContain(PlantedKey, File.ReadAllText(report), StringComparison.Ordinal);
        Assert.DoesNotContain(PlantedKey, run.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(_fixture.PathOf("electionmatch/manifests/candidacy_ddhq_matches_20260105.json")));
    }

    [Fact]
    public void A_run_counts_cached_prompt_tokens_and_billable_characters_and_prices_each_at_its_own_price_in_its_summary_manifest_and_report()
    {
        // Gemini judge and Vertex AI embeddings on this test's server: each judge request's usage says 100 of its prompt
        // tokens were cached, and each predict reply counts its texts' characters without white space, as Vertex AI bills them.
        using var account = new ServiceAccountFile(_server.TokenUri);
        _server.CachedPromptTokens = 100;
        var vertex = $"provider: vertex\n      project: test-project\n      credentials_file: {account.Path}\n      endpoint: {_server.BaseUrl}\n      requests_per_minute: 0\n";
        Configure("    judge:\n      provider: offline\n\n  # L2", $"    judge:\n      {vertex}      price_per_million_input_tokens: 0.3\n      price_per_million_cached_input_tokens: 0.075\n      price_per_million_output_tokens: 2.5\n\n  # L2");
        // A price per million characters a thousand times Vertex AI's, so the manifest's six decimals show the characters' cost.
        Configure("    embeddings:\n      provider: offline\n      dimensions: 256\n", $"    embeddings:\n      {vertex}      dimensions: 64\n      price_per_million_input_characters: 25\n");
        var report = _fixture.PathOf("target/run-report.json");

        var run = Cli("run", "candidacy_ddhq_matches", "--snapshot-date", "2026-01-05", "--report", report);

        Assert.True(run.ExitCode == 0, run.Output);
        var manifestText = _fixture.Read("electionmatch/manifests/candidacy_ddhq_matches_20260105.json");
        var manifest = ElectionMatch.Snapshots.SnapshotManifest.FromJson(manifestText);
        var judge = Assert.Single(manifest.Models, m => m.Step == "judge");
        var embeddings = Assert.Single(manifest.Models, m => m.Step == "embeddings");
        Assert.True(judge.Requests > 0 && judge.InputTokens > 100 * judge.Requests, run.Stdout);
        Assert.Equal(100 * judge.Requests, judge.CachedInputTokens);
        Assert.Equal(Math.Round((((judge.InputTokens - judge.CachedInputTokens) * 0.3) + (judge.CachedInputTokens * 0.075) + (judge.OutputTokens * 2.5)) / 1_000_000, 6), judge.EstimatedCost);
        var characters = _server.Requests.Where(r => r.Path.EndsWith(":predict", StringComparison.Ordinal))
            .SelectMany(r => JsonNode.Parse(r.Body)!["instances"]!.AsArray())
            .Sum(i => (long)i!["content"]!.GetValue<string>().Count(c => !char.IsWhiteSpace(c)));
        Assert.True(characters > 0, run.Stdout);
        Assert.Equal((characters, 0L), (embeddings.InputCharacters, embeddings.CachedInputTokens));
        // The characters alone are billed: the embeddings' tokens have no price here.
        Assert.Equal(Math.Round(characters * 25.0 / 1_000_000, 6), embeddings.EstimatedCost);

        var inv = System.Globalization.CultureInfo.InvariantCulture;
        Assert.Contains(string.Create(inv, $"{judge.InputTokens:N0} tokens in ({judge.CachedInputTokens:N0} cached), {judge.OutputTokens:N0} out, estimated cost "), run.Stdout, StringComparison.Ordinal);
        Assert.Contains(string.Create(inv, $"{embeddings.InputTokens:N0} tokens in ({characters:N0} billable characters), 0 out, estimated cost "), run.Stdout, StringComparison.Ordinal);
        // The new fields come after every older one, so a manifest's earlier lines stay where they were.
        Assert.True(manifestText.IndexOf("\"failed_follow_ups\"", StringComparison.Ordinal) < manifestText.IndexOf("\"cached_input_tokens\"", StringComparison.Ordinal));
        Assert.True(manifestText.IndexOf("\"cached_input_tokens\"", StringComparison.Ordinal) < manifestText.IndexOf("\"input_characters\"", StringComparison.Ordinal));
        var reported = ElectionMatch.Operations.RunReport.FromJson(File.ReadAllText(report));
        Assert.Equal(manifest.Models, reported.Models);
        Assert.Contains($"\"input_characters\": {characters}", File.ReadAllText(report), StringComparison.Ordinal);
    }

    [Fact]
    public void A_401_that_quotes_most_of_the_key_prints_none_of_it()
    {
        // An Azure-style hex key (no shape a pattern knows), quoted back as OpenAI does: its first 28 characters and stars.
        const string key = "0ddf00d5eed5a1ad0ddba11c0ffee123";
        var quoted = key[..28];
        UseOpenAiJudge();
        _server.Script([.. Enumerable.Repeat(FakeReply.Body(401, $$$"""{"error":{"message":"Incorrect API key provided: {{{quoted}}}****. You can find your API key at https://platform.example/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"""), 20)]);
        var report = _fixture.PathOf("target/run-report.json");

        var run = CliProcess.RunWith(new Dictionary<string, string?> { [_key.Name] = key }, ["run", "candidacy_ddhq_matches", "--snapshot-date", "2026-01-05", "--report", report, "--project-dir", _fixture.Directory]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Bearer " + key, _server.Requests.Select(r => r.Authorization));
        Assert.Contains("error EM0403:", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("HTTP 401: Incorrect API key provided: *******. You can find your API key", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(key[..8], run.Output, StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(_fixture.Directory, "*", SearchOption.AllDirectories))
        {
            Assert.False(File.ReadAllBytes(file).AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(key[..8])) >= 0, $"{file} holds the key's start");
        }
    }

    [Fact]
    public void An_incremental_live_run_asks_again_the_rows_the_judge_could_not_decide_and_reuses_the_rest()
    {
        _fixture.KeepCandidaciesOf("NC", "TX");
        UseOpenAiJudge();
        // One contest's replies name a candidate by another name, twice: its rows are undecided.
        var spoilt = FakeModelServer.FirstContest();
        _server.Default = call =>
        {
            var victim = spoilt(call);
            var reply = JsonNode.Parse(FakeModelServer.CarefulAnswer(call))!;
            if (victim)
            {
                foreach (var answer in reply["answers"]!.AsArray())
                {
                    answer!["selected_candidate_number"] = 1;
                    answer["selected_name"] = "nobody of this contest";
                }
            }

            return reply.ToJsonString();
        };
        var first = Cli("run", "candidacy_ddhq_matches", "--incremental", "--snapshot-date", "2026-01-05");
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("incremental: 3 state partitions, 0 reused, 3 recomputed", first.Stdout, StringComparison.Ordinal);
        var undecided = Scalar("select count(*) from model_predictions.candidacy_ddhq_matches_20260105 where llm_reasoning like '%undecided: %'");
        Assert.True(undecided > 0, first.Stdout);

        // The server answers every contest now: the partitions with undecided rows are matched again, the others reused.
        _server.Default = FakeModelServer.CarefulAnswer;
        var second = Cli("run", "candidacy_ddhq_matches", "--incremental", "--snapshot-date", "2026-01-06");
        Assert.True(second.ExitCode == 0, second.Output);
        var summary = System.Text.RegularExpressions.Regex.Match(second.Stdout, @"incremental: 3 state partitions, (\d) reused, (\d) recomputed");
        Assert.True(summary.Success, second.Stdout);
        Assert.InRange(int.Parse(summary.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), 1, 2);
        Assert.Equal(0L, Scalar("select count(*) from model_predictions.candidacy_ddhq_matches_20260106 where llm_reasoning like '%undecided: %'"));

        // Nothing undecided is left: the next live run reuses every partition.
        var third = Cli("run", "candidacy_ddhq_matches", "--incremental", "--snapshot-date", "2026-01-07");
        Assert.True(third.ExitCode == 0, third.Output);
        Assert.Contains("incremental: 3 state partitions, 3 reused, 0 recomputed", third.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Provider_vectors_of_another_length_than_dimensions_stop_the_run_at_the_embeddings_block()
    {
        var line = Configure("    judge:\n      provider: offline\n\n# Zip code", $"""
                embeddings:
                  provider: openai
                  dimensions: 64
                  endpoint: {_server.OpenAiEndpoint}
                  api_key_env: {_key.Name}
                  requests_per_minute: 0
                judge:
                  provider: offline

            # Zip code
            """);
        // A model that cannot shorten its vectors (most local servers ignore `dimensions`) answers its own length.
        _server.ReshapeEmbeddings = vectors => vectors.Select(v => v with { Values = [.. v.Values, .. new float[704]] }).ToList();

        var run = Cli("run", "llm_l2_br_match", "--snapshot-date", "2026-01-05");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"electionmatch.yml({line},7): error EM0403: match 'llm_l2_br_match', step embeddings: openai/text-embedding-3-small/64 failed: invalid reply: the reply's vector 0 has 768 dimensions, and 'dimensions' is 64; a model that cannot shorten its vectors needs 'dimensions: 768'", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("EM0504", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_fixture.PathOf("electionmatch/manifests/llm_l2_br_match_20260105.json")));
        Assert.Equal(0L, Scalar("select count(*) from electionmatch_cache.embeddings"));
    }

    [Fact]
    public void Positions_the_judge_could_not_decide_are_counted_apart_from_answers_of_no_district()
    {
        Configure("    judge:\n      provider: offline\n\n# Zip code", $"""
                judge:
                  provider: openai
                  endpoint: {_server.OpenAiEndpoint}
                  api_key_env: {_key.Name}
                  requests_per_minute: 0
                # The judge alone: the offline model decides every fixture position by score.
                thresholds:
                  accept: 1
                  reject: 0

            # Zip code
            """);
        // Every first reply is prose; a follow-up is answered properly for every other position only.
        var followUps = 0;
        _server.Default = call => call.Messages.Count(m => m.Role == "user") == 1 ? "It is probably the first district."
            : Interlocked.Increment(ref followUps) % 2 == 0 ? FakeModelServer.CarefulAnswer(call) : "Still the first one.";

        var run = Cli("run", "llm_l2_br_match", "--snapshot-date", "2026-01-06");

        Assert.True(run.ExitCode == 0, run.Output);
        var manifest = ElectionMatch.Snapshots.SnapshotManifest.FromJson(_fixture.Read("electionmatch/manifests/llm_l2_br_match_20260106.json"));
        var undecided = manifest.Counts["judge_rows_undecided"];
        Assert.True(undecided > 0 && undecided < manifest.Counts["judge_contests"], $"{undecided} undecided of {manifest.Counts["judge_contests"]}");
        var account = Assert.Single(manifest.RowAccounting, a => a.Input == "output");
        Assert.Equal(undecided, Assert.Single(account.Outcomes, o => o.Reason.StartsWith("positions the judge could not decide", StringComparison.Ordinal)).Rows);
        // Published as documented, the reason starting 'undecided:' (no prefix), so a dbt filter on it finds them.
        var published = Scalar("select count(*) from model_predictions.llm_l2_br_match_20260106 where not is_matched and llm_reason like 'undecided: %'");
        Assert.Equal(undecided, published);
        Assert.Equal(Scalar("select count(*) from model_predictions.llm_l2_br_match_20260106 where not is_matched") - undecided, Assert.Single(account.Outcomes, o => o.Reason == "positions no district fits (answer 0)").Rows);
        Assert.Contains($"+ {undecided} used (positions the judge could not decide (its reply was invalid twice; published unlinked))", run.Stdout, StringComparison.Ordinal);
    }

    /// <summary>Rows of every table of the warehouse (snapshots, run stages, caches) whose text contains <paramref name="text"/>.</summary>
    private long RowsHolding(string text)
    {
        using var connection = Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "select '\"' || table_schema || '\".\"' || table_name || '\"' from information_schema.tables where table_type = 'BASE TABLE'";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        long found = 0;
        foreach (var table in tables)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"select count(*) from {table} as t where contains(cast(to_json(t) as varchar), $text)";
            command.Parameters.Add(new DuckDBParameter("text", text));
            found += Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        return found;
    }

    private long Scalar(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private DuckDBConnection Open()
    {
        var connection = new DuckDBConnection($"Data Source={_fixture.WarehousePath};ACCESS_MODE=READ_ONLY");
        connection.Open();
        return connection;
    }
}
