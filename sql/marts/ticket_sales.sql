-- One row per ticketed Space: buyers so far, subscribers (reminders set plus tickets
-- bought, as last seen), and buyers per subscriber. is_buyers_complete says whether the
-- latest buyers fetch read every page (null: never fetched, e.g. no creator user token).

with sessions as (

    select * from analytics.space_sessions

),

fetches as (

    select * from staging.stg_space_fetches

),

buyer_fetches as (

    select
        space_id,
        is_complete,
        fetched_at

    from fetches
    where fetch_kind = 'buyers'

),

final as (

    select
        sessions.space_id,
        sessions.title,
        sessions.state,
        sessions.creator_id,
        sessions.creator_username,
        sessions.scheduled_start_at,
        sessions.started_at,
        sessions.count_buyers,
        sessions.count_subscribers,
        cast(sessions.count_buyers as double) / nullif(sessions.count_subscribers, 0) as buyers_per_subscriber,
        sessions.peak_participants,
        buyer_fetches.is_complete as is_buyers_complete,
        buyer_fetches.fetched_at as buyers_fetched_at

    from sessions
    left join buyer_fetches on buyer_fetches.space_id = sessions.space_id
    where sessions.is_ticketed

)

select * from final
