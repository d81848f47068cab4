-- Offending rows: values of analytics.ticket_sales.space_id that are null or appear more than once.

with model as (

    select * from analytics.ticket_sales

),

final as (

    select
        space_id,
        count(*) as count_rows

    from model
    group by space_id
    having space_id is null or count(*) > 1

)

select * from final
