-- One row per API problem recorded by a load (partial errors, calls skipped or failed):
-- key (endpoint, resource_id, problem_type, observed_at).

with source as (

    select * from x_spaces.api_errors

),

renamed as (

    select
        cast(endpoint as varchar) as endpoint,
        cast(resource_id as varchar) as resource_id,
        cast(problem_type as varchar) as problem_type,
        cast(observed_at as timestamptz) as observed_at,
        nullif(trim(title), '') as title,
        nullif(trim(detail), '') as detail,
        nullif(trim(resource_type), '') as resource_type,
        nullif(trim(parameter), '') as parameter,
        cast(value as varchar) as value,
        cast(status as integer) as http_status

    from source

),

final as (

    select * from renamed

)

select * from final
