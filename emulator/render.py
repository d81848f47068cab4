"""Rendering world objects through a request's fields and expansions, as X does.

Default fields are always present; an expansion adds its id field to `data` and the
objects to `includes`; empty lists are left out, as the real API leaves them out; fields
that depend on the calling user are filled only for user tokens; a post's private metrics
are refused, per post, with `not-authorized-for-field` unless the caller wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from emulator import objects
from emulator.params import SPACE_ID_FIELDS
from emulator.timeline import unit

if TYPE_CHECKING:
    from emulator.world import World

PROBLEMS = "https://api.x.com/2/problems/"
SPACE_DEFAULT = frozenset({"id", "state"})
USER_DEFAULT = frozenset({"id", "name", "username"})
TOPIC_DEFAULT = frozenset({"id", "name"})
POST_DEFAULT = frozenset({"id", "text", "edit_history_post_ids"})
MEDIA_DEFAULT = frozenset({"media_key", "type"})
POLL_DEFAULT = frozenset({"id", "options"})
PLACE_DEFAULT = frozenset({"id", "full_name"})
USER_ID_EXPANSIONS = ("creator_id", "host_ids", "invited_user_ids", "speaker_ids")
CALLER_FIELDS = ("confirmed_email", "connection_status", "receives_your_dm", "subscribes_to_you",
                 "subscription")
PRIVATE_POST_FIELDS = ("non_public_metrics", "organic_metrics", "promoted_metrics")
# post expansion -> the field of the post it brings into `data`
POST_EXPANSION_FIELDS = {
    "author_id": "author_id", "in_reply_to_user_id": "in_reply_to_user_id",
    "referenced_posts": "referenced_posts", "edit_history_post_ids": "edit_history_post_ids",
    "attachments.media_keys": "attachments", "attachments.poll_ids": "attachments",
    "geo.place_id": "geo", "entities.mentions.username": "entities",
}


@dataclass(frozen=True)
class Selection:
    """What one request asked for, in 2.167 names."""

    space_fields: frozenset[str] = frozenset()
    user_fields: frozenset[str] = frozenset()
    topic_fields: frozenset[str] = frozenset()
    post_fields: frozenset[str] = frozenset()
    media_fields: frozenset[str] = frozenset()
    poll_fields: frozenset[str] = frozenset()
    place_fields: frozenset[str] = frozenset()
    expansions: frozenset[str] = frozenset()
    caller: int | None = None  # user index of a user token; None for the app token

    @classmethod
    def from_params(cls, values: dict[str, Any], caller: int | None) -> Selection:
        def pick(name: str) -> frozenset[str]:
            return frozenset(values.get(name) or ())

        return cls(pick("space.fields"), pick("user.fields"), pick("topic.fields"),
                   pick("post.fields"), pick("media.fields"), pick("poll.fields"),
                   pick("place.fields"), pick("expansions"), caller)


class Includes:
    """Expanded objects, each once, in the order they were first referenced."""

    def __init__(self) -> None:
        self.users: dict[str, dict] = {}
        self.topics: dict[str, dict] = {}
        self.posts: dict[str, dict] = {}
        self.media: dict[str, dict] = {}
        self.polls: dict[str, dict] = {}
        self.places: dict[str, dict] = {}

    def as_dict(self) -> dict[str, list[dict]]:
        out = {}
        for key in ("media", "places", "polls", "posts", "topics", "users"):
            items = getattr(self, key)
            if items:
                out[key] = list(items.values())
        return out


def _select(full: dict, wanted: frozenset[str] | set[str]) -> dict:
    return {k: v for k, v in full.items() if k in wanted and v != []}


@lru_cache(maxsize=200_000)
def _selected_user(world: World, u: int, wanted: frozenset[str]) -> dict:
    """A user through a field selection: users recur across pages and requests."""
    return _select(world.user_obj(u), wanted)


class Renderer:
    def __init__(self, world: World, sel: Selection, t: float) -> None:
        self.world = world
        self.sel = sel
        self.t = t
        self.includes = Includes()
        self.errors: list[dict] = []
        self.space_wanted = SPACE_DEFAULT | sel.space_fields | (sel.expansions & set(SPACE_ID_FIELDS))
        user_expansions = sel.expansions & {"pinned_post_id", "most_recent_post_id", "affiliation"}
        self.user_wanted = USER_DEFAULT | sel.user_fields | user_expansions
        post_expanded = {POST_EXPANSION_FIELDS[e] for e in sel.expansions if e in POST_EXPANSION_FIELDS}
        self.post_wanted = POST_DEFAULT | sel.post_fields | post_expanded

    # ---------------------------------------------------------------- Spaces
    def space(self, i: int) -> dict:
        full = self.world.space_at(i, self.t)
        assert full is not None
        out = _select(full, self.space_wanted)
        for expansion in USER_ID_EXPANSIONS:
            if expansion in self.sel.expansions:
                ids = full[expansion] if isinstance(full[expansion], list) else [full[expansion]]
                for user_id in ids:
                    self._include_user_id(user_id)
        if "topic_ids" in self.sel.expansions:
            for topic_id in full["topic_ids"]:
                if topic_id not in self.includes.topics:
                    k = self.world.topic_ids.index(topic_id)
                    assert k is not None
                    self.includes.topics[topic_id] = _select(
                        self.world.topic(k), TOPIC_DEFAULT | self.sel.topic_fields)
        return out

    # ---------------------------------------------------------------- users
    def _include_user_id(self, user_id: str) -> None:
        if user_id not in self.includes.users:
            u = self.world.user_index(user_id)
            assert u is not None
            self.includes.users[user_id] = self.user(u, expand=False)

    def user(self, u: int, expand: bool = True) -> dict:
        full = self.world.user_obj(u)
        out = _selected_user(self.world, u, self.user_wanted)  # shared: copy before changing
        if self.sel.caller is not None and self.user_wanted & set(CALLER_FIELDS):
            out = {**out, **self._caller_fields(u, full)}
        if expand:
            for expansion in ("pinned_post_id", "most_recent_post_id"):
                if expansion in self.sel.expansions and expansion in full:
                    self._include_post_id(full[expansion])
            if "affiliation" in self.sel.expansions and "affiliation" in full:
                for user_id in full["affiliation"]["user_id"]:
                    self._include_user_id(user_id)
        return out

    def _caller_fields(self, u: int, full: dict) -> dict:
        caller = self.sel.caller
        follows = unit(self.world.seed, "follows", caller, u) < 0.3
        followed_by = unit(self.world.seed, "follows", u, caller) < 0.3
        values: dict[str, Any] = {
            "connection_status": [s for s, on in (("followed_by", followed_by), ("following", follows)) if on],
            "receives_your_dm": unit(self.world.seed, "dm", u) < 0.5,
            "subscribes_to_you": False,
            "subscription": {"subscribes_to_you": False},
        }
        if u == caller:
            values["confirmed_email"] = f"{full['username']}@example.com"
        return {k: v for k, v in values.items() if k in self.user_wanted}

    # ---------------------------------------------------------------- posts
    def _include_post_id(self, post_id: str) -> None:
        if post_id not in self.includes.posts:
            p = self.world.post_ids.index(post_id)
            assert p is not None
            self.includes.posts[post_id] = self.post(p, expand=False)

    def post(self, p: int, expand: bool = True) -> dict:
        full = self.world.post(p)
        out = _select(full, self.post_wanted)
        private = [f for f in PRIVATE_POST_FIELDS if f in self.sel.post_fields]
        if private:
            author = self.world.user_index(full["author_id"])
            if author == self.sel.caller:
                out.update({k: v for k, v in objects.private_metrics(self.world, p).items() if k in private})
            else:
                for name in private:
                    self.errors.append(_field_error(full["id"], name))
        if not expand:
            return out
        expansions = self.sel.expansions
        if "author_id" in expansions:
            self._include_user_id(full["author_id"])
        if "in_reply_to_user_id" in expansions and "in_reply_to_user_id" in full:
            self._include_user_id(full["in_reply_to_user_id"])
        if "referenced_posts" in expansions:
            for ref in full.get("referenced_posts", []):
                self._include_post_id(ref["id"])
        attachments = full.get("attachments", {})
        if "attachments.media_keys" in expansions:
            for key in attachments.get("media_keys", []):
                self.includes.media[key] = _select(objects.media(self.world, p),
                                                   MEDIA_DEFAULT | self.sel.media_fields)
        if "attachments.poll_ids" in expansions:
            for poll_id in attachments.get("poll_ids", []):
                self.includes.polls[poll_id] = _select(objects.poll(self.world, p),
                                                       POLL_DEFAULT | self.sel.poll_fields)
        if "geo.place_id" in expansions and "geo" in full:
            place_id = full["geo"]["place_id"]
            self.includes.places[place_id] = _select(objects.place(self.world, p),
                                                     PLACE_DEFAULT | self.sel.place_fields)
        return out

    # ---------------------------------------------------------------- body
    def body(self, data: Any, meta: dict | None = None) -> dict:
        out: dict[str, Any] = {}
        if data is not None and data != []:
            out["data"] = data
        includes = self.includes.as_dict()
        if includes:
            out["includes"] = includes
        if self.errors:
            out["errors"] = self.errors
        if meta is not None:
            out["meta"] = meta
        return out


def _field_error(post_id: str, field: str) -> dict:
    return {
        "value": post_id,
        "detail": f"Sorry, you are not authorized to access '{field}' on the Post with ids: [{post_id}].",
        "title": "Field Authorization Error",
        "resource_type": "post",
        "parameter": field,
        "resource_id": post_id,
        "section": "data",
        "field": field,
        "type": PROBLEMS + "not-authorized-for-field",
    }


def not_found(space_id: str, parameter: str) -> dict:
    """The partial error for a Space id the API cannot find (unknown, cancelled, expired)."""
    label = "ids" if parameter == "ids" else "id"
    return {
        "value": space_id,
        "detail": f"Could not find space with {label}: [{space_id}].",
        "title": "Not Found Error",
        "resource_type": "space",
        "parameter": parameter,
        "resource_id": space_id,
        "type": PROBLEMS + "resource-not-found",
    }
