-- Offending rows: keys (topic_id, activity_date) of analytics.topic_trends with a null part or more than one row.

with model as (

    select * from analytics.topic_trends

),

final as (

    select
        topic_id,
        activity_date,
        count(*) as count_rows

    from model
    group by topic_id, activity_date
    having topic_id is null or activity_date is null or count(*) > 1

)

select * from final
