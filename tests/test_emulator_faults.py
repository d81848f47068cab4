"""The emulator under fault and at scale: injected failures at their configured rates,
switched at run time, with honest headers and stats; latency that blocks nobody; a large
world stays coherent; many clients. (Legacy names: test_emulator_legacy.py; admin-route
validation: test_emulator_admin.py.)"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from email.utils import formatdate
from urllib.parse import urlsplit

import httpx
import pytest

from emulator.config import Settings
from emulator.faults import CLOSE_AFTER_HEADERS
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
    return _kind(response)


def within(count: int, n: int, p: float) -> bool:
    """Inside 4.5 standard deviations of the binomial mean: a seeded run never flakes."""
    mean, sd = n * p, (n * p * (1 - p)) ** 0.5
    return abs(count - mean) <= 4.5 * sd


def outcomes(server: EmulatorServer, path: str, n: int, timeout: float, concurrency: int = 32) -> list[str]:
    """`outcome` of n requests, at most `concurrency` at once (so held responses overlap)."""
    token = server.emulator.world.app_token

    async def run() -> list[str]:
        gate = asyncio.Semaphore(concurrency)
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(base_url=server.url, timeout=timeout, limits=limits,
                                     headers={"Authorization": f"Bearer {token}"}) as client:
            async def one() -> str:
                async with gate:
                    try:
                        response = await client.get(path)
                    except httpx.TimeoutException:
                        return "slow"
                    except httpx.TransportError:
                        return "close"
                return _kind(response)

            return list(await asyncio.gather(*(one() for _ in range(n))))

    return asyncio.run(run())


def _kind(response: httpx.Response) -> str:
    if response.status_code == 429:
        return "429"
    if response.status_code >= 500:
        return "5xx"
    try:
        json.loads(response.content)
    except ValueError:
        return "truncate"
    return "ok"


@pytest.mark.parametrize("kind", ["429", "5xx", "close", "slow", "truncate"])
def test_each_fault_kind_happens_at_its_rate(make_emulator, kind: str) -> None:
    server = make_emulator(spaces=200, users=500)
    field = {"429": "p429", "5xx": "p5xx"}.get(kind, kind)
    # a slow response is held 30 s, far past the client's 2 s timeout (released at stop)
    server.emulator.faults.settings.update({field: P, "slow_seconds": 30.0})
    world = server.emulator.world
    seen = outcomes(server, f"/2/spaces/{world.space_ids.id(0)}", N, timeout=2.0 if kind == "slow" else 10.0)
    assert set(seen) <= {"ok", kind}
    assert within(seen.count(kind), N, P), seen.count(kind)
    stats = server.emulator.stats
    assert stats.faults[kind] == seen.count(kind)
    # every answered request is counted under its endpoint, by the status line it was sent
    sent = dict(stats.requests["GET /2/spaces/{id}"])
    if kind == "slow":
        assert sent.get("200", 0) >= seen.count("ok")  # held ones count once they answer
    else:
        broken = {"429": "429", "close": "200 close", "truncate": "200 truncate"}.get(kind)
        injected = seen.count(kind) if broken is None else sent.pop(broken)
        if kind == "5xx":
            injected = sum(sent.pop(status, 0) for status in ("500", "502", "503"))
        assert injected == seen.count(kind)
        assert sent == {"200": seen.count("ok")}


def test_injected_429_is_transient_and_faults_never_touch_admin_routes(make_emulator) -> None:
    server = make_emulator(spaces=200, users=500, rate_limit=10)
    world = server.emulator.world
    app = {"Authorization": f"Bearer {world.app_token}"}
    search = f"{server.url}/2/spaces/search"
    date = formatdate(world.start, usegmt=True)  # a frozen world clock
    server.emulator.faults.settings.update({"p429": 1.0})
    first = httpx.get(search, params={"query": "tech"}, headers=app)
    assert first.status_code == 429
    # a bucket nobody opened yet: remaining stays below the configured limit
    assert (first.headers["x-rate-limit-limit"], first.headers["x-rate-limit-remaining"]) == ("10", "9")
    server.emulator.faults.settings.update({"p429": 0.0})
    for _ in range(3):
        assert httpx.get(search, params={"query": "tech"}, headers=app).status_code == 200
    server.emulator.faults.settings.update({"p429": 1.0})
    before = time.time()
    response = httpx.get(search, params={"query": "tech"}, headers=app)
    after = time.time()
    assert response.status_code == 429
    assert response.headers["date"] == date
    assert response.headers["x-rate-limit-limit"] == "10"  # the configured limit
    assert response.headers["x-rate-limit-remaining"] == "7"  # the real bucket: 3 of 10 spent
    assert before < int(response.headers["x-rate-limit-reset"]) <= after + 2  # at most 2 s ahead
    server.emulator.faults.settings.update({"p429": 0.0})
    clean = httpx.get(search, params={"query": "tech"}, headers=app)
    assert clean.headers["x-rate-limit-remaining"] == "6", "an injected 429 spends no request"
    assert httpx.get(f"{server.url}/_emulator/clock").status_code == 200
    server.emulator.faults.settings.update({"p429": 1.0})
    assert httpx.get(f"{server.url}/_emulator/clock").status_code == 200  # admin: never faulted


def test_injected_5xx_carry_the_world_date_and_rate_limit_headers(make_emulator) -> None:
    server = make_emulator(spaces=200, users=500, rate_limit=10, fault_seed=3)
    world = server.emulator.world
    app = {"Authorization": f"Bearer {world.app_token}"}
    server.emulator.faults.settings.update({"p5xx": 1.0})
    statuses = set()
    for _ in range(12):
        response = httpx.get(f"{server.url}/2/spaces/search", params={"query": "tech"}, headers=app)
        statuses.add(response.status_code)
        assert response.headers["date"] == formatdate(world.start, usegmt=True)
        assert response.headers["x-rate-limit-limit"] == "10"
        assert response.headers["x-rate-limit-remaining"] == "10"  # injected: nothing spent
        assert int(response.headers["x-rate-limit-reset"]) > time.time()
        if response.status_code == 500:
            assert response.json()["type"] == "https://api.x.com/2/problems/internal-error"
    assert statuses == {500, 502, 503}


def _raw_get(url: str, path: str, token: str) -> tuple[bytes, bytes]:
    """(headers, body bytes received before the server closed the connection)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {token}"
                     "\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body


def test_a_close_drops_the_connection_after_the_headers_or_mid_body(make_emulator) -> None:
    server = make_emulator(spaces=200, users=500)
    world = server.emulator.world
    server.emulator.faults.settings.update({"close": 1.0})
    path = f"/2/spaces/{world.space_ids.id(0)}?space.fields=title,created_at,participant_count"
    received = []
    for _ in range(90):
        head, body = _raw_get(server.url, path, world.app_token)
        assert head.startswith(b"HTTP/1.1 200 ")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        assert len(body) < length  # never a whole body
        received.append(len(body))
    after_headers = received.count(0)
    assert within(after_headers, 90, CLOSE_AFTER_HEADERS), after_headers  # no body byte at all
    assert 90 - after_headers > 0  # the others drop mid-body


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
    assert bad.status_code == 400 and bad.json()["key"] == "fault_5xx"
    assert "probability" in bad.json()["detail"]


def test_a_reset_replays_the_same_failures(make_emulator) -> None:
    server = make_emulator(spaces=200, users=500)
    server.emulator.faults.settings.update({"p5xx": 0.5})
    world = server.emulator.world
    runs = []
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {world.app_token}"},
                      timeout=10) as client:
        for _ in range(2):
            runs.append([outcome(client, "/2/spaces/search", {"query": "music"}) for _ in range(40)])
            assert httpx.post(f"{server.url}/_emulator/reset").status_code == 200
    assert "5xx" in runs[0] and "ok" in runs[0]
    assert runs[0] == runs[1]


def test_latency_blocks_no_other_request(make_emulator) -> None:
    """20 concurrent requests held 1 s each: all answer, and the emulator saw them in
    flight together (a blocking sleep would serve them one at a time: never 2 at once)."""
    server = make_emulator(spaces=200, users=500)
    server.emulator.faults.settings.update({"latency_ms": 1000})
    world = server.emulator.world
    seen = outcomes(server, f"/2/spaces/{world.space_ids.id(0)}", 20, timeout=60, concurrency=20)
    assert seen == ["ok"] * 20
    stats = httpx.get(f"{server.url}/_emulator/stats").json()
    assert stats["requests"]["GET /2/spaces/{id}"] == {"200": 20}
    assert stats["max_in_flight"] >= 5, stats["max_in_flight"]
    assert stats["in_flight"] == 0


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
