-- Offending rows: a host whose user is not in staging.stg_users. Users arrive with the
-- Spaces (expansions) and the buyers pages, so every host is known once users were
-- expanded at all (a dataset loaded without user expansions has no users: not checked).

with listed as (

    select * from staging.stg_hosts

),

users as (

    select * from staging.stg_users

),

final as (

    select listed.*

    from listed
    where exists (select 1 from users)
        and not exists (select 1 from users where users.user_id = listed.user_id)

)

select * from final
