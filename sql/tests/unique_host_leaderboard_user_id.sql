-- Offending rows: values of analytics.host_leaderboard.user_id that are null or appear more than once.

with model as (

    select * from analytics.host_leaderboard

),

final as (

    select
        user_id,
        count(*) as count_rows

    from model
    group by user_id
    having user_id is null or count(*) > 1

)

select * from final
