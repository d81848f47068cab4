-- One row per Space per load that saw it: the Space's state and audience at that load
-- (the audience history). Key: (space_id, observed_at).

with source as (

    select * from x_spaces.space_snapshots

),

renamed as (

    select
        cast(space_id as varchar) as space_id,
        cast(observed_at as timestamptz) as observed_at,
        lower(cast(state as varchar)) as state,
        cast(participant_count as bigint) as count_participants,
        cast(subscriber_count as bigint) as count_subscribers

    from source

),

final as (

    select * from renamed

)

select * from final
