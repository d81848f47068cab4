-- Offending rows: a topic in a Space's topic list that is not in staging.stg_topics
-- (checked once topics were expanded at all).

with space_topics as (

    select * from staging.stg_space_topics

),

topics as (

    select * from staging.stg_topics

),

final as (

    select space_topics.*

    from space_topics
    where exists (select 1 from topics)
        and not exists (select 1 from topics where topics.topic_id = space_topics.topic_id)

)

select * from final
