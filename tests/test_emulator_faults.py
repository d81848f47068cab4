"""The emulator under fault and at scale: injected failures at their configured rates,
switched at run time; a large world stays coherent; legacy names; many clients."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from emulator.config import Settings
from emulator.server import EmulatorServer
from emulator.world import World

N = 300
P = 0.2


def outcome(client: httpx.Client, path: str, params: dict | None = None) -> str:
    """What a plain client sees: ok, 429, 5xx, close, slow (timeout) or truncate."""
    try:
        response = client.get(path, params=params)
    except httpx.TimeoutException:
        return "slow"
    except httpx.TransportError:
        return "close"
    if response.status_code == 429:
        return "429"
    if response.status_code >= 500:
        return "5xx"
    try:
        json.loads(response.content)
    except ValueError:
        return "truncate"
    return "ok"


def within(count: int, n: int, p: float) -> bool:
    """Inside 4.5 standard deviations of the binomial mean: a seeded run never flakes."""
    mean, sd = n * p, (n * p * (1 - p)) ** 0.5
    return abs(count - mean) <= 4.5 * sd


@pytest.mark.parametrize("kind", ["429", "5xx", "close", "truncate"])
def test_each_fault_kind_happens_at_its_rate(make_emulator, kind: str) -> None:
    server = make_emulator(spaces=200, users=500)
    field = {"429": "p429", "5xx": "p5xx"}.get(kind, kind)
    server.emulator.faults.settings.update({field: P})
    world = server.emulator.world
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {world.app_token}"},
                      timeout=10) as client:
        seen = [outcome(client, f"/2/spaces/{world.space_ids.id(0)}") for _ in range(N)]
    assert set(seen) <= {"ok", kind}
    assert within(seen.count(kind), N, P), seen.count(kind)
    assert server.emulator.stats.faults[kind] == seen.count(kind)


def test_injected_429_is_transient_and_faults_never_touch_admin_routes(make_emulator) -> None:
    server = make_emulator(spaces=200, users=500)
    server.emulator.faults.settings.update({"p429": 1.0})
    world = server.emulator.world
    response = httpx.get(f"{server.url}/2/spaces/search", params={"query": "tech"},
                         headers={"Authorization": f"Bearer {world.app_token}"})
    assert response.status_code == 429
    assert int(response.headers["x-rate-limit-remaining"]) > 0
    assert 0 < int(response.headers["x-rate-limit-reset"]) - time.time() <= 3
    assert httpx.get(f"{server.url}/_emulator/clock").status_code == 200


def test_a_slow_response_outlasts_a_client_timeout(make_emulator) -> None:
    server = make_emulator(spaces=200, users=500)
    server.emulator.faults.settings.update({"slow": 1.0, "slow_seconds": 2.0})
    world = server.emulator.world
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {world.app_token}"},
                      timeout=0.5) as client:
        assert outcome(client, "/2/spaces/search", {"query": "tech"}) == "slow"
    assert server.emulator.stats.faults["slow"] == 1


def test_faults_switch_at_run_time_and_replay_with_the_same_seed(make_emulator) -> None:
    runs = []
    for _ in range(2):
        server = make_emulator(spaces=200, users=500)
        world = server.emulator.world
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {world.app_token}"},
                          timeout=10) as client:
            before = [outcome(client, "/2/spaces/search", {"query": "music"}) for _ in range(20)]
            answer = httpx.post(f"{server.url}/_emulator/config", json={"fault_5xx": 0.5}).json()
            assert answer["fault_5xx"] == 0.5
            during = [outcome(client, "/2/spaces/search", {"query": "music"}) for _ in range(60)]
            httpx.post(f"{server.url}/_emulator/config", json={"fault_5xx": 0})
            after = [outcome(client, "/2/spaces/search", {"query": "music"}) for _ in range(20)]
        assert set(before) == {"ok"} and set(after) == {"ok"} and "5xx" in during
        runs.append(during)
    assert runs[0] == runs[1], "the same fault seed replays the same failures"
    bad = httpx.post(f"{server.url}/_emulator/config", json={"fault_5xx": 2})
    assert bad.status_code == 400 and "probability" in bad.json()["error"]


def test_latency_is_added_to_every_api_response(make_emulator) -> None:
    server = make_emulator(spaces=200, users=500)
    server.emulator.faults.settings.update({"latency_ms": 300})
    world = server.emulator.world
    started = time.perf_counter()
    response = httpx.get(f"{server.url}/2/spaces/search", params={"query": "tech"},
                         headers={"Authorization": f"Bearer {world.app_token}"})
    assert response.status_code == 200
    assert time.perf_counter() - started >= 0.3  # a lower bound: the sleep always happens


def test_a_large_world_stays_coherent() -> None:
    world = World(spaces=100_000, users=500_000)
    assert int(world.n_buyers.sum()) > 900_000
    t = world.start
    with EmulatorServer(Settings(clock_speed=0, spaces=100_000, users=500_000)) as server:
        token = {"Authorization": f"Bearer {world.app_token}"}
        found = httpx.get(f"{server.url}/2/spaces/search", headers=token, params={
            "query": "tech", "max_results": 100, "expansions": "creator_id,host_ids",
            "space.fields": "title,participant_count"}).json()
        assert [s["id"] for s in found["data"]] == [s["id"] for s in world.search("tech", at=t)]
        ids = ",".join(s["id"] for s in found["data"])
        looked = httpx.get(f"{server.url}/2/spaces", headers=token,
                           params={"ids": ids, "space.fields": "title,participant_count"}).json()
        assert [(s["id"], s["participant_count"]) for s in looked["data"]] == [
            (s["id"], s["participant_count"]) for s in found["data"]]
        users = {u["id"]: u for u in found["includes"]["users"]}
        for user_id, user in list(users.items())[:20]:
            assert user == {k: world.user(user_id)[k] for k in ("id", "name", "username")}
        ticketed = next(i for i in range(100_000) if world.ticketed[i] and world.visible(i, t)
                        and len(world.buyer_indices(i, t)) > 150)
        space_id = world.space_ids.id(ticketed)
        creator = world.user_ids.id(int(world.creator[ticketed]))
        user = {"Authorization": f"Bearer {world.user_token(creator)}"}
        seen, cursor = [], None
        while True:
            page = httpx.get(f"{server.url}/2/spaces/{space_id}/buyers", headers=user,
                             params={"max_results": 100, **({"pagination_token": cursor} if cursor else {})}).json()
            seen += [u["id"] for u in page["data"]]
            cursor = page["meta"].get("next_token")
            if not cursor:
                break
        assert seen == [u["id"] for u in world.buyers(space_id, at=t)]


def test_legacy_names_serve_the_older_generation(make_emulator) -> None:
    server = make_emulator(spaces=300, users=800, legacy_names=True)
    world = server.emulator.world
    app = {"Authorization": f"Bearer {world.app_token}"}
    found = httpx.get(f"{server.url}/2/spaces/search", headers=app, params={
        "query": "tech", "expansions": "topic_ids,creator_id", "user.fields": "public_metrics"}).json()
    spaces = [s for s in found["data"] if "topics" in s]
    assert spaces and all("topic_ids" not in s for s in found["data"])
    assert all(set(t) >= {"id", "name"} for s in spaces for t in s["topics"])
    assert "topics" not in found["includes"]
    assert all("tweet_count" in u["public_metrics"] and "post_count" not in u["public_metrics"]
               for u in found["includes"]["users"])
    posts = httpx.get(f"{server.url}/2/spaces/{world.space_ids.id(0)}/tweets", headers=app, params={
        "tweet.fields": "public_metrics", "expansions": "referenced_tweets.id"}).json()
    assert all("edit_history_tweet_ids" in p and "retweet_count" in p["public_metrics"] for p in posts["data"])
    quoted = [p for p in posts["data"] if "referenced_tweets" in p]
    if quoted:
        assert "tweets" in posts["includes"] and "posts" not in posts["includes"]
    missing = httpx.get(f"{server.url}/2/spaces/1AAAAAAAAAAAA", headers=app).json()
    assert missing["errors"][0]["type"] == "https://api.twitter.com/2/problems/resource-not-found"


def test_64_concurrent_clients_get_whole_valid_bodies(make_emulator) -> None:
    server = make_emulator(spaces=2000, users=5000)
    world = server.emulator.world
    ids = ",".join(world.space_ids.id(i) for i in range(100))
    params = {"ids": ids, "space.fields": "title,participant_count,created_at,state",
              "expansions": "creator_id,host_ids,speaker_ids,invited_user_ids,topic_ids"}
    expected = httpx.get(f"{server.url}/2/spaces", params=params,
                         headers={"Authorization": f"Bearer {world.app_token}"}).content

    async def one(client: httpx.AsyncClient) -> bytes:
        response = await client.get("/2/spaces", params=params)
        assert response.status_code == 200
        return response.content

    async def swarm() -> list[bytes]:
        limits = httpx.Limits(max_connections=64)
        async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=60,
                                     headers={"Authorization": f"Bearer {world.app_token}"}) as client:
            return await asyncio.gather(*(one(client) for _ in range(64 * 3)))

    bodies = asyncio.run(swarm())
    assert all(body == expected for body in bodies)
