-- Offending rows: daily_activity totals that do not add up to the Spaces they count
-- (starts and ends per day against space_sessions).

with daily as (

    select * from analytics.daily_activity

),

sessions as (

    select * from analytics.space_sessions

),

totals as (

    select
        sum(count_spaces_started) as count_started_by_day,
        sum(count_spaces_ended) as count_ended_by_day

    from daily

),

expected as (

    select
        count(*) filter (where started_at is not null) as count_started,
        count(*) filter (where ended_at is not null) as count_ended

    from sessions

),

final as (

    select *

    from totals
    cross join expected
    where count_started_by_day <> count_started
        or count_ended_by_day <> count_ended

)

select * from final
