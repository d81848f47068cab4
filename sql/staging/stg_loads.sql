-- One row per load: when it observed the API (observed_at, the world instant of its
-- first response), its status, requests, objects and waits. Key: load_id.
-- The latest observed_at is "now" for every model.

with source as (

    select * from x_spaces.loads

),

renamed as (

    select
        cast(load_id as varchar) as load_id,
        cast(observed_at as timestamptz) as observed_at,
        cast(started_at as timestamptz) as started_at,
        cast(finished_at as timestamptz) as finished_at,
        lower(cast(status as varchar)) as status,
        cast(requests as bigint) as count_requests,
        cast(objects as bigint) as count_objects,
        cast(wait_seconds as double) as wait_seconds,
        cast(retries as bigint) as count_retries,
        cast(max_requests as bigint) as max_requests,
        coalesce(cast(budget_exhausted as boolean), false) as is_budget_exhausted,
        cast(errors as bigint) as count_errors,
        cast(spaces_seen as bigint) as count_spaces_seen,
        cast(endpoints as json) as endpoints,
        nullif(trim(message), '') as message

    from source

),

final as (

    select * from renamed

)

select * from final
