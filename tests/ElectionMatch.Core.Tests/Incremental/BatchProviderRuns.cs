using ElectionMatch.Tests.Models;

namespace ElectionMatch.Tests.Incremental;

/// <summary>
/// The set-up the incremental tests with a provider embedder share: a copy of the fixture whose embeddings go to a fake
/// OpenAI server on 127.0.0.1, with the key in a variable of the class's own. No other test reads or clears that
/// variable, so these classes run beside the rest instead of in the provider tests' one-at-a-time collection.
/// </summary>
public abstract class BatchProviderRuns : IAsyncLifetime
{
    protected const string Left = "data/airbyte/hubspot_candidacy.csv";
    protected const string Right = "data/airbyte/ddhq_election_results.csv";
    protected const string Match = "candidacy_ddhq_matches";

    private readonly string _keyVariable = "EM_TEST_BATCH_KEY_" + Guid.NewGuid().ToString("N")[..8];

    protected FakeModelServer Server { get; private set; } = null!;

    protected FixtureCopy Fixture { get; } = FixtureCopy.Of("goodparty");

    public async Task InitializeAsync()
    {
        Server = await FakeModelServer.StartAsync();
        Environment.SetEnvironmentVariable(_keyVariable, "sk-test-batch-" + _keyVariable[^8..]);
        const string offline = "    embeddings:\n      provider: offline\n      dimensions: 256\n";
        var settings = Fixture.Read("electionmatch.yml");
        Assert.Contains(offline, settings, StringComparison.Ordinal);
        Fixture.Write("electionmatch.yml", settings.Replace(offline, $"""
                embeddings:
                  provider: openai
                  dimensions: 64
                  endpoint: {Server.OpenAiEndpoint}
                  api_key_env: {_keyVariable}
                  requests_per_minute: 0

            """, StringComparison.Ordinal));
    }

    public async Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable(_keyVariable, null);
        await Server.DisposeAsync();
        Fixture.Dispose();
    }

    /// <summary>The candidacy lines of <paramref name="states"/>, the header first, written back as the left input.</summary>
    protected List<string> KeepCandidacies(params string[] states)
    {
        var left = Fixture.Read(Left).TrimEnd('\n').Split('\n').Where((l, i) => i == 0 || states.Contains(Field(l, 4))).ToList();
        WriteCandidacies(left);
        return left;
    }

    protected void WriteCandidacies(List<string> left) => Fixture.Write(Left, string.Join('\n', left) + "\n");

    // The fixture quotes a few office and race names that hold a comma: such a line is left as it is.
    protected static string Field(string line, int index) => line.Contains('"', StringComparison.Ordinal) ? "" : line.Split(',').ElementAtOrDefault(index) ?? "";

    protected static string With(string line, int index, string value)
    {
        var fields = line.Split(',');
        fields[index] = value;
        return string.Join(',', fields);
    }
}
