-- One row per topic in a Space's current list: (space_id, topic_id) with its 1-based
-- position in the list, as of the Space's latest full object. Key: (space_id, topic_id).

with source as (

    select * from x_spaces.space_topics

),

renamed as (

    select
        cast(space_id as varchar) as space_id,
        cast(topic_id as varchar) as topic_id,
        cast(position as integer) as list_position

    from source

),

final as (

    select * from renamed

)

select * from final
