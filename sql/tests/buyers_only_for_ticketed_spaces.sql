-- Offending rows: ticket buyers recorded for a Space that is not ticketed.

with buyers as (

    select * from staging.stg_buyers

),

spaces as (

    select * from staging.stg_spaces

),

final as (

    select
        buyers.space_id,
        count(*) as count_buyers

    from buyers
    inner join spaces on spaces.space_id = buyers.space_id
    where not spaces.is_ticketed
    group by buyers.space_id

)

select * from final
