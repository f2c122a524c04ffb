namespace ElectionMatch.Matching.Judging;

/// <summary>The judge's decision for one row: a candidate number (0 = none of them), a confidence 0–100, and why.</summary>
public sealed record JudgeAnswer(string RowKey, int CandidateNumber, int Confidence, string Reasoning);
