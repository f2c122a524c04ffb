namespace ElectionMatch.Matching.Retrieval;

/// <summary>What the top-k stage did: partitions searched, the biggest one, and inner products computed.</summary>
public sealed record RetrievalReport(long Partitions, long LeftRows, long RightRows, long PairsCompared, long LargestLeft, long LargestRight, long CandidatesWritten);
