using ElectionMatch.Diagnostics;
using ElectionMatch.Generation;
using ElectionMatch.Matching.Judging;
using ElectionMatch.Matching.Providers;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Providers;

/// <summary>A candidacy match whose judge (and embeddings) talk to the fake model server, over an in-memory warehouse.</summary>
internal static class JudgeFixture
{
    /// <summary>Tiny waits so retries cost milliseconds, not seconds.</summary>
    public static ModelConnection Connection(FakeModelServerEndpoint endpoint, double timeoutSeconds = 5) => new()
    {
        Endpoint = endpoint.Url,
        ApiKeyEnv = "EM_TEST_OPENAI_KEY",
        Project = "test-project",
        Location = "us-central1",
        CredentialsFile = endpoint.CredentialsFile,
        MaxConcurrency = 2,
        RequestsPerMinute = 0,
        TimeoutSeconds = timeoutSeconds,
        MaxRetries = 3,
        RetryBaseDelaySeconds = 0.001,
        MaxRetryDelaySeconds = 0.05,
        PricePerMillionInputTokens = 0.3,
        PricePerMillionOutputTokens = 2.5,
    };

    public static MatchSettings Match(string provider, ModelConnection connection, string? embeddingProvider = null)
    {
        var input = new InputSettings("source('a', 'b')", SourceSpan.None, "id", SourceSpan.None, new Dictionary<string, ColumnMapping>());
        var match = new MatchSettings("test_match", "candidacy_ddhq", input, input, new Dictionary<string, double>(), SourceSpan.None)
        {
            Judge = new JudgeSettings(provider, JudgeSettings.DefaultModel(provider)) { Connection = connection },
        };
        return embeddingProvider is null ? match : match with
        {
            Embeddings = new EmbeddingSettings(embeddingProvider, EmbeddingSettings.DefaultModel(embeddingProvider), 64) { Connection = connection },
        };
    }

    public static ModelProviders Providers(MatchSettings match, DuckDbWarehouse warehouse, bool replay = false, Interruption? interruption = null) =>
        ModelProviders.Create(match, Path.GetTempPath(), new TemplateLibrary(null), warehouse, replay, interruption);

    /// <summary>One race, two candidates, the rows given by name.</summary>
    public static JudgeRequest Request(string contest, params string[] rowNames) => new(
        contest,
        "Springfield City Council",
        rowNames.Select((name, i) => new JudgeRow(
            (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            name,
            new Dictionary<string, string?> { ["state"] = "IL" },
            new Dictionary<int, IReadOnlyDictionary<string, string>> { [1] = new Dictionary<string, string> { ["last_name"] = "exact" } })).ToList(),
        [
            new JudgeCandidate(1, "101", "Maria Lopez", new Dictionary<string, string?> { ["state"] = "IL" }),
            new JudgeCandidate(2, "102", "John Smith", new Dictionary<string, string?> { ["state"] = "IL" }),
        ]);
}

/// <summary>Where a test's providers point: the fake server, and for Vertex a service-account file.</summary>
internal sealed record FakeModelServerEndpoint(string Url, string? CredentialsFile = null);
