"""The raw tables of dataset `x_spaces`: columns, types, keys and write dispositions.

Every table is declared here with all its columns, so a fresh dataset has every relation
and column after its first load, even when the API returned nothing for them. Pages are
turned into Arrow tables column by column (no per-row objects); nested API objects are
flattened with dlt's `__` separator, lists of ids stay list columns (JSON in DuckDB), and
the few free-form objects (`entities`, `context_annotations`, ...) are kept as JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

TEXT = pa.string()
INT = pa.int64()
FLOAT = pa.float64()
BOOL = pa.bool_()
TIME = pa.timestamp("us", tz="UTC")
IDS = pa.list_(pa.string())
INTS = pa.list_(pa.int64())


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    path: tuple[str, ...] = ()  # where the value sits in the API object; () = the name itself
    as_json: bool = False  # free-form object stored as JSON text

    @property
    def source(self) -> tuple[str, ...]:
        return self.path or (self.name,)


def _flat(prefix: str, *names: str, type: pa.DataType = INT) -> list[Column]:
    return [Column(f"{prefix}__{n}", type, (prefix, n)) for n in names]


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    write_disposition: str = "merge"
    hard_delete: str | None = None
    description: str = ""
    schema: pa.Schema = field(init=False, compare=False)

    def __post_init__(self) -> None:
        fields = [pa.field(c.name, c.type, nullable=c.name not in self.primary_key) for c in self.columns]
        object.__setattr__(self, "schema", pa.schema(fields))

    def hints(self) -> dict[str, Any]:
        """dlt resource hints for this table (used with a table variant per table)."""
        columns: dict[str, dict[str, Any]] = {
            name: {"nullable": False, "primary_key": True} for name in self.primary_key
        }
        for column in self.columns:  # lists: JSON on every destination (DuckDB's JSON, Postgres' jsonb)
            if pa.types.is_list(column.type):
                columns[column.name] = {"data_type": "json"}
        if self.hard_delete:
            columns[self.hard_delete] = {"hard_delete": True, "data_type": "bool"}
        disposition: Any = self.write_disposition
        if disposition == "merge":
            disposition = {"disposition": "merge", "strategy": "delete-insert"}
        return {"table_name": self.name, "write_disposition": disposition,
                "primary_key": list(self.primary_key) or None, "columns": columns}

    def to_arrow(self, objects: Sequence[dict], constants: dict[str, Any] | None = None) -> pa.Table:
        """A page of API objects (or loader rows) as an Arrow table of this table's schema.
        `constants` sets the same value on every row (e.g. observed_at)."""
        constants = constants or {}
        arrays = []
        for column in self.columns:
            if column.name in constants:
                values: list[Any] = [constants[column.name]] * len(objects)
            else:
                values = _pluck(objects, column.source)
                if column.as_json:
                    values = [None if v is None else json.dumps(v, separators=(",", ":"), ensure_ascii=False)
                              for v in values]
            arrays.append(_array(values, column.type))
        return pa.Table.from_arrays(arrays, schema=self.schema)

    def empty(self) -> pa.Table:
        return self.schema.empty_table()


def _pluck(objects: Sequence[dict], path: tuple[str, ...]) -> list[Any]:
    if len(path) == 1:
        key = path[0]
        return [o.get(key) for o in objects]
    if len(path) == 2:
        a, b = path
        return [(o.get(a) or {}).get(b) if isinstance(o.get(a), dict) else None for o in objects]
    out = []
    for o in objects:
        value: Any = o
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        out.append(value)
    return out


def _array(values: list[Any], kind: pa.DataType) -> pa.Array:
    if pa.types.is_timestamp(kind) and any(isinstance(v, str) for v in values):
        return pa.array(values, TEXT).cast(kind)  # ISO 8601 text, e.g. 2021-07-06T18:40:40.000Z
    return pa.array(values, kind)


OBSERVED_AT = Column("observed_at", TIME)

SPACES = Table("spaces", (
    Column("id", TEXT), Column("state", TEXT), Column("title", TEXT), Column("lang", TEXT),
    Column("creator_id", TEXT), Column("is_ticketed", BOOL), Column("participant_count", INT),
    Column("subscriber_count", INT), Column("created_at", TIME), Column("updated_at", TIME),
    Column("scheduled_start", TIME), Column("started_at", TIME), Column("ended_at", TIME),
    Column("host_ids", IDS), Column("speaker_ids", IDS), Column("invited_user_ids", IDS),
    Column("topic_ids", IDS), OBSERVED_AT,
), ("id",), description="one row per Space: its latest full object; id lists are the current lists")

USERS = Table("users", (
    Column("id", TEXT), Column("username", TEXT), Column("name", TEXT), Column("created_at", TIME),
    Column("description", TEXT), Column("location", TEXT), Column("url", TEXT),
    Column("profile_image_url", TEXT), Column("profile_banner_url", TEXT), Column("protected", BOOL),
    Column("verified", BOOL), Column("verified_type", TEXT), Column("verified_followers_count", INT),
    Column("is_identity_verified", BOOL), Column("parody", BOOL), Column("subscription_type", TEXT),
    *_flat("public_metrics", "followers_count", "following_count", "post_count", "listed_count",
           "like_count", "media_count"),
    Column("entities", TEXT, as_json=True),
    Column("withheld__country_codes", IDS, ("withheld", "country_codes")),
    Column("withheld__scope", TEXT, ("withheld", "scope")),
    *_flat("affiliation", "description", "url", "badge_url", type=TEXT),
    Column("affiliation__user_id", IDS, ("affiliation", "user_id")),
    Column("pinned_post_id", TEXT), Column("most_recent_post_id", TEXT), OBSERVED_AT,
), ("id",), description="one row per user met in Spaces, buyers and posts")

TOPICS = Table("topics", (Column("id", TEXT), Column("name", TEXT), Column("description", TEXT)),
               ("id",), description="one row per Space topic")

POSTS = Table("posts", (
    Column("id", TEXT), Column("text", TEXT), Column("author_id", TEXT), Column("created_at", TIME),
    Column("conversation_id", TEXT), Column("lang", TEXT), Column("possibly_sensitive", BOOL),
    Column("reply_settings", TEXT), Column("source", TEXT), Column("in_reply_to_user_id", TEXT),
    Column("edit_history_post_ids", IDS),
    *_flat("public_metrics", "bookmark_count", "impression_count", "like_count", "quote_count",
           "reply_count", "repost_count"),
    Column("attachments__media_keys", IDS, ("attachments", "media_keys")),
    Column("attachments__poll_ids", IDS, ("attachments", "poll_ids")),
    Column("attachments__media_source_tweet_id", IDS, ("attachments", "media_source_tweet_id")),
    Column("edit_controls__edits_remaining", INT, ("edit_controls", "edits_remaining")),
    Column("edit_controls__is_edit_eligible", BOOL, ("edit_controls", "is_edit_eligible")),
    Column("edit_controls__editable_until", TIME, ("edit_controls", "editable_until")),
    Column("geo__place_id", TEXT, ("geo", "place_id")),
    Column("geo__coordinates", TEXT, ("geo", "coordinates"), as_json=True),
    Column("display_text_range", INTS), Column("card_uri", TEXT), Column("community_id", TEXT),
    Column("paid_partnership", BOOL), Column("scopes__followers", BOOL, ("scopes", "followers")),
    Column("note_post__text", TEXT, ("note_post", "text")),
    Column("note_post__entities", TEXT, ("note_post", "entities"), as_json=True),
    Column("withheld__copyright", BOOL, ("withheld", "copyright")),
    Column("withheld__country_codes", IDS, ("withheld", "country_codes")),
    Column("withheld__scope", TEXT, ("withheld", "scope")),
    Column("suggested_source_links", IDS),
    *(Column(name, TEXT, as_json=True) for name in (
        "referenced_posts", "entities", "context_annotations", "article", "article_title",
        "media_metadata", "matched_media_notes", "note_request_suggestions",
        "suggested_source_links_with_counts")),
    OBSERVED_AT,
), ("id",), description="one row per post shared in a Space (or included with one)")

BUYERS = Table("buyers", (
    Column("space_id", TEXT), Column("user_id", TEXT), Column("position", INT), OBSERVED_AT,
), ("space_id", "user_id"), description="who bought a ticket to a Space; position is purchase order")

SPACE_POSTS = Table("space_posts", (
    Column("space_id", TEXT), Column("post_id", TEXT), Column("is_deleted", BOOL), OBSERVED_AT,
), ("space_id", "post_id"), hard_delete="is_deleted",
    description="the posts shared in each Space, as of its latest complete fetch")

SPACE_SNAPSHOTS = Table("space_snapshots", (
    Column("space_id", TEXT), OBSERVED_AT, Column("state", TEXT), Column("participant_count", INT),
    Column("subscriber_count", INT),
), ("space_id", "observed_at"), description="a Space's audience at each load that saw it")

API_ERRORS = Table("api_errors", (
    Column("endpoint", TEXT), Column("resource_id", TEXT), Column("problem_type", TEXT), OBSERVED_AT,
    Column("title", TEXT), Column("detail", TEXT), Column("resource_type", TEXT),
    Column("parameter", TEXT), Column("value", TEXT), Column("status", INT),
), ("endpoint", "resource_id", "problem_type", "observed_at"),
    description="partial errors and skipped calls, per load")

SPACE_FETCHES = Table("space_fetches", (
    Column("space_id", TEXT), Column("kind", TEXT), Column("is_complete", BOOL),
    Column("space_state", TEXT), Column("subscriber_count", INT), Column("updated_at", TIME),
    Column("item_count", INT), Column("started_at", TIME), Column("fetched_at", TIME),
), ("space_id", "kind"), description="whether a Space's buyers / posts are complete, and as of what")

LOADS = Table("loads", (
    Column("load_id", TEXT), OBSERVED_AT, Column("started_at", TIME), Column("finished_at", TIME),
    Column("status", TEXT), Column("requests", INT), Column("objects", INT),
    Column("wait_seconds", FLOAT), Column("retries", INT), Column("max_requests", INT),
    Column("budget_exhausted", BOOL), Column("errors", INT), Column("spaces_seen", INT),
    Column("endpoints", TEXT, as_json=True), Column("message", TEXT),
), ("load_id",), write_disposition="append", description="one row per load: requests, objects, waits")

TABLES: dict[str, Table] = {t.name: t for t in (
    SPACES, USERS, TOPICS, POSTS, BUYERS, SPACE_POSTS, SPACE_SNAPSHOTS, API_ERRORS, SPACE_FETCHES, LOADS,
)}

# Relations kept as list columns of `spaces`, exposed as views (space_id, user_id, position).
LIST_RELATIONS = {
    "hosts": ("host_ids", "user_id"),
    "speakers": ("speaker_ids", "user_id"),
    "invited_users": ("invited_user_ids", "user_id"),
    "space_topics": ("topic_ids", "topic_id"),
}
