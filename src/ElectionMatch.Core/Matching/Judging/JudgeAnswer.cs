namespace ElectionMatch.Matching.Judging;

/// <summary>The judge's decision for one row: a candidate number (0 = none of them), a confidence 0–100, and why.</summary>
public sealed record JudgeAnswer(string RowKey, int CandidateNumber, int Confidence, string Reasoning)
{
    /// <summary>Names of other candidates the judge found nearly as fitting (spec 000's <c>close_alternatives</c>).</summary>
    public IReadOnlyList<string> CloseAlternatives { get; init; } = [];
}
