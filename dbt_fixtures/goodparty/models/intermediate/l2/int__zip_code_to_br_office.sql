-- Zip code -> BallotReady office, through the L2 -> BallotReady match (spec 000, match type 3).
with
    zip_code_to_l2_district as (
        select * from {{ ref('int__zip_code_to_l2_district') }}
    ),

    l2_br_match as (
        select * from {{ ref('stg_model_predictions__llm_l2_br_match_20250811') }}
        where is_matched
    )

select
    tbl_zip.zip_code,
    tbl_zip.state_postal_code,
    tbl_zip.district_type,
    tbl_zip.exploded_district_name as district_name,
    tbl_match.br_database_id,
    tbl_match.name as br_position_name,
    tbl_match.confidence
from zip_code_to_l2_district as tbl_zip
left join l2_br_match as tbl_match
    on lower(tbl_zip.exploded_district_name) = lower(tbl_match.l2_district_name)
    and lower(tbl_zip.district_type) = lower(tbl_match.l2_district_type)
    and lower(tbl_zip.state_postal_code) = lower(tbl_match.state)
