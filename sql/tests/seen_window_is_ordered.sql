-- Offending rows: a Space without sightings, first seen after it was last seen, or seen
-- after the latest load ("now").

with spaces as (

    select * from staging.stg_spaces

),

loads as (

    select * from staging.stg_loads

),

final as (

    select
        space_id,
        first_seen_at,
        last_seen_at

    from spaces
    where first_seen_at is null
        or last_seen_at is null
        or first_seen_at > last_seen_at
        or last_seen_at > (select max(observed_at) from loads)

)

select * from final
