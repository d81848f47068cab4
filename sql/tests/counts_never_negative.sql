-- Offending rows: any count, audience, duration or rate below zero, named by model, row
-- and column. Every column of these models named count_*, *_participants, *_seconds,
-- *_minutes, largest_drop or *_per_* is checked, so a new figure is covered as it is
-- added; start delays are left out (a Space may start before its scheduled time).

with stg_spaces as (

    unpivot (
        select
            space_id as row_key,
            columns(lambda c: regexp_matches(c, '^count_|_participants$|_seconds$|_minutes$|^largest_drop$|_per_')
                and not contains(c, 'start_delay'))
        from staging.stg_spaces
    )
    on columns(* exclude (row_key)) into name column_name value figure

),

stg_space_snapshots as (

    unpivot (
        select
            concat_ws(' @ ', space_id, observed_at) as row_key,
            columns(lambda c: regexp_matches(c, '^count_|_participants$|_seconds$|_minutes$|^largest_drop$|_per_')
                and not contains(c, 'start_delay'))
        from staging.stg_space_snapshots
    )
    on columns(* exclude (row_key)) into name column_name value figure

),

stg_users as (

    unpivot (
        select
            user_id as row_key,
            columns(lambda c: regexp_matches(c, '^count_|_participants$|_seconds$|_minutes$|^largest_drop$|_per_')
                and not contains(c, 'start_delay'))
        from staging.stg_users
    )
    on columns(* exclude (row_key)) into name column_name value figure

),

stg_posts as (

    unpivot (
        select
            post_id as row_key,
            columns(lambda c: regexp_matches(c, '^count_|_participants$|_seconds$|_minutes$|^largest_drop$|_per_')
                and not contains(c, 'start_delay'))
        from staging.stg_posts
    )
    on columns(* exclude (row_key)) into name column_name value figure

),

stg_space_fetches as (

    unpivot (
        select
            concat_ws(' / ', space_id, fetch_kind) as row_key,
            columns(lambda c: regexp_matches(c, '^count_|_participants$|_seconds$|_minutes$|^largest_drop$|_per_')
                and not contains(c, 'start_delay'))
        from staging.stg_space_fetches
    )
    on columns(* exclude (row_key)) into name column_name value figure

),

stg_loads as (

    unpivot (
        select
            load_id as row_key,
            columns(lambda c: regexp_matches(c, '^count_|_participants$|_seconds$|_minutes$|^largest_drop$|_per_')
                and not contains(c, 'start_delay'))
        from staging.stg_loads
    )
    on columns(* exclude (row_key)) into name column_name value figure

),

space_sessions as (

    unpivot (
        select
            space_id as row_key,
            columns(lambda c: regexp_matches(c, '^count_|_participants$|_seconds$|_minutes$|^largest_drop$|_per_')
                and not contains(c, 'start_delay'))
        from analytics.space_sessions
    )
    on columns(* exclude (row_key)) into name column_name value figure

),

live_now as (

    unpivot (
        select
            space_id as row_key,
            columns(lambda c: regexp_matches(c, '^count_|_participants$|_seconds$|_minutes$|^largest_drop$|_per_')
                and not contains(c, 'start_delay'))
        from analytics.live_now
    )
    on columns(* exclude (row_key)) into name column_name value figure

),

participant_timeseries as (

    unpivot (
        select
            concat_ws(' @ ', space_id, observed_at) as row_key,
            columns(lambda c: regexp_matches(c, '^count_|_participants$|_seconds$|_minutes$|^largest_drop$|_per_')
                and not contains(c, 'start_delay'))
        from analytics.participant_timeseries
    )
    on columns(* exclude (row_key)) into name column_name value figure

),

audience_dynamics as (

    unpivot (
        select
            space_id as row_key,
            columns(lambda c: regexp_matches(c, '^count_|_participants$|_seconds$|_minutes$|^largest_drop$|_per_')
                and not contains(c, 'start_delay'))
        from analytics.audience_dynamics
    )
    on columns(* exclude (row_key)) into name column_name value figure

),

host_leaderboard as (

    unpivot (
        select
            user_id as row_key,
            columns(lambda c: regexp_matches(c, '^count_|_participants$|_seconds$|_minutes$|^largest_drop$|_per_')
                and not contains(c, 'start_delay'))
        from analytics.host_leaderboard
    )
    on columns(* exclude (row_key)) into name column_name value figure

),

creator_activity as (

    unpivot (
        select
            creator_id as row_key,
            columns(lambda c: regexp_matches(c, '^count_|_participants$|_seconds$|_minutes$|^largest_drop$|_per_')
                and not contains(c, 'start_delay'))
        from analytics.creator_activity
    )
    on columns(* exclude (row_key)) into name column_name value figure

),

daily_activity as (

    unpivot (
        select
            cast(activity_date as varchar) as row_key,
            columns(lambda c: regexp_matches(c, '^count_|_participants$|_seconds$|_minutes$|^largest_drop$|_per_')
                and not contains(c, 'start_delay'))
        from analytics.daily_activity
    )
    on columns(* exclude (row_key)) into name column_name value figure

),

topic_trends as (

    unpivot (
        select
            concat_ws(' / ', topic_id, activity_date) as row_key,
            columns(lambda c: regexp_matches(c, '^count_|_participants$|_seconds$|_minutes$|^largest_drop$|_per_')
                and not contains(c, 'start_delay'))
        from analytics.topic_trends
    )
    on columns(* exclude (row_key)) into name column_name value figure

),

ticket_sales as (

    unpivot (
        select
            space_id as row_key,
            columns(lambda c: regexp_matches(c, '^count_|_participants$|_seconds$|_minutes$|^largest_drop$|_per_')
                and not contains(c, 'start_delay'))
        from analytics.ticket_sales
    )
    on columns(* exclude (row_key)) into name column_name value figure

),

load_history as (

    unpivot (
        select
            load_id as row_key,
            columns(lambda c: regexp_matches(c, '^count_|_participants$|_seconds$|_minutes$|^largest_drop$|_per_')
                and not contains(c, 'start_delay'))
        from analytics.load_history
    )
    on columns(* exclude (row_key)) into name column_name value figure

),

final as (

    select 'stg_spaces' as model, row_key, column_name, figure from stg_spaces where figure < 0
    union all
    select 'stg_space_snapshots' as model, row_key, column_name, figure from stg_space_snapshots where figure < 0
    union all
    select 'stg_users' as model, row_key, column_name, figure from stg_users where figure < 0
    union all
    select 'stg_posts' as model, row_key, column_name, figure from stg_posts where figure < 0
    union all
    select 'stg_space_fetches' as model, row_key, column_name, figure from stg_space_fetches where figure < 0
    union all
    select 'stg_loads' as model, row_key, column_name, figure from stg_loads where figure < 0
    union all
    select 'space_sessions' as model, row_key, column_name, figure from space_sessions where figure < 0
    union all
    select 'live_now' as model, row_key, column_name, figure from live_now where figure < 0
    union all
    select 'participant_timeseries' as model, row_key, column_name, figure from participant_timeseries where figure < 0
    union all
    select 'audience_dynamics' as model, row_key, column_name, figure from audience_dynamics where figure < 0
    union all
    select 'host_leaderboard' as model, row_key, column_name, figure from host_leaderboard where figure < 0
    union all
    select 'creator_activity' as model, row_key, column_name, figure from creator_activity where figure < 0
    union all
    select 'daily_activity' as model, row_key, column_name, figure from daily_activity where figure < 0
    union all
    select 'topic_trends' as model, row_key, column_name, figure from topic_trends where figure < 0
    union all
    select 'ticket_sales' as model, row_key, column_name, figure from ticket_sales where figure < 0
    union all
    select 'load_history' as model, row_key, column_name, figure from load_history where figure < 0

)

select * from final
