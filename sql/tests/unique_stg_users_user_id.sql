-- Offending rows: values of staging.stg_users.user_id that are null or appear more than once.

with model as (

    select * from staging.stg_users

),

final as (

    select
        user_id,
        count(*) as count_rows

    from model
    group by user_id
    having user_id is null or count(*) > 1

)

select * from final
