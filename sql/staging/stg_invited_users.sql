-- One row per invited user in a Space's current list: (space_id, user_id) with its 1-based
-- position in the list, as of the Space's latest full object. Key: (space_id, user_id).

with source as (

    select * from x_spaces.invited_users

),

renamed as (

    select
        cast(space_id as varchar) as space_id,
        cast(user_id as varchar) as user_id,
        cast(position as integer) as list_position

    from source

),

final as (

    select * from renamed

)

select * from final
