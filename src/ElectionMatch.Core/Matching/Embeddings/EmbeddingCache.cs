using System.Globalization;
using ElectionMatch.Diagnostics;
using ElectionMatch.Warehouse;
using Microsoft.Extensions.AI;

namespace ElectionMatch.Matching.Embeddings;

/// <summary>
/// Embeddings that cost money or time, kept in the warehouse by (model key, SHA-256 of the text) in
/// <c>electionmatch_cache.embeddings</c>, outside any run schema, so a second run embeds nothing new.
/// The offline embedder is never cached: recomputing it is cheaper than reading it back.
/// </summary>
internal sealed class EmbeddingCache
{
    public const string Schema = "electionmatch_cache";

    private readonly DuckDbWarehouse _warehouse;

    public EmbeddingCache(DuckDbWarehouse warehouse)
    {
        _warehouse = warehouse;
    }

    private static string Table => Sql.Identifier(Schema, "embeddings");

    /// <summary>Embeds every text of <paramref name="textsSql"/> the cache lacks for this model, in batches.</summary>
    /// <param name="askedTable">When given, a table made to hold the SHA-256 (<c>text_sha256</c>) of every text the cache
    /// lacked, which is what is sent: an incremental run's batch tells from it which partition's texts it asked for.</param>
    public (string ModelId, long Generated, long Cached) Ensure(
        IEmbeddingGenerator<string, Embedding<float>> generator, string textsSql, int dimensions, CancellationToken cancellationToken, string? askedTable = null)
    {
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();
        var provider = generator.GetService<Providers.ProviderEmbeddingGenerator>();
        var modelId = ModelKey(metadata?.ProviderName ?? "unknown", metadata?.DefaultModelId ?? "default", dimensions, provider?.TextTask);
        _warehouse.Execute($"create schema if not exists {Sql.Identifier(Schema)}; create table if not exists {Table} (model varchar, text_sha256 varchar, vector float[], primary key (model, text_sha256))");

        var missingSql = $"""
            select distinct t.text
            from (select coalesce(embedding_text, '') as text from ({textsSql})) as t
            anti join (select text_sha256 from {Table} where model = {Sql.Literal(modelId)}) as c on c.text_sha256 = sha256(t.text)
            """;
        if (askedTable is not null)
        {
            _warehouse.Execute($"create or replace table {askedTable} as select sha256(text) as text_sha256 from ({missingSql})");
        }

        var total = _warehouse.Scalar<long>($"select count(distinct coalesce(embedding_text, '')) from ({textsSql})");
        var missingCount = _warehouse.Scalar<long>($"select count(*) from {(askedTable is null ? $"({missingSql})" : askedTable)}");
        provider?.Usage.CacheHit(total - missingCount);
        if (provider is { Replay: true } && missingCount > 0)
        {
            var named = string.Join(", ", _warehouse.Query($"{missingSql} order by t.text limit 5", r => r.GetString(0)).Select(t => Sha256(t)[..12]));
            throw DiagnosticException.At(Codes.ReplayCacheMiss, provider.Usage.Connection.At,
                $"replay: {missingCount} of {total} texts of match '{provider.Match}' (step embeddings, {modelId}) have no vector in {Table}: text sha256 {named}{(missingCount > 5 ? ", …" : "")}. Run without --replay (MSBuild: ElectionMatchReplay=false) to embed them and fill the cache");
        }

        // The texts to embed stream from DuckDB one batch at a time, up to max_concurrency batches in flight (the
        // handler paces and retries each); each answered batch is appended through a second connection (the first
        // is busy streaming) and commits on its own, so an interrupted run keeps what it paid for.
        var missing = _warehouse.Stream($"{missingSql} order by t.text", r => r.GetString(0));
        using var connection = _warehouse.OpenSecondConnection();
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(Math.Max(1, provider?.Usage.Connection.MaxConcurrency ?? 1));
        var appending = new Lock();
        var inFlight = new List<Task>();
        long generated = 0;
        try
        {
            // A slot is taken before the next batch is made, so the batch is cut at the cap the requests before it taught.
            using var batches = Batches(missing, provider).GetEnumerator();
            while (true)
            {
                slots.Wait(failed.Token);
                if (!batches.MoveNext())
                {
                    slots.Release();
                    break;
                }

                var batch = batches.Current;
                inFlight.Add(Task.Run(async () =>
                {
                    try
                    {
                        GeneratedEmbeddings<Embedding<float>> embeddings;
                        try
                        {
                            embeddings = await generator.GenerateAsync(batch, new EmbeddingGenerationOptions { Dimensions = dimensions }, failed.Token).ConfigureAwait(false);
                        }
                        catch (Exception e) when (provider is not null && e is not OperationCanceledException and not OutOfMemoryException)
                        {
                            throw DiagnosticException.At(Codes.ProviderFailed, provider.Usage.Connection.At,
                                $"match '{provider.Match}', step embeddings: {modelId} failed: {Providers.ProviderFailure.Describe(e)}; vectors received so far are cached, so running again resumes without paying for them twice");
                        }

                        lock (appending)
                        {
                            Append(connection, modelId, batch, embeddings, dimensions);
                            generated += batch.Length;
                        }
                    }
                    catch
                    {
                        // The first failure stops the batches not yet sent; those in flight may still answer within their
                        // grace (Providers.Interruption), and their vectors are cached: they are paid for.
                        await failed.CancelAsync().ConfigureAwait(false);
                        throw;
                    }
                    finally
                    {
                        slots.Release();
                    }
                }, CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (failed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // A batch failed; its exception is the one to report, below.
        }
        finally
        {
            // Never leave a batch running against a connection about to close.
            try
            {
                Task.WaitAll(inFlight);
            }
            catch (AggregateException)
            {
                // Inspected below.
            }
        }

        cancellationToken.ThrowIfCancellationRequested();

        // Report the failure that started it, not the cancellations it caused in the other batches.
        if (inFlight.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions).OrderBy(e => e is OperationCanceledException).FirstOrDefault() is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        return (modelId, generated, total - generated);
    }

    /// <summary>
    /// The key a model's vectors are cached under: provider/model/dimensions, and after them the task when the model
    /// reads it from the text (<c>vertex/gemini-embedding-2/768/sentence-similarity</c>). Vectors embedded with another
    /// task, as gemini-embedding-2's were before (a taskType field), are then never read beside these in one run.
    /// </summary>
    internal static string ModelKey(string provider, string model, int dimensions, string? textTask) =>
        $"{provider}/{model}/{dimensions.ToString(CultureInfo.InvariantCulture)}{(textTask is null ? "" : "/" + textTask)}";

    /// <summary>
    /// The texts in batches of <c>batch_size</c>, or of the most a request may hold once the provider's refusal of a
    /// larger one said so (<see cref="Providers.ModelUsage.TextsPerRequest"/>), read again for every batch: each later
    /// batch is then one request, cached as it is answered and sent beside the others, where a batch split inside one
    /// call (as the refused one is) is sent part after part and lost whole if a part fails.
    /// </summary>
    private static IEnumerable<string[]> Batches(IEnumerable<string> texts, Providers.ProviderEmbeddingGenerator? provider)
    {
        var batch = new List<string>();
        foreach (var text in texts)
        {
            batch.Add(text);
            if (batch.Count >= Math.Min(provider?.TextsPerRequest ?? Settings.EmbeddingSettings.DefaultTextsPerRequest, provider?.Usage.TextsPerRequest ?? int.MaxValue))
            {
                yield return [.. batch];
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            yield return [.. batch];
        }
    }

    private static void Append(DuckDB.NET.Data.DuckDBConnection connection, string modelId, string[] batch, GeneratedEmbeddings<Embedding<float>> embeddings, int dimensions)
    {
        if (embeddings.Count != batch.Length)
        {
            throw new InvalidOperationException($"the embedding provider returned {embeddings.Count} vectors for {batch.Length} texts");
        }

        using var appender = connection.CreateAppender(Schema, "embeddings");
        for (var i = 0; i < batch.Length; i++)
        {
            var vector = embeddings[i].Vector.ToArray();
            if (vector.Length != dimensions)
            {
                throw new InvalidOperationException($"the embedding provider returned {vector.Length} dimensions, the settings say {dimensions}");
            }

            appender.CreateRow().AppendValue(modelId).AppendValue(Sha256(batch[i])).AppendValue(vector).EndRow();
        }
    }

    /// <summary>SQL for the cached vector of the text in <paramref name="textColumn"/>.</summary>
    public string VectorSql(string textColumn, string modelId) =>
        $"(select vector from {Table} as c where c.model = {Sql.Literal(modelId)} and c.text_sha256 = sha256(coalesce({textColumn}, '')))";

    private static string Sha256(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
