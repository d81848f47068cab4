-- Offending rows: a snapshot, buyer, shared post or list entry of a Space that is not in
-- staging.stg_spaces.

with spaces as (

    select * from staging.stg_spaces

),

children as (

    select 'stg_space_snapshots' as model, space_id from staging.stg_space_snapshots
    union all
    select 'stg_buyers', space_id from staging.stg_buyers
    union all
    select 'stg_space_posts', space_id from staging.stg_space_posts
    union all
    select 'stg_space_fetches', space_id from staging.stg_space_fetches

),

final as (

    select
        model,
        space_id,
        count(*) as count_rows

    from children
    where not exists (select 1 from spaces where spaces.space_id = children.space_id)
    group by model, space_id

)

select * from final
