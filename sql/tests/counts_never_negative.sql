-- Offending rows: any count, duration or audience figure below zero, named by model and
-- column.

with spaces as (

    select * from staging.stg_spaces

),

snapshots as (

    select * from staging.stg_space_snapshots

),

users as (

    select * from staging.stg_users

),

loads as (

    select * from staging.stg_loads

),

sessions as (

    select * from analytics.space_sessions

),

hosts as (

    select * from analytics.host_leaderboard

),

daily as (

    select * from analytics.daily_activity

),

final as (

    select 'stg_spaces' as model, space_id as row_key, 'count_participants' as column_name, count_participants as value
    from spaces where count_participants < 0
    union all
    select 'stg_spaces', space_id, 'count_subscribers', count_subscribers
    from spaces where count_subscribers < 0
    union all
    select 'stg_space_snapshots', space_id, 'count_participants', count_participants
    from snapshots where count_participants < 0
    union all
    select 'stg_space_snapshots', space_id, 'count_subscribers', count_subscribers
    from snapshots where count_subscribers < 0
    union all
    select 'stg_users', user_id, 'count_followers', count_followers
    from users where count_followers < 0 or count_following < 0 or count_posts < 0
    union all
    select 'stg_loads', load_id, 'count_requests', count_requests
    from loads where count_requests < 0 or count_objects < 0 or count_retries < 0 or count_errors < 0
    union all
    select 'space_sessions', space_id, 'duration_seconds', duration_seconds
    from sessions where duration_seconds < 0
    union all
    select 'space_sessions', space_id, 'count_buyers', count_buyers
    from sessions where count_buyers < 0
    union all
    select 'host_leaderboard', user_id, 'live_minutes', live_minutes
    from hosts where live_minutes < 0
    union all
    select 'daily_activity', cast(activity_date as varchar), 'live_minutes', live_minutes
    from daily where live_minutes < 0

)

select * from final
