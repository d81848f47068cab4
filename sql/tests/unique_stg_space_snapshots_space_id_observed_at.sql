-- Offending rows: keys (space_id, observed_at) of staging.stg_space_snapshots with a null part or more than one row.

with model as (

    select * from staging.stg_space_snapshots

),

final as (

    select
        space_id,
        observed_at,
        count(*) as count_rows

    from model
    group by space_id, observed_at
    having space_id is null or observed_at is null or count(*) > 1

)

select * from final
