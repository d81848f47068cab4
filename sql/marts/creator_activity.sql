-- One row per creator of a known Space: how many Spaces, how many still upcoming, how
-- often they create them, and how late they start.
--
-- * count_spaces_upcoming: Spaces last seen scheduled that no lookup has since reported
--   gone (cancelled Spaces drop out).
-- * spaces_per_week: count_spaces over the weeks from the creator's first known Space's
--   created_at to now (the latest load), at least one week.
-- * avg_start_delay_seconds: over the scheduled Spaces that started.

with sessions as (

    select * from analytics.space_sessions

),

users as (

    select * from staging.stg_users

),

loads as (

    select * from staging.stg_loads

),

latest_load as (

    select max(observed_at) as latest_load_at

    from loads

),

per_creator as (

    select
        creator_id,
        count(*) as count_spaces,
        count(*) filter (where state = 'scheduled' and not is_unavailable) as count_spaces_upcoming,
        count(*) filter (where state = 'live' and not is_unavailable) as count_spaces_live,
        count(*) filter (where state = 'ended') as count_spaces_ended,
        count(*) filter (where is_ticketed) as count_spaces_ticketed,
        min(created_at) as first_space_created_at,
        min(scheduled_start_at) filter (
            where state = 'scheduled' and not is_unavailable
        ) as next_scheduled_start_at,
        avg(start_delay_seconds) as avg_start_delay_seconds

    from sessions
    where creator_id is not null
    group by creator_id

),

final as (

    select
        per_creator.creator_id,
        users.username as creator_username,
        users.name as creator_name,
        per_creator.count_spaces,
        per_creator.count_spaces_upcoming,
        per_creator.count_spaces_live,
        per_creator.count_spaces_ended,
        per_creator.count_spaces_ticketed,
        per_creator.first_space_created_at,
        per_creator.next_scheduled_start_at,
        per_creator.count_spaces * 604800.0 / greatest(
            604800.0,
            epoch(latest_load.latest_load_at) - epoch(per_creator.first_space_created_at)
        ) as spaces_per_week,
        per_creator.avg_start_delay_seconds

    from per_creator
    cross join latest_load
    left join users on users.user_id = per_creator.creator_id

)

select * from final
