using System.Collections.Concurrent;
using ElectionMatch.Settings;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// What one step (judge or embeddings) of one run asked of its provider: HTTP attempts and retries, cache
/// hits, tokens in and out (from the providers' usage fields), the input tokens read from the provider's prompt cache,
/// the billable input characters (Vertex AI's text embeddings) and the waits before retries. Thread-safe:
/// requests run concurrently.
/// </summary>
public sealed class ModelUsage
{
    private readonly ConcurrentQueue<RetryWait> _waits = new();
    private long _attempts;
    private long _requests;
    private long _cacheHits;
    private long _inputTokens;
    private long _outputTokens;
    private long _cachedInputTokens;
    private long _inputCharacters;
    private long _invalidReplies;
    private long _undecidedRows;
    private long _failedFollowUps;
    private long _refusedForSize;
    private int _textsPerRequest = int.MaxValue;
    private int _largestRefused;

    public ModelUsage(string step, string provider, string model, ModelConnection connection)
    {
        Step = step;
        Provider = provider;
        Model = model;
        Connection = connection;
    }

    public string Step { get; }

    public string Provider { get; }

    public string Model { get; }

    public ModelConnection Connection { get; }

    /// <summary>HTTP attempts, retries included.</summary>
    public long Attempts => Interlocked.Read(ref _attempts);

    /// <summary>Logical requests answered by the network (a judge call, a batch of texts to embed).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    public long CacheHits => Interlocked.Read(ref _cacheHits);

    public long InputTokens => Interlocked.Read(ref _inputTokens);

    public long OutputTokens => Interlocked.Read(ref _outputTokens);

    /// <summary>Input tokens the provider read from its prompt cache (Vertex AI's cachedContentTokenCount, OpenAI's cached_tokens); among <see cref="InputTokens"/>.</summary>
    public long CachedInputTokens => Interlocked.Read(ref _cachedInputTokens);

    /// <summary>Billable input characters, as Vertex AI's predict reply counts them (metadata.billableCharacterCount); 0 from other providers.</summary>
    public long InputCharacters => Interlocked.Read(ref _inputCharacters);

    /// <summary>Replies that failed validation (each one was answered with a follow-up stating the error).</summary>
    public long InvalidReplies => Interlocked.Read(ref _invalidReplies);

    public long UndecidedRows => Interlocked.Read(ref _undecidedRows);

    /// <summary>Follow-ups to an invalid reply that got no answer: refused, failed past their retries, or not sent because the run was stopped.</summary>
    public long FailedFollowUps => Interlocked.Read(ref _failedFollowUps);

    /// <summary>Embedding requests the provider refused for their size (too many texts or tokens), each sent again in parts.</summary>
    public long RefusedForSize => Interlocked.Read(ref _refusedForSize);

    /// <summary>The most texts an embedding request may hold, as a refusal said; null while none said so.</summary>
    public int? TextsPerRequest => Volatile.Read(ref _textsPerRequest) is var most && most < int.MaxValue ? most : null;

    /// <summary>The most texts a request the provider refused for their number held.</summary>
    public int LargestRefused => Volatile.Read(ref _largestRefused);

    /// <summary>Every wait before a retry, in the order they happened.</summary>
    public IReadOnlyList<RetryWait> RetryWaits => _waits.ToArray();

    /// <summary>Null when the connection sets no price: the cost is not estimated.</summary>
    public double? EstimatedCost => Connection.EstimatedCost(InputTokens, OutputTokens, CachedInputTokens, InputCharacters);

    /// <summary>Test seam: runs on the attempt's thread as each HTTP attempt is counted, so a test can stop the run at that step.</summary>
    internal Action? AttemptCounted { get; set; }

    internal void AttemptStarted()
    {
        Interlocked.Increment(ref _attempts);
        AttemptCounted?.Invoke();
    }

    internal void Answered(long inputTokens, long outputTokens, long cachedInputTokens = 0, long inputCharacters = 0)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _inputTokens, inputTokens);
        Interlocked.Add(ref _outputTokens, outputTokens);
        Interlocked.Add(ref _cachedInputTokens, cachedInputTokens);
        Interlocked.Add(ref _inputCharacters, inputCharacters);
    }

    internal void CacheHit(long count = 1) => Interlocked.Add(ref _cacheHits, count);

    internal void InvalidReply() => Interlocked.Increment(ref _invalidReplies);

    internal void Undecided(long rows) => Interlocked.Add(ref _undecidedRows, rows);

    internal void FollowUpFailed() => Interlocked.Increment(ref _failedFollowUps);

    internal void Waited(RetryWait wait) => _waits.Enqueue(wait);

    /// <summary>An embedding request of <paramref name="texts"/> texts was refused for its size; <paramref name="most"/>, when the refusal named it, is the most a request may hold.</summary>
    internal void Refused(int texts, int? most)
    {
        Interlocked.Increment(ref _refusedForSize);
        if (most is not { } allowed)
        {
            return;
        }

        int seen;
        while (allowed < (seen = Volatile.Read(ref _textsPerRequest)) && Interlocked.CompareExchange(ref _textsPerRequest, allowed, seen) != seen)
        {
        }

        while (texts > (seen = Volatile.Read(ref _largestRefused)) && Interlocked.CompareExchange(ref _largestRefused, texts, seen) != seen)
        {
        }
    }
}
