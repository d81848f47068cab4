-- One row per Space live at the latest load (its snapshot at that load says 'live'),
-- ranked by audience: live_rank 1 has the most participants (ties: by space_id).
-- "Now" is the latest load's observed_at, never the wall clock.

with loads as (

    select * from staging.stg_loads

),

snapshots as (

    select * from staging.stg_space_snapshots

),

sessions as (

    select * from analytics.space_sessions

),

latest_load as (

    select max(observed_at) as latest_load_at

    from loads

),

live_snapshots as (

    select snapshots.*

    from snapshots
    inner join latest_load on snapshots.observed_at = latest_load.latest_load_at
    where snapshots.state = 'live'

),

joined as (

    select
        live_snapshots.space_id,
        sessions.title,
        sessions.creator_id,
        sessions.creator_username,
        sessions.host_usernames,
        sessions.topic_names,
        sessions.is_ticketed,
        sessions.started_at,
        live_snapshots.observed_at,
        live_snapshots.count_participants,
        live_snapshots.count_subscribers,
        (epoch(live_snapshots.observed_at) - epoch(sessions.started_at)) / 60.0 as live_minutes

    from live_snapshots
    left join sessions on sessions.space_id = live_snapshots.space_id

),

final as (

    select
        row_number() over (order by count_participants desc, space_id) as live_rank,
        *

    from joined

)

select * from final
