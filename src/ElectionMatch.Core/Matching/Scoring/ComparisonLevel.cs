namespace ElectionMatch.Matching.Scoring;

/// <summary>One level of a comparison: a SQL condition over the pair's <c>l_*</c> and <c>r_*</c> columns.</summary>
/// <param name="Condition">Null for the last level, which takes every pair the others did not.</param>
/// <param name="InitialM">Starting guess of P(level | match) for expectation maximisation.</param>
/// <param name="Veto">A disagreement no weight of evidence elsewhere may overrule by score alone (spec 000: a
/// different first name is never the same candidate); such a pair can only be linked by the judge.</param>
/// <param name="NotAbove">An earlier level whose weight this one's may not exceed (a close spelling is no better evidence
/// than a listed nickname): when training gives it more, the two share one weight (<see cref="LevelOrder"/>).</param>
/// <param name="TermFrequencyPenaltyColumn">The pair column holding the frequency of the value a pair at this level rests on
/// (one word of a compound surname shared, or the candidacy's surname a close spelling is near): a common value lowers the level's weight by log2(u_exact / frequency), as the
/// comparison's <see cref="Comparison.TermFrequencyColumn"/> adjusts its first level, but a rare one never raises it.</param>
public sealed record ComparisonLevel(string Name, string? Condition, double InitialM, bool Veto = false, string? NotAbove = null, string? TermFrequencyPenaltyColumn = null);
