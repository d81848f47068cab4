-- One row per load: when it observed the API, how it ended, and what it spent (requests,
-- retries, seconds waiting for rate limits, budget). is_latest marks the load whose
-- observed_at is "now" for every other mart.

with loads as (

    select * from staging.stg_loads

),

ranked as (

    select
        *,
        row_number() over (order by observed_at desc, load_id desc) as recency_rank

    from loads

),

final as (

    select
        load_id,
        observed_at,
        started_at,
        finished_at,
        status,
        recency_rank = 1 as is_latest,
        count_requests,
        count_retries,
        wait_seconds,
        max_requests,
        is_budget_exhausted,
        count_spaces_seen,
        count_objects,
        count_errors,
        epoch(finished_at) - epoch(started_at) as run_seconds

    from ranked

)

select * from final
