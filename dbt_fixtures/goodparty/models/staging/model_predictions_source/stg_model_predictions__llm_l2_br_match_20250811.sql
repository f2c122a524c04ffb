-- Hand-written when the 20250811 upload landed.
with
    source as (
        select * from {{ source('model_predictions', 'llm_l2_br_match_20250811') }}
    )

select
    br_database_id,
    name,
    state,
    l2_district_name,
    l2_district_type,
    is_matched,
    llm_reason,
    confidence,
    top_embedding_score,
    embeddings,
    alternative_matches,
    embedding_queried_term
from source
