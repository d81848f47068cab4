-- One row per Space and kind of list ('buyers' or 'posts'): whether the list the loads
-- hold is complete, and the Space's state, subscribers and update time it was fetched at.
-- Key: (space_id, fetch_kind).

with source as (

    select * from x_spaces.space_fetches

),

renamed as (

    select
        cast(space_id as varchar) as space_id,
        lower(cast(kind as varchar)) as fetch_kind,
        cast(is_complete as boolean) as is_complete,
        lower(cast(space_state as varchar)) as space_state,
        cast(subscriber_count as bigint) as count_subscribers,
        cast(updated_at as timestamptz) as space_updated_at,
        cast(item_count as bigint) as count_items,
        cast(started_at as timestamptz) as fetch_started_at,
        cast(fetched_at as timestamptz) as fetched_at

    from source

),

final as (

    select * from renamed

)

select * from final
