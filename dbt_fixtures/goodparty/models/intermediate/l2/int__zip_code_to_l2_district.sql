-- Placeholder until the zip -> L2 district model is generated (a later ElectionMatch issue).
select
    cast(null as varchar) as zip_code,
    cast(null as varchar) as state_postal_code,
    cast(null as varchar) as district_type,
    cast(null as varchar) as exploded_district_name
where false
