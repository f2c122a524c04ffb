namespace ElectionMatch.Synthesis;

/// <summary>A true (candidacy stage, results row) pair and what the matcher had to overcome to find it.</summary>
internal sealed record TruthPair(string GpCandidacyId, string ElectionType, long DdhqCandidateId, Perturbation Perturbations);
