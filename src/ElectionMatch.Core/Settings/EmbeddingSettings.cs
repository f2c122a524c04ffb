namespace ElectionMatch.Settings;

/// <summary>How a match embeds its labelled texts. <c>offline</c> is the hashed character n-gram embedder.</summary>
/// <param name="Provider">offline, or a provider name the LLM issue adds.</param>
/// <param name="Model">The provider's model id; for offline, a name recorded in the manifest.</param>
/// <param name="Dimensions">Vector length.</param>
public sealed record EmbeddingSettings(string Provider, string Model, int Dimensions)
{
    public static EmbeddingSettings Offline { get; } = new("offline", "hashed-ngram-v1", 256);
}
