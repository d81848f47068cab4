-- Offending rows: keys (space_id, post_id) of staging.stg_space_posts with a null part or more than one row.

with model as (

    select * from staging.stg_space_posts

),

final as (

    select
        space_id,
        post_id,
        count(*) as count_rows

    from model
    group by space_id, post_id
    having space_id is null or post_id is null or count(*) > 1

)

select * from final
