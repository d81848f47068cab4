-- Offending rows: a Space whose creator is not in staging.stg_users (checked once users
-- were expanded at all).

with spaces as (

    select * from staging.stg_spaces

),

users as (

    select * from staging.stg_users

),

final as (

    select
        spaces.space_id,
        spaces.creator_id

    from spaces
    where exists (select 1 from users)
        and not exists (select 1 from users where users.user_id = spaces.creator_id)

)

select * from final
