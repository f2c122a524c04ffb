-- Candidacies with their official result, from the DDHQ match.
with
    candidacy as (
        select * from {{ source('airbyte_source', 'hubspot_api_candidacy') }}
    ),

    ddhq_match as (
        select * from {{ ref('stg_model_predictions__candidacy_ddhq_matches_20251112') }}
        where has_match and llm_confidence >= 70
    )

select
    candidacy.gp_candidacy_id,
    candidacy.first_name,
    candidacy.last_name,
    ddhq_match.hubspot_election_type as election_stage,
    ddhq_match.hubspot_election_date as election_date,
    ddhq_match.ddhq_race_id,
    ddhq_match.ddhq_candidate_id,
    ddhq_match.ddhq_is_winner as is_winner,
    ddhq_match.llm_confidence as match_confidence
from candidacy
inner join ddhq_match on ddhq_match.gp_candidacy_id = candidacy.gp_candidacy_id
