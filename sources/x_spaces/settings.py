"""Constants of the x_spaces source: endpoints, default fields and expansions, limits."""

from __future__ import annotations

DATASET_NAME = "x_spaces"
PIPELINE_NAME = "x_spaces"
DEFAULT_BASE_URL = "https://api.x.com"

IDS_PER_LOOKUP = 100  # /2/spaces?ids= and by/creator_ids take up to 100 ids
PAGE_SIZE = 100  # max_results for search, buyers and posts
DEFAULT_CONCURRENCY = 4
DEFAULT_MAX_WAIT = 900.0  # one 15-minute window

SEARCH = "/2/spaces/search"
LOOKUP_ONE = "/2/spaces/{id}"
LOOKUP = "/2/spaces"
BY_CREATOR = "/2/spaces/by/creator_ids"
BUYERS = "/2/spaces/{id}/buyers"
POSTS = "/2/spaces/{id}/tweets"

# Every public field. Left out: what depends on the calling token or needs the author's
# context, which would make `users` rows flip between calls and raise partial errors.
SPACE_FIELDS = (
    "created_at", "ended_at", "id", "is_ticketed", "lang", "participant_count", "scheduled_start",
    "started_at", "state", "subscriber_count", "title", "updated_at",
)
SPACE_EXPANSIONS = ("creator_id", "host_ids", "invited_user_ids", "speaker_ids", "topic_ids")
USER_FIELDS = (
    "created_at", "description", "entities", "id", "is_identity_verified", "location",
    "name", "parody", "profile_banner_url", "profile_image_url", "protected", "public_metrics",
    "subscription_type", "url", "username", "verified", "verified_followers_count", "verified_type",
    "withheld",
)
TOPIC_FIELDS = ("description", "id", "name")
POST_FIELDS = (
    "article", "article_title", "attachments", "card_uri", "community_id", "context_annotations",
    "conversation_id", "created_at", "display_text_range", "edit_controls", "entities", "geo", "id",
    "lang", "matched_media_notes", "media_metadata", "note_post", "note_request_suggestions",
    "paid_partnership", "possibly_sensitive", "public_metrics", "reply_settings", "scopes", "source",
    "suggested_source_links", "suggested_source_links_with_counts", "text", "withheld",
)
POST_EXPANSIONS = ("author_id",)
BUYER_EXPANSIONS: tuple[str, ...] = ()

# Problem types the loader records for calls it skipped or that failed for one Space.
MISSING_USER_TOKEN = "missing-user-token"
USER_TOKEN_REJECTED = "user-token-rejected"
RESOURCE_NOT_FOUND = "resource-not-found"

PROGRESS_EVERY = 15.0  # seconds between progress lines while a phase runs
