using ElectionMatch.Matching.Embeddings;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;
using Microsoft.Extensions.AI;

namespace ElectionMatch.Matching.Retrieval;

/// <summary>
/// A provider's retrieval united with the offline embedder's (<c>embeddings: union_offline</c>), so a paid model can
/// add candidates but never take away one the free embedder finds: nobody can measure a real model offline, so
/// "never worse than offline" has to hold by construction. The offline top k goes to <c>{table}_offline</c>;
/// every pair keeps or gets the provider's cosine, and records which retriever found it.
/// </summary>
internal sealed class RetrievalUnion
{
    /// <summary>The name a pair found by the provider's top k carries in <c>retrievers</c>.</summary>
    public const string Provider = "provider";

    /// <summary>The name a pair found by the offline embedder's top k carries in <c>retrievers</c>.</summary>
    public const string Offline = "offline";

    private readonly DuckDbWarehouse _warehouse;
    private readonly RunSchema _run;

    public RetrievalUnion(DuckDbWarehouse warehouse, RunSchema run)
    {
        _warehouse = warehouse;
        _run = run;
    }

    /// <summary>Whether a run with these settings and this embedder unites: only a provider is united with offline.</summary>
    public static bool Applies(EmbeddingSettings settings, IEmbeddingGenerator<string, Embedding<float>>? embeddings) =>
        settings.UnionOffline && embeddings is not null and not HashedNgramEmbedder;

    /// <summary>The offline embedder's top k over the same partitions, into <c>{table}_offline</c>.</summary>
    public RetrievalReport RunOffline(RetrievalInputs inputs, string table, int k, HashedNgramStyle style, int threads, CancellationToken cancellationToken) =>
        new EmbeddingRetrieval(_warehouse, EmbeddingSettings.Offline, null, style) { Threads = threads }
            .Run(inputs, _run, table + "_offline", k, new Dictionary<string, long>(StringComparer.Ordinal), "", cancellationToken);

    /// <summary>
    /// Pairs of the provider's <paramref name="table"/> and its offline twin, per partition of <paramref name="scope"/>:
    /// found by one retriever only, or by both.
    /// </summary>
    public static Dictionary<string, RetrievalOverlap> Overlap(CountScope scope, string table, string offlineTable) =>
        scope.Single($"""
            select
                coalesce({scope.Part("p")}, {scope.Part("o")}),
                count(*) filter (where o.left_key is null),
                count(*) filter (where p.left_key is null),
                count(*) filter (where p.left_key is not null and o.left_key is not null)
            from {scope.Table(table)} as p
            full join {scope.Table(offlineTable)} as o on o.left_key = p.left_key and o.right_key = p.right_key{scope.SamePart("o", "p")}
            group by all
            """, r => new RetrievalOverlap(r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)))
            .ToDictionary(p => p.Key, p => p.Value ?? new RetrievalOverlap(0, 0, 0), StringComparer.Ordinal);

    /// <summary>
    /// For a fixed-length candidate list (the district match's 13): replaces <paramref name="table"/> with the two
    /// rankings interleaved — offline's 1st, the provider's 1st, offline's 2nd, … — duplicates kept at their first
    /// place, cut to <paramref name="k"/>. Offline leads because it is the ranking the provider must not undercut.
    /// Rows found by offline alone get the provider's cosine from the embedding cache, so scores stay one scale.
    /// </summary>
    /// <returns>How many of the kept pairs each retriever found.</returns>
    public RetrievalOverlap Interleave(string table, int k, RetrievalInputs inputs, string providerModelId)
    {
        var provider = table + "_provider";
        var cache = new EmbeddingCache(_warehouse);
        _warehouse.Execute($"""
            drop table if exists {_run.Table(provider)};
            alter table {_run.Table(table)} rename to {Sql.Identifier(provider)};
            create table {_run.Table(table)} as
            with
                both_rankings as (
                    select left_key, right_key, rank * 2 as place, null::float as score, '{Offline}' as retriever from {_run.Table(table + "_offline")}
                    union all
                    select left_key, right_key, rank * 2 + 1, score, '{Provider}' from {_run.Table(provider)}
                ),

                deduplicated as (
                    select left_key, right_key, min(place) as place, max(score) as score, list_sort(list(retriever)) as retrievers
                    from both_rankings
                    group by left_key, right_key
                ),

                kept as (
                    select left_key, right_key, cast(row_number() over (partition by left_key order by place, right_key) as integer) as rank, score, retrievers
                    from deduplicated
                    qualify rank <= {Sql.Number(k)}
                )

            select
                k.left_key, k.right_key, k.rank,
                coalesce(k.score, cast(list_inner_product({cache.VectorSql("l." + inputs.LeftText, providerModelId)}, {cache.VectorSql("r." + inputs.RightText, providerModelId)}) as float)) as score,
                k.retrievers
            from kept as k
            join {inputs.Left} as l using (left_key)
            join {inputs.Right} as r using (right_key)
            """);
        var (providerOnly, offlineOnly, both) = _warehouse.Query($"""
            select
                count(*) filter (where retrievers = ['{Provider}']),
                count(*) filter (where retrievers = ['{Offline}']),
                count(*) filter (where len(retrievers) = 2)
            from {_run.Table(table)}
            """, r => (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2))).Single();
        return new RetrievalOverlap(providerOnly, offlineOnly, both);
    }
}
