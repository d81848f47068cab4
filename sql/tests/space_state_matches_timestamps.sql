-- Offending rows: a Space whose state disagrees with its timestamps: a scheduled one that
-- started or ended, a live one not started or already ended, an ended one with no end.

with spaces as (

    select * from staging.stg_spaces

),

final as (

    select
        space_id,
        state,
        started_at,
        ended_at

    from spaces
    where (state = 'scheduled' and (started_at is not null or ended_at is not null))
        or (state = 'live' and (started_at is null or ended_at is not null))
        or (state = 'ended' and (started_at is null or ended_at is null))

)

select * from final
