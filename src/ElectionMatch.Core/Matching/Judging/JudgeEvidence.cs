namespace ElectionMatch.Matching.Judging;

/// <summary>One candidate of one left row as the judge sees it: both sides' attributes and the comparison levels.</summary>
/// <param name="ContestKey">Rows with the same key go to the judge together, with every candidate of the contest.</param>
/// <param name="CandidateOrder">Candidates are numbered from 1 in this order within a contest.</param>
/// <param name="LeftId">The left row's id as its input has it, for the judge's words; never sent to a model.</param>
internal sealed record JudgeEvidence(
    string ContestKey,
    string Contest,
    long LeftKey,
    string LeftName,
    IReadOnlyDictionary<string, string?> LeftAttributes,
    long RightKey,
    long CandidateOrder,
    string RightName,
    IReadOnlyDictionary<string, string?> RightAttributes,
    IReadOnlyDictionary<string, string> Levels,
    string? LeftId = null)
{
    /// <summary>
    /// The share of a run this row belongs to: a contest is the rows of one key within one part. An incremental run's
    /// batch of state partitions judges each partition's contests apart, as its own run would; empty in any other run.
    /// </summary>
    public string Part { get; init; } = "";
}
