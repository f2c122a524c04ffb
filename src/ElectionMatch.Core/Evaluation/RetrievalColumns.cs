using ElectionMatch.Matching.Embeddings;

namespace ElectionMatch.Evaluation;

/// <summary>
/// Where a kind's run keeps what its retrieval tier searched, in the run schema: <c>left_keyed</c> (group_id,
/// left_key, the text, the left id), <c>right_members</c> (group_id, right_key) and <c>right_keyed</c> (right_key,
/// embedding_text, the right id), and how its offline embedder reads the texts.
/// </summary>
/// <param name="LeftText">The left text column embedded for the search.</param>
/// <param name="LeftId">SQL for the left id as the truth file writes it.</param>
/// <param name="RightId">SQL for the right id as the truth file writes it.</param>
public sealed record RetrievalColumns(string LeftText, string LeftId, string RightId, HashedNgramStyle Style)
{
    /// <summary>The run keeps a fixed-length list, so a provider's ranking is interleaved with offline's, not united as sets.</summary>
    public bool Interleaved { get; init; }
}
