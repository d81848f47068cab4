-- Offending rows: keys (space_id, observed_at) of analytics.participant_timeseries with a null part or more than one row.

with model as (

    select * from analytics.participant_timeseries

),

final as (

    select
        space_id,
        observed_at,
        count(*) as count_rows

    from model
    group by space_id, observed_at
    having space_id is null or observed_at is null or count(*) > 1

)

select * from final
