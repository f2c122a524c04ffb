using Microsoft.Extensions.AI;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// A provider's embedding generator as the embedding cache sees it: it meters tokens and requests, names the
/// provider and model for the cache key, and in replay mode has no network client at all, so the cache must
/// hold every text (<see cref="Embeddings.EmbeddingCache"/> reports what is missing).
/// </summary>
internal sealed class ProviderEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _inner;
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <param name="inner">Null in replay mode.</param>
    public ProviderEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>>? inner, string provider, string model, int dimensions, ModelUsage usage, string match)
    {
        _inner = inner;
        _metadata = new EmbeddingGeneratorMetadata(provider, null, model, dimensions);
        Usage = usage;
        Match = match;
    }

    public ModelUsage Usage { get; }

    public string Match { get; }

    public bool Replay => _inner is null;

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (_inner is null)
        {
            throw new InvalidOperationException("replay mode never calls the embedding provider");
        }

        var result = await _inner.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
        Usage.Answered(result.Usage?.InputTokenCount ?? 0, 0);
        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : _inner?.GetService(serviceType, serviceKey);

    public void Dispose() => _inner?.Dispose();
}
