-- One row per Space topic. Key: topic_id.

with source as (

    select * from x_spaces.topics

),

renamed as (

    select
        cast(id as varchar) as topic_id,
        nullif(trim(name), '') as topic_name,
        nullif(trim(description), '') as topic_description

    from source

),

final as (

    select * from renamed

)

select * from final
