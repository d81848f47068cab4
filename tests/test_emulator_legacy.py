"""`--legacy-names` against the older generation's shapes (NOTES.md, "Names that changed").

There is no published older spec here, so the older shapes are derived from the 2.167
spec by undoing exactly the renames NOTES.md lists: `tweet_count`, `retweet_count`,
`edit_history_tweet_ids`, `referenced_tweets`, `note_tweet`, `pinned_tweet_id`,
`most_recent_tweet_id`, `includes.tweets`, inline Space `topics` objects (each with the
`id` and `name` the older Topic requires) in place of `topic_ids`, and problem types under
api.twitter.com. Bodies are validated strictly (no property the older shapes do not
name), so a 2.167 name left behind fails, and each rename must be seen at least once.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest
from openapi_core import Config, OpenAPI

from emulator.config import Settings
from emulator.server import EmulatorServer
from emulator.world import World
from tests._emulator_support import world_like
from tests.test_emulator_conformance import (
    INVALID_REQUEST_ITEM,
    SPEC,
    Picks,
    _free_form_objects_stay_open,
    auth,
    list_params,
    spec_errors,
)

pytestmark = pytest.mark.filterwarnings("ignore:Unsupported scheme type:UserWarning")

NEW_HOST = "https://api.x.com/2/problems/"
OLD_HOST = "https://api.twitter.com/2/problems/"
NEW_NAMES = {"post_count", "repost_count", "edit_history_post_ids", "referenced_posts", "note_post",
             "pinned_post_id", "most_recent_post_id", "topic_ids"}
OLD_NAMES = {"tweet_count", "retweet_count", "edit_history_tweet_ids", "referenced_tweets",
             "pinned_tweet_id", "most_recent_tweet_id", "topics"}  # note_tweet: no world post has one


def _rename(schema: dict, new: str, old: str) -> None:
    schema["properties"][old] = schema["properties"].pop(new)
    if "required" in schema:
        schema["required"] = [old if name == new else name for name in schema["required"]]


def older_spec() -> dict[str, Any]:
    spec = json.loads(json.dumps(SPEC).replace(NEW_HOST, OLD_HOST))  # enums and the mapping
    schemas = spec["components"]["schemas"]
    _rename(schemas["UserPublicMetrics"], "post_count", "tweet_count")
    _rename(schemas["PostPublicMetrics"], "repost_count", "retweet_count")
    for new, old in (("edit_history_post_ids", "edit_history_tweet_ids"),
                     ("referenced_posts", "referenced_tweets"), ("note_post", "note_tweet")):
        _rename(schemas["Post"], new, old)
    for new, old in (("pinned_post_id", "pinned_tweet_id"), ("most_recent_post_id", "most_recent_tweet_id")):
        _rename(schemas["User"], new, old)
    _rename(schemas["Expansions"], "posts", "tweets")
    space = schemas["Space"]["properties"]
    del space["topic_ids"]
    space["topics"] = {"type": "array", "items": {
        "type": "object", "required": ["id", "name"], "additionalProperties": False,
        "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                       "description": {"type": "string"}}}}
    return spec


def _openapi(spec: dict, policy: str) -> OpenAPI:
    config = Config(extra_media_type_deserializers={"application/problem+json": json.loads},
                    additional_properties_default_policy=policy)  # type: ignore[arg-type]
    return OpenAPI.from_dict(_free_form_objects_stay_open(spec) if policy == "forbid" else spec,
                             config=config)


OLDER = older_spec()
OLD_OPEN, OLD_STRICT = _openapi(copy.deepcopy(OLDER), "allow"), _openapi(OLDER, "forbid")


def older_errors(response: httpx.Response, body: Any = None, api: OpenAPI = OLD_STRICT) -> str | None:
    """spec_errors against the older generation's spec."""
    return spec_errors(response, body, api)


def _keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _keys(value)
    elif isinstance(node, list):
        for value in node:
            yield from _keys(value)


class Seen:
    """Every body checked against the older shapes, and what the sweep has shown."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.includes: set[str] = set()
        self.problem_types: set[str] = set()

    def check(self, response: httpx.Response, status: int = 200) -> dict:
        where = f"{response.request.url} -> {response.status_code}"
        assert response.status_code == status, (where, response.text)
        body = response.json()
        assert "api.x.com" not in response.text, where
        keys = set(_keys(body))
        assert not keys & NEW_NAMES, (where, keys & NEW_NAMES)
        if body.get("type") == OLD_HOST + "invalid-request":
            assert older_errors(response, api=OLD_OPEN) is None, where
            problem = older_errors(response, {k: v for k, v in body.items() if k != "errors"})
            for item in body["errors"]:
                jsonschema.validate(item, INVALID_REQUEST_ITEM)
        else:
            problem = older_errors(response)
        assert problem is None, f"{where}\n{problem}"
        self.keys |= keys
        self.includes |= set(body.get("includes", {}))
        self.problem_types |= {e["type"] for e in body.get("errors", []) if "type" in e}
        if "type" in body:
            self.problem_types.add(body["type"])
        return body


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(Settings(clock_speed=0, rate_limit=1_000_000, legacy_names=True)) as srv:
        srv.emulator.limiter.per_second = frozenset()
        yield srv


@pytest.fixture(scope="module")
def world(server: EmulatorServer) -> World:
    return world_like(server)


def _everything(path: str) -> dict[str, str]:
    return {name: ",".join(values) for name, values in list_params(path).items()}


def test_the_older_shapes_catch_2_167_names(server: EmulatorServer, world: World) -> None:
    """The derived schemas bite: a 2.167 body fails them, so passing them means something."""
    with EmulatorServer(Settings(clock_speed=0)) as modern:
        response = httpx.get(f"{modern.url}/2/spaces/{world.space_ids.id(0)}",
                             params=_everything("/2/spaces/{id}"), headers=auth(world.app_token))
    assert response.status_code == 200
    assert older_errors(response) is not None  # topic_ids, post_count, ...


def test_legacy_bodies_have_the_older_shapes(server: EmulatorServer, world: World) -> None:
    picks = Picks(world)
    seen = Seen()
    app, creator = auth(world.app_token), auth(picks.creator_token)
    quoting = picks.post_spaces["referenced_posts"]  # its posts quote or reply to others
    with httpx.Client(base_url=server.url, timeout=30, headers=app) as http:
        spaces = {
            "/2/spaces": {"ids": ",".join(picks.spread + picks.missing)},
            f"/2/spaces/{picks.live}": {},
            "/2/spaces/search": {"query": "tech"},
            "/2/spaces/by/creator_ids": {"user_ids": ",".join(picks.creator_ids)},
        }
        template = {"/2/spaces": "/2/spaces", "/2/spaces/search": "/2/spaces/search",
                    "/2/spaces/by/creator_ids": "/2/spaces/by/creator_ids"}
        for url, base in spaces.items():
            everything = _everything(template.get(url, "/2/spaces/{id}"))
            for extra in ({}, everything,
                          {"space.fields": "title,topic_ids"},  # topics without the expansion
                          {"expansions": "topic_ids", "topic.fields": "description"}):
                body = seen.check(http.get(url, params={**base, **extra}))
                wanted = {"id", "name", *extra.get("topic.fields", "").split(",")}
                data = body.get("data", [])
                for space in data if isinstance(data, list) else [data]:
                    for topic in space.get("topics", []):  # whole, as includes.topics had it
                        full = world.topic(world.topic_ids.index(topic["id"]))
                        assert topic == {k: v for k, v in full.items() if k in wanted}
        topics_inline = seen.check(http.get(f"/2/spaces/{picks.live}", params={"space.fields": "topic_ids"}))
        assert topics_inline["data"]["topics"] and "includes" not in topics_inline

        # posts, with the 2.167 parameter names and with the older ones
        posts_everything = _everything("/2/spaces/{id}/tweets")
        for params in (posts_everything,
                       {"tweet.fields": "edit_history_tweet_ids,referenced_tweets,public_metrics,author_id",
                        "expansions": "referenced_tweets.id,author_id", "user.fields": "public_metrics"}):
            body = seen.check(http.get(f"/2/spaces/{quoting}/tweets", params=params))
            assert body["includes"]["tweets"], "a quoting Space's posts bring the posts they reference"
            assert "posts" not in body["includes"]

        # buyers (the creator's token), with the 2.167 and the older expansion names
        buyers = f"/2/spaces/{picks.buyers_space}/buyers"
        for params in (_everything("/2/spaces/{id}/buyers"),
                       {"expansions": "pinned_tweet_id,most_recent_tweet_id",
                        "user.fields": "public_metrics", "tweet.fields": "public_metrics"}):
            body = seen.check(http.get(buyers, params=params, headers=creator))
            assert any("pinned_tweet_id" in u for u in body["data"]) and body["includes"]["tweets"]

        # the problems
        seen.check(http.get(buyers, headers=auth(picks.other_token)), 403)  # not-authorized
        seen.check(http.get("/2/spaces", params={"ids": "not-an-id"}), 400)  # invalid-request
        seen.check(http.get(f"/2/spaces/{picks.unknown}"))  # only errors: resource-not-found

    assert seen.keys >= OLD_NAMES, OLD_NAMES - seen.keys
    assert seen.includes >= {"users", "tweets"}
    assert {OLD_HOST + name for name in ("resource-not-found", "invalid-request",
                                         "not-authorized-for-resource")} <= seen.problem_types


def test_an_injected_500_speaks_the_older_problem_host(make_emulator) -> None:
    server = make_emulator(spaces=200, users=500, legacy_names=True, fault_seed=1)
    world = server.emulator.world
    server.emulator.faults.settings.update({"p5xx": 1.0})
    bodies = []
    with httpx.Client(base_url=server.url, headers=auth(world.app_token), timeout=10) as http:
        for _ in range(20):
            response = http.get(f"/2/spaces/{world.space_ids.id(0)}")
            if response.status_code == 500:
                assert older_errors(response) is None, response.text
                bodies.append(response.json())
    assert bodies and all(b["type"] == OLD_HOST + "internal-error" for b in bodies)
