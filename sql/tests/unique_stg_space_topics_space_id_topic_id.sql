-- Offending rows: keys (space_id, topic_id) of staging.stg_space_topics with a null part or more than one row.

with model as (

    select * from staging.stg_space_topics

),

final as (

    select
        space_id,
        topic_id,
        count(*) as count_rows

    from model
    group by space_id, topic_id
    having space_id is null or topic_id is null or count(*) > 1

)

select * from final
