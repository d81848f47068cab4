"""The official Python SDK, xdk 0.10.6, against the emulator: its six Spaces methods run
unchanged (only `base_url` points at the emulator) and read what the World holds.

xdk builds requests from the production spec (comma-separated lists, fields and
expansions in 2.167 names), validates every body into strict pydantic models (a problem
`type` outside the spec's nine fails a whole page), pages `get_buyers` / `get_posts` with
`next_token` as generators, and neither retries nor waits: an HTTP error raises at once.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from xdk import Client
from xdk.spaces.models import (
    GetBuyersResponse,
    GetByCreatorIdsResponse,
    GetByIdResponse,
    GetByIdsResponse,
    GetPostsResponse,
    SearchResponse,
)

from emulator.config import Settings
from emulator.server import EmulatorServer
from emulator.world import World
from tests._emulator_support import (
    SPACE_EXPANSIONS,
    SPACE_FIELDS,
    TOPIC_FIELDS,
    USER_FIELDS,
    world_like,
)

EVERYTHING = {
    "space_fields": SPACE_FIELDS,
    "expansions": SPACE_EXPANSIONS,
    "user_fields": USER_FIELDS,
    "topic_fields": TOPIC_FIELDS,
}
PROBLEMS = "https://api.x.com/2/problems/"


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(Settings(clock_speed=0)) as srv:
        yield srv


@pytest.fixture(scope="module")
def world(server: EmulatorServer) -> World:
    """Ground truth with the server's options, built apart from it."""
    return world_like(server)


@pytest.fixture(scope="module")
def now(server: EmulatorServer) -> float:
    return requests.get(server.url + "/_emulator/clock", timeout=30).json()["epoch"]


@pytest.fixture(scope="module")
def ticketed(world: World) -> str:
    return world.space_ids.id(2)


@pytest.fixture(scope="module")
def creator_token(world: World) -> str:
    return world.user_token(world.user_ids.id(int(world.creator[2])))


@pytest.fixture(scope="module")
def client(server: EmulatorServer, world: World, creator_token: str) -> Client:
    """Both credentials, as a loader holds them: the app bearer token (xdk prefers it on
    reads) and the ticketed Space creator's OAuth2 user token (the only one buyers take)."""
    return Client(base_url=server.url, bearer_token=world.app_token, access_token=creator_token)


def _same_space(model, full: dict) -> None:
    """A Space model with every field asked for equals the World's Space."""
    dumped = model.model_dump(exclude_none=True)
    for key in ("host_ids", "speaker_ids", "invited_user_ids", "topic_ids"):
        if key in dumped:
            dumped[key] = list(dumped[key])
    assert dumped == {k: v for k, v in full.items() if v != []}


def test_search(client: Client, world: World, now: float) -> None:
    response = client.spaces.search(query="tech talks", state="all", max_results=5, **EVERYTHING)
    assert isinstance(response, SearchResponse)
    expected = world.search("tech talks", state="all", max_results=5, at=now)
    assert [s.id for s in response.data] == [s["id"] for s in expected]
    assert response.meta.result_count == len(expected) == 5
    for model, full in zip(response.data, expected, strict=True):
        _same_space(model, full)
    users = {u.id for u in response.includes.users}
    assert {s["creator_id"] for s in expected} <= users
    live_only = client.spaces.search(query="tech", state="live")
    assert [s.id for s in live_only.data] == [
        s["id"] for s in world.search("tech", state="live", at=now)
    ]
    assert {s.state for s in live_only.data} == {"live"}


def test_get_by_id(client: Client, world: World, now: float) -> None:
    for i in range(4):  # live, live, scheduled, ended
        space_id = world.space_ids.id(i)
        response = client.spaces.get_by_id(space_id, **EVERYTHING)
        assert isinstance(response, GetByIdResponse)
        _same_space(response.data, world.space(space_id, now))
        assert response.errors is None
    unknown = next(c for c in ("1zzzzzzzzzzzz", "1ZZZZZZZZZZZZ") if world.space_index(c) is None)
    missing = client.spaces.get_by_id(unknown)
    assert missing.data is None
    assert [(e.type, e.resource_id) for e in missing.errors] == [
        (PROBLEMS + "resource-not-found", unknown)
    ]


def test_get_by_ids(client: Client, world: World, now: float) -> None:
    expired = next(
        world.space_ids.id(i) for i in range(world.n_spaces) if world.status(i, now) == "expired"
    )
    ids = [world.space_ids.id(i) for i in range(4)] + [expired]
    response = client.spaces.get_by_ids(
        ids=ids,
        space_fields=["title", "state", "participant_count"],
        expansions=["creator_id", "topic_ids"],
        topic_fields=TOPIC_FIELDS,
    )
    assert isinstance(response, GetByIdsResponse)
    assert [s.id for s in response.data] == ids[:4]
    assert [s.title for s in response.data] == [world.space(x, now)["title"] for x in ids[:4]]
    assert [s.participant_count for s in response.data] == [
        world.space(x, now)["participant_count"] for x in ids[:4]
    ]
    assert [e.resource_id for e in response.errors] == [expired]
    topics = {t.id: t.name for t in response.includes.topics}
    assert set(topics) == {t for x in ids[:4] for t in world.space(x, now)["topic_ids"]}


def test_get_by_creator_ids(client: Client, world: World, now: float) -> None:
    creators = [world.user_ids.id(u) for u in (0, 1, 2, 3)]
    response = client.spaces.get_by_creator_ids(user_ids=creators, **EVERYTHING)
    assert isinstance(response, GetByCreatorIdsResponse)
    expected = world.spaces_by_creators(creators, at=now)
    assert [s.id for s in response.data] == [s["id"] for s in expected]
    assert response.meta.result_count == len(expected)
    assert {s.state for s in response.data} == {"live", "scheduled", "ended"}
    for model, full in zip(response.data, expected, strict=True):
        _same_space(model, full)


def test_get_buyers_iterates_every_page(
    client: Client, world: World, now: float, ticketed: str
) -> None:
    pages = list(
        client.spaces.get_buyers(
            ticketed, max_results=100, user_fields=["created_at", "public_metrics"]
        )
    )
    assert all(isinstance(p, GetBuyersResponse) for p in pages)
    expected = world.buyers(ticketed, now)
    assert len(expected) > 200 and len(pages) == 3
    assert [u.id for p in pages for u in p.data] == [u["id"] for u in expected]
    assert [u.created_at for p in pages for u in p.data] == [u["created_at"] for u in expected]
    assert [u.public_metrics.followers_count for p in pages for u in p.data] == [
        u["public_metrics"]["followers_count"] for u in expected
    ]
    assert pages[-1].meta.next_token is None

    small = list(client.spaces.get_buyers(ticketed, max_results=40))
    assert [u.id for p in small for u in p.data] == [u["id"] for u in expected]


def test_get_buyers_needs_the_creators_user_token(
    server: EmulatorServer, world: World, ticketed: str
) -> None:
    app_only = Client(base_url=server.url, bearer_token=world.app_token)
    with pytest.raises(ValueError, match="OAuth2UserToken"):
        next(app_only.spaces.get_buyers(ticketed))  # xdk itself refuses: user context only
    stranger = Client(base_url=server.url, access_token=world.user_token(world.user_ids.id(4321)))
    with pytest.raises(requests.HTTPError) as raised:
        next(stranger.spaces.get_buyers(ticketed))
    assert raised.value.response.status_code == 403
    assert raised.value.response.json()["type"] == PROBLEMS + "not-authorized-for-resource"


def test_get_posts_iterates_every_page(
    client: Client, server: EmulatorServer, world: World, now: float
) -> None:
    space_id = max((s["id"] for s in world.spaces(now)), key=lambda x: len(world.posts(x, now)))
    expected = world.posts(space_id, now)
    assert len(expected) > 10
    pages = list(
        client.spaces.get_posts(
            space_id,
            max_results=5,
            post_fields=["author_id", "created_at"],
            expansions=["author_id"],
            user_fields=["username"],
        )
    )
    assert all(isinstance(p, GetPostsResponse) for p in pages)
    assert len(pages) == -(-len(expected) // 5)
    assert [p.id for page in pages for p in page.data] == [p["id"] for p in expected]
    assert [p.text for page in pages for p in page.data] == [p["text"] for p in expected]
    assert [p.created_at for page in pages for p in page.data] == [
        p["created_at"] for p in expected
    ]
    authors = {u.id: u.username for page in pages for u in page.includes.users}
    assert authors == {p["author_id"]: world.user(p["author_id"])["username"] for p in expected}

    # a user token alone works too, and a private metric of someone else's post is a
    # partial error the SDK's models accept
    user_only = Client(base_url=server.url, access_token=world.user_token(world.user_ids.id(4321)))
    first = next(
        user_only.spaces.get_posts(space_id, max_results=3, post_fields=["non_public_metrics"])
    )
    assert [p.id for p in first.data] == [p["id"] for p in expected[:3]]
    assert {e.type for e in first.errors} == {PROBLEMS + "not-authorized-for-field"}


def test_a_429_raises_at_once(make_emulator) -> None:
    limited = make_emulator(rate_limit=1)
    s = limited.emulator.settings
    world = World(seed=s.seed, spaces=s.spaces, users=s.users, start=s.start)
    sdk = Client(base_url=limited.url, bearer_token=world.app_token)
    assert sdk.spaces.get_by_id(world.space_ids.id(0)).data.id == world.space_ids.id(0)
    with pytest.raises(requests.HTTPError) as raised:
        sdk.spaces.get_by_id(world.space_ids.id(0))
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["x-rate-limit-remaining"] == "0"
