namespace ElectionMatch.Matching.Retrieval;

/// <summary>What the top-k stage searches, as tables in the run schema.</summary>
/// <param name="Left">Left rows with <c>group_id</c>, <c>left_key</c> and the text column <paramref name="LeftText"/>.</param>
/// <param name="Members">The right rows each partition searches: <c>(group_id, right_key)</c>.</param>
/// <param name="Right">Right rows with <c>right_key</c> and the text column <paramref name="RightText"/>.</param>
/// <param name="GroupFamilies">
/// Optional SQL yielding <c>(group_id, family)</c>: groups of one family share right rows (a results row is in its state's
/// partition and the stateless one of its date), so the stage keeps a family in one stream chunk, where each of its
/// right rows is embedded once. Consecutive groups should share a family; null makes each group its own.
/// </param>
/// <param name="Embedded">
/// Optional table whose <c>right_key</c> names the right rows the offline embedder embeds (default <paramref name="Members"/>):
/// a superset keeps the vectors of rows a later stage asks for (<see cref="RightSlab"/>), though retrieval never searches them.
/// </param>
internal sealed record RetrievalInputs(string Left, string LeftText, string Members, string Right, string RightText, string? GroupFamilies = null, string? Embedded = null);
