using System.Globalization;
using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Matching.Embeddings;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Evaluation;

/// <summary>
/// The retrieval tier's recall@k against a truth file, once per embedding model: the offline embedder (recomputed)
/// and every provider model whose cached vectors cover all the texts of the match's latest run. A truth pair counts
/// when its right row is among the top k of its left row's partition by inner product — the same search the run
/// made — so a provider model can be compared with the offline one before a team switches. With
/// <c>embeddings: union_offline</c> each provider model is also scored united with offline, as a run uses it.
/// </summary>
public static class RetrievalRecall
{
    /// <returns>Nothing when the run's tables are gone (evaluate then reports only the snapshot).</returns>
    /// <param name="united">Also score each provider model united with the offline embedder (<c>embeddings: union_offline</c>).</param>
    /// <param name="offlineTopK">The run's table of the offline embedder's top k (<c>retrieved</c> for an offline run,
    /// <c>retrieved_offline</c> for a provider united with offline), or null when the run searched without it.</param>
    /// <param name="maxRankedPairs">Above this many partition pairs the run's own top k is read (<see cref="MaxRankedPairs"/>).</param>
    /// <param name="truthColumns">The match's columns, to read the truth file's ids by name as <see cref="TruthEvaluator"/> does; null: first and last column.</param>
    public static IReadOnlyList<RecallResult> Compare(DuckDbWarehouse warehouse, RunSchema run, string truthPath, RetrievalColumns columns, EmbeddingSettings offline, int k, bool united = false, string? offlineTopK = null, long maxRankedPairs = MaxRankedPairs, EvaluationColumns? truthColumns = null)
    {
        TruthEvaluator.LoadTruth(warehouse, truthPath, truthColumns);
        if (!warehouse.TableExists(run.Name, "left_keyed") || !warehouse.TableExists(run.Name, "right_members") || !warehouse.TableExists(run.Name, "right_keyed"))
        {
            return [];
        }

        // Ranking every pair of every partition again is a window over their cross product: at 100,000 synthetic
        // candidacies it took 21 GB and filled the disk. Above the cap the run's own offline top k answers instead
        // (its blocks, as it searched), and provider models are not compared.
        var offlineModel = $"offline/{offline.Model}/{offline.Dimensions.ToString(CultureInfo.InvariantCulture)}";
        var pairs = RankedPairs(warehouse, run);
        if (pairs > maxRankedPairs)
        {
            if (offlineTopK is not { } table || !warehouse.TableExists(run.Name, table))
            {
                return [];
            }

            var (found, total) = Count(warehouse, run, columns, $"scored as (select left_key, right_key, rank from {run.Table(table)})", $"s.rank <= {k}");
            return [new RecallResult(offlineModel, k, found, total) { FromRun = true }];
        }

        warehouse.Execute($"""
            create or replace temp table em_retrieval_texts as
            select distinct coalesce({Sql.Identifier(columns.LeftText)}, '') as text from {Searched(warehouse, run)}
            union
            select coalesce(r.embedding_text, '') from {run.Table("right_keyed")} as r semi join {run.Table("right_members")} using (right_key);
            create or replace temp table em_retrieval_vectors (model varchar, text_sha256 varchar, vector float[]);
            """);

        var results = new List<RecallResult>();
        FillOffline(warehouse, offlineModel, offline, columns.Style);
        results.Add(Recall(warehouse, run, columns, offlineModel, k));

        if (warehouse.TableExists(EmbeddingCache.Schema, "embeddings"))
        {
            var covering = warehouse.Query($"""
                select c.model
                from {Sql.Identifier(EmbeddingCache.Schema, "embeddings")} as c
                semi join em_retrieval_texts as t on c.text_sha256 = sha256(t.text)
                group by c.model
                having count(distinct c.text_sha256) = (select count(*) from em_retrieval_texts)
                order by c.model
                """, r => r.GetString(0));
            foreach (var model in covering)
            {
                warehouse.Execute($"""
                    insert into em_retrieval_vectors
                    select model, text_sha256, vector from {Sql.Identifier(EmbeddingCache.Schema, "embeddings")} where model = {Sql.Literal(model)}
                    """);
                results.Add(Recall(warehouse, run, columns, model, k));
                if (united)
                {
                    results.Add(UnionRecall(warehouse, run, columns, offlineModel, model, k));
                }
            }
        }

        return results;
    }

    /// <summary>The most pairs (left row × results row of its partition) ranked again in SQL; above it, the run's own top k is read.</summary>
    public const long MaxRankedPairs = 50_000_000;

    /// <summary>The pairs ranking every partition again would window over.</summary>
    public static long RankedPairs(DuckDbWarehouse warehouse, RunSchema run) => warehouse.Scalar<long>($"""
        select coalesce(sum(l.n * m.n), 0)::bigint
        from (select group_id, count(*) as n from {run.Table("left_keyed")} group by group_id) as l
        join (select group_id, count(*) as n from {run.Table("right_members")} group by group_id) as m using (group_id)
        """);

    private static void FillOffline(DuckDbWarehouse warehouse, string model, EmbeddingSettings offline, HashedNgramStyle style)
    {
        var embedder = new HashedNgramEmbedder(offline.Dimensions, offline.Model, style);
        var texts = warehouse.Query("select text, sha256(text) from em_retrieval_texts", r => (Text: r.GetString(0), Sha: r.GetString(1)));
        // Temp tables live in the temp catalog: evaluate opens the warehouse read-only.
        using var appender = warehouse.Connection.CreateAppender("temp", "main", "em_retrieval_vectors");
        foreach (var (text, sha) in texts)
        {
            var vector = new float[offline.Dimensions];
            embedder.Embed(text, vector);
            appender.CreateRow().AppendValue(model).AppendValue(sha).AppendValue(vector).EndRow();
        }
    }

    private static RecallResult Recall(DuckDbWarehouse warehouse, RunSchema run, RetrievalColumns columns, string model, int k)
    {
        var (found, total) = Count(warehouse, run, columns, RankedScoredSql(run, columns, model), $"s.rank <= {k}");
        return new RecallResult(model, k, found, total);
    }

    /// <summary>
    /// The provider's and the offline top k united as a run unites them: either one's top k (candidacies), or the
    /// first k of the two rankings interleaved, offline first, duplicates at their first place (a fixed-length list).
    /// </summary>
    private static RecallResult UnionRecall(DuckDbWarehouse warehouse, RunSchema run, RetrievalColumns columns, string offlineModel, string model, int k)
    {
        var scored = $"""
            ranked_offline as ({RankedSql(run, columns, offlineModel)}),

            ranked_provider as ({RankedSql(run, columns, model)}),

            scored as (
                select o.left_key, o.right_key, o.rank as offline_rank, p.rank as provider_rank,
                    row_number() over (partition by o.left_key order by least(o.rank * 2, p.rank * 2 + 1), o.right_key) as interleaved
                from ranked_offline as o
                join ranked_provider as p using (left_key, right_key)
            )
            """;
        var (found, total) = Count(warehouse, run, columns, scored, columns.Interleaved ? $"s.interleaved <= {k}" : $"(s.offline_rank <= {k} or s.provider_rank <= {k})");
        return new RecallResult($"{model}+offline", k, found, total) { United = true };
    }

    /// <summary>The CTE <c>scored</c> of <see cref="Count"/>: <see cref="RankedSql"/>.</summary>
    internal static string RankedScoredSql(RunSchema run, RetrievalColumns columns, string model) => $"scored as ({RankedSql(run, columns, model)})";

    /// <summary>
    /// Every pair of the partition of each left row of a truth pair (<c>truth_pairs</c>, which <see cref="Count"/> holds)
    /// ranked by the inner product of one model's vectors; other left rows' ranks count nowhere.
    /// </summary>
    /// <remarks>
    /// The window reads only the keys and the product: with the vectors in its input it sorted every pair's two vectors
    /// (26M pairs at 20,000 synthetic candidacies: 20 GB of memory, far past memory_limit). Each text's vector is joined
    /// once per row, not once per pair.
    /// </remarks>
    private static string RankedSql(RunSchema run, RetrievalColumns columns, string model) => $"""
        select left_key, right_key, row_number() over (partition by left_key order by similarity desc, right_key) as rank
        from (
            select l.left_key, m.right_key, list_inner_product(l.vector, r.vector) as similarity
            from (
                select l.left_key, l.group_id, v.vector
                from {run.Table("left_keyed")} as l
                join em_retrieval_vectors as v
                    on v.model = {Sql.Literal(model)} and v.text_sha256 = sha256(coalesce(l.{Sql.Identifier(columns.LeftText)}, ''))
                semi join truth_pairs as t on t.left_key = l.left_key
            ) as l
            join {run.Table("right_members")} as m using (group_id)
            join (
                select r.right_key, v.vector
                from {run.Table("right_keyed")} as r
                join em_retrieval_vectors as v
                    on v.model = {Sql.Literal(model)} and v.text_sha256 = sha256(coalesce(r.embedding_text, ''))
            ) as r on r.right_key = m.right_key
        )
        """;

    /// <summary>
    /// The left rows the run's retrieval searched: all of them, but for those the deterministic tier paired (<c>exact_pairs</c>,
    /// candidacy runs), which retrieval never searched and a provider never embedded.
    /// </summary>
    private static string Searched(DuckDbWarehouse warehouse, RunSchema run) =>
        warehouse.TableExists(run.Name, "exact_pairs") ? CandidacyDdhqMatcher.SearchedSql(run, "") : run.Table("left_keyed");

    /// <summary>Truth pairs whose right row was in a searched left row's partition, and how many of them <paramref name="found"/> holds for.</summary>
    /// <param name="scored">CTEs ending in <c>scored</c>, which may read <c>truth_pairs</c> (the left rows worth ranking).</param>
    private static (long Found, long Total) Count(DuckDbWarehouse warehouse, RunSchema run, RetrievalColumns columns, string scored, string found) =>
        warehouse.Query(CountSql(warehouse, run, columns, scored, found), r => (r.GetInt64(0), r.GetInt64(1))).Single();

    /// <summary>The query of <see cref="Count"/>, for a test to read its plan.</summary>
    internal static string CountSql(DuckDbWarehouse warehouse, RunSchema run, RetrievalColumns columns, string scored, string found) => $"""
            with
                truth_pairs as (
                    select distinct l.left_key, r.right_key
                    from em_truth as t
                    join {run.Table("left_keyed")} as l on {IdText.Of(columns.LeftId)} = t.left_id
                    join {run.Table("right_keyed")} as r on {IdText.Of(columns.RightId)} = t.right_id
                    semi join {run.Table("right_members")} as m on m.group_id = l.group_id and m.right_key = r.right_key
                    semi join {Searched(warehouse, run)} as x on x.left_key = l.left_key
                ),

                {scored}

            select count(*) filter (where {found}), count(*)
            from truth_pairs as p
            left join scored as s using (left_key, right_key)
            """;
}
