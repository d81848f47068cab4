-- One row per user hosting at least one Space (in its current host list, creator
-- included): Spaces hosted, live minutes, average and peak audience, ranked.
--
-- live_minutes sums the durations of the hosted Spaces that started (see space_sessions);
-- avg_participants is the mean audience over every live observation of them (the snapshots
-- in state 'live'), avg_peak_participants the mean of their peaks, peak_participants the
-- highest. leaderboard_rank: most live minutes first, then highest peak, then user_id.

with hosts as (

    select * from staging.stg_hosts

),

users as (

    select * from staging.stg_users

),

sessions as (

    select * from analytics.space_sessions

),

snapshots as (

    select * from staging.stg_space_snapshots

),

live_audience as (

    select
        hosts.user_id,
        avg(snapshots.count_participants) as avg_participants

    from hosts
    inner join snapshots on snapshots.space_id = hosts.space_id
    where snapshots.state = 'live'
    group by hosts.user_id

),

hosted as (

    select
        hosts.user_id,
        sessions.space_id,
        sessions.state,
        sessions.started_at,
        sessions.duration_seconds,
        sessions.peak_participants

    from hosts
    inner join sessions on sessions.space_id = hosts.space_id

),

per_host as (

    select
        user_id,
        count(distinct space_id) as count_spaces_hosted,
        count(distinct space_id) filter (where started_at is not null) as count_spaces_started,
        count(distinct space_id) filter (where state = 'scheduled') as count_spaces_scheduled,
        coalesce(sum(duration_seconds) filter (where started_at is not null), 0) / 60.0 as live_minutes,
        avg(peak_participants) filter (where started_at is not null) as avg_peak_participants,
        max(peak_participants) filter (where started_at is not null) as peak_participants

    from hosted
    group by user_id

),

final as (

    select
        row_number() over (
            order by per_host.live_minutes desc, per_host.peak_participants desc nulls last, per_host.user_id
        ) as leaderboard_rank,
        per_host.user_id,
        users.username,
        users.name,
        users.count_followers,
        per_host.count_spaces_hosted,
        per_host.count_spaces_started,
        per_host.count_spaces_scheduled,
        per_host.live_minutes,
        live_audience.avg_participants,
        per_host.avg_peak_participants,
        per_host.peak_participants

    from per_host
    left join users on users.user_id = per_host.user_id
    left join live_audience on live_audience.user_id = per_host.user_id

)

select * from final
