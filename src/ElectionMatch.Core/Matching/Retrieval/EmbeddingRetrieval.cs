using ElectionMatch.Matching.Embeddings;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;
using Microsoft.Extensions.AI;

namespace ElectionMatch.Matching.Retrieval;

/// <summary>
/// Top-k by embedding for any match: the offline embedder runs inside the retrieval stage (it is cheaper
/// to recompute than to store); any other provider's vectors are fetched once into the embedding cache and
/// streamed from there.
/// </summary>
internal sealed class EmbeddingRetrieval
{
    private readonly DuckDbWarehouse _warehouse;
    private readonly EmbeddingSettings _settings;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embeddings;
    private readonly HashedNgramStyle _style;

    /// <param name="embeddings">A provider, a test's embedder, or null for the offline one.</param>
    /// <param name="style">How the offline embedder reads the labelled texts.</param>
    public EmbeddingRetrieval(DuckDbWarehouse warehouse, EmbeddingSettings settings, IEmbeddingGenerator<string, Embedding<float>>? embeddings, HashedNgramStyle style)
    {
        _warehouse = warehouse;
        _settings = settings;
        _embeddings = embeddings;
        _style = style;
    }

    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Keeps the vectors of every partition in a table, for inspection and the SQL reference.</summary>
    public bool StoreVectors { get; init; }

    /// <summary>The embedding cache's model id after a run with a provider (null offline), for cosines of pairs retrieval did not find.</summary>
    public string? CachedModelId { get; private set; }

    /// <param name="counts">Receives <c>{prefix}embeddings_generated</c> and <c>{prefix}embeddings_from_cache</c> for a provider.</param>
    public RetrievalReport Run(RetrievalInputs inputs, RunSchema run, string table, int k, IDictionary<string, long> counts, string countPrefix, CancellationToken cancellationToken)
    {
        var dimensions = _embeddings is HashedNgramEmbedder h ? h.Dimensions : _settings.Dimensions;
        var stage = new RetrievalStage(_warehouse, dimensions, k, Threads, StoreVectors);
        if (_embeddings is null or HashedNgramEmbedder)
        {
            var embedder = _embeddings as HashedNgramEmbedder ?? new HashedNgramEmbedder(dimensions, _settings.Model, _style);
            return stage.Run(StreamSql(inputs, text => text), run, table, embedder, cancellationToken);
        }

        var cache = new EmbeddingCache(_warehouse);
        var texts = $"""
            select {inputs.LeftText} as embedding_text from {inputs.Left}
            union
            select r.{inputs.RightText} from {inputs.Right} as r semi join {inputs.Members} as m using (right_key)
            """;
        var model = cache.Ensure(_embeddings, texts, dimensions, cancellationToken);
        CachedModelId = model.ModelId;
        counts[countPrefix + "embeddings_generated"] = model.Generated;
        counts[countPrefix + "embeddings_from_cache"] = model.Cached;
        return stage.Run(StreamSql(inputs, text => cache.VectorSql(text, model.ModelId)), run, table, null, cancellationToken);
    }

    /// <summary>The stage's input: <c>(group_id, side, key, payload)</c> ordered by partition, left rows first.</summary>
    private static string StreamSql(RetrievalInputs inputs, Func<string, string> payload) => $"""
        select group_id, side, key, payload
        from (
            select group_id, 0 as side, left_key as key, {payload(inputs.LeftText)} as payload from {inputs.Left}
            union all
            select m.group_id, 1 as side, r.right_key as key, {payload("r." + inputs.RightText)} as payload
            from {inputs.Members} as m
            join {inputs.Right} as r using (right_key)
        )
        order by group_id, side, key
        """;
}
