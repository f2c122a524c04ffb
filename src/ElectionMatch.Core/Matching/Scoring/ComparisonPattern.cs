namespace ElectionMatch.Matching.Scoring;

/// <summary>A distinct comparison vector (one level per comparison) and how many candidate pairs have it.</summary>
public sealed record ComparisonPattern(byte[] Levels, long Count);
