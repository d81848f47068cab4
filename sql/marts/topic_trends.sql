-- One row per topic and UTC day on which at least one Space tagged with it (in its current
-- topic list) was live: Spaces live and started that day, and their audience.
--
-- Live days as in daily_activity: every day a Space's live period touches.
-- avg_participants / peak_participants: over those Spaces' snapshots in state 'live'
-- observed that day (null when no load saw them live that day).

with space_topics as (

    select * from staging.stg_space_topics

),

topics as (

    select * from staging.stg_topics

),

sessions as (

    select * from analytics.space_sessions

),

snapshots as (

    select * from staging.stg_space_snapshots

),

live_days as (

    select
        space_id,
        cast(floor(epoch(started_at) / 86400) as bigint) as started_day_number,
        unnest(range(
            cast(floor(epoch(started_at) / 86400) as bigint),
            cast(floor(epoch(live_until_at) / 86400) as bigint) + 1
        )) as day_number

    from sessions
    where started_at is not null

),

topic_live_days as (

    select
        space_topics.topic_id,
        live_days.day_number,
        count(distinct live_days.space_id) as count_spaces_live,
        count(distinct live_days.space_id) filter (
            where live_days.started_day_number = live_days.day_number
        ) as count_spaces_started

    from live_days
    inner join space_topics on space_topics.space_id = live_days.space_id
    group by 1, 2

),

topic_audience as (

    select
        space_topics.topic_id,
        cast(floor(epoch(snapshots.observed_at) / 86400) as bigint) as day_number,
        count(*) as count_live_snapshots,
        avg(snapshots.count_participants) as avg_participants,
        max(snapshots.count_participants) as peak_participants

    from snapshots
    inner join space_topics on space_topics.space_id = snapshots.space_id
    where snapshots.state = 'live'
    group by 1, 2

),

final as (

    select
        topic_live_days.topic_id,
        topics.topic_name,
        date '1970-01-01' + cast(topic_live_days.day_number as integer) as activity_date,
        topic_live_days.count_spaces_live,
        topic_live_days.count_spaces_started,
        coalesce(topic_audience.count_live_snapshots, 0) as count_live_snapshots,
        topic_audience.avg_participants,
        topic_audience.peak_participants

    from topic_live_days
    left join topic_audience
        on topic_audience.topic_id = topic_live_days.topic_id
        and topic_audience.day_number = topic_live_days.day_number
    left join topics on topics.topic_id = topic_live_days.topic_id

)

select * from final
