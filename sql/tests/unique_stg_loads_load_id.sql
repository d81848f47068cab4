-- Offending rows: values of staging.stg_loads.load_id that are null or appear more than once.

with model as (

    select * from staging.stg_loads

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
