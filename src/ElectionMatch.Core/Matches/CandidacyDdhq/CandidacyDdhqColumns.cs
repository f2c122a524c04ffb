using ElectionMatch.Matching;

namespace ElectionMatch.Matches.CandidacyDdhq;

/// <summary>The output of <c>candidacy_ddhq_matches</c>: spec 000's columns in its order, then ours.</summary>
internal static class CandidacyDdhqColumns
{
    public static IReadOnlyList<OutputColumn> All { get; } =
    [
        new("gp_candidacy_id", "GoodParty candidacy identifier (the left input's id).", NotNull: true),
        new("hubspot_first_name", "Candidate first name as in HubSpot."),
        new("hubspot_last_name", "Candidate last name as in HubSpot."),
        new("hubspot_election_date", "Election date of this stage of the candidacy.", NotNull: true),
        new("hubspot_election_type", "'primary', 'general' or 'runoff'.", NotNull: true),
        new("llm_best_match", "Best DDHQ candidate name chosen by the deciding tier (judge or score)."),
        new("llm_confidence", "Confidence 0-100 of the decision.", NotNull: true, Range: (0, 100)),
        new("llm_reasoning", "Why the decision was made, in words."),
        new("has_match", "Whether a match was found at or above the acceptance threshold.", NotNull: true),
        new("ddhq_candidate", "Matched DDHQ candidate name."),
        new("ddhq_race_name", "DDHQ race name."),
        new("ddhq_race_id", "DDHQ race identifier."),
        new("ddhq_candidate_id", "DDHQ candidate identifier (the right input's id); each links at most once.", Unique: true),
        new("ddhq_is_winner", "Whether the matched candidate won the race."),
        new("match_similarity", "Similarity of the two names, 0-1."),
        new("embedding_text", "Labelled text that describes the left row: 'name: … | race: …'."),
        new("match_probability", "Probability that the pair is a match, 0-1."),
        new("match_weight", "Match weight (log2 Bayes factor) of the pair; null where the tier does not score."),
        new("decided_by", "Which tier decided: score, judge, rule or none.", NotNull: true),
        new("match_explanation", "JSON of the per-field evidence behind the decision."),
    ];
}
