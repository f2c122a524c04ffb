namespace ElectionMatch.Synthesis;

/// <summary>One DDHQ results row (a candidate in a race), in the columns of goodparty's <c>ddhq_gdrive_election_results</c>.</summary>
/// <param name="RaceStyle">How the race prints names: <see cref="Perturbation.UpperCaseBallot"/>, <see cref="Perturbation.LastFirstBallot"/>.</param>
internal sealed record ResultRow(
    long RaceId,
    string RaceName,
    long CandidateId,
    string Candidate,
    string CandidateParty,
    bool IsWinner,
    long Votes,
    DateOnly ElectionDate,
    string State,
    string ElectionType,
    string Office,
    string? District,
    bool IsUncontested,
    Perturbation RaceStyle);
