"""Admin routes and odd requests that must never wedge the emulator: run-time settings
are checked whole before any is applied, the world clock stays within the year 9999, and
non-GET requests under /2/ get a problem body like the API's other errors."""

from __future__ import annotations

from email.utils import formatdate

import httpx
import pytest

from emulator.clock import MAX_INSTANT, iso
from emulator.config import Faults

POISON = [
    ({"latency_ms": "inf"}, "latency_ms"),
    ({"latency_ms": 1e9}, "latency_ms"),
    ({"latency_ms": -1}, "latency_ms"),
    ({"slow_seconds": 1e12}, "slow_seconds"),
    ({"fault_429": "nan"}, "fault_429"),
    ({"fault_429": "0.5"}, "fault_429"),
    ({"fault_close": True}, "fault_close"),
    ({"fault_5xx": 0.3, "fault_429": 5}, "fault_429"),
    ({"fault_5xx": -0.1}, "fault_5xx"),
    ({"fault_5xx": 0.6, "fault_429": 0.6}, "fault_429,fault_5xx"),
    ({"usage_cap": -1}, "usage_cap"),
    ({"usage_cap": 1.5}, "usage_cap"),
    ({"usage_cap": "10"}, "usage_cap"),
    ({"usage_cap": 5, "fault_slow": 2}, "fault_slow"),
    ({"bogus": 1, "fault_5xx": 0.1}, "bogus"),
    ([0.5], "body"),
]


def test_config_refuses_poison_values_and_applies_nothing(make_emulator) -> None:
    server = make_emulator(spaces=200, users=500)
    world = server.emulator.world
    app = {"Authorization": f"Bearer {world.app_token}"}
    with httpx.Client(base_url=server.url, timeout=10) as client:
        before = client.get("/_emulator/config").json()
        for body, key in POISON:
            refused = client.post("/_emulator/config", json=body)
            assert refused.status_code == 400, body
            assert refused.headers["content-type"] == "application/problem+json"
            problem = refused.json()
            assert problem["key"] == key, (body, problem)
            assert key.split(",")[0] in problem["detail"] and problem["status"] == 400
            assert client.get("/_emulator/config").json() == before, f"{body} changed settings"
            # and the API is unharmed: no latency, no fault, no 500
            assert client.get("/2/spaces/search", params={"query": "tech"}, headers=app).status_code == 200
        for raw in (b'{"fault_429": NaN}', b'{"latency_ms": Infinity}', b"not json"):
            refused = client.post("/_emulator/config", content=raw)
            assert refused.status_code == 400 and refused.json()["key"] == "body", raw
        assert client.get("/_emulator/config").json() == before

        # the sum counts what is already on: 0.5 on, 0.6 more would be 1.1
        assert client.post("/_emulator/config", json={"fault_5xx": 0.5}).status_code == 200
        assert client.post("/_emulator/config", json={"fault_429": 0.6}).json()["key"] == "fault_429"
        both = client.post("/_emulator/config", json={"fault_5xx": 0.4, "fault_429": 0.6})
        assert both.status_code == 200, "a sum of exactly 1 is fine"
        assert (both.json()["fault_5xx"], both.json()["fault_429"]) == (0.4, 0.6)
        off = client.post("/_emulator/config", json={"fault_5xx": 0, "fault_429": 0, "usage_cap": 0})
        assert off.json()["usage_cap"] == 0
        assert client.post("/_emulator/config", json={"usage_cap": None}).json()["usage_cap"] is None


def test_faults_check_their_values_in_python_too() -> None:
    with pytest.raises(ValueError, match="p429"):
        Faults(p429=2.0)
    with pytest.raises(ValueError, match="add up"):
        Faults(p429=0.6, p5xx=0.6)
    faults = Faults()
    with pytest.raises(ValueError, match="latency_ms"):
        faults.update({"p5xx": 0.2, "latency_ms": float("inf")})
    assert faults.p5xx == 0.0, "nothing applied"


def test_clock_advance_stays_finite_and_within_the_year_9999(make_emulator) -> None:
    server = make_emulator(spaces=200, users=500)
    world = server.emulator.world
    app = {"Authorization": f"Bearer {world.app_token}"}
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for bad in ("1e308", "inf", "nan", "-5", "1_000", "\u0665", " 5", "0x10", "", str(MAX_INSTANT)):
            refused = client.post("/_emulator/clock/advance", params={"seconds": bad})
            assert refused.status_code == 400, bad
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["parameter"] == "seconds"
        assert client.get("/_emulator/clock").json()["epoch"] == world.start
        assert client.get("/2/spaces/search", params={"query": "tech"}, headers=app).status_code == 200
        # up to the last second of 9999 is fine, and the API keeps answering there
        last = client.post("/_emulator/clock/advance", params={"seconds": str(MAX_INSTANT - world.start)})
        assert last.status_code == 200 and last.json()["now"] == iso(MAX_INSTANT)
        assert client.post("/_emulator/clock/advance", params={"seconds": "1"}).status_code == 400
        for path in ("/2/spaces/search?query=tech", f"/2/spaces/{world.space_ids.id(0)}",
                     f"/2/spaces?ids={world.space_ids.id(0)}"):
            response = client.get(path, headers=app)
            assert response.status_code == 200, path
            assert response.headers["date"] == "Fri, 31 Dec 9999 23:59:59 GMT"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_non_get_requests_get_a_405_problem_with_the_world_date(emulator, method: str) -> None:
    world = emulator.emulator.world
    for path in ("/2/spaces/search", f"/2/spaces/{world.space_ids.id(0)}/buyers", "/2/spaces"):
        response = httpx.request(method, emulator.url + path,
                                 headers={"Authorization": f"Bearer {world.app_token}"})
        assert response.status_code == 405, path
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["allow"] == "GET, HEAD"
        assert response.headers["date"] == formatdate(world.start, usegmt=True)
        body = response.json()
        assert body["status"] == 405 and body["type"] == "about:blank" and method in body["detail"]
    unknown = httpx.request(method, emulator.url + "/2/nothing/here")
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"
    assert "date" in unknown.headers
