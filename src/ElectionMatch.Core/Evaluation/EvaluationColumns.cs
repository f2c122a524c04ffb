namespace ElectionMatch.Evaluation;

/// <summary>Where a kind of match keeps what evaluate reads: its ids, its link flag and its words about each decision.</summary>
/// <param name="LeftId">Column of the left id (a truth file's first column).</param>
/// <param name="RightId">Column of the right id (a truth file's last column).</param>
/// <param name="Matched">Boolean column: the row was linked.</param>
/// <param name="Reasoning">Column of the decision's reasoning.</param>
/// <param name="LeftNameSql">SQL naming the left row for a reader.</param>
/// <param name="BestMatchSql">SQL naming the right row shown for the left row (linked or best).</param>
/// <param name="DetailSql">SQL telling rows of one left id apart (the election type), or placing it (the state).</param>
public sealed record EvaluationColumns(string LeftId, string RightId, string Matched, string Reasoning, string LeftNameSql, string BestMatchSql, string DetailSql)
{
    /// <summary>What the retrieval tier searched in a run, for recall@k per embedding model; null when the kind has none.</summary>
    public RetrievalColumns? Retrieval { get; init; }

    /// <summary>
    /// A truth file's column holding what <see cref="DetailSql"/> holds (a candidacy's election type), when the file has it:
    /// a miss is then told with the reasoning of its own row, not with every row of its left id.
    /// </summary>
    public string? TruthDetailColumn { get; init; }
}
