"""What the emulator's answers mean, checked against the World's ground truth.

The shared `emulator` fixture (frozen clock) serves the read-only checks; anything that
moves the clock, needs small limits or counts requests runs on its own emulator from
`make_emulator`. The truth comes from a separate `World` built with the same options, so
a check compares the server with the model, never the server with itself.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import time
from collections.abc import Callable, Iterator
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

import httpx
import pytest

from emulator.clock import iso, parse_instant
from emulator.server import EmulatorServer
from emulator.world import World
from tests._emulator_support import (
    SPACE_EXPANSIONS,
    SPACE_FIELDS,
    TOPIC_FIELDS,
    USER_FIELDS,
    world_like,
)

PROBLEMS = "https://api.x.com/2/problems/"
CALLER_FIELDS = {
    "confirmed_email",
    "connection_status",
    "receives_your_dm",
    "subscribes_to_you",
    "subscription",
}
EVERYTHING = {
    "space.fields": ",".join(SPACE_FIELDS),
    "expansions": ",".join(SPACE_EXPANSIONS),
    "user.fields": ",".join(USER_FIELDS),
    "topic.fields": ",".join(TOPIC_FIELDS),
}
RATE_HEADERS = ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset")


# --------------------------------------------------------------------------- helpers
def truth(server: EmulatorServer) -> World:
    return world_like(server)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


_user_numbers = itertools.count(1000)


def fresh_user_token(world: World) -> str:
    """A token no other test uses, so every test has its own rate-limit buckets."""
    return world.user_token(world.user_ids.id(next(_user_numbers)))


def world_now(client: httpx.Client) -> float:
    return client.get("/_emulator/clock").json()["epoch"]


def advance(client: httpx.Client, seconds: float) -> float:
    response = client.post("/_emulator/clock/advance", params={"seconds": seconds})
    assert response.status_code == 200, response.text
    return response.json()["epoch"]


def project_space(full: dict, fields: set[str], expansions: set[str]) -> dict:
    """What a Space renders as, per NOTES.md: `id` and `state` always, the asked fields,
    the id field of each asked expansion; empty lists left out."""
    wanted = {"id", "state"} | fields | (expansions & set(SPACE_EXPANSIONS))
    return {k: v for k, v in full.items() if k in wanted and v != []}


def project_user(full: dict, fields: set[str]) -> dict:
    wanted = ({"id", "name", "username"} | fields) - CALLER_FIELDS
    return {k: v for k, v in full.items() if k in wanted and v != []}


def space_id_of(world: World, status: str, at: float, skip: int = 0) -> str:
    found = [i for i in range(world.n_spaces) if world.status(i, at) == status]
    return world.space_ids.id(found[skip])


def unknown_space_id(world: World) -> str:
    return next(
        c
        for c in ("1zzzzzzzzzzzz", "1ZZZZZZZZZZZZ", "1aaaaaaaaaaaa")
        if world.space_index(c) is None
    )


@pytest.fixture(scope="module")
def world(emulator: EmulatorServer) -> World:
    return truth(emulator)


@pytest.fixture
def api(emulator: EmulatorServer, world: World) -> Iterator[httpx.Client]:
    """A client of the shared frozen emulator, with a user token of its own."""
    with httpx.Client(
        base_url=emulator.url, headers=bearer(fresh_user_token(world)), timeout=30
    ) as client:
        yield client


@pytest.fixture
def now(api: httpx.Client) -> float:
    return world_now(api)


def client_of(server: EmulatorServer, token: str | None = None) -> httpx.Client:
    headers = bearer(token) if token else {}
    return httpx.Client(base_url=server.url, headers=headers, timeout=30)


# --------------------------------------------------------------------------- coherence
def test_every_space_id_mentioned_resolves_by_id(
    api: httpx.Client, world: World, now: float
) -> None:
    mentioned: dict[str, dict] = {}  # id -> the object as first seen, with EVERYTHING asked

    def collect(body: dict) -> None:
        data = body.get("data") or []
        for space in data if isinstance(data, list) else [data]:
            mentioned.setdefault(space["id"], space)

    for query in ("tech", "talks", "rust", "crypto", "music"):
        collect(api.get("/2/spaces/search", params={"query": query, **EVERYTHING}).json())
    creators = [world.user_ids.id(int(world.creator[i])) for i in range(4)]
    collect(
        api.get(
            "/2/spaces/by/creator_ids", params={"user_ids": ",".join(creators), **EVERYTHING}
        ).json()
    )
    some = [
        space_id_of(world, state, now, k)
        for state in ("live", "scheduled", "ended")
        for k in range(3)
    ]
    collect(api.get("/2/spaces", params={"ids": ",".join(some), **EVERYTHING}).json())

    # posts link to the Space they were shared in
    linked: set[str] = set()
    for space_id in list(mentioned)[:12]:
        body = api.get(f"/2/spaces/{space_id}/tweets", params={"post.fields": "entities"}).json()
        for post in body.get("data", []):
            for url in post.get("entities", {}).get("urls", []):
                match = re.fullmatch(r"https://x\.com/i/spaces/(\w+)", url.get("expanded_url", ""))
                if match:
                    linked.add(match.group(1))
                    assert match.group(1) == space_id  # a post shared in this Space links to it
    assert linked, "no post linked a Space: the check below would be empty"

    assert len(mentioned) > 30
    for space_id in list(mentioned) + sorted(linked - set(mentioned)):
        response = api.get(f"/2/spaces/{space_id}", params=EVERYTHING)
        assert response.status_code == 200
        body = response.json()
        assert "errors" not in body, body
        assert body["data"]["id"] == space_id
        if space_id in mentioned:
            assert body["data"] == mentioned[space_id]  # same instant, same fields: same object
        full = world.space(space_id, now)
        assert full is not None
        assert body["data"] == project_space(full, set(SPACE_FIELDS), set(SPACE_EXPANSIONS))


def test_a_user_is_the_same_wherever_it_appears(emulator: EmulatorServer, world: World) -> None:
    """One caller, one instant, the same user.fields: every copy of a user is identical,
    and its public part is the World's user."""
    creator = int(world.creator[2])
    token = world.user_token(world.user_ids.id(creator))
    ticketed = world.space_ids.id(2)
    user_fields = {"user.fields": ",".join(USER_FIELDS)}
    copies: dict[str, list[tuple[str, dict]]] = {}

    def collect(where: str, users: list[dict]) -> None:
        for user in users:
            copies.setdefault(user["id"], []).append((where, user))

    with client_of(emulator, token) as client:
        now = world_now(client)
        live = [
            world.space_ids.id(i) for i in range(world.n_spaces) if world.status(i, now) == "live"
        ]
        for where, path, params in (
            ("search", "/2/spaces/search", {"query": "tech"}),
            ("ids", "/2/spaces", {"ids": ",".join(live[:30] + [ticketed])}),
            ("by id", f"/2/spaces/{live[0]}", {}),
            (
                "creators",
                "/2/spaces/by/creator_ids",
                {"user_ids": ",".join(world.user_ids.id(u) for u in range(6))},
            ),
        ):
            body = client.get(path, params={**params, **EVERYTHING}).json()
            collect(where, body["includes"]["users"])
        for space_id in live[:8]:
            body = client.get(
                f"/2/spaces/{space_id}/tweets",
                params={"expansions": "author_id,in_reply_to_user_id", **user_fields},
            ).json()
            collect(f"posts of {space_id}", body.get("includes", {}).get("users", []))
        pages = client.get(f"/2/spaces/{ticketed}/buyers", params=user_fields).json()
        collect("buyers", pages["data"])

    repeated = {uid: c for uid, c in copies.items() if len({w for w, _ in c}) > 1}
    assert len(repeated) >= 5, "too few users seen in more than one response"
    for user_id, seen in copies.items():
        first = seen[0][1]
        for where, user in seen[1:]:
            assert user == first, (user_id, seen[0][0], where)
        assert project_user(first, set(USER_FIELDS)) == project_user(
            world.user(user_id), set(USER_FIELDS)
        )
        # caller-dependent fields: confirmed_email only on the caller's own user
        assert ("confirmed_email" in first) == (user_id == world.user_ids.id(creator))
        assert first["subscription"] == {"subscribes_to_you": False}


def test_expansions_bring_exactly_the_referenced_objects(
    api: httpx.Client, world: World, now: float
) -> None:
    body = api.get("/2/spaces/search", params={"query": "tech", **EVERYTHING}).json()
    referenced_users: set[str] = set()
    referenced_topics: set[str] = set()
    for space in body["data"]:
        full = world.space(space["id"], now)
        referenced_users |= {
            full["creator_id"],
            *full["host_ids"],
            *full["speaker_ids"],
            *full["invited_user_ids"],
        }
        referenced_topics |= set(full["topic_ids"])
    users = body["includes"]["users"]
    assert [u["id"] for u in users] == list(dict.fromkeys(u["id"] for u in users))  # each once
    assert {u["id"] for u in users} == referenced_users
    assert {t["id"] for t in body["includes"]["topics"]} == referenced_topics
    for topic in body["includes"]["topics"]:
        k = world.topic_ids.index(topic["id"])
        assert topic == world.topic(k)

    # defaults only: id and state, no includes
    plain = api.get("/2/spaces/search", params={"query": "tech"}).json()
    assert all(set(s) == {"id", "state"} for s in plain["data"])
    assert "includes" not in plain


# --------------------------------------------------------------------------- search
def _search_truth(spaces: list[dict], query: str, state: str, max_results: int) -> list[str]:
    """NOTES.md: every whitespace-separated term is a whole word of the title, any case;
    live and scheduled Spaces only; live first by participant_count (desc), then scheduled
    by scheduled_start; ties by id; at most max_results. `spaces`: World.spaces(at).
    README: a term with no letter or digit, or a control character, matches nothing."""
    terms = [t.lower() for t in query.split()]
    states = ("live", "scheduled") if state == "all" else (state,)
    if re.search(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]", query) or not all(re.search(r"\w", t) for t in terms):
        return []
    found = [
        s
        for s in spaces
        if s["state"] in states
        and terms
        and all(re.search(rf"(?<!\w){re.escape(t)}(?!\w)", s["title"].lower()) for t in terms)
    ]
    live = sorted(
        (s for s in found if s["state"] == "live"), key=lambda s: (-s["participant_count"], s["id"])
    )
    scheduled = sorted(
        (s for s in found if s["state"] == "scheduled"),
        key=lambda s: (s["scheduled_start"], s["id"]),
    )
    return [s["id"] for s in (live + scheduled)[:max_results]]


def test_search_matches_whole_title_words_orders_and_limits(
    api: httpx.Client, world: World, now: float
) -> None:
    rng = random.Random(7)
    spaces = world.spaces(now)
    titles = [s["title"] for s in spaces if s["state"] != "ended"]
    queries = [
        "tech",
        "TECH Talks",
        "talks tech",
        "Rust",
        "rust live",
        "x api",
        "AMA",
        "weekly",
        "crypto",
        "tech talk",
        "talk",
        "morning",
        "zzzunknownword",
    ]
    for title in rng.sample(titles, 12):
        words = re.findall(r"\w+", title)
        picked = rng.sample(words, k=min(len(words), rng.choice((1, 2))))
        queries.append(" ".join(w.upper() if rng.random() < 0.5 else w for w in picked))
    nonempty = 0
    for query in queries:
        for state in ("all", "live", "scheduled"):
            for max_results in (100, 2):
                params: dict[str, Any] = {
                    "query": query,
                    "space.fields": "title,participant_count,scheduled_start",
                }
                if state != "all":
                    params["state"] = state
                if max_results != 100:
                    params["max_results"] = max_results
                response = api.get("/2/spaces/search", params=params)
                assert response.status_code == 200, response.text
                body = response.json()
                got = [s["id"] for s in body.get("data", [])]
                assert got == _search_truth(spaces, query, state, max_results), (
                    query,
                    state,
                    max_results,
                )
                assert body["meta"] == {"result_count": len(got)}  # one call, no pagination
                nonempty += bool(got)
    assert nonempty > 40


def test_search_terms_with_punctuation_or_control_characters(
    api: httpx.Client, world: World, now: float
) -> None:
    """A term matches as spelled, punctuation included, as a whole word; a term with no
    letter or digit, or a query with a control character, matches nothing (README)."""
    spaces = world.spaces(now)
    tech_talks = world.space_ids.id(0)  # "Tech talks: building with the X API"

    def found(query: str) -> list[str]:
        response = api.get("/2/spaces/search", params={"query": query, "space.fields": "title"})
        assert response.status_code == 200, (query, response.text)
        got = [s["id"] for s in response.json().get("data", [])]
        assert got == _search_truth(spaces, query, "all", 100), query
        assert got == [s["id"] for s in world.search(query, at=now)], query
        return got

    assert tech_talks in found("tech") and tech_talks in found("talks:")
    assert tech_talks not in found("tech:"), "the colon follows talks, not tech"
    assert len(found("talks:")) < len(found("talks")), "talks: needs the colon"
    assert found("TALKS: X") and tech_talks in found("TALKS: X")
    for query in ("tech\x00", "tech\x1f talks", "\x00", "tech \u200b", "-", "tech -", "!!", "::"):
        assert found(query) == [], repr(query)
    assert found("tech\ttalks") == found("tech talks"), "tabs separate terms"
    assert found("tech") != []


def test_search_never_finds_ended_spaces(api: httpx.Client, world: World, now: float) -> None:
    ended = world.space(world.space_ids.id(3), now)
    assert ended["state"] == "ended" and ended["title"] == "Crypto market morning"
    for query in ("Crypto market morning", "crypto", "morning"):
        for state in ("all", "live", "scheduled"):
            body = api.get("/2/spaces/search", params={"query": query, "state": state}).json()
            assert ended["id"] not in [s["id"] for s in body.get("data", [])]
            assert all(s["state"] != "ended" for s in body.get("data", []))
    # while live-and-scheduled matches for the same words exist
    tech = api.get("/2/spaces/search", params={"query": "tech talks"}).json()
    assert {s["state"] for s in tech["data"]} == {"live", "scheduled"}
    assert tech["data"][0]["id"] == world.space_ids.id(0)


# --------------------------------------------------------------------------- validation
def _invalid(response: httpx.Response, parameter: str) -> dict:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["type"] == PROBLEMS + "invalid-request"
    assert body["title"] == "Invalid Request" and body["status"] == 400
    assert any(parameter in e["parameters"] for e in body["errors"]), body
    for error in body["errors"]:
        assert error["message"] and all(isinstance(v, list) for v in error["parameters"].values())
    return body


def test_ids_lists_take_1_to_100_valid_ids(api: httpx.Client, world: World, now: float) -> None:
    visible = [s["id"] for s in world.spaces(now)]
    hundred = visible[:100]
    body = api.get("/2/spaces", params={"ids": ",".join(hundred)}).json()
    assert [s["id"] for s in body["data"]] == hundred and "errors" not in body
    one = api.get("/2/spaces", params={"ids": hundred[0]}).json()
    assert [s["id"] for s in one["data"]] == hundred[:1]

    _invalid(api.get("/2/spaces", params={"ids": ",".join(visible[:101])}), "ids")
    _invalid(api.get("/2/spaces", params={"ids": ""}), "ids")
    _invalid(api.get("/2/spaces"), "ids")
    body = _invalid(api.get("/2/spaces", params={"ids": f"{hundred[0]},bad-id"}), "ids")
    assert body["errors"][0]["parameters"] == {"ids": ["bad-id"]}
    body = _invalid(api.get("/2/spaces", params={"ids": "1" * 14}), "ids")
    assert body["errors"][0]["parameters"] == {"ids": ["1" * 14]}
    _invalid(api.get("/2/spaces", params={"ids": f"{hundred[0]},,{hundred[1]}"}), "ids")
    body = _invalid(api.get("/2/spaces/bad_id"), "id")
    assert body["errors"][0]["parameters"] == {"id": ["bad_id"]}
    _invalid(
        api.get("/2/spaces", params={"ids": hundred[0], "space.fields": "title,bogus"}),
        "space.fields",
    )
    _invalid(api.get("/2/spaces", params={"ids": hundred[0], "colour": "red"}), "colour")
    # one value list per parameter: ids=a&ids=b is the spec's bug, not what the API takes
    response = api.get("/2/spaces", params=[("ids", hundred[0]), ("ids", hundred[1])])
    _invalid(response, "ids")


def test_user_ids_lists_take_1_to_100_numeric_ids(emulator: EmulatorServer, world: World) -> None:
    users = [world.user_ids.id(u) for u in range(101)]
    cases: list[tuple[dict, int]] = [
        ({"user_ids": ",".join(users[:100])}, 200),
        ({"user_ids": users[0]}, 200),
        ({"user_ids": ",".join(users)}, 400),
        ({"user_ids": ""}, 400),
        ({}, 400),
        ({"user_ids": "12,abc"}, 400),
        ({"user_ids": "1" * 20}, 400),
    ]
    for params, status in cases:
        # by/creator_ids takes one request a second per token: one token per request
        with client_of(emulator, fresh_user_token(world)) as client:
            response = client.get("/2/spaces/by/creator_ids", params=params)
            if status == 400:
                _invalid(response, "user_ids")
            else:
                assert response.status_code == 200, (params, response.text)
                now = world_now(client)
                wanted = params["user_ids"].split(",")
                got = [s["id"] for s in response.json().get("data", [])]
                assert got == [s["id"] for s in world.spaces_by_creators(wanted, now)]
                assert response.json()["meta"]["result_count"] == len(got)


def test_max_results_and_query_bounds(api: httpx.Client, world: World) -> None:
    ticketed = world.space_ids.id(2)
    for value in ("0", "101", "-1", "ten", "1.5"):
        _invalid(
            api.get("/2/spaces/search", params={"query": "tech", "max_results": value}),
            "max_results",
        )
        _invalid(
            api.get(f"/2/spaces/{ticketed}/tweets", params={"max_results": value}), "max_results"
        )
    _invalid(api.get("/2/spaces/search", params={"query": ""}), "query")
    _invalid(api.get("/2/spaces/search", params={"query": "a" * 2049}), "query")
    assert api.get("/2/spaces/search", params={"query": "a" * 2048}).status_code == 200
    _invalid(api.get("/2/spaces/search", params={"query": "tech", "state": "ended"}), "state")


def test_integers_and_ids_take_ascii_only(emulator: EmulatorServer, world: World) -> None:
    """Unicode digits are digits to Python's int() and \\d, not to the API; and a spec
    pattern's `$` does not let a trailing newline through."""
    space_id = world.space_ids.id(0)
    with client_of(emulator, world.app_token) as api:
        for value in ("\u0665", "\uff15", "1\u0660", "\u0665\n", "5\n"):
            _invalid(api.get("/2/spaces/search", params={"query": "tech", "max_results": value}),
                     "max_results")
            _invalid(api.get(f"/2/spaces/{space_id}/tweets", params={"max_results": value}),
                     "max_results")
        assert api.get("/2/spaces/search", params={"query": "tech", "max_results": "5"}).status_code == 200
        _invalid(api.get("/2/spaces", params={"ids": space_id + "\n"}), "ids")
        _invalid(api.get(f"/2/spaces/{space_id}%0A"), "id")
    user_id = world.user_ids.id(0)
    for value in (user_id + "\n", "\u0661\u0662\u0663"):
        with client_of(emulator, fresh_user_token(world)) as client:
            _invalid(client.get("/2/spaces/by/creator_ids", params={"user_ids": value}), "user_ids")


# --------------------------------------------------------------------------- pagination
def _walk(client: httpx.Client, url: str, params: dict[str, Any]) -> list[dict]:
    pages, params = [], dict(params)
    while True:
        response = client.get(url, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body)
        assert body["meta"]["result_count"] == len(body.get("data", []))
        if "next_token" not in body["meta"]:
            return pages
        params["pagination_token"] = body["meta"]["next_token"]


def test_buyers_pages_cover_every_buyer_exactly_once(
    emulator: EmulatorServer, world: World
) -> None:
    ticketed = world.space_ids.id(2)
    token = world.user_token(world.user_ids.id(int(world.creator[2])))
    with client_of(emulator, token) as client:
        now = world_now(client)
        expected = [u["id"] for u in world.buyers(ticketed, now)]
        assert len(expected) > 200
        tokens_seen: set[str] = set()
        for size in (100, 17):
            pages = _walk(client, f"/2/spaces/{ticketed}/buyers", {"max_results": size})
            got = [u["id"] for page in pages for u in page["data"]]
            assert got == expected  # purchase order, each buyer once
            assert len(pages) == -(-len(expected) // size)
            assert all(len(p["data"]) == size for p in pages[:-1])
            assert "next_token" not in pages[-1]["meta"]
            for page in pages[:-1]:
                next_token = page["meta"]["next_token"]
                assert len(next_token) >= 16
                assert not re.fullmatch(r"\d+", next_token)  # opaque, not a bare offset
                tokens_seen.add(next_token)
            # previous_token goes back one page
            previous = pages[1]["meta"]["previous_token"]
            back = client.get(
                f"/2/spaces/{ticketed}/buyers",
                params={"max_results": size, "pagination_token": previous},
            ).json()
            assert back["data"] == pages[0]["data"]
        assert len(tokens_seen) == -(-len(expected) // 100) - 1 + -(-len(expected) // 17) - 1

        # default page size is 100
        first = client.get(f"/2/spaces/{ticketed}/buyers").json()
        assert [u["id"] for u in first["data"]] == expected[:100]


def test_paging_while_the_world_moves_returns_each_item_once(
    make_emulator: Callable[..., EmulatorServer],
) -> None:
    """Tickets keep selling and posts keep coming between two pages: a buyers walk ends
    with every buyer of the later instant, each once; a posts walk (newest first) goes on
    from where it was, so it never repeats a post."""
    server = make_emulator()
    world = truth(server)
    ticketed = world.space_ids.id(2)
    t0 = world.start
    t1 = t0 + 2 * 3600  # the AMA is live by then; sales run until 30% of it
    assert len(world.buyers(ticketed, t1)) > len(world.buyers(ticketed, t0))
    token = world.user_token(world.user_ids.id(int(world.creator[2])))
    with client_of(server, token) as client:
        url = f"/2/spaces/{ticketed}/buyers"
        first = client.get(url, params={"max_results": 100}).json()
        advance(client, t1 - t0)
        rest = _walk(
            client, url, {"max_results": 100, "pagination_token": first["meta"]["next_token"]}
        )
        got = [u["id"] for u in first["data"]] + [u["id"] for page in rest for u in page["data"]]
        assert got == [u["id"] for u in world.buyers(ticketed, t1)]

    busy = next(
        s["id"]
        for s in world.spaces(t0)
        if s["state"] == "live"
        and len(world.posts(s["id"], t0 + 3600)) > len(world.posts(s["id"], t0)) >= 4
    )
    server = make_emulator()
    with client_of(server, world.app_token) as client:
        url = f"/2/spaces/{busy}/tweets"
        first = client.get(url, params={"max_results": 2}).json()
        advance(client, 3600)
        rest = _walk(
            client, url, {"max_results": 2, "pagination_token": first["meta"]["next_token"]}
        )
        got = [p["id"] for p in first["data"]] + [p["id"] for page in rest for p in page["data"]]
        assert got == [p["id"] for p in world.posts(busy, t0)]  # what existed when the walk began
        newest = client.get(url).json()["data"]
        assert [p["id"] for p in newest] == [p["id"] for p in world.posts(busy, t0 + 3600)]


def test_posts_pages_cover_every_post_newest_first(
    api: httpx.Client, world: World, now: float
) -> None:
    spaces = sorted((s["id"] for s in world.spaces(now)), key=lambda x: -len(world.posts(x, now)))[
        :3
    ]
    for space_id in spaces:
        expected = [p["id"] for p in world.posts(space_id, now)]
        assert len(expected) > 5
        created = [p["created_at"] for p in world.posts(space_id, now)]
        assert created == sorted(created, reverse=True)
        pages = _walk(api, f"/2/spaces/{space_id}/tweets", {"max_results": 4})
        assert [p["id"] for page in pages for p in page["data"]] == expected
        for page in pages[:-1]:
            assert len(page["meta"]["next_token"]) >= 16
        assert "next_token" not in pages[-1]["meta"]
        whole = api.get(f"/2/spaces/{space_id}/tweets").json()
        assert [p["id"] for p in whole["data"]] == expected
        for post in whole["data"]:  # defaults: id, text, edit_history_post_ids
            assert set(post) == {"id", "text", "edit_history_post_ids"}


def test_unknown_pagination_tokens_are_refused(emulator: EmulatorServer, world: World) -> None:
    ticketed = world.space_ids.id(2)
    creator_token = world.user_token(world.user_ids.id(int(world.creator[2])))
    with client_of(emulator, creator_token) as client:
        now = world_now(client)
        first = client.get(f"/2/spaces/{ticketed}/buyers", params={"max_results": 10}).json()
        real = first["meta"]["next_token"]
        assert (
            client.get(
                f"/2/spaces/{ticketed}/buyers", params={"max_results": 10, "pagination_token": real}
            ).status_code
            == 200
        )
        forged = [
            real[:-1] + ("0" if real[-1] != "0" else "1"),
            real.upper(),
            "0" * 20,
            "not a token at all!!",
        ]
        for token in forged:
            body = _invalid(
                client.get(f"/2/spaces/{ticketed}/buyers", params={"pagination_token": token}),
                "pagination_token",
            )
            assert body["errors"][0]["parameters"] == {"pagination_token": [token]}
        _invalid(
            client.get(f"/2/spaces/{ticketed}/buyers", params={"pagination_token": "short"}),
            "pagination_token",
        )
        # a buyers token is not a posts token, nor is a token of one Space one of another
        _invalid(
            client.get(f"/2/spaces/{ticketed}/tweets", params={"pagination_token": real}),
            "pagination_token",
        )
        busy = [s["id"] for s in world.spaces(now) if len(world.posts(s["id"], now)) > 2][:2]
        posts_token = client.get(f"/2/spaces/{busy[0]}/tweets", params={"max_results": 1}).json()[
            "meta"
        ]["next_token"]
        assert (
            client.get(
                f"/2/spaces/{busy[0]}/tweets", params={"pagination_token": posts_token}
            ).status_code
            == 200
        )
        _invalid(
            client.get(f"/2/spaces/{busy[1]}/tweets", params={"pagination_token": posts_token}),
            "pagination_token",
        )
        _invalid(
            client.get(f"/2/spaces/{ticketed}/buyers", params={"pagination_token": posts_token}),
            "pagination_token",
        )


# --------------------------------------------------------------------------- auth
def test_buyers_only_for_the_creators_user_token(emulator: EmulatorServer, world: World) -> None:
    ticketed = world.space_ids.id(2)
    creator = int(world.creator[2])
    with client_of(emulator) as client:
        app = client.get(f"/2/spaces/{ticketed}/buyers", headers=bearer(world.app_token))
        assert app.status_code == 403
        assert app.json()["type"] == PROBLEMS + "unsupported-authentication"
        other = client.get(
            f"/2/spaces/{ticketed}/buyers",
            headers=bearer(world.user_token(world.user_ids.id(creator + 7))),
        )
        assert other.status_code == 403
        body = other.json()
        assert body["type"] == PROBLEMS + "not-authorized-for-resource"
        assert body["resource_id"] == ticketed and body["resource_type"] == "space"
        own = client.get(
            f"/2/spaces/{ticketed}/buyers",
            headers=bearer(world.user_token(world.user_ids.id(creator))),
        )
        assert own.status_code == 200
        now = world_now(client)
        assert [u["id"] for u in own.json()["data"]] == [
            u["id"] for u in world.buyers(ticketed, now)
        ][:100]


def test_posts_take_app_and_user_tokens(emulator: EmulatorServer, world: World) -> None:
    space_id = world.space_ids.id(3)
    with client_of(emulator) as client:
        now = world_now(client)
        expected = [p["id"] for p in world.posts(space_id, now)]
        assert expected
        for token in (world.app_token, fresh_user_token(world)):
            response = client.get(
                f"/2/spaces/{space_id}/tweets",
                headers=bearer(token),
                params={"post.fields": "author_id,created_at", "expansions": "author_id"},
            )
            assert response.status_code == 200, response.text
            body = response.json()
            assert [p["id"] for p in body["data"]] == expected
            truth_posts = {p["id"]: p for p in world.posts(space_id, now)}
            for post in body["data"]:
                assert post["author_id"] == truth_posts[post["id"]]["author_id"]
                assert post["text"] == truth_posts[post["id"]]["text"]
            assert {u["id"] for u in body["includes"]["users"]} == {
                p["author_id"] for p in body["data"]
            }


def test_missing_or_unknown_tokens_get_401(emulator: EmulatorServer, world: World) -> None:
    good = world.user_token(world.user_ids.id(5))
    forged = good[:-1] + ("A" if good[-1] != "A" else "B")
    outside = world.tokens.user(world.n_users + 1)  # well-formed, for no user of this world
    other_world = World(seed=world.seed + 1, spaces=4, users=20).app_token
    cases = [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer nonsense"},
        {"Authorization": f"Basic {world.app_token}"},
        {"Authorization": world.app_token},
        bearer(forged),
        bearer(outside),
        bearer(other_world),
    ]
    with client_of(emulator) as client:
        for path in (
            "/2/spaces/search?query=tech",
            f"/2/spaces/{world.space_ids.id(0)}",
            f"/2/spaces/{world.space_ids.id(2)}/buyers",
        ):
            for headers in cases:
                response = client.get(path, headers=headers)
                assert response.status_code == 401, (path, headers)
                assert response.json() == {
                    "title": "Unauthorized",
                    "type": "about:blank",
                    "status": 401,
                    "detail": "Unauthorized",
                }
        assert (
            client.get(f"/2/spaces/{world.space_ids.id(0)}", headers=bearer(good)).status_code
            == 200
        )


# --------------------------------------------------------------------------- rate limits
def test_rate_limit_headers_and_429_when_exhausted(
    make_emulator: Callable[..., EmulatorServer],
) -> None:
    server = make_emulator(rate_limit=3)
    world = truth(server)
    live = world.space_ids.id(0)
    token = world.app_token
    with client_of(server, token) as client:
        # every response of an authenticated request carries the headers: 200, partial, 400, 403
        remaining = []
        for path in (
            f"/2/spaces/{live}",
            f"/2/spaces/{unknown_space_id(world)}",
            "/2/spaces/bad_id",
        ):
            response = client.get(path)
            assert response.status_code in (200, 400)
            assert all(h in response.headers for h in RATE_HEADERS), (path, response.headers)
            assert response.headers["x-rate-limit-limit"] == "3"
            remaining.append(int(response.headers["x-rate-limit-remaining"]))
        assert remaining == [2, 1, 0]
        limited = client.get(f"/2/spaces/{live}")
        assert limited.status_code == 429
        assert limited.json() == {
            "title": "Too Many Requests",
            "detail": "Too Many Requests",
            "type": "about:blank",
            "status": 429,
        }
        assert limited.headers["x-rate-limit-remaining"] == "0"
        assert "retry-after" not in limited.headers
        assert limited.headers["x-rate-limit-reset"] == response.headers["x-rate-limit-reset"]
        # buckets are per endpoint and per token
        other_endpoint = client.get("/2/spaces/search", params={"query": "tech"})
        assert other_endpoint.status_code == 200
        assert other_endpoint.headers["x-rate-limit-remaining"] == "2"
        other_token = client.get(f"/2/spaces/{live}", headers=bearer(fresh_user_token(world)))
        assert other_token.status_code == 200
        buyers = client.get(f"/2/spaces/{world.space_ids.id(2)}/buyers")
        assert buyers.status_code == 403 and all(h in buyers.headers for h in RATE_HEADERS)


def test_creator_ids_take_one_request_per_second(
    make_emulator: Callable[..., EmulatorServer],
) -> None:
    server = make_emulator()
    world = truth(server)
    params = {"user_ids": world.user_ids.id(0)}
    with client_of(server, world.app_token) as client:
        for _attempt in range(5):
            started = time.monotonic()
            first = client.get("/2/spaces/by/creator_ids", params=params)
            second = client.get("/2/spaces/by/creator_ids", params=params)
            # both arrived within this span; under 1 s, the second must be refused
            if time.monotonic() - started < 1.0:
                break
            time.sleep(1.1)
        else:
            pytest.fail("could not send two requests within one second")
        assert first.status_code == 200
        assert second.status_code == 429
        assert second.json()["type"] == "about:blank"
        assert int(second.headers["x-rate-limit-remaining"]) > 0  # not the 15-minute window
        # another token has its own second; other endpoints have no per-second limit
        assert (
            client.get(
                "/2/spaces/by/creator_ids", params=params, headers=bearer(fresh_user_token(world))
            ).status_code
            == 200
        )
        for _ in range(3):
            assert client.get("/2/spaces/search", params={"query": "tech"}).status_code == 200


def test_usage_cap_answers_429_usage_capped(make_emulator: Callable[..., EmulatorServer]) -> None:
    server = make_emulator(usage_cap=3)
    world = truth(server)
    with client_of(server) as client:
        # the cap counts the app's requests, whatever the endpoint or token
        assert (
            client.get(
                f"/2/spaces/{world.space_ids.id(0)}", headers=bearer(world.app_token)
            ).status_code
            == 200
        )
        assert (
            client.get(
                "/2/spaces/search", params={"query": "x"}, headers=bearer(fresh_user_token(world))
            ).status_code
            == 200
        )
        assert (
            client.get(
                f"/2/spaces/{world.space_ids.id(3)}/tweets", headers=bearer(world.app_token)
            ).status_code
            == 200
        )
        for headers in (bearer(world.app_token), bearer(fresh_user_token(world))):
            capped = client.get(f"/2/spaces/{world.space_ids.id(0)}", headers=headers)
            assert capped.status_code == 429
            body = capped.json()
            assert body["type"] == PROBLEMS + "usage-capped" and body["status"] == 429
            assert body["period"] in ("Daily", "Monthly") and body["scope"] in (
                "Account",
                "Product",
            )
            assert int(capped.headers["x-rate-limit-remaining"]) > 0  # not a rate limit
        # lifted at run time through the admin config
        config = client.post("/_emulator/config", json={"usage_cap": None})
        assert config.status_code == 200 and config.json()["usage_cap"] is None
        assert (
            client.get(
                f"/2/spaces/{world.space_ids.id(0)}", headers=bearer(world.app_token)
            ).status_code
            == 200
        )
        assert client.post("/_emulator/config", json={"usage_cap": 0}).json()["usage_cap"] == 0
        assert (
            client.get(
                f"/2/spaces/{world.space_ids.id(0)}", headers=bearer(world.app_token)
            ).status_code
            == 429
        )


# --------------------------------------------------------------------------- not found
def test_missing_spaces_are_partial_resource_not_found_errors(
    api: httpx.Client, world: World, now: float
) -> None:
    unknown = unknown_space_id(world)
    expired = space_id_of(world, "expired", now)
    cancelled = space_id_of(world, "cancelled", now)
    unborn = space_id_of(world, "unborn", now)
    for missing in (unknown, expired, cancelled, unborn):
        assert world.space(missing, now) is None
        response = api.get(f"/2/spaces/{missing}", params=EVERYTHING)
        assert response.status_code == 200
        assert response.json() == {
            "errors": [
                {
                    "value": missing,
                    "detail": f"Could not find space with id: [{missing}].",
                    "title": "Not Found Error",
                    "resource_type": "space",
                    "parameter": "id",
                    "resource_id": missing,
                    "type": PROBLEMS + "resource-not-found",
                }
            ]
        }
    live = world.space_ids.id(0)
    body = api.get("/2/spaces", params={"ids": f"{unknown},{live},{expired}"}).json()
    assert [s["id"] for s in body["data"]] == [live]
    assert [(e["resource_id"], e["parameter"], e["type"]) for e in body["errors"]] == [
        (unknown, "ids", PROBLEMS + "resource-not-found"),
        (expired, "ids", PROBLEMS + "resource-not-found"),
    ]
    assert body["errors"][0]["detail"] == f"Could not find space with ids: [{unknown}]."
    only_missing = api.get("/2/spaces", params={"ids": f"{unknown},{cancelled}"}).json()
    assert set(only_missing) == {"errors"} and len(only_missing["errors"]) == 2
    # the same for buyers and posts of a missing Space
    for path in (f"/2/spaces/{unknown}/tweets",):
        assert set(api.get(path).json()) == {"errors"}


# --------------------------------------------------------------------------- time
def test_ended_spaces_expire_after_the_retention(
    make_emulator: Callable[..., EmulatorServer],
) -> None:
    retention = 4 * 3600.0
    server = make_emulator(ended_retention=retention)
    world = truth(server)
    ended = world.space_ids.id(3)
    creator = world.user_ids.id(int(world.creator[3]))
    with client_of(server, world.app_token) as client:
        start = world_now(client)
        expires_at = float(world.ended[3]) + retention
        assert start < expires_at

        def lookup() -> dict:
            return client.get(f"/2/spaces/{ended}", params={"space.fields": "ended_at"}).json()

        def by_creator() -> list[str]:
            body = client.get(
                "/2/spaces/by/creator_ids",
                params={"user_ids": creator},
                headers=bearer(fresh_user_token(world)),
            ).json()
            return [s["id"] for s in body.get("data", [])]

        assert lookup()["data"] == {"id": ended, "state": "ended", "ended_at": iso(world.ended[3])}
        assert ended in by_creator()
        advance(client, expires_at - start - 1)
        assert lookup()["data"]["state"] == "ended"
        advance(client, 1)
        assert world.space(ended, expires_at) is None
        body = lookup()
        assert (
            set(body) == {"errors"} and body["errors"][0]["type"] == PROBLEMS + "resource-not-found"
        )
        assert ended not in by_creator()
        assert set(client.get(f"/2/spaces/{ended}/tweets").json()) == {"errors"}


def test_cancelled_spaces_disappear(make_emulator: Callable[..., EmulatorServer]) -> None:
    server = make_emulator()
    world = truth(server)
    start = world.start
    candidates = [
        i
        for i in range(world.n_spaces)
        if world.status(i, start) == "scheduled" and world.cancel_at[i] > start
    ]
    assert candidates, "no Space is cancelled after the start in this world"
    i = min(candidates, key=lambda k: world.cancel_at[k])
    space_id = world.space_ids.id(i)
    with client_of(server, world.app_token) as client:
        assert client.get(f"/2/spaces/{space_id}").json()["data"]["state"] == "scheduled"
        advance(client, float(world.cancel_at[i]) - start - 1)
        assert client.get(f"/2/spaces/{space_id}").json()["data"]["state"] == "scheduled"
        advance(client, 1)
        assert world.status(i, float(world.cancel_at[i])) == "cancelled"
        body = client.get(f"/2/spaces/{space_id}").json()
        assert set(body) == {"errors"} and body["errors"][0]["resource_id"] == space_id


def test_lifecycle_scheduled_live_ended(make_emulator: Callable[..., EmulatorServer]) -> None:
    server = make_emulator()
    world = truth(server)
    space_id = world.space_ids.id(2)  # the ticketed AMA, scheduled at the start
    fields = {"space.fields": ",".join(SPACE_FIELDS)}
    instants = [
        world.start,
        float(world.started[2]) - 1,
        float(world.started[2]),
        float(world.started[2]) + 1800,
        float(world.ended[2]) - 1,
        float(world.ended[2]),
        float(world.ended[2]) + 3600,
    ]
    states = []
    with client_of(server, world.app_token) as client:
        for at in instants:
            advance(client, at - world_now(client))
            assert world_now(client) == at
            body = client.get(f"/2/spaces/{space_id}", params=fields).json()
            space = body["data"]
            assert space == project_space(world.space(space_id, at), set(SPACE_FIELDS), set())
            states.append(space["state"])
            if space["state"] == "scheduled":
                assert "started_at" not in space and "ended_at" not in space
                assert space["participant_count"] == 0
            if space["state"] == "live":
                assert space["started_at"] == iso(world.started[2]) and "ended_at" not in space
                assert space["participant_count"] > 0
            if space["state"] == "ended":
                assert space["ended_at"] == iso(world.ended[2])
            found = client.get(
                "/2/spaces/search",
                params={"query": "Weekly tech talks AMA"},
                headers=bearer(fresh_user_token(world)),
            ).json()
            assert (space_id in [s["id"] for s in found.get("data", [])]) == (
                space["state"] != "ended"
            )
    assert states == ["scheduled", "scheduled", "live", "live", "live", "ended", "ended"]


def test_updated_at_ignores_audience_only_changes(
    make_emulator: Callable[..., EmulatorServer],
) -> None:
    server = make_emulator()
    world = truth(server)
    fields = {"space.fields": "participant_count,subscriber_count,updated_at"}
    # a Space live for the next two hours whose stage and title do not change meanwhile:
    # nothing but its audience moves
    window = [world.start + 60 * k for k in range(0, 120, 7)]

    def quiet_for_two_hours(i: int) -> bool:
        return all(world.status(i, t) == "live" for t in window) and not any(
            world.start < c <= window[-1] for c in world.timeline(i).change_times)

    index = next(i for i in range(world.n_spaces) if quiet_for_two_hours(i))
    quiet = world.space_ids.id(index)
    span = window
    quiet_since = world.timeline(index).last_change(world.start)
    # a Space live now whose stage changes while it stays live: updated_at follows it
    def joins_of(i: int) -> list[float]:
        return [c for c in world.timeline(i).change_times if world.start < c < float(world.ended[i])]

    busy_index = next(i for i in range(world.n_spaces)
                      if world.status(i, world.start) == "live" and joins_of(i))
    busy = world.space_ids.id(busy_index)
    joins = joins_of(busy_index)
    with client_of(server, world.app_token) as client:
        seen = []
        for at in span:
            advance(client, at - world_now(client))
            seen.append(client.get(f"/2/spaces/{quiet}", params=fields).json()["data"])
        assert len({s["participant_count"] for s in seen}) > 1, "the audience never changed"
        assert {s["updated_at"] for s in seen} == {iso(quiet_since)}

    server = make_emulator()
    with client_of(server, world.app_token) as client:
        before = client.get(f"/2/spaces/{busy}", params=fields).json()["data"]["updated_at"]
        assert before == iso(max(c for c in world.timeline(busy_index).change_times if c <= world.start))
        advance(client, joins[0] - world.start)
        after = client.get(f"/2/spaces/{busy}", params=fields).json()["data"]["updated_at"]
        assert after == iso(joins[0]) != before


# --------------------------------------------------------------------------- determinism
def _bodies(server: EmulatorServer) -> list[bytes]:
    world = truth(server)
    ticketed = world.space_ids.id(2)
    creator_token = world.user_token(world.user_ids.id(int(world.creator[2])))
    out = []
    with client_of(server, world.app_token) as client:
        for path, params in (
            ("/2/spaces/search", {"query": "tech", **EVERYTHING}),
            (
                "/2/spaces",
                {"ids": ",".join(world.space_ids.id(i) for i in range(40)), **EVERYTHING},
            ),
            (
                "/2/spaces/by/creator_ids",
                {"user_ids": ",".join(world.user_ids.id(u) for u in range(5)), **EVERYTHING},
            ),
            (
                f"/2/spaces/{world.space_ids.id(3)}/tweets",
                {
                    "max_results": 5,
                    "expansions": "author_id,referenced_posts",
                    "post.fields": "created_at",
                },
            ),
            ("/2/spaces", {"ids": "bad-id"}),
        ):
            response = client.get(path, params=params)
            out.append(response.headers["date"].encode() + b"\n" + response.content)
        params: dict[str, Any] = {"max_results": 50, "user.fields": ",".join(USER_FIELDS)}
        while True:
            response = client.get(
                f"/2/spaces/{ticketed}/buyers", params=params, headers=bearer(creator_token)
            )
            out.append(response.content)
            next_token = response.json()["meta"].get("next_token")
            if not next_token:
                break
            params["pagination_token"] = next_token
    return out


def test_same_seed_options_and_instant_give_identical_bytes(
    make_emulator: Callable[..., EmulatorServer],
) -> None:
    first = _bodies(make_emulator(seed=11, spaces=600, users=1500))
    second = _bodies(make_emulator(seed=11, spaces=600, users=1500))
    assert len(first) > 6
    assert first == second
    other = _bodies(make_emulator(seed=12, spaces=600, users=1500))
    assert other != first  # (the comparison above can fail)


# --------------------------------------------------------------------------- clocks
def test_date_is_world_time_and_reset_is_wall_time(
    make_emulator: Callable[..., EmulatorServer],
) -> None:
    start = "2021-07-06T18:40:40Z"
    window = 900.0
    server = make_emulator(start=start, rate_window=window)
    world = truth(server)
    with client_of(server, world.app_token) as client:
        before = time.time()
        response = client.get(f"/2/spaces/{world.space_ids.id(0)}")
        after = time.time()
        assert response.headers["date"] == formatdate(parse_instant(start), usegmt=True)
        reset = int(response.headers["x-rate-limit-reset"])
        # the window opened at this first request, on the wall clock
        assert before + window - 1 <= reset <= after + window + 1
        assert abs(reset - parse_instant(start)) > 86400  # not world time
        advance(client, 3600)
        later = client.get(f"/2/spaces/{world.space_ids.id(0)}")
        assert (
            parsedate_to_datetime(later.headers["date"]).timestamp() == parse_instant(start) + 3600
        )
        assert later.headers["x-rate-limit-reset"] == response.headers["x-rate-limit-reset"]
        # body timestamps follow the world clock too
        data = client.get(
            f"/2/spaces/{world.space_ids.id(0)}", params={"space.fields": "created_at"}
        ).json()
        assert data["data"]["created_at"] == iso(world.created[0])


# --------------------------------------------------------------------------- admin
def test_admin_clock_advance_and_tokens(make_emulator: Callable[..., EmulatorServer]) -> None:
    server = make_emulator()
    world = truth(server)
    with client_of(server) as client:
        clock = client.get("/_emulator/clock").json()
        assert clock == {
            "now": iso(world.start),
            "epoch": world.start,
            "speed": 0,
            "start": iso(world.start),
        }
        moved = client.post("/_emulator/clock/advance", params={"seconds": 90}).json()
        assert moved["epoch"] == world.start + 90 and moved["now"] == iso(world.start + 90)
        assert client.get("/_emulator/clock").json()["epoch"] == world.start + 90
        for bad in ("-5", "soon", "nan", "inf", None):
            params = {} if bad is None else {"seconds": bad}
            assert client.post("/_emulator/clock/advance", params=params).status_code == 400
        assert client.get("/_emulator/clock").json()["epoch"] == world.start + 90

        user_id = world.user_ids.id(int(world.creator[2]))
        issued = client.get(f"/_emulator/users/{user_id}/token").json()
        assert issued == {"access_token": world.user_token(user_id), "token_type": "bearer"}
        buyers = client.get(
            f"/2/spaces/{world.space_ids.id(2)}/buyers", headers=bearer(issued["access_token"])
        )
        assert buyers.status_code == 200
        assert client.get("/_emulator/users/123/token").status_code == 404


def test_admin_stats_count_per_endpoint_and_status(
    make_emulator: Callable[..., EmulatorServer],
) -> None:
    server = make_emulator()
    world = truth(server)
    with client_of(server, world.app_token) as client:
        assert client.get("/_emulator/stats").json()["total"] == 0
        client.get("/2/spaces/search", params={"query": "tech"})
        client.get("/2/spaces/search", params={"query": "rust"})
        client.get("/2/spaces/search", params={"query": ""})
        client.get(f"/2/spaces/{world.space_ids.id(0)}")
        client.get(f"/2/spaces/{world.space_ids.id(2)}/buyers")
        client.get(
            "/2/spaces",
            params={"ids": world.space_ids.id(0)},
            headers={"Authorization": "Bearer x"},
        )
        client.get("/_emulator/clock")  # admin routes are not counted
        stats = client.get("/_emulator/stats").json()
    assert stats["requests"] == {
        "GET /2/spaces": {"401": 1},
        "GET /2/spaces/search": {"200": 2, "400": 1},
        "GET /2/spaces/{id}": {"200": 1},
        "GET /2/spaces/{id}/buyers": {"403": 1},
    }
    assert stats["total"] == 6


def _lines(response: httpx.Response) -> list[dict]:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines() if line]


def test_admin_world_lines_equal_the_world(
    emulator: EmulatorServer, world: World, make_emulator: Callable[..., EmulatorServer]
) -> None:
    at_iso = "2026-03-02T18:30:00Z"
    at = parse_instant(at_iso)
    with client_of(emulator) as client:
        spaces = _lines(client.get("/_emulator/world/spaces", params={"at": at_iso}))
        assert spaces == world.spaces(at) and len(spaces) > 100
        default_at = _lines(client.get("/_emulator/world/spaces"))  # at the world clock's now
        assert default_at == world.spaces(world_now(client))
        ids = [world.user_ids.id(u) for u in (0, 7, 4999)]
        assert _lines(client.get("/_emulator/world/users", params={"ids": ",".join(ids)})) == [
            world.user(x) for x in ids
        ]
        buyers = _lines(client.get("/_emulator/world/buyers", params={"at": at_iso}))
        expected_buyers = [
            {"space_id": s["id"], "position": n, "user": u}
            for s in world.spaces(at)
            if s["is_ticketed"]
            for n, u in enumerate(world.buyers(s["id"], at))
        ]
        assert buyers == expected_buyers and buyers
        posts = _lines(client.get("/_emulator/world/posts", params={"at": at_iso}))
        assert posts == [
            {"space_id": s["id"], "post": p}
            for s in world.spaces(at)
            for p in world.posts(s["id"], at)
        ]
        assert posts
        assert client.get("/_emulator/world/bogus").status_code == 404
        assert client.get("/_emulator/world/spaces", params={"at": "not a date"}).status_code == 400
    # every user, on a small world (the default one streams 5,000 lines)
    small = make_emulator(spaces=50, users=120)
    with client_of(small) as client:
        assert _lines(client.get("/_emulator/world/users")) == list(truth(small).users())


def test_admin_reset(make_emulator: Callable[..., EmulatorServer]) -> None:
    server = make_emulator(rate_limit=2)
    world = truth(server)
    live = world.space_ids.id(0)
    with client_of(server, world.app_token) as client:
        advance(client, 7200)
        assert client.get(f"/2/spaces/{live}").status_code == 200
        assert client.get(f"/2/spaces/{live}").status_code == 200
        assert client.get(f"/2/spaces/{live}").status_code == 429
        reset = client.post("/_emulator/reset")
        assert reset.status_code == 200 and reset.json()["epoch"] == world.start
        assert client.get("/_emulator/stats").json()["total"] == 0
        response = client.get(f"/2/spaces/{live}", params={"space.fields": "participant_count"})
        assert response.status_code == 200 and response.headers["x-rate-limit-remaining"] == "1"
        assert (
            response.json()["data"]["participant_count"]
            == world.space(live, world.start)["participant_count"]
        )
        assert response.headers["date"] == formatdate(world.start, usegmt=True)
