-- Offending rows: values of analytics.creator_activity.creator_id that are null or appear more than once.

with model as (

    select * from analytics.creator_activity

),

final as (

    select
        creator_id,
        count(*) as count_rows

    from model
    group by creator_id
    having creator_id is null or count(*) > 1

)

select * from final
