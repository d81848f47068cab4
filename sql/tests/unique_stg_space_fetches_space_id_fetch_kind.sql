-- Offending rows: keys (space_id, fetch_kind) of staging.stg_space_fetches with a null part or more than one row.

with model as (

    select * from staging.stg_space_fetches

),

final as (

    select
        space_id,
        fetch_kind,
        count(*) as count_rows

    from model
    group by space_id, fetch_kind
    having space_id is null or fetch_kind is null or count(*) > 1

)

select * from final
