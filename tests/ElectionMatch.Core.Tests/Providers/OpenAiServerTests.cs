using ElectionMatch.Tests.Models;

namespace ElectionMatch.Tests.Providers;

/// <summary>
/// The set-up the OpenAI-compatible provider tests share: each test gets its own fake model server on 127.0.0.1,
/// and the connection's key variable holds the planted key the tests look for in every output.
/// </summary>
public abstract class OpenAiServerTests : IAsyncLifetime
{
    protected FakeModelServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await FakeModelServer.StartAsync();
        Environment.SetEnvironmentVariable("EM_TEST_OPENAI_KEY", ProviderEnvironment.PlantedOpenAiKey);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
