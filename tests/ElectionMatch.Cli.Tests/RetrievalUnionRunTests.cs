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
/// is what the union is for.
/// </summary>
public sealed class RetrievalUnionRunTests : IAsyncLifetime
{
    private const string Candidacies = "candidacy_ddhq_matches";
    private const string Districts = "llm_l2_br_match";
    private const string Key = "sk-test-union-0123456789abcdefghijkl";
    private readonly ITestOutputHelper _output;
    private FakeModelServer _server = null!;
    private FixtureCopy _offline = null!;
    private FixtureCopy _provider = null!;

    public RetrievalUnionRunTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public async Task InitializeAsync()
    {
        _server = await FakeModelServer.StartAsync();
        _offline = FixtureCopy.Of("goodparty");
        _provider = FixtureCopy.Of("goodparty");
        var settings = _provider.Read("electionmatch.yml");
        var embeddings = $"""
                embeddings:
                  provider: openai
                  dimensions: 64
                  endpoint: {_server.OpenAiEndpoint}
                  api_key_env: EM_UNION_KEY
                  requests_per_minute: 0

            """;
        // At 8 dimensions even the candidacies' labelled texts collide: the provider alone misses truth pairs there too.
        const string candidacies = "    embeddings:\n      provider: offline\n      dimensions: 256\n";
        const string districts = "    judge:\n      provider: offline\n\n# Zip code";
        Assert.Contains(candidacies, settings, StringComparison.Ordinal);
        Assert.Contains(districts, settings, StringComparison.Ordinal);
        settings = settings.Replace(candidacies, embeddings.Replace("dimensions: 64", "dimensions: 8", StringComparison.Ordinal), StringComparison.Ordinal).Replace(districts, embeddings + districts, StringComparison.Ordinal);
        _provider.Write("electionmatch.yml", settings);
    }

    public async Task DisposeAsync()
    {
        _offline.Dispose();
        _provider.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData(Districts, "truth/llm_l2_br_match.csv")]
    [InlineData(Candidacies, "truth/candidacy_ddhq_matches.csv")]
    public void A_provider_united_with_offline_links_at_least_as_well_as_offline_and_evaluate_shows_the_union(string match, string truth)
    {
        var offline = RunAndEvaluate(_offline, match, truth, "2031-02-01");
        var united = RunAndEvaluate(_provider, match, truth, "2031-02-02");

        Assert.True(united.Precision >= offline.Precision, $"precision {united.Precision} united, {offline.Precision} offline");
        Assert.True(united.Recall >= offline.Recall, $"recall {united.Recall} united, {offline.Recall} offline");
        Assert.True(_server.Requests.Any(r => r.Path.EndsWith("/embeddings", StringComparison.Ordinal)), "the provider embedded");

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
        var counts = SnapshotManifest.FromJson(_provider.Read($"electionmatch/manifests/{match}_20310202.json")).Counts;
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
        var united = RunAndEvaluate(_provider, Districts, "truth/llm_l2_br_match.csv", "2031-02-03");
        var settings = _provider.Read("electionmatch.yml");
        var districtBlock = settings.IndexOf("  llm_l2_br_match:", StringComparison.Ordinal);
        var at = settings.IndexOf("      dimensions: 64\n", districtBlock, StringComparison.Ordinal);
        _provider.Write("electionmatch.yml", settings.Insert(at, "      union_offline: false\n"));
        var alone = RunAndEvaluate(_provider, Districts, "truth/llm_l2_br_match.csv", "2031-02-04");

        Assert.True(alone.Recall < united.Recall, $"recall {alone.Recall} alone, {united.Recall} united");
        Assert.DoesNotContain("retrieval union", alone.Run, StringComparison.Ordinal);
        Assert.DoesNotContain("+offline", alone.Evaluate, StringComparison.Ordinal);
        Assert.Contains("keep embeddings: provider: offline for this match", alone.Evaluate, StringComparison.Ordinal);

        // Every position still gets spec 000's 13 candidates, each with the provider's score (filled for those only
        // offline found), and each pair found by similarity names its retrievers (the state-level slot is its own search).
        using var connection = new DuckDBConnection($"Data Source={_provider.WarehousePath};ACCESS_MODE=READ_ONLY");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            select count(*) filter (where json_array_length(embeddings) = 13), count(*),
                count(*) filter (where json_extract_string(match_explanation, '$.retrievers') is not null or json_extract_string(match_explanation, '$.found_by') = 'state_level'),
                count(*) filter (where embeddings like '%"score":null%')
            from model_predictions.llm_l2_br_match_20310203
            where is_matched
            """;
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.True(reader.GetInt64(1) > 0, "positions matched");
        Assert.Equal(reader.GetInt64(1), reader.GetInt64(0));
        Assert.Equal(reader.GetInt64(1), reader.GetInt64(2));
        Assert.Equal(0, reader.GetInt64(3));
    }

    private sealed record Scored(double Precision, double Recall, string Run, string Evaluate);

    private Scored RunAndEvaluate(FixtureCopy fixture, string match, string truth, string date)
    {
        var run = Cli(fixture, "run", match, "--allow-future-date", "--snapshot-date", date);
        Assert.True(run.ExitCode == 0, run.Output);
        var evaluate = Cli(fixture, "evaluate", match, "--truth", fixture.PathOf(truth));
        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        _output.WriteLine($"{match} {date}:\n{run.Stdout}\n{string.Join('\n', evaluate.Stdout.Split('\n').Where(l => !l.StartsWith("miss", StringComparison.Ordinal) && !l.StartsWith("false", StringComparison.Ordinal)))}");
        return new Scored(Number(evaluate.Stdout, "precision"), Number(evaluate.Stdout, "recall"), run.Stdout, evaluate.Stdout);
    }

    // The provider's copy runs as a child with the key in its environment only; the offline copy reads no key, so it
    // runs in this process (what it is compared with is its precision and recall, not the process).
    private CliProcess.Result Cli(FixtureCopy fixture, params string[] args) => fixture == _offline
        ? CliProcess.Run([.. args, "--project-dir", fixture.Directory])
        : CliProcess.RunWith(new Dictionary<string, string?> { ["EM_UNION_KEY"] = Key }, [.. args, "--project-dir", fixture.Directory]);

    private static double Number(string stdout, string name) =>
        double.Parse(Regex.Match(stdout, $@"(?m)^{name}: ([0-9.]+)$").Groups[1].Value, CultureInfo.InvariantCulture);

    private static double RecallLine(string stdout, string model)
    {
        var line = Regex.Match(stdout, $@"(?m)^retrieval {Regex.Escape(model)}: recall@\d+ ([01]\.\d{{4}}) ");
        Assert.True(line.Success, $"no recall line for {model} in:\n{stdout}");
        return double.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
