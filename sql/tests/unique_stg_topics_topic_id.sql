-- Offending rows: values of staging.stg_topics.topic_id that are null or appear more than once.

with model as (

    select * from staging.stg_topics

),

final as (

    select
        topic_id,
        count(*) as count_rows

    from model
    group by topic_id
    having topic_id is null or count(*) > 1

)

select * from final
