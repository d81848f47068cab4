"""Field and expansion names of both spec generations, and the reader that brings any
response to the production (2.167) names.

Requests are written in 2.167 form wherever 2.167 has one: older id "fields" (`creator_id`
in `space.fields`, `author_id` in `tweet.fields`, `pinned_tweet_id` in buyers'
`user.fields`) are sent as the expansions that carry them. The one exception: a user's
pinned / most recent post id, asked on an endpoint whose users come as includes (search,
lookups, posts). Its 2.167 expansion exists on buyers only, so there it goes in `user.fields`
under the name the real API and 2.159 take there (`pinned_tweet_id`), whichever name the
caller used; responses are read back as `pinned_post_id` either way.
"""

from __future__ import annotations

from typing import Any

SPACE_FIELDS = frozenset({
    "created_at", "ended_at", "id", "is_ticketed", "lang", "participant_count", "scheduled_start",
    "started_at", "state", "subscriber_count", "title", "updated_at",
})
SPACE_EXPANSIONS = frozenset({"creator_id", "host_ids", "invited_user_ids", "speaker_ids", "topic_ids"})
USER_FIELDS = frozenset({
    "confirmed_email", "connection_status", "created_at", "description", "entities",
    "id", "is_identity_verified", "location", "name", "parody", "profile_banner_url",
    "profile_image_url", "protected", "public_metrics", "receives_your_dm", "subscribes_to_you",
    "subscription", "subscription_type", "url", "username", "verified", "verified_followers_count",
    "verified_type", "withheld",
})
USER_EXPANSIONS = frozenset({"affiliation", "most_recent_post_id", "pinned_post_id"})
TOPIC_FIELDS = frozenset({"description", "id", "name"})
POST_FIELDS = frozenset({
    "article", "article_title", "attachments", "card_uri", "community_id", "context_annotations",
    "conversation_id", "created_at", "display_text_range", "edit_controls", "entities", "geo", "id",
    "lang", "matched_media_notes", "media_metadata", "non_public_metrics", "note_post",
    "note_request_suggestions", "organic_metrics", "paid_partnership", "possibly_sensitive",
    "promoted_metrics", "public_metrics", "reply_settings", "scopes", "source",
    "suggested_source_links", "suggested_source_links_with_counts", "text", "withheld",
})
POST_EXPANSIONS = frozenset({
    "article.cover_media", "article.media_entities", "attachments.media_keys",
    "attachments.media_source_tweet", "attachments.poll_ids", "author_id", "edit_history_post_ids",
    "entities.mentions.username", "geo.place_id", "in_reply_to_user_id", "referenced_posts",
    "username",
})
MEDIA_FIELDS = frozenset({
    "alt_text", "duration_ms", "height", "media_key", "non_public_metrics", "organic_metrics",
    "preview_image_url", "promoted_metrics", "public_metrics", "type", "url", "variants", "width",
})
POLL_FIELDS = frozenset({"duration_minutes", "end_datetime", "id", "options", "voting_status"})
PLACE_FIELDS = frozenset({
    "contained_within", "country", "country_code", "full_name", "geo", "id", "name", "place_type",
})

# Older names accepted from callers: field -> ("field" | "expansion", 2.167 name)
OLDER_SPACE_FIELDS = {name: ("expansion", name) for name in SPACE_EXPANSIONS}
OLDER_USER_FIELDS = {
    "affiliation": ("expansion", "affiliation"),  # a field in older specs, an expansion in 2.167
    "pinned_tweet_id": ("expansion", "pinned_post_id"),
    "most_recent_tweet_id": ("expansion", "most_recent_post_id"),
    "pinned_post_id": ("expansion", "pinned_post_id"),
    "most_recent_post_id": ("expansion", "most_recent_post_id"),
}
# Endpoints with no user expansions (users only as includes): both names, as a user field.
USER_POST_ID_FIELDS = {
    "pinned_tweet_id": ("field", "pinned_tweet_id"),
    "most_recent_tweet_id": ("field", "most_recent_tweet_id"),
    "pinned_post_id": ("field", "pinned_tweet_id"),
    "most_recent_post_id": ("field", "most_recent_tweet_id"),
}
OLDER_POST_FIELDS = {
    "author_id": ("expansion", "author_id"),
    "in_reply_to_user_id": ("expansion", "in_reply_to_user_id"),
    "referenced_tweets": ("expansion", "referenced_posts"),
    "referenced_posts": ("expansion", "referenced_posts"),
    "edit_history_tweet_ids": ("expansion", "edit_history_post_ids"),
    "edit_history_post_ids": ("expansion", "edit_history_post_ids"),
    "note_tweet": ("field", "note_post"),
}
OLDER_EXPANSIONS = {
    "referenced_tweets.id": "referenced_posts",
    "referenced_tweets.id.author_id": "referenced_posts",
    "edit_history_tweet_ids": "edit_history_post_ids",
    "pinned_tweet_id": "pinned_post_id",
    "most_recent_tweet_id": "most_recent_post_id",
    "affiliation.user_id": "affiliation",
}

_POST_RENAMES = {
    "edit_history_tweet_ids": "edit_history_post_ids",
    "referenced_tweets": "referenced_posts",
    "note_tweet": "note_post",
}
_USER_RENAMES = {"pinned_tweet_id": "pinned_post_id", "most_recent_tweet_id": "most_recent_post_id"}


def _rename(obj: dict, renames: dict[str, str]) -> None:
    for old, new in renames.items():
        if old in obj:
            obj.setdefault(new, obj.pop(old))


def _metric(obj: dict, old: str, new: str) -> None:
    metrics = obj.get("public_metrics")
    if isinstance(metrics, dict) and old in metrics:
        metrics.setdefault(new, metrics.pop(old))


def normalize_user(user: dict) -> dict:
    _rename(user, _USER_RENAMES)
    _metric(user, "tweet_count", "post_count")
    return user


def normalize_post(post: dict) -> dict:
    _rename(post, _POST_RENAMES)
    _metric(post, "retweet_count", "repost_count")
    return post


def normalize_space(space: dict, topics: dict[str, dict]) -> dict:
    inline = space.pop("topics", None)
    if isinstance(inline, list):  # older: topic objects inline -> topic_ids + includes.topics
        ids = []
        for topic in inline:
            if isinstance(topic, dict) and "id" in topic:
                ids.append(topic["id"])
                topics.setdefault(topic["id"], topic)
        space.setdefault("topic_ids", ids)
    return space


def normalize(body: dict[str, Any], data_kind: str) -> dict[str, Any]:
    """Bring a response body to 2.167 names in place. data_kind: space, user or post."""
    includes = body.get("includes")
    if isinstance(includes, dict):
        if "tweets" in includes:
            includes.setdefault("posts", []).extend(includes.pop("tweets"))
        for user in includes.get("users", ()):
            normalize_user(user)
        for post in includes.get("posts", ()):
            normalize_post(post)
    data = body.get("data")
    if data is None:
        return body
    items = data if isinstance(data, list) else [data]
    if data_kind == "space":
        inline: dict[str, dict] = {}
        for space in items:
            normalize_space(space, inline)
        if inline:
            includes = body.setdefault("includes", {})
            known = {t.get("id") for t in includes.get("topics", ())}
            includes.setdefault("topics", []).extend(t for i, t in inline.items() if i not in known)
    elif data_kind == "user":
        for user in items:
            normalize_user(user)
    elif data_kind == "post":
        for post in items:
            normalize_post(post)
    return body


def problem_name(problem_type: str | None) -> str:
    """`resource-not-found` from either https://api.x.com/2/problems/resource-not-found or
    the api.twitter.com form; '' for about:blank or anything unrecognised."""
    if not problem_type or "/2/problems/" not in problem_type:
        return ""
    return problem_type.rsplit("/2/problems/", 1)[1].strip("/")
