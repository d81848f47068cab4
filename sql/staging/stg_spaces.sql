-- One row per Space: its latest full object, plus when the loads first and last saw it
-- (from the snapshots) and when a lookup first answered resource-not-found for it
-- (cancelled, or ended and past retention). State, title and lists are as last seen.

with source as (

    select * from x_spaces.spaces

),

snapshots as (

    select * from staging.stg_space_snapshots

),

api_errors as (

    select * from staging.stg_api_errors

),

renamed as (

    select
        cast(id as varchar) as space_id,
        lower(cast(state as varchar)) as state,
        nullif(trim(title), '') as title,
        nullif(trim(lang), '') as lang,
        cast(creator_id as varchar) as creator_id,
        cast(is_ticketed as boolean) as is_ticketed,
        cast(participant_count as bigint) as count_participants,
        cast(subscriber_count as bigint) as count_subscribers,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        cast(scheduled_start as timestamptz) as scheduled_start_at,
        cast(started_at as timestamptz) as started_at,
        cast(ended_at as timestamptz) as ended_at,
        cast(host_ids as varchar[]) as host_ids,
        cast(speaker_ids as varchar[]) as speaker_ids,
        cast(invited_user_ids as varchar[]) as invited_user_ids,
        cast(topic_ids as varchar[]) as topic_ids,
        cast(observed_at as timestamptz) as observed_at

    from source

),

sightings as (

    select
        space_id,
        min(observed_at) as first_seen_at,
        max(observed_at) as last_seen_at

    from snapshots
    group by space_id

),

unavailable as (

    select
        resource_id as space_id,
        min(observed_at) as unavailable_at

    from api_errors
    where problem_type = 'resource-not-found'
        and endpoint in ('/2/spaces', '/2/spaces/{id}')
    group by resource_id

),

final as (

    select
        renamed.*,
        sightings.first_seen_at,
        sightings.last_seen_at,
        unavailable.unavailable_at

    from renamed
    left join sightings using (space_id)
    left join unavailable using (space_id)

)

select * from final
