-- Offending rows: a live_now row not observed at the latest load, or whose Space is not
-- known to have started.

with live_now as (

    select * from analytics.live_now

),

loads as (

    select * from staging.stg_loads

),

final as (

    select
        space_id,
        observed_at,
        started_at

    from live_now
    where observed_at <> (select max(observed_at) from loads)
        or started_at is null
        or started_at > observed_at

)

select * from final
