-- Offending rows: a Space that ended before it started, started before it was created,
-- or was scheduled to start before it was created.

with spaces as (

    select * from staging.stg_spaces

),

final as (

    select
        space_id,
        created_at,
        scheduled_start_at,
        started_at,
        ended_at

    from spaces
    where ended_at < started_at
        or started_at < created_at
        or scheduled_start_at < created_at
        or (ended_at is not null and started_at is null)

)

select * from final
