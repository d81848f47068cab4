-- One row per UTC day, from the first day a known Space started (or a load ran) to the
-- day of the latest load: Spaces started, ended and live that day, live minutes, and the
-- audience of the live observations made that day.
--
-- A Space is live on every day its live period [started_at, live_until_at] touches (see
-- space_sessions); live_minutes adds up the part of each live period inside the day.
-- avg_participants / peak_participants: over the snapshots in state 'live' observed
-- that day (null on days no load saw a live Space).

with sessions as (

    select * from analytics.space_sessions

),

snapshots as (

    select * from staging.stg_space_snapshots

),

loads as (

    select * from staging.stg_loads

),

live_periods as (

    select
        space_id,
        epoch(started_at) as started_epoch,
        epoch(live_until_at) as live_until_epoch,
        cast(floor(epoch(started_at) / 86400) as bigint) as first_day_number,
        cast(floor(epoch(live_until_at) / 86400) as bigint) as last_day_number

    from sessions
    where started_at is not null

),

live_days as (

    select
        space_id,
        started_epoch,
        live_until_epoch,
        unnest(range(first_day_number, last_day_number + 1)) as day_number

    from live_periods

),

live_per_day as (

    select
        day_number,
        count(distinct space_id) as count_spaces_live,
        sum(
            greatest(
                0,
                least(live_until_epoch, (day_number + 1) * 86400)
                    - greatest(started_epoch, day_number * 86400)
            )
        ) / 60.0 as live_minutes

    from live_days
    group by day_number

),

starts_per_day as (

    select
        cast(floor(epoch(started_at) / 86400) as bigint) as day_number,
        count(*) as count_spaces_started

    from sessions
    where started_at is not null
    group by 1

),

ends_per_day as (

    select
        cast(floor(epoch(ended_at) / 86400) as bigint) as day_number,
        count(*) as count_spaces_ended

    from sessions
    where ended_at is not null
    group by 1

),

audience_per_day as (

    select
        cast(floor(epoch(observed_at) / 86400) as bigint) as day_number,
        count(*) as count_live_snapshots,
        avg(count_participants) as avg_participants,
        max(count_participants) as peak_participants

    from snapshots
    where state = 'live'
    group by 1

),

bounds as (

    select
        least(
            (select min(first_day_number) from live_periods),
            (select cast(floor(min(epoch(observed_at)) / 86400) as bigint) from loads)
        ) as first_day_number,
        (select cast(floor(max(epoch(observed_at)) / 86400) as bigint) from loads) as last_day_number

),

days as (

    select unnest(range(first_day_number, last_day_number + 1)) as day_number

    from bounds
    where last_day_number is not null

),

final as (

    select
        date '1970-01-01' + cast(days.day_number as integer) as activity_date,
        coalesce(starts_per_day.count_spaces_started, 0) as count_spaces_started,
        coalesce(ends_per_day.count_spaces_ended, 0) as count_spaces_ended,
        coalesce(live_per_day.count_spaces_live, 0) as count_spaces_live,
        coalesce(live_per_day.live_minutes, 0) as live_minutes,
        coalesce(audience_per_day.count_live_snapshots, 0) as count_live_snapshots,
        audience_per_day.avg_participants,
        audience_per_day.peak_participants

    from days
    left join starts_per_day on starts_per_day.day_number = days.day_number
    left join ends_per_day on ends_per_day.day_number = days.day_number
    left join live_per_day on live_per_day.day_number = days.day_number
    left join audience_per_day on audience_per_day.day_number = days.day_number

)

select * from final
