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

    /// <summary>
    /// m fixed at each level's <see cref="ComparisonLevel.InitialM"/>, u (starting from all candidate pairs) and λ by
    /// expectation maximisation, or in a model trained by rule, u from the candidate pairs outside the deterministic rule
    /// and λ that rule's share: fields whose agreement among true matches is known from the domain, where EM on m
    /// would chase a correlated cluster instead (13 candidate districts of a position share kind, place and level far
    /// more often than they are the match).
    /// </summary>
    FixedM,
}
