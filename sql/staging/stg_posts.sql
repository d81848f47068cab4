-- One row per post shared in a Space (or included with one): its latest version as the
-- loads saw it. Key: post_id.

with source as (

    select * from x_spaces.posts

),

renamed as (

    select
        cast(id as varchar) as post_id,
        cast(text as varchar) as post_text,
        cast(author_id as varchar) as author_id,
        cast(created_at as timestamptz) as created_at,
        cast(conversation_id as varchar) as conversation_id,
        nullif(trim(lang), '') as lang,
        cast(possibly_sensitive as boolean) as is_possibly_sensitive,
        nullif(trim(reply_settings), '') as reply_settings,
        nullif(trim(source), '') as post_source,
        cast(in_reply_to_user_id as varchar) as in_reply_to_user_id,
        cast(edit_history_post_ids as varchar[]) as edit_history_post_ids,
        cast(public_metrics__bookmark_count as bigint) as count_bookmarks,
        cast(public_metrics__impression_count as bigint) as count_impressions,
        cast(public_metrics__like_count as bigint) as count_likes,
        cast(public_metrics__quote_count as bigint) as count_quotes,
        cast(public_metrics__reply_count as bigint) as count_replies,
        cast(public_metrics__repost_count as bigint) as count_reposts,
        cast(attachments__media_keys as varchar[]) as media_keys,
        cast(attachments__poll_ids as varchar[]) as poll_ids,
        cast(attachments__media_source_tweet_id as varchar[]) as media_source_post_ids,
        cast(edit_controls__edits_remaining as bigint) as count_edits_remaining,
        cast(edit_controls__is_edit_eligible as boolean) as is_edit_eligible,
        cast(edit_controls__editable_until as timestamptz) as editable_until_at,
        cast(geo__place_id as varchar) as place_id,
        cast(geo__coordinates as json) as geo_coordinates,
        cast(display_text_range as bigint[]) as display_text_range,
        nullif(trim(card_uri), '') as card_uri,
        cast(community_id as varchar) as community_id,
        cast(paid_partnership as boolean) as is_paid_partnership,
        cast(scopes__followers as boolean) as is_scoped_to_followers,
        cast(note_post__text as varchar) as note_post_text,
        cast(note_post__entities as json) as note_post_entities,
        cast(withheld__copyright as boolean) as is_withheld_for_copyright,
        cast(withheld__country_codes as varchar[]) as withheld_country_codes,
        nullif(trim(withheld__scope), '') as withheld_scope,
        cast(suggested_source_links as varchar[]) as suggested_source_links,
        cast(referenced_posts as json) as referenced_posts,
        cast(entities as json) as entities,
        cast(context_annotations as json) as context_annotations,
        cast(article as json) as article,
        cast(article_title as json) as article_title,
        cast(media_metadata as json) as media_metadata,
        cast(matched_media_notes as json) as matched_media_notes,
        cast(note_request_suggestions as json) as note_request_suggestions,
        cast(suggested_source_links_with_counts as json) as suggested_source_links_with_counts,
        cast(observed_at as timestamptz) as observed_at

    from source

),

final as (

    select * from renamed

)

select * from final
