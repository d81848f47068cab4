-- One row per post shared in a Space, as of that Space's latest complete posts fetch
-- (posts gone from the Space are deleted from the raw table). Key: (space_id, post_id).

with source as (

    select * from x_spaces.space_posts

),

renamed as (

    select
        cast(space_id as varchar) as space_id,
        cast(post_id as varchar) as post_id,
        coalesce(cast(is_deleted as boolean), false) as is_deleted,
        cast(observed_at as timestamptz) as observed_at

    from source

),

final as (

    select * from renamed

)

select * from final
