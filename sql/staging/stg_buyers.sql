-- One row per ticket bought for a Space: who bought it and in which order.
-- Key: (space_id, user_id).

with source as (

    select * from x_spaces.buyers

),

renamed as (

    select
        cast(space_id as varchar) as space_id,
        cast(user_id as varchar) as user_id,
        cast(position as integer) as purchase_position,
        cast(observed_at as timestamptz) as observed_at

    from source

),

final as (

    select * from renamed

)

select * from final
