using Microsoft.Extensions.AI;
using OpenAI.Embeddings;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// OpenAI-compatible <c>/embeddings</c> behind <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>. Each vector of the
/// reply carries the <c>index</c> of its input, and a server need not answer in input order; the vectors are put back
/// in input order by it (Microsoft.Extensions.AI's adapter takes them in reply order, which cached each vector under
/// another text's hash when a server reordered them). An index missing, repeated or out of range is an invalid reply.
/// </summary>
internal sealed class OpenAiEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbeddingClient _client;
    private readonly string _model;
    private readonly int _dimensions;

    public OpenAiEmbeddingGenerator(EmbeddingClient client, string model, int dimensions)
    {
        _client = client;
        _model = model;
        _dimensions = dimensions;
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, Microsoft.Extensions.AI.EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values.ToList();
        var reply = (await _client.GenerateEmbeddingsAsync(texts, new OpenAI.Embeddings.EmbeddingGenerationOptions { Dimensions = options?.Dimensions ?? _dimensions }, cancellationToken).ConfigureAwait(false)).Value;
        var ordered = new Embedding<float>?[texts.Count];
        foreach (var embedding in reply)
        {
            if (embedding.Index < 0 || embedding.Index >= texts.Count || ordered[embedding.Index] is not null)
            {
                throw new InvalidDataException($"the reply's vector index {embedding.Index} is {(embedding.Index < 0 || embedding.Index >= texts.Count ? $"not an input of the request (0-{texts.Count - 1})" : "given twice")}");
            }

            ordered[embedding.Index] = new Embedding<float>(embedding.ToFloats()) { ModelId = reply.Model ?? _model };
        }

        var answered = ordered.Count(e => e is not null);
        if (answered != texts.Count)
        {
            throw new InvalidDataException($"the reply has {answered} vectors for {texts.Count} texts");
        }

        return new GeneratedEmbeddings<Embedding<float>>(ordered.Select(e => e!))
        {
            Usage = new UsageDetails { InputTokenCount = reply.Usage?.InputTokenCount, TotalTokenCount = reply.Usage?.TotalTokenCount },
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("openai", null, _model, _dimensions)
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}
