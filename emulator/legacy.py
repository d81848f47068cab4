"""The older generation of names (the real API in places, and the 2.159 spec), served
with `--legacy-names`: `includes.tweets`, `tweet_count`, `retweet_count`,
`edit_history_tweet_ids`, `referenced_tweets`, `note_tweet`, `pinned_tweet_id`,
`most_recent_tweet_id`, inline Space `topics`, and api.twitter.com problem types.

Topics: the older generation has no `topic_ids` and no `includes.topics`; a Space asked
for its topics (`space.fields=topic_ids` or `expansions=topic_ids`) carries them inline
as whole Topic objects (`id` and `name`, the older schema's required pair, plus the
`topic.fields` asked for), never bare ids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

TopicLookup = Callable[[str], dict]  # topic id -> its default rendering ({"id", "name"})

POST_RENAMES = {
    "edit_history_post_ids": "edit_history_tweet_ids",
    "referenced_posts": "referenced_tweets",
    "note_post": "note_tweet",
}
USER_RENAMES = {"pinned_post_id": "pinned_tweet_id", "most_recent_post_id": "most_recent_tweet_id"}
NEW_HOST = "https://api.x.com/2/problems/"
OLD_HOST = "https://api.twitter.com/2/problems/"


def _post(obj: dict) -> dict:
    out = {POST_RENAMES.get(k, k): v for k, v in obj.items()}
    metrics = out.get("public_metrics")
    if isinstance(metrics, dict) and "repost_count" in metrics:
        out["public_metrics"] = {("retweet_count" if k == "repost_count" else k): v
                                 for k, v in metrics.items()}
    return out


def _user(obj: dict) -> dict:
    out = {USER_RENAMES.get(k, k): v for k, v in obj.items()}
    metrics = out.get("public_metrics")
    if isinstance(metrics, dict) and "post_count" in metrics:
        out["public_metrics"] = {("tweet_count" if k == "post_count" else k): v
                                 for k, v in metrics.items()}
    return out


def _space(obj: dict, topics: dict[str, dict], lookup: TopicLookup) -> dict:
    out = dict(obj)
    ids = out.pop("topic_ids", None)
    if ids is not None:
        out["topics"] = [topics[i] if i in topics else lookup(i) for i in ids]
    return out


def problem(obj: dict) -> dict:
    """A problem (or partial error) with its type under the older api.twitter.com host."""
    kind = obj.get("type")
    if isinstance(kind, str) and kind.startswith(NEW_HOST):
        return {**obj, "type": OLD_HOST + kind.removeprefix(NEW_HOST)}
    return obj


def translate(body: dict[str, Any], data_kind: str, topic: TopicLookup) -> dict[str, Any]:
    """A 2.167 body in the older names. data_kind: "space", "user" or "post"; `topic`
    renders a topic no `includes.topics` of this body holds."""
    out = problem(body)
    includes = dict(out.get("includes", {}))
    topics = {t["id"]: t for t in includes.pop("topics", [])}
    convert: Callable[[dict], dict] = {
        "space": lambda o: _space(o, topics, topic), "user": _user, "post": _post}[data_kind]
    if "data" in out:
        data = out["data"]
        out["data"] = [convert(x) for x in data] if isinstance(data, list) else convert(data)
    if "users" in includes:
        includes["users"] = [_user(u) for u in includes["users"]]
    if "posts" in includes:
        includes["tweets"] = [_post(p) for p in includes.pop("posts")]
    if "includes" in out:
        if includes:
            out["includes"] = includes
        else:
            out.pop("includes")
    if "errors" in out:
        out["errors"] = [problem(e) for e in out["errors"]]
    return out
