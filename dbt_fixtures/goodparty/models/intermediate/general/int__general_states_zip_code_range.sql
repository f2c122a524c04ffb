-- Each state's zip code range as [low, high] five-digit zip codes; a state may have several rows.
select
    state_postal_code,
    [lpad(cast(zip_code_min as varchar), 5, '0'), lpad(cast(zip_code_max as varchar), 5, '0')] as zip_code_range
from {{ source('reference', 'states_zip_code_range') }}
