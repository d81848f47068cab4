-- Offending rows: a Space or a snapshot whose state is not scheduled, live or ended.

with spaces as (

    select * from staging.stg_spaces

),

snapshots as (

    select * from staging.stg_space_snapshots

),

final as (

    select 'stg_spaces' as model, space_id, null as observed_at, state
    from spaces
    where state is null or state not in ('scheduled', 'live', 'ended')

    union all

    select 'stg_space_snapshots' as model, space_id, observed_at, state
    from snapshots
    where state is null or state not in ('scheduled', 'live', 'ended')

)

select * from final
