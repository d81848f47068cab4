-- One row per user met in Spaces (creators, hosts, speakers, invitees), buyers and posts:
-- the latest profile the loads saw. Key: user_id.

with source as (

    select * from x_spaces.users

),

renamed as (

    select
        cast(id as varchar) as user_id,
        cast(username as varchar) as username,
        nullif(trim(name), '') as name,
        cast(created_at as timestamptz) as created_at,
        nullif(trim(description), '') as description,
        nullif(trim(location), '') as location,
        nullif(trim(url), '') as url,
        nullif(trim(profile_image_url), '') as profile_image_url,
        nullif(trim(profile_banner_url), '') as profile_banner_url,
        cast(protected as boolean) as is_protected,
        cast(verified as boolean) as is_verified,
        nullif(trim(verified_type), '') as verified_type,
        cast(verified_followers_count as bigint) as count_verified_followers,
        cast(is_identity_verified as boolean) as is_identity_verified,
        cast(parody as boolean) as is_parody,
        nullif(trim(subscription_type), '') as subscription_type,
        cast(public_metrics__followers_count as bigint) as count_followers,
        cast(public_metrics__following_count as bigint) as count_following,
        cast(public_metrics__post_count as bigint) as count_posts,
        cast(public_metrics__listed_count as bigint) as count_listed,
        cast(public_metrics__like_count as bigint) as count_likes,
        cast(public_metrics__media_count as bigint) as count_media,
        cast(entities as json) as entities,
        cast(withheld__country_codes as varchar[]) as withheld_country_codes,
        nullif(trim(withheld__scope), '') as withheld_scope,
        nullif(trim(affiliation__description), '') as affiliation_description,
        nullif(trim(affiliation__url), '') as affiliation_url,
        nullif(trim(affiliation__badge_url), '') as affiliation_badge_url,
        cast(affiliation__user_id as varchar[]) as affiliation_user_ids,
        cast(pinned_post_id as varchar) as pinned_post_id,
        cast(most_recent_post_id as varchar) as most_recent_post_id,
        cast(observed_at as timestamptz) as observed_at

    from source

),

final as (

    select * from renamed

)

select * from final
