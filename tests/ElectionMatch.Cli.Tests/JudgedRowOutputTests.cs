using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using ElectionMatch.Tests.Models;

namespace ElectionMatch.Tests;

/// <summary>
/// The rows an LLM judge left unlinked, as published and as <c>explain</c> shows them: a judge that chose no candidate
/// and one that chose a candidate below <c>judge_accept</c> read differently, and explain shows why the score left the
/// row to the judge, the judge's answer fields and the contest as the request numbered it. The fake model server picks,
/// for each row, the first candidate whose name holds the row's surname at confidence 90 (below judge_accept 95), naming
/// the other such candidates as close alternatives, and answers 0 at confidence 80 when none does (or the surname starts A-L).
/// Every test only reads the one run the class makes (<see cref="JudgedRun"/>), in this process, its key planted in the
/// process's environment (<see cref="PlantedKeyVariable"/>): no test here checks a process's output for the key.
/// </summary>
public sealed class JudgedRowOutputTests(JudgedRowOutputTests.JudgedRun judged) : IClassFixture<JudgedRowOutputTests.JudgedRun>
{
    private const string Match = "candidacy_ddhq_matches";
    private const string Key = "sk-test-PLANTED-judged-0123456789abcdefghij";
    private const string Snapshot = "model_predictions.candidacy_ddhq_matches_20310105";

    /// <summary>Each contest's candidates as the requests numbered them: contest key → number → name.</summary>
    private IReadOnlyDictionary<string, IReadOnlyDictionary<int, string>> Shown => judged.Shown;

    private CliProcess.Result Cli(params string[] args) => CliProcess.Run([.. args, "--project-dir", judged.Project.Directory]);

    private List<(string Id, string Type, string? Best, int Confidence, string Reasoning)> JudgedUnlinked()
    {
        using var connection = new DuckDBConnection($"Data Source={judged.Project.WarehousePath};ACCESS_MODE=READ_ONLY");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"select gp_candidacy_id, hubspot_election_type, llm_best_match, llm_confidence, llm_reasoning from {Snapshot} where decided_by = 'judge' and not has_match order by all";
        using var reader = command.ExecuteReader();
        var rows = new List<(string, string, string?, int, string)>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt32(3), reader.GetString(4)));
        }

        return rows;
    }

    // Before, both read "judge did not accept: <reasoning>", and the answer 0 was published at the judge's 80 beside the
    // score's best candidate, as if the judge were 80 % sure of it.
    [Fact]
    public void A_judge_that_chose_no_candidate_and_one_that_chose_below_judge_accept_are_told_apart()
    {
        var rows = JudgedUnlinked();

        var none = rows.Where(r => r.Reasoning.EndsWith("fake: no surname fits", StringComparison.Ordinal)).ToList();
        var below = rows.Where(r => r.Reasoning.EndsWith("fake: surname fits", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(none);
        Assert.NotEmpty(below);
        Assert.All(none, r =>
        {
            Assert.Equal(0, r.Confidence);
            Assert.Equal($"judge chose no candidate (its confidence 80); {r.Best} is the best scored candidate, shown at confidence 0: fake: no surname fits", r.Reasoning);
        });
        Assert.All(below, r =>
        {
            Assert.Equal(90, r.Confidence);
            Assert.Equal($"judge chose {r.Best} (confidence 90), below judge_accept 95, so it is not linked: fake: surname fits", r.Reasoning);
        });
    }

    // Before, explain numbered a contest's candidates with SQL of its own that repeated JudgeStage's order; the run now stores
    // the numbers the requests used, which explain lists the contest by.
    [Fact]
    public void The_run_stores_the_number_each_request_showed_a_candidate_under()
    {
        using var connection = new DuckDBConnection($"Data Source={judged.Project.WarehousePath};ACCESS_MODE=READ_ONLY");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            select coalesce(j.race_name, ''), c.candidate_number, r.candidate
            from em_run_candidacy_ddhq_matches.judge_candidates as c
            join (select distinct race_key, race_name from em_run_candidacy_ddhq_matches.judge_rows) as j on j.race_key = c.contest_key
            join em_run_candidacy_ddhq_matches.right_keyed as r using (right_key)
            """;
        using var reader = command.ExecuteReader();
        var stored = new List<(string Contest, int Number, string Name)>();
        while (reader.Read())
        {
            stored.Add((reader.GetString(0), reader.GetInt32(1), reader.GetString(2)));
        }

        Assert.NotEmpty(Shown);
        Assert.Equal(
            Shown.SelectMany(s => s.Value.Select(c => (Contest: s.Key, Number: c.Key, Name: c.Value))).Order(),
            stored.Distinct().Order());
    }

    // Before, explain showed the published reasoning and the waterfalls: not why the score left the row to the judge,
    // not the judge's confidence or close alternatives, nor the list its "candidate N" counts in.
    [Fact]
    public void Explain_shows_why_a_row_was_judged_the_judges_answer_and_the_contest_as_the_request_numbered_it()
    {
        var row = JudgedUnlinked().First(r => r.Reasoning.EndsWith("fake: surname fits", StringComparison.Ordinal));

        var explain = Cli("explain", Match, row.Id);

        Assert.True(explain.ExitCode == 0, explain.Output);
        var lines = explain.Stdout.ReplaceLineEndings("\n").Split('\n').ToList();
        var at = lines.FindIndex(l => l.StartsWith($"{row.Id} {row.Type} ", StringComparison.Ordinal));
        Assert.True(at >= 0, explain.Stdout);
        var block = lines.Skip(at + 1).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)).ToList();
        Assert.Matches(@"^  sent to the judge: its best free pair, .+ \[\d+\], has match probability 0\.\d{4}, (below accept 0\.95 and above reject 0\.5|at or above accept 0\.95, but a veto level \(.+\)|at or above accept 0\.95 with no veto, but only -?\d+\.\d bits ahead .+)", Assert.Single(block, l => l.StartsWith("  sent to the judge: ", StringComparison.Ordinal)));
        var judge = Assert.Single(block, l => l.StartsWith("  judge (", StringComparison.Ordinal));
        var chosen = System.Text.RegularExpressions.Regex.Match(judge, @"^  judge \(openai/gpt-4o-mini\): candidate (\d+) \((.+)\) at confidence 90: fake: surname fits$");
        Assert.True(chosen.Success, judge);
        Assert.Equal(row.Best, chosen.Groups[2].Value);
        Assert.Single(block, l => l.StartsWith("    close alternatives: ", StringComparison.Ordinal));

        // The contest's candidates, numbered as the request the judge answered numbered them, the chosen one marked.
        var header = Assert.Single(block, l => l.StartsWith("  contest ", StringComparison.Ordinal));
        var contest = Assert.Single(Shown, s => header.StartsWith($"  contest {s.Key} ", StringComparison.Ordinal));
        var listed = block.SkipWhile(l => l != header).Skip(1).TakeWhile(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^    (> |  )\d+\. ")).ToList();
        Assert.Equal(
            contest.Value.OrderBy(c => c.Key).Select(c => $"{(c.Key.ToString(System.Globalization.CultureInfo.InvariantCulture) == chosen.Groups[1].Value ? "> " : "  ")}{c.Key}. {c.Value} ["),
            listed.Select(l => l[4..(l.IndexOf('[', StringComparison.Ordinal) + 1)]));
    }

    /// <summary>
    /// The class's one run (2031-01-05) of the candidacy match, judge_accept 95, its judge the fake server answering by
    /// surname (<see cref="SurnameAnswer"/>), and the candidates each request showed.
    /// </summary>
    public sealed class JudgedRun : IAsyncLifetime
    {
        private readonly ConcurrentDictionary<string, IReadOnlyDictionary<int, string>> _shown = new(StringComparer.Ordinal);
        private readonly PlantedKeyVariable _key = new("EM_PLANTED_KEY", Key);
        private FakeModelServer _server = null!;

        public FixtureCopy Project { get; private set; } = null!;

        /// <summary>Each contest's candidates as the requests numbered them: contest key → number → name.</summary>
        public IReadOnlyDictionary<string, IReadOnlyDictionary<int, string>> Shown => _shown;

        public async Task InitializeAsync()
        {
            _server = await FakeModelServer.StartAsync();
            _server.Default = SurnameAnswer;
            Project = FixtureCopy.Of("goodparty");
            Project.Replace("electionmatch.yml", "    judge:\n      provider: offline\n\n  # L2", _server.OpenAiJudgeYaml(_key.Name) + "\n  # L2");
            Project.Replace("electionmatch.yml", "judge_accept: 70 ", "judge_accept: 95 ");
            var run = CliProcess.Run("run", Match, "--allow-future-date", "--snapshot-date", "2031-01-05", "--project-dir", Project.Directory);
            Assert.True(run.ExitCode == 0, run.Output);
        }

        public async Task DisposeAsync()
        {
            Project?.Dispose();
            _key.Dispose();
            await _server.DisposeAsync();
        }

        private string SurnameAnswer(ChatCall call)
        {
            var data = call.Data;
            var candidates = data["candidates"]!.AsArray().Select(c => (Number: c!["number"]!.GetValue<int>(), Name: c["name"]!.GetValue<string>())).ToList();
            _shown[data["contest"]!.GetValue<string>()] = candidates.ToDictionary(c => c.Number, c => c.Name);
            var answers = new JsonArray();
            foreach (var row in data["rows"]!.AsArray())
            {
                var surname = row!["name"]!.GetValue<string>().Trim().Split(' ')[^1];
                // Rows whose surname starts A-L are answered 0 whatever the candidates, so both kinds of answer are published.
                var fits = char.ToUpperInvariant(surname[0]) <= 'L' ? [] : candidates.Where(c => c.Name.Contains(surname, StringComparison.OrdinalIgnoreCase)).ToList();
                answers.Add(new JsonObject
                {
                    ["row_id"] = row["row_id"]!.GetValue<string>(),
                    ["selected_candidate_number"] = fits.Count == 0 ? 0 : fits[0].Number,
                    ["selected_name"] = fits.Count == 0 ? "" : fits[0].Name,
                    ["selection_confidence"] = fits.Count == 0 ? 80 : 90,
                    ["reasoning"] = fits.Count == 0 ? "fake: no surname fits" : "fake: surname fits",
                    ["close_alternatives"] = new JsonArray(fits.Skip(1).Select(f => (JsonNode)f.Name).ToArray()),
                });
            }

            return new JsonObject { ["answers"] = answers }.ToJsonString();
        }
    }
}
