namespace ElectionMatch.Settings;

/// <summary>How a match embeds its labelled texts. <c>offline</c> is the hashed character n-gram embedder.</summary>
/// <param name="Provider">offline, vertex (text-embedding-004/005) or openai (any OpenAI-compatible endpoint).</param>
/// <param name="Model">The provider's model id; for offline, a name recorded in the manifest.</param>
/// <param name="Dimensions">Vector length.</param>
public sealed record EmbeddingSettings(string Provider, string Model, int Dimensions)
{
    public static EmbeddingSettings Offline { get; } = new("offline", "hashed-ngram-v1", 256);

    public ModelConnection Connection { get; init; } = ModelConnection.Defaults;

    /// <summary>
    /// With a provider, also run the offline embedder's top k and keep the union of both candidate sets, so the
    /// provider can add candidates but never lose one offline finds (issue 6 item 7). Ignored offline.
    /// </summary>
    public bool UnionOffline { get; init; } = true;

    public bool IsOffline => Provider == "offline";

    public static string DefaultModel(string provider) => provider switch
    {
        "vertex" => "text-embedding-005",
        "openai" => "text-embedding-3-small",
        _ => Offline.Model,
    };

    public static int DefaultDimensions(string provider) => provider switch
    {
        "vertex" => 768,
        "openai" => 1536,
        _ => Offline.Dimensions,
    };
}
