-- One row per Space: its state and title as last seen, creator, scheduled start, actual
-- start and end, start delay, duration, peak and last audience from the snapshots, hosts,
-- speakers, topics, and for ticketed Spaces their buyers.
--
-- live_until_at closes the live period: ended_at once the Space ended, else the last load
-- that saw it (for a Space still live at the latest load, "now"). duration_seconds runs
-- from started_at to live_until_at; both are null for a Space never seen started.
-- peak_participants and last_participants read every snapshot: an ended Space's snapshot
-- holds its audience at the end, which X keeps after it ends.

with spaces as (

    select * from staging.stg_spaces

),

snapshots as (

    select * from staging.stg_space_snapshots

),

users as (

    select * from staging.stg_users

),

hosts as (

    select * from staging.stg_hosts

),

speakers as (

    select * from staging.stg_speakers

),

space_topics as (

    select * from staging.stg_space_topics

),

topics as (

    select * from staging.stg_topics

),

buyers as (

    select * from staging.stg_buyers

),

audience as (

    select
        space_id,
        count(*) as count_snapshots,
        max(count_participants) as peak_participants,
        arg_max(count_participants, observed_at) as last_participants

    from snapshots
    group by space_id

),

host_lists as (

    select
        hosts.space_id,
        list(hosts.user_id order by hosts.list_position) as host_ids,
        list(users.username order by hosts.list_position) as host_usernames,
        count(*) as count_hosts

    from hosts
    left join users on users.user_id = hosts.user_id
    group by hosts.space_id

),

speaker_lists as (

    select
        space_id,
        list(user_id order by list_position) as speaker_ids,
        count(*) as count_speakers

    from speakers
    group by space_id

),

topic_lists as (

    select
        space_topics.space_id,
        list(space_topics.topic_id order by space_topics.list_position) as topic_ids,
        list(topics.topic_name order by space_topics.list_position) as topic_names

    from space_topics
    left join topics on topics.topic_id = space_topics.topic_id
    group by space_topics.space_id

),

buyer_counts as (

    select
        space_id,
        count(*) as count_buyers

    from buyers
    group by space_id

),

joined as (

    select
        spaces.space_id,
        spaces.state,
        spaces.title,
        spaces.lang,
        spaces.creator_id,
        creators.username as creator_username,
        spaces.created_at,
        spaces.scheduled_start_at,
        spaces.started_at,
        spaces.ended_at,
        case
            when spaces.started_at is null then null
            else coalesce(spaces.ended_at, spaces.last_seen_at)
        end as live_until_at,
        spaces.first_seen_at,
        spaces.last_seen_at,
        spaces.unavailable_at,
        spaces.is_ticketed,
        spaces.count_subscribers,
        audience.count_snapshots,
        audience.peak_participants,
        audience.last_participants,
        coalesce(host_lists.host_ids, []) as host_ids,
        coalesce(host_lists.host_usernames, []) as host_usernames,
        coalesce(host_lists.count_hosts, 0) as count_hosts,
        coalesce(speaker_lists.speaker_ids, []) as speaker_ids,
        coalesce(speaker_lists.count_speakers, 0) as count_speakers,
        coalesce(topic_lists.topic_ids, []) as topic_ids,
        coalesce(topic_lists.topic_names, []) as topic_names,
        case when spaces.is_ticketed then coalesce(buyer_counts.count_buyers, 0) end as count_buyers

    from spaces
    left join users as creators on creators.user_id = spaces.creator_id
    left join audience on audience.space_id = spaces.space_id
    left join host_lists on host_lists.space_id = spaces.space_id
    left join speaker_lists on speaker_lists.space_id = spaces.space_id
    left join topic_lists on topic_lists.space_id = spaces.space_id
    left join buyer_counts on buyer_counts.space_id = spaces.space_id

),

final as (

    select
        space_id,
        state,
        title,
        lang,
        creator_id,
        creator_username,
        created_at,
        scheduled_start_at,
        started_at,
        ended_at,
        live_until_at,
        epoch(started_at) - epoch(scheduled_start_at) as start_delay_seconds,
        epoch(live_until_at) - epoch(started_at) as duration_seconds,
        state = 'ended' as is_ended,
        unavailable_at is not null as is_unavailable,
        first_seen_at,
        last_seen_at,
        unavailable_at,
        count_snapshots,
        peak_participants,
        last_participants,
        count_subscribers,
        is_ticketed,
        count_buyers,
        host_ids,
        host_usernames,
        count_hosts,
        speaker_ids,
        count_speakers,
        topic_ids,
        topic_names

    from joined

)

select * from final
