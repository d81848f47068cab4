-- One row per Space per load that saw it: the audience at that observation, ready for a
-- line chart (x: observed_at, y: count_participants, series: space_id / title).
-- participants_change is the difference with the Space's previous observation.
-- minutes_since_start is the Space's age at the observation; an observation after its end
-- holds the final audience (the count at ended_at), so it is placed at the end.

with snapshots as (

    select * from staging.stg_space_snapshots

),

spaces as (

    select * from staging.stg_spaces

),

ordered as (

    select
        snapshots.space_id,
        snapshots.observed_at,
        snapshots.state,
        snapshots.state = 'live' as is_live,
        snapshots.count_participants,
        snapshots.count_subscribers,
        row_number() over (
            partition by snapshots.space_id order by snapshots.observed_at
        ) as observation_number,
        snapshots.count_participants - lag(snapshots.count_participants) over (
            partition by snapshots.space_id order by snapshots.observed_at
        ) as participants_change

    from snapshots

),

final as (

    select
        ordered.space_id,
        ordered.observed_at,
        ordered.observation_number,
        spaces.title,
        ordered.state,
        ordered.is_live,
        ordered.count_participants,
        ordered.count_subscribers,
        ordered.participants_change,
        case
            when spaces.started_at is not null and ordered.observed_at >= spaces.started_at
                then (epoch(least(ordered.observed_at, coalesce(spaces.ended_at, ordered.observed_at)))
                    - epoch(spaces.started_at)) / 60.0
        end as minutes_since_start

    from ordered
    left join spaces on spaces.space_id = ordered.space_id

)

select * from final
