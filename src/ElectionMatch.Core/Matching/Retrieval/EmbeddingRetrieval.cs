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

    /// <summary>
    /// Right rows (memberships) per ordered query of stored vectors (a provider's; the offline embedder's stream carries
    /// keys only). One query over every partition sorted all the payloads at once: at a million candidacies 16M rows,
    /// which failed with a 2GB memory_limit instead of spilling.
    /// </summary>
    public long StreamChunkMembers { get; init; } = 2_000_000;

    /// <summary>Right rows embedded and searched at a time in a partition (0: the stage's default).</summary>
    public int SliceRows { get; init; }

    /// <summary>Rows read ahead of the search: their texts are the stage's managed memory.</summary>
    public int RowsInFlight { get; init; } = RetrievalStage.DefaultRowsInFlight;

    /// <summary>
    /// With a provider, a table of the run to make with the SHA-256 of every text this pass sent to be embedded (none were
    /// cached); null makes none.
    /// </summary>
    public string? AskedTable { get; init; }

    /// <summary>The embedding cache's model id after a run with a provider (null offline), for cosines of pairs retrieval did not find.</summary>
    public string? CachedModelId { get; private set; }

    /// <summary>The offline embedder's vectors of the right rows after a run (null with a provider), for cosines of pairs retrieval did not return.</summary>
    public RightSlab? RightVectors { get; private set; }

    /// <param name="counts">Receives <c>{prefix}embeddings_generated</c> and <c>{prefix}embeddings_from_cache</c> for a provider.</param>
    public RetrievalReport Run(RetrievalInputs inputs, RunSchema run, string table, int k, IDictionary<string, long> counts, string countPrefix, CancellationToken cancellationToken)
    {
        var dimensions = _embeddings is HashedNgramEmbedder h ? h.Dimensions : _settings.Dimensions;
        var stage = new RetrievalStage(_warehouse, dimensions, k, Threads, StoreVectors, SliceRows, RowsInFlight);
        if (_embeddings is null or HashedNgramEmbedder)
        {
            // Each right row embedded once for the run, the partitions streamed as keys (RightSlab).
            var embedder = _embeddings as HashedNgramEmbedder ?? new HashedNgramEmbedder(dimensions, _settings.Model, _style);
            var report = stage.Run(inputs, run, table, embedder, out var slab, cancellationToken);
            RightVectors = slab;
            return report;
        }

        var chunks = GroupChunks(inputs);

        var cache = new EmbeddingCache(_warehouse);
        var texts = $"""
            select {inputs.LeftText} as embedding_text from {inputs.Left}
            union
            select r.{inputs.RightText} from {inputs.Right} as r semi join {inputs.Members} as m using (right_key)
            """;
        var model = cache.Ensure(_embeddings, texts, dimensions, cancellationToken, AskedTable is null ? null : run.Table(AskedTable));
        CachedModelId = model.ModelId;
        counts[countPrefix + "embeddings_generated"] = model.Generated;
        counts[countPrefix + "embeddings_from_cache"] = model.Cached;
        return stage.Run(StreamQueries(inputs, chunks, text => cache.VectorSql(text, model.ModelId)), run, table, null, cancellationToken);
    }

    /// <summary>
    /// Consecutive ranges of group ids holding about <see cref="StreamChunkMembers"/> right rows each (a larger group
    /// alone), cut only between families (<see cref="RetrievalInputs.GroupFamilies"/>) unless a family alone holds more.
    /// A right row is embedded once per chunk that meets it: at a million candidacies, chunks cut inside a date's
    /// partitions embedded 9.2M results rows for 7.2M distinct ones.
    /// </summary>
    internal List<(long First, long Last)> GroupChunks(RetrievalInputs inputs)
    {
        var sizes = inputs.GroupFamilies is null
            ? $"select group_id, count(*), group_id from {inputs.Members} group by group_id order by group_id"
            : $"""
                select m.group_id, m.members, coalesce(f.family, -m.group_id)
                from (select group_id, count(*) as members from {inputs.Members} group by group_id) as m
                left join ({inputs.GroupFamilies}) as f using (group_id)
                order by m.group_id
                """;
        var groups = _warehouse.Query(sizes, r => (Group: r.GetInt64(0), Rows: r.GetInt64(1), Family: r.GetInt64(2)));
        var chunks = new List<(long First, long Last)>();
        long rows = 0, first = 0, last = 0;
        var open = false;
        void Add(long from, long to, long count)
        {
            if (open && rows + count > StreamChunkMembers)
            {
                chunks.Add((first, last));
                (open, rows) = (false, 0);
            }

            first = open ? first : from;
            (open, last, rows) = (true, to, rows + count);
        }

        for (var i = 0; i < groups.Count;)
        {
            var end = i;
            long familyRows = 0;
            for (; end < groups.Count && groups[end].Family == groups[i].Family; end++)
            {
                familyRows += groups[end].Rows;
            }

            if (familyRows <= StreamChunkMembers)
            {
                Add(groups[i].Group, groups[end - 1].Group, familyRows);
            }
            else
            {
                // Too large for one chunk: cut between its groups.
                for (var g = i; g < end; g++)
                {
                    Add(groups[g].Group, groups[g].Group, groups[g].Rows);
                }
            }

            i = end;
        }

        if (open)
        {
            chunks.Add((first, last));
        }

        return chunks;
    }

    /// <summary>The stage's input, one query per chunk: <c>(group_id, side, key, payload)</c> ordered by partition, left rows first.</summary>
    private static List<string> StreamQueries(RetrievalInputs inputs, List<(long First, long Last)> chunks, Func<string, string> payload) =>
        chunks.Select(c => $"""
            select group_id, side, key, payload
            from (
                select group_id, 0 as side, left_key as key, {payload(inputs.LeftText)} as payload from {inputs.Left}
                where group_id between {c.First} and {c.Last}
                union all
                select m.group_id, 1 as side, r.right_key as key, {payload("r." + inputs.RightText)} as payload
                from {inputs.Members} as m
                join {inputs.Right} as r using (right_key)
                where m.group_id between {c.First} and {c.Last}
            )
            order by group_id, side, key
            """).ToList();
}
