using Microsoft.Extensions.AI;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// A provider's embedding generator as the embedding cache sees it: it meters tokens and requests, names the
/// provider and model for the cache key, and in replay mode has no network client at all, so the cache must
/// hold every text (<see cref="Embeddings.EmbeddingCache"/> reports what is missing). A reply is checked before
/// anything is cached — one vector per text, of the configured dimensions, every value finite, not all zero — and
/// each vector is scaled to unit length: retrieval ranks by inner product, which is the cosine only for unit vectors,
/// and not every OpenAI-compatible server normalises. A batch once sent may finish after Ctrl-C (<see cref="Interruption"/>).
/// </summary>
internal sealed class ProviderEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _inner;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private readonly int _dimensions;
    private readonly Interruption _interruption;

    /// <param name="inner">Null in replay mode.</param>
    public ProviderEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>>? inner, string provider, string model, int dimensions, ModelUsage usage, string match, Interruption interruption)
    {
        _inner = inner;
        _interruption = interruption;
        _metadata = new EmbeddingGeneratorMetadata(provider, null, model, dimensions);
        _dimensions = dimensions;
        Usage = usage;
        Match = match;
    }

    public ModelUsage Usage { get; }

    public string Match { get; }

    public bool Replay => _inner is null;

    /// <summary>The texts the embedding cache sends in one request (<c>batch_size</c>).</summary>
    public int TextsPerRequest { get; init; } = Settings.EmbeddingSettings.DefaultTextsPerRequest;

    /// <summary>The task the model reads from its texts, named in the cache's key (<see cref="Settings.EmbeddingSettings.TextTask"/>); null for none.</summary>
    public string? TextTask { get; init; }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (_inner is null)
        {
            throw new InvalidOperationException("replay mode never calls the embedding provider");
        }

        var texts = values as IReadOnlyCollection<string> ?? values.ToList();
        return await _interruption.SendAsync(TimeSpan.FromSeconds(Usage.Connection.CancelGraceSeconds), cancellationToken,
            inFlight => GenerateCheckedAsync(_inner, texts, options, inFlight)).ConfigureAwait(false);
    }

    private async Task<GeneratedEmbeddings<Embedding<float>>> GenerateCheckedAsync(IEmbeddingGenerator<string, Embedding<float>> inner, IReadOnlyCollection<string> texts, EmbeddingGenerationOptions? options, CancellationToken cancellationToken)
    {
        var result = await inner.GenerateAsync(texts, options, cancellationToken).ConfigureAwait(false);
        var characters = result.Usage?.AdditionalCounts?.TryGetValue(VertexEmbeddingGenerator.BillableCharacters, out var billable) == true ? billable : 0;
        Usage.Answered(result.Usage?.InputTokenCount ?? 0, 0, result.Usage?.CachedInputTokenCount ?? 0, characters);
        var dimensions = options?.Dimensions ?? _dimensions;
        if (result.Count != texts.Count)
        {
            throw new InvalidDataException($"the reply has {result.Count} vectors for {texts.Count} texts");
        }

        var checkedVectors = new GeneratedEmbeddings<Embedding<float>>(result.Select((embedding, i) => new Embedding<float>(UnitVector(embedding.Vector.Span, i, dimensions)) { ModelId = embedding.ModelId }))
        {
            Usage = result.Usage,
        };
        return checkedVectors;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : _inner?.GetService(serviceType, serviceKey);

    public void Dispose() => _inner?.Dispose();

    private static float[] UnitVector(ReadOnlySpan<float> vector, int index, int dimensions)
    {
        if (vector.Length != dimensions)
        {
            throw new InvalidDataException($"the reply's vector {index} has {vector.Length} dimensions, and 'dimensions' is {dimensions}; a model that cannot shorten its vectors needs 'dimensions: {vector.Length}'");
        }

        double squares = 0;
        foreach (var value in vector)
        {
            if (!float.IsFinite(value))
            {
                throw new InvalidDataException($"the reply's vector {index} holds {(float.IsNaN(value) ? "NaN" : "an infinite value")}, which no cosine can rank");
            }

            squares += (double)value * value;
        }

        if (squares == 0)
        {
            throw new InvalidDataException($"the reply's vector {index} is all zeros, which has no direction to rank by");
        }

        // A vector already of unit length is kept as sent (rescaling it would only move its last bits).
        var norm = Math.Sqrt(squares);
        if (Math.Abs(norm - 1) < 1e-5)
        {
            return vector.ToArray();
        }

        var unit = new float[vector.Length];
        for (var i = 0; i < vector.Length; i++)
        {
            unit[i] = (float)(vector[i] / norm);
        }

        return unit;
    }
}
