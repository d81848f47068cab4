-- Offending rows: keys (endpoint, resource_id, problem_type, observed_at) of
-- staging.stg_api_errors with a null part or more than one row.

with model as (

    select * from staging.stg_api_errors

),

final as (

    select
        endpoint,
        resource_id,
        problem_type,
        observed_at,
        count(*) as count_rows

    from model
    group by endpoint, resource_id, problem_type, observed_at
    having endpoint is null or resource_id is null or problem_type is null or observed_at is null
        or count(*) > 1

)

select * from final
