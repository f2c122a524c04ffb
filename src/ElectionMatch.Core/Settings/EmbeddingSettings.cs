namespace ElectionMatch.Settings;

/// <summary>How a match embeds its labelled texts. <c>offline</c> is the hashed character n-gram embedder.</summary>
/// <param name="Provider">offline, vertex (text-embedding-005, gemini-embedding-001 and later) or openai (any OpenAI-compatible endpoint).</param>
/// <param name="Model">The provider's model id; for offline, a name recorded in the manifest.</param>
/// <param name="Dimensions">Vector length.</param>
public sealed record EmbeddingSettings(string Provider, string Model, int Dimensions)
{
    /// <summary>The texts a request carries unless <c>batch_size</c> or the model says otherwise.</summary>
    public const int DefaultTextsPerRequest = 128;

    public static EmbeddingSettings Offline { get; } = new("offline", "hashed-ngram-v1", 256);

    public ModelConnection Connection { get; init; } = ModelConnection.Defaults;

    /// <summary>
    /// With a provider, also run the offline embedder's top k and keep the union of both candidate sets, so the
    /// provider can add candidates but never lose one offline finds (issue 6 item 7). Ignored offline.
    /// </summary>
    public bool UnionOffline { get; init; } = true;

    public bool IsOffline => Provider == "offline";

    /// <summary>
    /// Texts sent in one request (<c>batch_size</c>); null for the provider's default (<see cref="DefaultBatchSize"/>).
    /// It changes no vector, only how many requests carry them.
    /// </summary>
    public int? BatchSize { get; init; }

    /// <summary>The texts one request carries: <c>batch_size</c>, else 128, else 1 for a Vertex AI model that takes one text a request.</summary>
    public int TextsPerRequest => BatchSize ?? DefaultBatchSize(Provider, Model);

    public static int DefaultBatchSize(string provider, string model) =>
        provider == "vertex" && GeminiModels.EmbedsOneText(model) ? 1 : DefaultTextsPerRequest;

    /// <summary>
    /// The name, in the embedding cache's key, of the task written before each text rather than sent in a field: set for
    /// a Vertex AI model asked through embedContent (<see cref="GeminiModels.SentenceSimilarityPrefix"/>). Null for every
    /// other model, which is told its task in a field (predict's <c>task_type</c>) or not at all; its key is unchanged.
    /// </summary>
    public string? TextTask => Provider == "vertex" && GeminiModels.EmbedsOneText(Model) ? GeminiModels.SentenceSimilarityTask : null;

    /// <summary>The most texts the provider takes in one request: Vertex AI 250, OpenAI 2,048.</summary>
    public static int MostTextsPerRequest(string provider) => provider == "vertex" ? 250 : 2048;

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
