namespace ElectionMatch.Evaluation;

/// <summary>How many truth pairs (whose right row was in the left row's partition) one model's top k found.</summary>
public sealed record RecallResult(string Model, int K, long Found, long TruthPairs)
{
    /// <summary>A provider model united with the offline embedder, as a run with <c>embeddings: union_offline</c> retrieves.</summary>
    public bool United { get; init; }

    /// <summary>
    /// Read from the run's own top k (its blocks, <see cref="RetrievalRecall.MaxRankedPairs"/> exceeded) instead of
    /// ranking every pair of each partition again.
    /// </summary>
    public bool FromRun { get; init; }

    /// <summary>Found over truth pairs; null when no truth pair's right row was in its left row's partition (none to find).</summary>
    public double? Recall => TruthPairs == 0 ? null : (double)Found / TruthPairs;
}
