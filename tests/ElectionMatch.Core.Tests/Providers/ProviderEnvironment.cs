namespace ElectionMatch.Tests.Providers;

/// <summary>Provider tests set process environment variables (the planted keys), so they run one class at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProviderEnvironment
{
    public const string Name = "provider environment";

    /// <summary>A key shaped like OpenAI's, planted so the tests can prove it never leaks.</summary>
    public const string PlantedOpenAiKey = "sk-test-PLANTED-0123456789abcdefghijklmnop";
}
