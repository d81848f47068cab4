-- Offending rows: values of staging.stg_posts.post_id that are null or appear more than once.

with model as (

    select * from staging.stg_posts

),

final as (

    select
        post_id,
        count(*) as count_rows

    from model
    group by post_id
    having post_id is null or count(*) > 1

)

select * from final
