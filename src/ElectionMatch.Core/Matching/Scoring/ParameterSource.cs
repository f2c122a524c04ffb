namespace ElectionMatch.Matching.Scoring;

/// <summary>Where a comparison's m and u come from.</summary>
public enum ParameterSource
{
    /// <summary>u from random pairs inside partitions (fixed), m by expectation maximisation: fields independent of how candidates were found (names).</summary>
    RandomPairs,

    /// <summary>
    /// m from candidate pairs the deterministic rule calls matches, u from candidate pairs the non-match rule
    /// calls non-matches, both fixed: fields that shaped the candidate set (the embedding that retrieved it, the
    /// race's district), whose random-pair u would misstate how often a candidate non-match agrees.
    /// </summary>
    CandidatePairs,
}
