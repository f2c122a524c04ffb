using System.Text.Json.Nodes;
using ElectionMatch.Tests.Models;

namespace ElectionMatch.Tests;

/// <summary>
/// What an LLM judge is sent, and what its cache reuses: <c>electionmatch run</c> (in this process, the key planted in
/// its environment) on a copy of the legislators fixture with the FEC filers swapped in (their middle names, nicknames,
/// suffixes, genders and parties mapped), <c>judge: provider: openai</c> pointed at the fake model server. The first
/// run of that project is the same in three tests, so it is made once for the class (<see cref="JudgedProject"/>); each
/// test that runs again does so on its own copy, with a server of its own.
/// </summary>
public sealed class LlmJudgePromptRunTests(LlmJudgePromptRunTests.JudgedProject judged) : IClassFixture<LlmJudgePromptRunTests.JudgedProject>, IAsyncLifetime
{
    private const string Match = "candidacy_ddhq_matches";
    private const string PlantedKey = "sk-test-PLANTED-prompt-0123456789abcdefghij";
    private FakeModelServer _server = null!;
    private FixtureCopy _fixture = null!;

    public async Task InitializeAsync() => _server = await FakeModelServer.StartAsync();

    public async Task DisposeAsync()
    {
        _fixture?.Dispose();
        await _server.DisposeAsync();
    }

    private CliProcess.Result Cli(params string[] args) => CliProcess.Run([.. args, "--project-dir", _fixture.Directory]);

    private CliProcess.Result Run(params string[] options)
    {
        var run = Cli(["run", Match, "--allow-future-date", "--snapshot-date", "2031-02-01", .. options]);
        Assert.True(run.ExitCode == 0, run.Output);
        return run;
    }

    private static IEnumerable<(JsonNode Body, ChatCall Call)> ChatRequests(IEnumerable<RecordedRequest> requests) =>
        requests.Where(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal)).Select(r =>
        {
            var body = JsonNode.Parse(r.Body)!;
            var turns = body["messages"]!.AsArray().Select(m => new ChatTurn(m!["role"]!.GetValue<string>(), m["content"]!.GetValue<string>())).ToList();
            return (body, new ChatCall(turns));
        });

    [Fact]
    public void The_judge_is_shown_each_rows_middle_name_nickname_suffix_gender_and_party_and_each_candidates_party_under_the_names_its_prompt_uses()
    {
        var requests = ChatRequests(judged.Requests).ToList();
        Assert.NotEmpty(requests);
        // FEC's D Adam Smith is on Washington's ballot as ADAM SMITH: without his middle name the model cannot see it. (H Douglas
        // Owens, DOUG OWENS, was this example until the score tier learnt to read a middle name as the ballot's nickname.)
        var (_, smith) = Assert.Single(requests, r => r.Call.Data["rows"]!.AsArray().Any(row => row!["name"]!.GetValue<string>() == "D Smith"));
        var row = smith.Data["rows"]!.AsArray().Single(row => row!["name"]!.GetValue<string>() == "D Smith")!["attributes"]!;
        Assert.Equal(("Adam", "Democrat", "WA", "9"), (S(row["middle_name"]), S(row["party"]), S(row["state"]), S(row["district"])));
        // Mapped but blank for this filer: sent as null, so the model knows the field exists and is empty.
        Assert.All(new[] { "nickname", "suffix", "gender" }, key => Assert.True(row.AsObject().ContainsKey(key) && row[key] is null, row.ToJsonString()));
        var adam = smith.Data["candidates"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "ADAM SMITH")!["attributes"]!;
        Assert.Equal(("DEMOCRAT", "no"), (S(adam["party"]), S(adam["linked_to_other_row"])));
        // A one-letter middle name reaches the model as the input writes it (Marshall C Sanford).
        Assert.Contains(requests.SelectMany(r => r.Call.Data["rows"]!.AsArray()), r => r!["name"]!.GetValue<string>() == "Marshall Sanford" && S(r["attributes"]!["middle_name"]) == "C");

        // Every key the data sends is one the instructions name, and the instructions name no other for a linked candidate.
        foreach (var (body, call) in requests)
        {
            var instructions = call.Messages.Single(m => m.Role == "system").Text;
            var keys = call.Data["rows"]!.AsArray().SelectMany(r => r!["attributes"]!.AsObject().Select(a => a.Key))
                .Concat(call.Data["candidates"]!.AsArray().SelectMany(c => c!["attributes"]!.AsObject().Select(a => a.Key)))
                .Distinct();
            Assert.All(keys, key => Assert.Contains(key, instructions, StringComparison.Ordinal));
            Assert.DoesNotContain("linked_elsewhere", instructions, StringComparison.Ordinal);
            Assert.True(body["response_format"]!["json_schema"]!["strict"]!.GetValue<bool>(), body["response_format"]!.ToJsonString());
        }
    }

    [Fact]
    public void Moving_judge_accept_reuses_every_cached_answer_live_and_in_replay()
    {
        // The class's first run paid for every answer; this copy of its project asks this test's server, which hears nothing.
        Assert.True(judged.Requests.Count > 0, judged.Run.Output);
        _fixture = judged.CopyFor(_server);

        _fixture.Replace("electionmatch.yml", "judge_accept: 70", "judge_accept: 95");
        var stricter = Run("--replace");
        Assert.Equal(0, _server.ModelHits);
        Assert.Contains($"judge: openai/gpt-4o-mini: 0 requests (0 HTTP attempts), ", stricter.Stdout, StringComparison.Ordinal);

        _fixture.Replace("electionmatch.yml", "judge_accept: 95", "judge_accept: 60");
        var replayed = Run("--replace", "--replay");
        Assert.Equal(0, _server.ModelHits);
        Assert.DoesNotContain("EM0402", replayed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_after_the_prompt_template_changed_says_the_instructions_changed_not_only_that_contests_are_missing()
    {
        _fixture = judged.CopyFor(_server);
        var shipped = File.ReadAllText(Path.Combine(FixtureCopy.RepositoryRoot, "templates", "prompts", "candidacy_ddhq.liquid"));
        Directory.CreateDirectory(_fixture.PathOf("electionmatch/templates/prompts"));
        _fixture.Write("electionmatch/templates/prompts/candidacy_ddhq.liquid", shipped + "\nA candidate who lost the primary is not on the general's ballot.\n");

        var replay = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2031-02-01", "--replace", "--replay");

        Assert.Equal(1, replay.ExitCode);
        Assert.Contains("error EM0402: replay: ", replay.Stderr, StringComparison.Ordinal);
        Assert.Contains("The judge's instructions changed since the cached answers were made: prompts/candidacy_ddhq.liquid (the tool's, or an override in electionmatch/templates/prompts/) renders other text than it did", replay.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, _server.ModelHits);
    }

    [Fact]
    public void Replay_with_an_empty_cache_does_not_say_the_instructions_changed()
    {
        _fixture = JudgedProject.Prepare(_server, judged.Key);

        var replay = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2031-02-01", "--replay");

        Assert.Equal(1, replay.ExitCode);
        Assert.Contains("error EM0402: replay: ", replay.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("instructions changed", replay.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, _server.ModelHits);
    }

    private static string? S(JsonNode? node) => node?.GetValue<string>();

    /// <summary>
    /// The prepared project after one live run at 2031-02-01, every answer the careful judge's, and the requests that run
    /// sent, made when a test first asks for it. A copy asks only the server it is given (<see cref="CopyFor"/>).
    /// </summary>
    public sealed class JudgedProject : IAsyncLifetime
    {
        private readonly Lock _gate = new();
        private FakeModelServer _server = null!;
        private (FixtureCopy Project, CliProcess.Result Run, IReadOnlyList<RecordedRequest> Requests)? _made;

        internal PlantedKeyVariable Key { get; } = new("EM_PLANTED_KEY", PlantedKey);

        internal CliProcess.Result Run => Made.Run;

        internal IReadOnlyList<RecordedRequest> Requests => Made.Requests;

        private (FixtureCopy Project, CliProcess.Result Run, IReadOnlyList<RecordedRequest> Requests) Made
        {
            get
            {
                lock (_gate)
                {
                    if (_made is null)
                    {
                        var project = Prepare(_server, Key);
                        var run = CliProcess.Run("run", Match, "--allow-future-date", "--snapshot-date", "2031-02-01", "--project-dir", project.Directory);
                        Assert.True(run.ExitCode == 0, run.Output);
                        _made = (project, run, _server.Requests);
                    }

                    return _made.Value;
                }
            }
        }

        /// <summary>A copy of the legislators fixture with the FEC filers, judge_accept 70 and an OpenAI judge on <paramref name="server"/>.</summary>
        internal static FixtureCopy Prepare(FakeModelServer server, PlantedKeyVariable key)
        {
            var fixture = FixtureCopy.Of("legislators");
            foreach (var file in new[] { "left.csv", "right.csv", "truth.csv" })
            {
                File.Copy(fixture.PathOf("alternates/real_fec/" + file), fixture.PathOf("data/" + file), overwrite: true);
            }

            fixture.Write("electionmatch.yml", fixture.Read("electionmatch.yml").TrimEnd() + """

                    thresholds:
                      judge_accept: 70

                """ + server.OpenAiJudgeYaml(key.Name));
            return fixture;
        }

        /// <summary>A copy of the run project whose judge is <paramref name="server"/>.</summary>
        internal FixtureCopy CopyFor(FakeModelServer server)
        {
            var copy = Made.Project.Clone();
            copy.Replace("electionmatch.yml", _server.BaseUrl, server.BaseUrl);
            return copy;
        }

        public async Task InitializeAsync() => _server = await FakeModelServer.StartAsync();

        public async Task DisposeAsync()
        {
            _made?.Project.Dispose();
            Key.Dispose();
            await _server.DisposeAsync();
        }
    }
}
