-- Offending rows: keys (space_id, user_id) of staging.stg_invited_users with a null part or more than one row.

with model as (

    select * from staging.stg_invited_users

),

final as (

    select
        space_id,
        user_id,
        count(*) as count_rows

    from model
    group by space_id, user_id
    having space_id is null or user_id is null or count(*) > 1

)

select * from final
