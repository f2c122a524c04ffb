using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// Vertex AI text embeddings (<c>text-embedding-004</c>/<c>005</c>) behind <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>:
/// <c>predict</c> with one instance per text (task type SEMANTIC_SIMILARITY: both sides of a match are records, not
/// queries and documents) and <c>outputDimensionality</c>.
/// </summary>
internal sealed class VertexEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly VertexEndpoint _endpoint;
    private readonly string _model;
    private readonly int _dimensions;

    public VertexEmbeddingGenerator(VertexEndpoint endpoint, string model, int dimensions)
    {
        _endpoint = endpoint;
        _model = model;
        _dimensions = dimensions;
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var instances = new JsonArray(values.Select(v => (JsonNode)new JsonObject { ["content"] = v, ["task_type"] = "SEMANTIC_SIMILARITY" }).ToArray());
        var body = new JsonObject
        {
            ["instances"] = instances,
            ["parameters"] = new JsonObject { ["outputDimensionality"] = options?.Dimensions ?? _dimensions, ["autoTruncate"] = true },
        };
        var reply = await _endpoint.PostAsync(_model, "predict", body, cancellationToken).ConfigureAwait(false);
        var predictions = reply["predictions"] as JsonArray ?? throw new InvalidDataException("Vertex AI predict answered without predictions");
        var embeddings = new GeneratedEmbeddings<Embedding<float>>();
        long tokens = 0;
        for (var i = 0; i < predictions.Count; i++)
        {
            var embedding = (predictions[i] as JsonObject)?["embeddings"] as JsonObject;
            var vector = embedding?["values"] as JsonArray ?? throw new InvalidDataException($"Vertex AI predict answered a prediction ({i}) without embeddings.values");
            embeddings.Add(new Embedding<float>(VectorValue.Read(vector, i)) { ModelId = _model });
            // Only the cost estimate reads it: a count of another shape is none.
            tokens += VectorValue.Count((embedding!["statistics"] as JsonObject)?["token_count"]) ?? 0;
        }

        embeddings.Usage = new UsageDetails { InputTokenCount = tokens };
        return embeddings;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("vertex", _endpoint.BaseUri, _model, _dimensions)
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}
