-- Offending rows: values of analytics.daily_activity.activity_date that are null or appear more than once.

with model as (

    select * from analytics.daily_activity

),

final as (

    select
        activity_date,
        count(*) as count_rows

    from model
    group by activity_date
    having activity_date is null or count(*) > 1

)

select * from final
