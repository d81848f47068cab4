-- Offending rows: audience figures out of range: a peak below the last audience, a share
-- outside [0, 1], a peak reached before the Space started.

with sessions as (

    select * from analytics.space_sessions

),

dynamics as (

    select * from analytics.audience_dynamics

),

final as (

    select 'space_sessions' as model, space_id, 'peak_participants < last_participants' as problem
    from sessions
    where peak_participants < last_participants

    union all

    select 'audience_dynamics', space_id, 'share_above_half_peak outside [0, 1]'
    from dynamics
    where share_above_half_peak < 0 or share_above_half_peak > 1

    union all

    select 'audience_dynamics', space_id, 'peak before start'
    from dynamics
    where seconds_to_peak < 0

)

select * from final
