-- Every state's L2 voter file in one uniform layout.
select * from {{ source('l2_source', 'l2_nationwide_uniform') }}
