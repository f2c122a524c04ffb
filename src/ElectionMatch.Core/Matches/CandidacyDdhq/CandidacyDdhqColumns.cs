using ElectionMatch.Evaluation;
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
        new("llm_best_match", "The DDHQ candidate shown for this row: the linked one, else the judge's choice, else the best scored."),
        new("llm_confidence", "Confidence 0-100 of the decision.", NotNull: true, Range: (0, 100)),
        new("llm_reasoning", "Why the decision was made, in words."),
        new("has_match", "Whether a match was found at or above the acceptance threshold.", NotNull: true),
        new("ddhq_candidate", "Matched DDHQ candidate name."),
        new("ddhq_race_name", "DDHQ race name."),
        new("ddhq_race_id", "DDHQ race identifier.") { From = new("right", "race_id") },
        new("ddhq_candidate_id", "DDHQ candidate identifier (the right input's id); each links at most once.", Unique: true) { From = new("right", InputColumnRole.Id) },
        new("ddhq_is_winner", "Whether the matched candidate won the race.") { From = new("right", "is_winner") },
        new("match_similarity", "Cosine similarity of the two labelled texts' embeddings (null when the pair was found by blocking only)."),
        new("embedding_text", "Labelled text that describes the left row: 'name: … | race: …'."),
        new("match_probability", "Fellegi-Sunter probability that the shown pair is a match, 0-1 (null when no pair was scored)."),
        new("match_weight", "Match weight of the shown pair in bits: the prior plus every field's log2(m/u)."),
        new("decided_by", "Which tier decided: score (accepted or rejected by match probability), judge (the ambiguous band), or none (no candidate pair).", NotNull: true),
        new("match_explanation", "JSON: the prior and each field's level and weight for the shown pair, candidates compared, the blocking rules that found it, and whether a runoff fallback or discovery applied."),
    ];

    public static EvaluationColumns Evaluation { get; } = new(
        "gp_candidacy_id", "ddhq_candidate_id", "has_match", "llm_reasoning",
        "hubspot_first_name || ' ' || hubspot_last_name", "llm_best_match", "hubspot_election_type")
    {
        Retrieval = new RetrievalColumns("embedding_text", "l.left_id", "r.right_id_value", Matching.Embeddings.HashedNgramStyle.Labelled),
        TruthDetailColumn = "election_type",
        RowDateSql = "hubspot_election_date",
        NoRowCause = "quarantined, its election removed by the temporal filter, or a runoff the candidacy does not list that the run did not discover or did not link; `explain` says which",
    };
}
