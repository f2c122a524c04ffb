-- Hand-written when the 20251112 upload landed (the manual path ElectionMatch replaces).
with
    source as (
        select * from {{ source('model_predictions', 'candidacy_ddhq_matches_20251112') }}
    ),

    renamed as (
        select
            gp_candidacy_id,
            hubspot_first_name,
            hubspot_last_name,
            cast(hubspot_election_date as date) as hubspot_election_date,
            hubspot_election_type,
            llm_best_match,
            llm_confidence,
            llm_reasoning,
            has_match,
            ddhq_candidate,
            ddhq_race_name,
            ddhq_race_id,
            ddhq_candidate_id,
            ddhq_is_winner,
            match_similarity,
            embedding_text
        from source
    )

select * from renamed
