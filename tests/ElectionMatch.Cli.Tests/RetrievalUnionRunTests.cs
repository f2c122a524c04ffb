using System.Globalization;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using ElectionMatch.Snapshots;
using ElectionMatch.Tests.Models;
using Xunit.Abstractions;

namespace ElectionMatch.Tests;

/// <summary>
/// Issue 6 item 7 by construction: both matches of the goodparty fixture with <c>embeddings: provider: openai</c>
/// pointed at the fake model server, whose vectors are deliberately poor (the offline embedder's at 64 dimensions,
/// without the labelled or district reading). United with the offline embedder (the default), the run must link
/// at least as well as the offline run of the same fixture; with <c>union_offline: false</c> it does worse, which
/// is what the union is for. Each match's offline and united runs (and their evaluations) are made once for the class
/// (<see cref="UnionRuns"/>), each on a project of its own; a test that runs again does so on its own copy.
/// </summary>
public sealed class RetrievalUnionRunTests(RetrievalUnionRunTests.UnionRuns runs, ITestOutputHelper output) : IClassFixture<RetrievalUnionRunTests.UnionRuns>, IDisposable
{
    private const string Candidacies = "candidacy_ddhq_matches";
    private const string Districts = "llm_l2_br_match";
    private const string Key = "sk-test-union-0123456789abcdefghijkl";
    private FixtureCopy? _copy;

    public void Dispose() => _copy?.Dispose();

    [Theory]
    [InlineData(Districts, "truth/llm_l2_br_match.csv")]
    [InlineData(Candidacies, "truth/candidacy_ddhq_matches.csv")]
    public void A_provider_united_with_offline_links_at_least_as_well_as_offline_and_evaluate_shows_the_union(string match, string truth)
    {
        var (offline, united) = runs.Of(match, truth);
        Show(match, offline, united);

        Assert.True(united.Precision >= offline.Precision, $"precision {united.Precision} united, {offline.Precision} offline");
        Assert.True(united.Recall >= offline.Recall, $"recall {united.Recall} united, {offline.Recall} offline");
        Assert.True(united.Requests.Any(r => r.Path.EndsWith("/embeddings", StringComparison.Ordinal)), "the provider embedded");

        // Side by side: offline, the provider alone (worse on these vectors, and said so), and the union (not worse).
        var offlineRecall = RecallLine(united.Evaluate, "offline/hashed-ngram-v1/256");
        var dimensions = match == Districts ? 64 : 8;
        var providerRecall = RecallLine(united.Evaluate, $"openai/text-embedding-3-small/{dimensions}");
        var unionRecall = RecallLine(united.Evaluate, $"openai/text-embedding-3-small/{dimensions}+offline");
        Assert.True(providerRecall < offlineRecall, $"the fake's vectors should retrieve worse than offline: {providerRecall} against {offlineRecall}");
        Assert.True(unionRecall >= offlineRecall, $"union recall {unionRecall} against offline {offlineRecall}");
        Assert.Contains($"retrieval warning: openai/text-embedding-3-small/{dimensions} finds ", united.Evaluate, StringComparison.Ordinal);
        Assert.Contains("runs unite it with the offline embedder (embeddings: union_offline)", united.Evaluate, StringComparison.Ordinal);
        Assert.DoesNotContain($"retrieval warning: openai/text-embedding-3-small/{dimensions}+offline", united.Evaluate, StringComparison.Ordinal);

        // The manifest and the run summary say which retriever found the pairs.
        var counts = SnapshotManifest.FromJson(united.Project.Read($"electionmatch/manifests/{match}_20310202.json")).Counts;
        Assert.True(counts["retrieval_pairs_offline_only"] > 0, "offline found pairs the provider missed");
        Assert.True(counts["retrieval_pairs_both"] > 0);
        Assert.Contains(
            $"retrieval union: {counts["retrieval_pairs_provider_only"]} pairs found by the provider only, {counts["retrieval_pairs_offline_only"]} by the offline embedder only, {counts["retrieval_pairs_both"]} by both",
            united.Run, StringComparison.Ordinal);
        Assert.DoesNotContain("retrieval union", offline.Run, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, united.Run + united.Evaluate, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_the_union_the_poor_provider_loses_district_links_the_union_keeps()
    {
        var (_, united) = runs.Of(Districts, "truth/llm_l2_br_match.csv");
        _copy = united.Project.Clone();
        var settings = _copy.Read("electionmatch.yml");
        var districtBlock = settings.IndexOf("  llm_l2_br_match:", StringComparison.Ordinal);
        var at = settings.IndexOf("      dimensions: 64\n", districtBlock, StringComparison.Ordinal);
        _copy.Write("electionmatch.yml", settings.Insert(at, "      union_offline: false\n"));
        var alone = RunAndEvaluate(_copy, Districts, "truth/llm_l2_br_match.csv", "2031-02-04", child: null);
        Show(Districts, united, alone);

        Assert.True(alone.Recall < united.Recall, $"recall {alone.Recall} alone, {united.Recall} united");
        Assert.DoesNotContain("retrieval union", alone.Run, StringComparison.Ordinal);
        Assert.DoesNotContain("+offline", alone.Evaluate, StringComparison.Ordinal);
        Assert.Contains("keep embeddings: provider: offline for this match", alone.Evaluate, StringComparison.Ordinal);

        // Every position still gets spec 000's 13 candidates, each with the provider's score (filled for those only
        // offline found), and each pair found by similarity names its retrievers (the state-level slot is its own search).
        using var connection = new DuckDBConnection($"Data Source={_copy.WarehousePath};ACCESS_MODE=READ_ONLY");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            select count(*) filter (where json_array_length(embeddings) = 13), count(*),
                count(*) filter (where json_extract_string(match_explanation, '$.retrievers') is not null or json_extract_string(match_explanation, '$.found_by') = 'state_level'),
                count(*) filter (where embeddings like '%"score":null%')
            from model_predictions.llm_l2_br_match_20310202
            where is_matched
            """;
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.True(reader.GetInt64(1) > 0, "positions matched");
        Assert.Equal(reader.GetInt64(1), reader.GetInt64(0));
        Assert.Equal(reader.GetInt64(1), reader.GetInt64(2));
        Assert.Equal(0, reader.GetInt64(3));
    }

    /// <summary>A run and its evaluation: precision, recall, both outputs, and the model requests the run sent (united runs only).</summary>
    internal sealed record Scored(double Precision, double Recall, string Run, string Evaluate, FixtureCopy Project, IReadOnlyList<RecordedRequest> Requests);

    /// <summary>
    /// Runs <paramref name="match"/> and evaluates it. A run with the provider (<paramref name="child"/>, its key) is a child
    /// process, since its output is checked for the key; an offline run reads no key and runs in this process (what it
    /// is compared with is its precision and recall, not the process), as does a run whose output is not checked for it.
    /// </summary>
    private static Scored RunAndEvaluate(FixtureCopy fixture, string match, string truth, string date, PlantedKeyVariable? child, FakeModelServer? server = null)
    {
        CliProcess.Result Cli(params string[] args) => child is null
            ? CliProcess.Run([.. args, "--project-dir", fixture.Directory])
            : CliProcess.RunWith(child.ForChild, [.. args, "--project-dir", fixture.Directory]);

        var before = server?.Requests.Count ?? 0;
        var run = Cli("run", match, "--allow-future-date", "--snapshot-date", date);
        Assert.True(run.ExitCode == 0, run.Output);
        var requests = server?.Requests.Skip(before).ToList() ?? [];
        var evaluate = Cli("evaluate", match, "--truth", fixture.PathOf(truth));
        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        return new Scored(Number(evaluate.Stdout, "precision"), Number(evaluate.Stdout, "recall"), run.Stdout, evaluate.Stdout, fixture, requests);
    }

    private void Show(string match, params Scored[] scored)
    {
        foreach (var s in scored)
        {
            output.WriteLine($"{match}:\n{s.Run}\n{string.Join('\n', s.Evaluate.Split('\n').Where(l => !l.StartsWith("miss", StringComparison.Ordinal) && !l.StartsWith("false", StringComparison.Ordinal)))}");
        }
    }

    private static double Number(string stdout, string name) =>
        double.Parse(Regex.Match(stdout, $@"(?m)^{name}: ([0-9.]+)$").Groups[1].Value, CultureInfo.InvariantCulture);

    private static double RecallLine(string stdout, string model)
    {
        var line = Regex.Match(stdout, $@"(?m)^retrieval {Regex.Escape(model)}: recall@\d+ ([01]\.\d{{4}}) ");
        Assert.True(line.Success, $"no recall line for {model} in:\n{stdout}");
        return double.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Per match, made when a test first asks for it: an offline run (2031-02-01) and a united run (2031-02-02) of the
    /// fixture, each on a project of its own, and each evaluated. The server answers for the class's lifetime.
    /// </summary>
    public sealed class UnionRuns : IAsyncLifetime
    {
        private readonly Dictionary<string, (Scored Offline, Scored United)> _made = [];
        private readonly List<FixtureCopy> _projects = [];
        private readonly Lock _gate = new();
        private FakeModelServer _server = null!;

        internal PlantedKeyVariable Key { get; } = new("EM_UNION_KEY", RetrievalUnionRunTests.Key);

        public async Task InitializeAsync() => _server = await FakeModelServer.StartAsync();

        public async Task DisposeAsync()
        {
            foreach (var project in _projects)
            {
                project.Dispose();
            }

            Key.Dispose();
            await _server.DisposeAsync();
        }

        internal (Scored Offline, Scored United) Of(string match, string truth)
        {
            lock (_gate)
            {
                if (!_made.TryGetValue(match, out var runs))
                {
                    var offline = FixtureCopy.Of("goodparty");
                    _projects.Add(offline);
                    var provider = WithProviderEmbeddings(FixtureCopy.Of("goodparty"));
                    _projects.Add(provider);
                    runs = (RunAndEvaluate(offline, match, truth, "2031-02-01", child: null),
                        RunAndEvaluate(provider, match, truth, "2031-02-02", Key, _server));
                    _made[match] = runs;
                }

                return runs;
            }
        }

        private FixtureCopy WithProviderEmbeddings(FixtureCopy fixture)
        {
            var settings = fixture.Read("electionmatch.yml");
            var embeddings = $"""
                    embeddings:
                      provider: openai
                      dimensions: 64
                      endpoint: {_server.OpenAiEndpoint}
                      api_key_env: {Key.Name}
                      requests_per_minute: 0

                """;
            // At 8 dimensions even the candidacies' labelled texts collide: the provider alone misses truth pairs there too.
            const string candidacies = "    embeddings:\n      provider: offline\n      dimensions: 256\n";
            const string districts = "    judge:\n      provider: offline\n\n# Zip code";
            Assert.Contains(candidacies, settings, StringComparison.Ordinal);
            Assert.Contains(districts, settings, StringComparison.Ordinal);
            settings = settings.Replace(candidacies, embeddings.Replace("dimensions: 64", "dimensions: 8", StringComparison.Ordinal), StringComparison.Ordinal).Replace(districts, embeddings + districts, StringComparison.Ordinal);
            fixture.Write("electionmatch.yml", settings);
            return fixture;
        }
    }
}
