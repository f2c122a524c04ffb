using ElectionMatch.Evaluation;
using ElectionMatch.Matching;

namespace ElectionMatch.Matches.L2BallotReady;

/// <summary>The output of <c>llm_l2_br_match</c>: spec 000's columns in its order, then ours.</summary>
internal static class L2BallotReadyColumns
{
    public static IReadOnlyList<OutputColumn> All { get; } =
    [
        new("br_database_id", "BallotReady position unique identifier (the left input's id).", NotNull: true, Unique: true) { From = new("left", InputColumnRole.Id) },
        new("name", "BallotReady position name.", NotNull: true),
        new("state", "State postal code: the position's, or for a position whose state is blank the one state whose districts fit it (null when none or several do)."),
        new("l2_district_name", "Matched L2 district name (null when no district fits)."),
        new("l2_district_type", "Matched L2 district type."),
        new("is_matched", "Whether a district was matched.", NotNull: true),
        new("llm_reason", "Why the decision was made, in words: the judge's reasoning, or the score tier's or a rule's."),
        new("confidence", "Confidence 0-100 of whoever decided: in the district when is_matched, else in 'no district fits'.", NotNull: true, Range: (0, 100)),
        new("top_embedding_score", "The first candidate's embedding similarity, the best of the top 10 (the state-level district's may be higher), to 4 decimals."),
        new("embeddings", "JSON: the candidates in order (top 10 by similarity, the state-level district, 2 buffer) with district_name, district_type and score."),
        new("alternative_matches", "JSON list of close alternatives (district names)."),
        new("embedding_queried_term", "The query embedded for the search: 'race name: …'."),
        new("l2_district_id", "The matched district's id (the right input's id); positions may share a district.") { From = new("right", InputColumnRole.Id) },
        new("selected_candidate_number", "The candidate chosen, 1-13 in the embeddings list, or 0 for none (spec 000's selected_candidate_number).", NotNull: true, Range: (0, 13)),
        new("match_probability", "Fellegi-Sunter probability that the shown pair is a match, 0-1 (null when no pair was scored)."),
        new("match_weight", "Match weight of the shown pair in bits: the prior plus every field's log2(m/u)."),
        new("decided_by", "Which tier decided: score (accepted or rejected by match probability), judge (the ambiguous band), rule (an office above state level, or a position whose state is blank and whose fitting districts are in no one state), or none (no district in the state).", NotNull: true),
        new("match_explanation", "JSON: the prior and each field's level and weight for the shown pair, the office kind and district number read from the position, the seat ignored, and the judge's selection in spec 000's contract."),
        new("l2_district_other_names", "Other names the L2 district list gives the matched district: rows read as the same district under another id, quarantined as repeats (EMQ301), which the zip code models join voters on too; empty when none, null when no district was matched."),
    ];

    /// <summary>The right id is the L2 district's id column: name and type are not unique across states.</summary>
    public static EvaluationColumns Evaluation { get; } = new(
        "br_database_id", "l2_district_id", "is_matched", "llm_reason", "name",
        "json_extract_string(embeddings, '$[' || (coalesce(cast(match_explanation->>'candidate_number' as integer), 1) - 1) || '].district_name')",
        "state")
    {
        Retrieval = new RetrievalColumns("embedding_queried_term", "l.left_id_value", "r.right_id_value", Matching.Embeddings.HashedNgramStyle.Districts) { Interleaved = true },
        // Spec 000's files (today's pipeline's) have no district id: dbt joins them on type and name, and state makes it one district.
        // A run writes one row per position it keeps (explain, which tells candidacies' rows apart, does not take districts).
        NoRowCause = "the run's quarantine holds no position with this id, and a run writes one row for every position it keeps: the position was not in its left input under this id (removed, or its id changed)",
        RowForEveryKeptLeftRow = true,
        RightIdLookup = [new("state", "state"), new("l2_district_type", "district_type"), new("l2_district_name", "district_name")],
    };
}
