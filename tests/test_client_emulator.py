"""The Spaces client against the emulator: results against the World's truth, request
counts against the emulator's own stats (/_emulator/stats), rate limits, retries, legacy
names, threads and tokens. No timed assertions: counts, order and content only.

Retries run in stamina's testing mode (no backoff sleeps; the client's own `retries`
still caps the attempts). Rate-limit waits are real, on short windows.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import httpx
import pytest
import stamina

from sources.x_spaces._ratelimit import token_key
from sources.x_spaces.client import (
    AuthenticationError,
    Client,
    ForbiddenError,
    InvalidRequestError,
    NetworkError,
    RateLimitError,
    ServerError,
    UsageCapError,
    XSpacesError,
    problem_name,
)
from tests._client_support import (
    anchor,
    app_client,
    assert_no_token,
    assert_same_object,
    configure,
    creator_id,
    creator_token,
    ids,
    server_stats,
    statuses,
)

UNKNOWN_SPACE = "1zzzzzzzzzzzz"  # well formed, never issued by the world


@pytest.fixture(autouse=True)
def no_backoff():
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


@pytest.fixture
def world(emulator):
    return emulator.emulator.world


def visible_space_ids(world, n: int) -> list[str]:
    return ids(world.spaces()[:n])


# --------------------------------------------------------------------------- response shape
def test_data_is_an_empty_list_when_the_response_has_none(emulator, world):
    client = app_client(emulator)
    nothing = client.spaces.search(query="zzzqqq nothing matches this")
    assert nothing.data == [] and nothing.includes.users == [] and nothing.errors == []
    assert nothing.meta.result_count == 0
    assert "data" not in nothing.json

    missing = client.spaces.get_by_id(UNKNOWN_SPACE)
    assert missing.data == []
    assert "data" not in missing.json
    assert [problem_name(e.type) for e in missing.errors] == ["resource-not-found"]
    assert missing.errors[0].resource_id == UNKNOWN_SPACE


def test_attribute_access_includes_and_raw_json(emulator, world):
    client = app_client(emulator)
    response = client.spaces.search(query="tech", state="live",
                                    space_fields=["title", "participant_count"],
                                    expansions=["host_ids"], user_fields=["username"])
    truth = world.search("tech", state="live")
    assert ids(response.data) == ids(truth)
    first = response.data[0]
    assert first.title == first["title"] == truth[0]["title"]
    assert first.participant_count == truth[0]["participant_count"]
    assert first.lang is None  # not asked: reads as None, no AttributeError
    assert response.includes["users"] == response.includes.users
    assert {u.id for u in response.includes.users} == {h for s in truth for h in s["host_ids"]}
    assert all(u.username == world.user(u.id)["username"] for u in response.includes["users"])
    assert response.includes["polls"] == [] and response.includes.media == []

    # .json is the body as sent by the API (already in 2.167 names: nothing to rename here)
    raw = httpx.get(emulator.url + "/2/spaces/search",
                    headers={"Authorization": f"Bearer {world.app_token}"},
                    params={"query": "tech", "state": "live", "space.fields": "title,participant_count",
                            "expansions": "host_ids", "user.fields": "username"}).json()
    assert response.json == raw
    assert isinstance(response.json["data"][0], dict)


# --------------------------------------------------------------------------- chunked lookups
def test_get_by_ids_with_250_ids_makes_3_requests_and_merges(make_emulator):
    server = make_emulator()
    world = server.emulator.world
    wanted = visible_space_ids(world, 248) + [UNKNOWN_SPACE, "1yyyyyyyyyyyy"]
    client = app_client(server)

    response = client.spaces.get_by_ids(wanted, space_fields=["title"],
                                        expansions=["host_ids", "speaker_ids"])

    assert statuses(server, "/2/spaces") == {"200": 3}
    assert client.stats()["/2/spaces"].requests == 3
    assert client.requests_made == 3
    assert ids(response.data) == wanted[:248]
    for space in response.data:
        assert_same_object(space, world.space(space.id), ["title", "host_ids"])
    assert sorted(e.resource_id for e in response.errors) == sorted([UNKNOWN_SPACE, "1yyyyyyyyyyyy"])
    assert {problem_name(e.type) for e in response.errors} == {"resource-not-found"}

    users = [u.id for u in response.includes.users]
    assert len(users) == len(set(users)), "includes are de-duplicated across chunks"
    people = {u for s in response.data for u in s.host_ids + (s.speaker_ids or [])}
    assert set(users) == people
    chunks = list(client.spaces.iter_by_ids(wanted, expansions=["host_ids", "speaker_ids"]))
    assert sum(len(c.includes.users) for c in chunks) > len(users), "the chunks did overlap"


def test_iter_by_ids_yields_one_response_per_chunk(make_emulator):
    server = make_emulator()
    world = server.emulator.world
    wanted = visible_space_ids(world, 250)
    client = app_client(server)

    chunks = client.spaces.iter_by_ids(wanted)
    assert statuses(server, "/2/spaces") == {}, "lazy: nothing is requested before iteration"
    sizes = []
    for n, chunk in enumerate(chunks, 1):
        sizes.append(len(chunk.data))
        assert statuses(server, "/2/spaces") == {"200": n}
    assert sizes == [100, 100, 50]
    assert client.stats()["/2/spaces"].requests == 3


def test_get_by_creator_ids_with_250_ids_makes_3_requests(make_emulator):
    server = make_emulator()
    world = server.emulator.world
    users = [world.user_ids.id(u) for u in range(250)]
    client = app_client(server)

    response = client.spaces.get_by_creator_ids(users, space_fields=["title", "state"],
                                                expansions=["creator_id"])

    # by/creator_ids takes 1 request per second: the client paces it, spending no 429
    assert statuses(server, "/2/spaces/by/creator_ids") == {"200": 3}
    stats = client.stats()["/2/spaces/by/creator_ids"]
    assert stats.requests == 3
    assert stats.waits <= 2
    truth = world.spaces_by_creators(users)
    assert ids(response.data) == ids(truth)
    assert response.meta.result_count == len(truth)
    creators = [u.id for u in response.includes.users]
    assert len(creators) == len(set(creators)) and set(creators) == {s["creator_id"] for s in truth}


# --------------------------------------------------------------------------- names sent
def test_older_id_fields_in_space_fields_come_back_with_their_objects(emulator, world):
    client = app_client(emulator)
    response = client.spaces.get_by_id(anchor(world, 0), space_fields=["title", "creator_id", "host_ids"],
                                       user_fields=["username"])
    truth = world.space(anchor(world, 0))
    assert response.data.creator_id == truth["creator_id"]
    assert response.data.host_ids == truth["host_ids"]
    # sent as expansions: the users are in includes (as space.fields they would not be)
    assert {u.id for u in response.includes.users} == {truth["creator_id"], *truth["host_ids"]}


def test_user_post_id_fields_of_either_name_come_back_on_included_users(emulator, world):
    """Asked on an endpoint whose users are includes (NOTES.md: both generations accepted):
    the emulator takes the request, and the ids come back under their 2.167 names."""
    client = app_client(emulator)
    space = anchor(world, 0)
    wanted = ["username", "pinned_tweet_id", "most_recent_post_id"]
    by_id = client.spaces.get_by_id(space, expansions=["creator_id", "host_ids"], user_fields=wanted)
    (posts, *_) = client.spaces.get_posts(space, expansions=["author_id"], user_fields=wanted)
    users = [*by_id.includes.users, *posts.includes.users]
    assert {u.id for u in by_id.includes.users} == {world.space(space)["creator_id"],
                                                   *world.space(space)["host_ids"]}
    assert posts.includes.users and any("pinned_post_id" in u for u in users)
    for user in users:
        truth = world.user(user.id)
        assert_same_object(user, truth, ["username", "pinned_post_id", "most_recent_post_id"])
        assert "pinned_tweet_id" not in user and "most_recent_tweet_id" not in user


def test_tweet_fields_is_an_alias_of_post_fields(emulator, world):
    client = app_client(emulator)
    space = anchor(world, 3)
    new = [p.json for p in client.spaces.get_posts(space, post_fields=["created_at", "public_metrics"])]
    old = [p.json for p in client.spaces.get_posts(space, tweet_fields=["created_at", "public_metrics"])]
    assert old == new
    posts = [p for page in new for p in page["data"]]
    assert ids(posts) == ids(world.posts(space))
    for post, truth in zip(posts, world.posts(space)):
        assert_same_object(post, truth, ["created_at", "public_metrics", "text"])
        assert "repost_count" in post["public_metrics"]


# --------------------------------------------------------------------------- validation
BAD_CALLS = {
    "space id with a dash": lambda c, w: c.spaces.get_by_id("1abc-def"),
    "space id too long": lambda c, w: c.spaces.get_by_id("1" * 14),
    "space ids one bad": lambda c, w: c.spaces.get_by_ids([anchor(w, 0), "nope!"]),
    "iter space ids one bad": lambda c, w: c.spaces.iter_by_ids([anchor(w, 0), ""]),
    "no ids": lambda c, w: c.spaces.get_by_ids([]),
    "user id with letters": lambda c, w: c.spaces.get_by_creator_ids(["12ab"]),
    "user id too long": lambda c, w: c.spaces.get_by_creator_ids(["1" * 20]),
    "max_results 0": lambda c, w: c.spaces.search(query="tech", max_results=0),
    "max_results 101": lambda c, w: c.spaces.search(query="tech", max_results=101),
    "buyers max_results 101": lambda c, w: c.for_user(creator_token(w, 2)).spaces.get_buyers(
        anchor(w, 2), max_results=101),
    "posts max_results 0": lambda c, w: c.spaces.get_posts(anchor(w, 0), max_results=0),
    "query too long": lambda c, w: c.spaces.search(query="a" * 2049),
    "query empty": lambda c, w: c.spaces.search(query=""),
    "state unknown": lambda c, w: c.spaces.search(query="tech", state="ended"),
    "unknown space field": lambda c, w: c.spaces.search(query="tech", space_fields=["title", "titel"]),
    "unknown user field": lambda c, w: c.spaces.get_by_id(anchor(w, 0), user_fields=["handle"]),
    "unknown topic field": lambda c, w: c.spaces.get_by_id(anchor(w, 0), topic_fields=["colour"]),
    "unknown expansion": lambda c, w: c.spaces.get_by_id(anchor(w, 0), expansions=["author_id"]),
    "unknown post field": lambda c, w: c.spaces.get_posts(anchor(w, 0), post_fields=["retweets"]),
    "unknown tweet field": lambda c, w: c.spaces.get_posts(anchor(w, 0), tweet_fields=["retweets"]),
    "unknown media field": lambda c, w: c.spaces.get_posts(anchor(w, 0), media_fields=["size"]),
    "buyers unknown user field": lambda c, w: c.for_user(creator_token(w, 2)).spaces.get_buyers(
        anchor(w, 2), user_fields=["followers"]),
    "buyers without a user token": lambda c, w: c.spaces.get_buyers(anchor(w, 2)),
}


@pytest.mark.parametrize("call", BAD_CALLS.values(), ids=BAD_CALLS.keys())
def test_bad_arguments_raise_before_any_request(emulator, world, call):
    client = app_client(emulator)
    before = server_stats(emulator)["total"]
    with pytest.raises(ValueError):
        call(client, world)  # raised at the call, even by the lazy iter_* and paged methods
    assert client.requests_made == 0
    assert client.stats() == {}
    assert server_stats(emulator)["total"] == before


# --------------------------------------------------------------------------- rate limits
def test_pacing_in_a_short_window_spends_no_429(make_emulator):
    server = make_emulator(rate_limit=3, rate_window=2)
    world = server.emulator.world
    client = app_client(server, max_wait=30)

    results = [client.spaces.get_by_id(anchor(world, i % 4), space_fields=["title"]) for i in range(5)]

    assert [r.data.id for r in results] == [anchor(world, i % 4) for i in range(5)]
    assert statuses(server, "/2/spaces/{id}") == {"200": 5}, "no 429 spent"
    stats = client.stats()["/2/spaces/{id}"]
    assert stats.requests == 5
    assert stats.waits >= 1, "the client waited for the window instead of calling"
    (bucket,) = client.rate_limits().values()
    assert bucket["limit"] == 3


def test_threads_on_one_token_share_its_window_without_spending_429s(make_emulator):
    server = make_emulator(rate_limit=2, rate_window=1)
    world = server.emulator.world
    client = app_client(server, max_wait=30)
    client.spaces.get_by_id(anchor(world, 0))  # the bucket learns its limit: 1 left

    # 1 call fits this window; 3 threads wait for the next, which takes only 2 of them
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda i: client.spaces.get_by_id(anchor(world, i % 4)), range(4)))

    assert [r.data.id for r in results] == [anchor(world, i % 4) for i in range(4)]
    # calls in flight count against a window, the one opened by a reset included
    assert statuses(server, "/2/spaces/{id}") == {"200": 5}
    assert client.stats()["/2/spaces/{id}"].requests == 5


def test_a_429_that_leaves_requests_gets_a_short_pause(make_emulator):
    server = make_emulator(fault_seed=11)
    world = server.emulator.world
    configure(server, fault_429=0.4)  # injected 429s: requests left in the window, reset within 2 s
    client = app_client(server, short_pause=0.05, max_wait=0)

    results = [client.spaces.get_by_id(anchor(world, i % 4)) for i in range(8)]

    assert [r.data.id for r in results] == [anchor(world, i % 4) for i in range(8)]
    faults = server_stats(server)["faults"].get("429", 0)
    assert faults >= 1
    stats = client.stats()["/2/spaces/{id}"]
    assert stats.requests == 8 + faults
    assert stats.waits == faults
    # short pauses only: a wait for the window would be seconds (and max_wait=0 would raise)
    assert stats.wait_seconds == pytest.approx(0.05 * faults)
    assert stats.retries == faults, "each 429 is the same call sent again"


def test_a_per_second_429_on_by_creator_ids_gets_a_short_pause(make_emulator):
    """Two clients (two processes, say) share one token: the second one's call within the
    second answers 429 with requests left in the window, a short pause, not a window wait."""
    server = make_emulator()
    world = server.emulator.world
    users = [creator_id(world, 0)]
    first, second = app_client(server), app_client(server, max_wait=0, short_pause=1.0)

    first.spaces.get_by_creator_ids(users)
    response = second.spaces.get_by_creator_ids(users)

    assert ids(response.data) == ids(world.spaces_by_creators(users))
    served = statuses(server, "/2/spaces/by/creator_ids")
    assert served["200"] == 2
    stats = second.stats()["/2/spaces/by/creator_ids"]
    assert stats.requests == 1 + served.get("429", 0)
    assert stats.waits == served.get("429", 0)
    assert stats.wait_seconds == pytest.approx(1.0 * stats.waits)
    assert stats.retries == served.get("429", 0)
    (bucket,) = second.rate_limits().values()
    assert bucket["remaining"] > 0


def test_max_wait_exceeded_raises_with_the_opening_time(make_emulator):
    server = make_emulator(rate_limit=1, rate_window=900)
    world = server.emulator.world
    client = app_client(server, max_wait=5)

    client.spaces.get_by_id(anchor(world, 0))
    (bucket,) = client.rate_limits().values()
    assert bucket["remaining"] == 0
    with pytest.raises(RateLimitError) as caught:
        client.spaces.get_by_id(anchor(world, 1))

    opens = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(bucket["reset"]))
    assert opens in str(caught.value)
    assert "/2/spaces/{id}" in str(caught.value)
    assert caught.value.reset_at == datetime.fromtimestamp(bucket["reset"], timezone.utc)
    assert statuses(server, "/2/spaces/{id}") == {"200": 1}, "no request spent on a closed window"


def test_usage_cap_raises_at_once_and_is_never_retried(make_emulator):
    server = make_emulator(usage_cap=1)
    world = server.emulator.world
    client = app_client(server, retries=5)

    client.spaces.search(query="tech")
    with pytest.raises(UsageCapError) as caught:
        client.spaces.get_by_id(anchor(world, 0))

    error = caught.value
    assert (error.period, error.scope, error.status_code) == ("Monthly", "Product", 429)
    assert problem_name(error.problem_type) == "usage-capped"
    assert "/2/spaces/{id}" in str(error) and "Usage cap exceeded" in str(error)
    assert statuses(server, "/2/spaces/{id}") == {"429": 1}
    stats = client.stats()["/2/spaces/{id}"]
    assert (stats.requests, stats.retries, stats.waits) == (1, 0, 0)


# --------------------------------------------------------------------------- retries
@pytest.mark.parametrize("fault", ["5xx", "close", "truncate"])
def test_transient_failures_are_retried_and_counted(make_emulator, fault):
    server = make_emulator(fault_seed=5)
    world = server.emulator.world
    configure(server, **{f"fault_{fault}": 0.35})
    client = app_client(server, retries=10)

    results = [client.spaces.get_by_id(anchor(world, i % 4), space_fields=["title", "state"])
               for i in range(10)]

    for i, response in enumerate(results):
        assert_same_object(response.data, world.space(anchor(world, i % 4)), ["title", "state"])
    injected = server_stats(server)["faults"].get(fault, 0)
    assert injected >= 1
    stats = client.stats()["/2/spaces/{id}"]
    assert stats.retries == injected
    assert stats.errors == injected
    assert stats.requests == 10 + injected


def test_timeouts_are_retried(make_emulator):
    server = make_emulator(fault_seed=5)
    world = server.emulator.world
    configure(server, fault_slow=0.35, slow_seconds=2.0)
    client = app_client(server, timeout=0.5, retries=10)

    results = [client.spaces.get_by_id(anchor(world, i % 4)) for i in range(6)]

    assert [r.data.id for r in results] == [anchor(world, i % 4) for i in range(6)]
    injected = server_stats(server)["faults"].get("slow", 0)
    assert injected >= 1
    stats = client.stats()["/2/spaces/{id}"]
    assert stats.retries >= injected  # (a loaded machine may time out more, never less)
    assert stats.requests == 6 + stats.retries


@pytest.mark.parametrize("fault, error", [("5xx", ServerError), ("close", NetworkError),
                                          ("truncate", NetworkError)])
def test_out_of_retries_the_last_failure_is_raised(make_emulator, fault, error):
    server = make_emulator()
    world = server.emulator.world
    configure(server, **{f"fault_{fault}": 1.0})
    client = app_client(server, retries=2)

    with pytest.raises(error) as caught:
        client.spaces.get_by_id(anchor(world, 0))

    assert "/2/spaces/{id}" in str(caught.value)
    assert caught.value.__context__ is None and caught.value.__cause__ is None
    assert server_stats(server)["faults"][fault] == 3
    stats = client.stats()["/2/spaces/{id}"]
    assert (stats.requests, stats.retries, stats.errors) == (3, 2, 3)


def test_client_errors_are_never_retried(make_emulator):
    server = make_emulator()
    world = server.emulator.world
    app = app_client(server, retries=5)

    with pytest.raises(AuthenticationError) as unauthorized:
        Client(server.url, bearer_token="not-a-token-of-this-world", retries=5).spaces.search(query="tech")
    assert unauthorized.value.status_code == 401
    assert "/2/spaces/search" in str(unauthorized.value) and "Unauthorized" in str(unauthorized.value)

    app_on_buyers = Client(server.url, access_token=world.app_token, retries=5)
    with pytest.raises(ForbiddenError) as forbidden:
        list(app_on_buyers.spaces.get_buyers(anchor(world, 2)))
    assert problem_name(forbidden.value.problem_type) == "unsupported-authentication"
    assert "Unsupported Authentication" in str(forbidden.value)
    assert "OAuth 2.0 Application-Only is forbidden" in str(forbidden.value)

    not_creator = app.for_user(creator_token(world, 0))
    with pytest.raises(ForbiddenError) as not_theirs:
        list(not_creator.spaces.get_buyers(anchor(world, 2)))
    assert problem_name(not_theirs.value.problem_type) == "not-authorized-for-resource"
    assert "only its creator is" in not_theirs.value.detail

    creator = app.for_user(creator_token(world, 2))
    with pytest.raises(InvalidRequestError) as invalid:
        list(creator.spaces.get_buyers(anchor(world, 2), pagination_token="bogus"))
    assert invalid.value.parameters == {"pagination_token": ["bogus"]}
    assert "Invalid Request" in str(invalid.value) and "pagination_token" in str(invalid.value)

    assert statuses(server, "/2/spaces/search") == {"401": 1}
    assert statuses(server, "/2/spaces/{id}/buyers") == {"400": 1, "403": 2}
    assert all(s.retries == 0 for s in app.stats().values())


# --------------------------------------------------------------------------- partial errors, names
@pytest.mark.parametrize("legacy, host", [(False, "https://api.x.com/2/problems/"),
                                          (True, "https://api.twitter.com/2/problems/")])
def test_partial_errors_with_either_problem_host(make_emulator, legacy, host):
    server = make_emulator(legacy_names=legacy)
    world = server.emulator.world
    response = app_client(server).spaces.get_by_ids([anchor(world, 0), UNKNOWN_SPACE])
    assert ids(response.data) == [anchor(world, 0)]
    (error,) = response.errors
    assert error.type == host + "resource-not-found"
    assert problem_name(error.type) == "resource-not-found"
    assert (error.resource_id, error.parameter, error.resource_type) == (UNKNOWN_SPACE, "ids", "space")
    assert UNKNOWN_SPACE in error.detail


def _modern_types(body: dict) -> dict:
    for error in body.get("errors", []):
        error["type"] = error["type"].replace("api.twitter.com", "api.x.com")
    return body


def test_legacy_names_are_read_as_the_2_167_names(emulator, make_emulator):
    legacy = make_emulator(legacy_names=True)
    world = legacy.emulator.world
    old_app, new_app = app_client(legacy), app_client(emulator)
    old_creator = old_app.for_user(creator_token(world, 2))
    new_creator = new_app.for_user(creator_token(world, 2))

    def search(c):
        return [c.spaces.search(query="tech", expansions=["topic_ids", "host_ids"],
                                topic_fields=["name", "description"], user_fields=["public_metrics"])]

    def buyers(c):
        return list(c.spaces.get_buyers(anchor(world, 2), user_fields=["public_metrics", "username"],
                                        expansions=["pinned_post_id", "most_recent_post_id"],
                                        post_fields=["public_metrics", "created_at"]))

    def posts(c):
        return list(c.spaces.get_posts(anchor(world, 0), post_fields=["public_metrics", "note_post"],
                                       expansions=["author_id", "referenced_posts"],
                                       user_fields=["public_metrics"]))

    def lookup(c):
        return [c.spaces.get_by_ids([anchor(world, 0), anchor(world, 1), UNKNOWN_SPACE],
                                    expansions=["topic_ids"])]

    for call, old_client, new_client in [(search, old_app, new_app), (buyers, old_creator, new_creator),
                                         (posts, old_app, new_app), (lookup, old_app, new_app)]:
        old = [_modern_types(r.json) for r in call(old_client)]
        new = [r.json for r in call(new_client)]
        assert old == new, call.__name__

    # what the legacy server really sent, and what the client made of it
    headers = {"Authorization": f"Bearer {creator_token(world, 2)}"}
    raw = httpx.get(f"{legacy.url}/2/spaces/{anchor(world, 2)}/buyers", headers=headers,
                    params={"user.fields": "public_metrics", "expansions": "pinned_post_id",
                            "tweet.fields": "public_metrics"}).json()
    assert "tweets" in raw["includes"] and "posts" not in raw["includes"]
    assert "tweet_count" in raw["data"][0]["public_metrics"]
    pinned = next(n for n, u in enumerate(raw["data"]) if "pinned_post_id" in world.user(u["id"]))
    assert "pinned_tweet_id" in raw["data"][pinned] and "pinned_post_id" not in raw["data"][pinned]
    assert "retweet_count" in raw["includes"]["tweets"][0]["public_metrics"]
    (page, *_) = buyers(old_creator)
    assert all("post_count" in u.public_metrics and "tweet_count" not in u.public_metrics for u in page.data)
    user = page.data[pinned]
    assert user.pinned_post_id and "pinned_tweet_id" not in user
    assert page.includes.posts and "tweets" not in page.json["includes"]
    assert all("repost_count" in p.public_metrics for p in page.includes.posts)

    raw_space = httpx.get(f"{legacy.url}/2/spaces/{anchor(world, 0)}", params={"expansions": "topic_ids"},
                          headers={"Authorization": f"Bearer {world.app_token}"}).json()
    assert "topics" in raw_space["data"] and "topic_ids" not in raw_space["data"]
    space = old_app.spaces.get_by_id(anchor(world, 0), expansions=["topic_ids"])
    assert space.data.topic_ids == world.space(anchor(world, 0))["topic_ids"]
    assert "topics" not in space.data
    assert [t.id for t in space.includes.topics] == space.data.topic_ids

    (post_page, *_) = posts(old_app)
    post = post_page.data[0]
    assert post.edit_history_post_ids and "edit_history_tweet_ids" not in post
    assert "repost_count" in post.public_metrics and "retweet_count" not in post.public_metrics


# --------------------------------------------------------------------------- pagination
def test_buyers_page_to_the_end(emulator, world):
    space = anchor(world, 2)
    creator = app_client(emulator).for_user(creator_token(world, 2))
    pages = list(creator.spaces.get_buyers(space, max_results=100, user_fields=["created_at"]))
    truth = world.buyers(space)
    assert [len(p.data) for p in pages] == [100, 100, len(truth) - 200]
    assert ids(u for p in pages for u in p.data) == ids(truth)
    assert "next_token" not in pages[-1].meta and pages[-1].meta.previous_token


def test_posts_page_to_the_end_and_resume_from_a_token(emulator, world):
    space = anchor(world, 3)
    client = app_client(emulator)
    pages = list(client.spaces.get_posts(space, max_results=5))
    truth = world.posts(space)
    assert [len(p.data) for p in pages] == [5, 5, len(truth) - 10]
    assert ids(p for page in pages for p in page.data) == ids(truth)
    rest = list(client.spaces.get_posts(space, max_results=5, pagination_token=pages[0].meta.next_token))
    assert ids(p for page in rest for p in page.data) == ids(truth)[5:]


# --------------------------------------------------------------------------- tokens and threads
def test_many_tokens_from_many_threads(make_emulator):
    server = make_emulator()
    world = server.emulator.world
    base = app_client(server)
    people = [creator_id(world, i) for i in range(4)] + [world.user_ids.id(u) for u in range(40, 44)]
    tokens = [world.user_token(u) for u in people]

    def work(k: int) -> None:
        client = base.for_user(tokens[k])
        for _ in range(3):
            found = client.spaces.search(query="tech", state="live", space_fields=["title"])
            assert ids(found.data) == ids(world.search("tech", state="live"))
        one = client.spaces.get_by_id(anchor(world, k % 4), space_fields=["title", "state"])
        assert_same_object(one.data, world.space(anchor(world, k % 4)), ["title", "state"])
        own = client.spaces.get_by_creator_ids([people[k]])
        assert ids(own.data) == ids(world.spaces_by_creators([people[k]]))
        if k == 2:
            bought = list(client.spaces.get_buyers(anchor(world, 2)))
            assert ids(u for p in bought for u in p.data) == ids(world.buyers(anchor(world, 2)))

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        for future in [pool.submit(work, k) for k in range(len(tokens))]:
            future.result()

    limits = base.rate_limits()
    for token in tokens:
        search = limits[f"/2/spaces/search {token_key(token)}"]
        assert (search["limit"], search["remaining"]) == (300, 297)
        assert limits[f"/2/spaces/{{id}} {token_key(token)}"]["remaining"] == 299
        assert limits[f"/2/spaces/by/creator_ids {token_key(token)}"]["remaining"] == 299
    assert len([k for k in limits if k.startswith("/2/spaces/search ")]) == len(tokens)
    assert not any(token in str(limits) for token in tokens)
    stats = base.stats()
    assert stats["/2/spaces/search"].requests == 3 * len(tokens)
    assert stats["/2/spaces/{id}/buyers"].requests == 3
    assert statuses(server, "/2/spaces/search") == {"200": 3 * len(tokens)}


def test_each_token_has_its_own_bucket(make_emulator):
    server = make_emulator(rate_limit=2, rate_window=900)
    world = server.emulator.world
    base = app_client(server, max_wait=5)
    alice, bob = base.for_user(creator_token(world, 0)), base.for_user(creator_token(world, 1))

    for client in (alice, alice, bob, bob):
        client.spaces.search(query="tech")
    assert base.stats()["/2/spaces/search"].waits == 0
    with pytest.raises(RateLimitError):
        alice.spaces.search(query="tech")
    with pytest.raises(RateLimitError):
        bob.spaces.search(query="tech")
    base.spaces.search(query="tech")  # the app token's bucket is untouched
    assert statuses(server, "/2/spaces/search") == {"200": 5}


def test_tokens_never_leak_into_errors_logs_or_reprs(make_emulator, caplog):
    caplog.set_level(logging.DEBUG)
    server = make_emulator(rate_limit=3, rate_window=1, fault_seed=2)
    world = server.emulator.world
    bad_token = "bad-token-0123456789abcdef"
    tokens = [world.app_token, creator_token(world, 2), creator_token(world, 0), bad_token]
    client = app_client(server, retries=6, max_wait=10)
    creator = client.for_user(creator_token(world, 2))
    stranger = client.for_user(creator_token(world, 0))
    caught: list[XSpacesError] = []

    def expect(error: type[XSpacesError], call) -> None:
        with pytest.raises(error) as info:
            call()
        caught.append(info.value)

    configure(server, fault_5xx=0.2, fault_close=0.15, fault_truncate=0.15)
    for i in range(4):  # retries, and a wait for the 1-second window of 3 requests
        assert client.spaces.get_by_id(anchor(world, i % 4)).data.id == anchor(world, i % 4)
    configure(server, fault_5xx=0, fault_close=0, fault_truncate=0)
    assert len(list(creator.spaces.get_buyers(anchor(world, 2)))) == 3
    expect(AuthenticationError,
           lambda: Client(server.url, bearer_token=bad_token).spaces.search(query="x"))
    expect(ForbiddenError, lambda: list(stranger.spaces.get_buyers(anchor(world, 2))))
    expect(ForbiddenError, lambda: list(Client(server.url, access_token=world.app_token)
                                        .spaces.get_buyers(anchor(world, 2))))
    expect(InvalidRequestError,
           lambda: list(client.spaces.get_posts(anchor(world, 0), pagination_token="x")))
    configure(server, fault_close=1.0)
    expect(NetworkError, lambda: app_client(server, retries=1).spaces.get_by_ids([anchor(world, 0)]))
    configure(server, fault_close=0, fault_5xx=1.0)
    expect(ServerError, lambda: app_client(server, retries=1).spaces.search(query="tech"))
    configure(server, fault_5xx=0)
    spent = app_client(server, max_wait=0)
    expect(RateLimitError, lambda: [spent.spaces.get_by_id(anchor(world, 0)) for _ in range(30)])
    configure(server, usage_cap=0)
    expect(UsageCapError, lambda: client.spaces.get_by_creator_ids([creator_id(world, 0)]))

    stats = client.stats()
    assert stats["/2/spaces/{id}"].retries >= 1 and stats["/2/spaces/{id}"].waits >= 1
    for error in caught:
        assert_no_token(error, tokens)
    for thing in (client, creator, stranger, client.stats(), client.rate_limits()):
        assert_no_token(repr(thing), tokens)
        assert_no_token(str(thing), tokens)

    loggers = {r.name for r in caplog.records}
    assert {"sources.x_spaces.client", "httpx", "httpcore.http11"} <= loggers  # DEBUG was captured
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for record in caplog.records:
        text = formatter.format(record) + repr(vars(record))
        for token in tokens:
            assert token not in text, f"a token in a log record of {record.name}"
