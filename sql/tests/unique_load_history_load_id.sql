-- Offending rows: values of analytics.load_history.load_id that are null or appear more than once.

with model as (

    select * from analytics.load_history

),

final as (

    select
        load_id,
        count(*) as count_rows

    from model
    group by load_id
    having load_id is null or count(*) > 1

)

select * from final
