using System.Globalization;

namespace ElectionMatch.Matching.Retrieval;

/// <summary>Candidate pairs of a united retrieval, by the retriever that found them: the provider, offline, or both.</summary>
public sealed record RetrievalOverlap(long ProviderOnly, long OfflineOnly, long Both)
{
    /// <summary>Adds <c>{prefix}retrieval_pairs_provider_only</c>, <c>…_offline_only</c> and <c>…_both</c> to a run's counts.</summary>
    public void AddTo(IDictionary<string, long> counts, string prefix)
    {
        counts[prefix + "retrieval_pairs_provider_only"] = ProviderOnly;
        counts[prefix + "retrieval_pairs_offline_only"] = OfflineOnly;
        counts[prefix + "retrieval_pairs_both"] = Both;
    }

    public string Note() => string.Create(CultureInfo.InvariantCulture,
        $"united with the offline embedder: {ProviderOnly:N0} pairs found by the provider only, {OfflineOnly:N0} by offline only, {Both:N0} by both");
}
