-- One row per Space observed live at least once: how its audience moved across the loads
-- that saw it live (snapshots in state 'live'; the final count of an ended Space is left
-- out, since it was observed after the end).
--
-- * peak_participants / peak_at: the highest live audience and the first observation
--   that reached it; seconds_to_peak: from started_at to peak_at.
-- * largest_drop / largest_drop_at: the largest fall between two consecutive live
--   observations, and the later of the two (the first such, on ties); 0 / null when the
--   audience never fell.
-- * share_above_half_peak: the share of the observed live life (first to last live
--   observation) spent above half the peak, counting each interval between consecutive
--   observations at the audience seen at its start; null with a single observation.

with snapshots as (

    select * from staging.stg_space_snapshots

),

spaces as (

    select * from staging.stg_spaces

),

live_snapshots as (

    select
        space_id,
        observed_at,
        count_participants,
        lag(count_participants) over (
            partition by space_id order by observed_at
        ) as previous_participants,
        lead(observed_at) over (
            partition by space_id order by observed_at
        ) as next_observed_at

    from snapshots
    where state = 'live'

),

peaks as (

    select
        space_id,
        count(*) as count_live_observations,
        min(observed_at) as first_live_at,
        max(observed_at) as last_live_at,
        max(count_participants) as peak_participants

    from live_snapshots
    group by space_id

),

intervals as (

    select
        live_snapshots.space_id,
        live_snapshots.observed_at,
        live_snapshots.count_participants,
        peaks.peak_participants,
        live_snapshots.previous_participants - live_snapshots.count_participants as drop_participants,
        epoch(live_snapshots.next_observed_at) - epoch(live_snapshots.observed_at) as interval_seconds,
        live_snapshots.count_participants * 2 > peaks.peak_participants as is_above_half_peak

    from live_snapshots
    inner join peaks on peaks.space_id = live_snapshots.space_id

),

drops as (

    select
        space_id,
        drop_participants as largest_drop,
        observed_at as largest_drop_at,
        row_number() over (
            partition by space_id order by drop_participants desc, observed_at
        ) as drop_rank

    from intervals
    where drop_participants > 0

),

largest_drops as (

    select * from drops
    where drop_rank = 1

),

per_space as (

    select
        space_id,
        min(observed_at) filter (where count_participants = peak_participants) as peak_at,
        sum(interval_seconds) as observed_live_seconds,
        sum(interval_seconds) filter (where is_above_half_peak) as above_half_peak_seconds

    from intervals
    group by space_id

),

final as (

    select
        peaks.space_id,
        spaces.title,
        spaces.state,
        spaces.started_at,
        peaks.count_live_observations,
        peaks.first_live_at,
        peaks.last_live_at,
        peaks.peak_participants,
        per_space.peak_at,
        epoch(per_space.peak_at) - epoch(spaces.started_at) as seconds_to_peak,
        coalesce(largest_drops.largest_drop, 0) as largest_drop,
        largest_drops.largest_drop_at,
        per_space.observed_live_seconds,
        case
            when per_space.observed_live_seconds > 0
                then coalesce(per_space.above_half_peak_seconds, 0) / per_space.observed_live_seconds
        end as share_above_half_peak

    from peaks
    inner join per_space on per_space.space_id = peaks.space_id
    left join largest_drops on largest_drops.space_id = peaks.space_id
    left join spaces on spaces.space_id = peaks.space_id

)

select * from final
