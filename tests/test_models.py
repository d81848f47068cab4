"""The SQL models in sql/: a small world is loaded through the real pipeline at known world
instants (the clock moves between loads, so Spaces go scheduled -> live -> ended, and some
drop out of the API), the models are built into that DuckDB file, and every mart is
compared with figures computed here, in Python, from the emulator's World at those
instants, never from the SQL.

What the loads observe is itself derived from the World: a load sees what its searches
and creator lookups return, plus a lookup of every Space still open (scheduled or live)
and of the explicit ids; a lookup that finds nothing is a resource-not-found.
"""

from __future__ import annotations

import math
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
from click.testing import CliRunner

from emulator import text
from emulator.clock import parse_instant
from emulator.config import Settings
from emulator.server import EmulatorServer
from emulator.world import World
from pipelines.cli import main
from pipelines.emulator_tokens import EmulatorTokens
from pipelines.models import SQL_DIR, ModelError, Project, build, build_order, run_tests
from pipelines.spaces_pipeline import make_pipeline, run_load
from sources.x_spaces import x_spaces

SETTINGS = {"clock_speed": 0, "spaces": 300, "users": 600}
QUERIES = ["tech", "programming"]
N_CREATORS = 20
# Seconds after the world's start: the first loads catch Spaces starting, peaking, fading
# and ending (some audiences are seen rising and falling below half their peak), the last
# one comes after a gap longer than the API keeps ended Spaces (24 h), so the Spaces last
# seen live are gone by then (resource-not-found) and the next day has new ones.
OFFSETS = [0, 1800, 6300, 7200, 12300, 12900, 108000]
DAY = 86400
WEEK = 7 * DAY


# ---------------------------------------------------------------------- the truth
def observe(world: World, instants: list[float], queries: list[str], creator_ids: list[str],
            space_ids: list[str]) -> tuple[dict[str, list[tuple[float, dict]]], dict[str, float]]:
    """What loads at `instants` see, from the World: Space id -> [(instant, full object)],
    and Space id -> the first instant a lookup found nothing."""
    last: dict[str, dict] = {}
    gone: set[str] = set()
    seen_at: dict[str, list[tuple[float, dict]]] = {}
    unavailable: dict[str, float] = {}
    for t in instants:
        seen: dict[str, dict] = {}
        for query in queries:
            for obj in world.search(query, "all", 100, at=t):
                seen.setdefault(obj["id"], obj)
        for obj in world.spaces_by_creators(creator_ids, at=t):
            seen.setdefault(obj["id"], obj)
        explicit = [i for i in space_ids if i not in gone and last.get(i, {}).get("state") != "ended"]
        still_open = sorted(i for i, o in last.items() if o["state"] in ("scheduled", "live") and i not in gone)
        for space_id in dict.fromkeys(explicit + still_open):
            if space_id in seen:
                continue
            obj = world.space(space_id, at=t)
            if obj is None:
                gone.add(space_id)
                unavailable.setdefault(space_id, t)
            else:
                seen[space_id] = obj
        for space_id, obj in seen.items():
            seen_at.setdefault(space_id, []).append((t, obj))
            last[space_id] = obj
    return seen_at, unavailable


def ts(value: str | None) -> float | None:
    return None if value is None else parse_instant(value)


def day_of(t: float) -> int:
    return math.floor(t / DAY)


def as_date(day_number: int) -> date:
    return date(1970, 1, 1) + timedelta(days=day_number)


@dataclass
class Truth:
    """Every figure the marts show, computed from the World at the load instants."""

    world: World
    instants: list[float]
    seen_at: dict[str, list[tuple[float, dict]]]
    unavailable: dict[str, float]

    @property
    def now(self) -> float:
        return self.instants[-1]

    def username(self, user_id: str) -> str | None:
        user = self.world.user(user_id)
        return None if user is None else user["username"]

    def topic_names(self) -> dict[str, str]:
        return {self.world.topic(k)["id"]: self.world.topic(k)["name"] for k in range(len(text.TOPICS))}

    def sessions(self) -> dict[str, dict]:
        names = self.topic_names()
        out = {}
        for space_id, seen in self.seen_at.items():
            last_t, obj = seen[-1]
            started, ended, scheduled = ts(obj.get("started_at")), ts(obj.get("ended_at")), ts(obj.get("scheduled_start"))
            live_until = ended if ended is not None else (last_t if started is not None else None)
            participants = [o["participant_count"] for _, o in seen]
            out[space_id] = {
                "state": obj["state"], "title": obj["title"], "creator_id": obj["creator_id"],
                "creator_username": self.username(obj["creator_id"]),
                "created_at": ts(obj["created_at"]), "scheduled_start_at": scheduled,
                "started_at": started, "ended_at": ended, "live_until_at": live_until,
                "start_delay_seconds": started - scheduled if started is not None and scheduled is not None else None,
                "duration_seconds": live_until - started if started is not None else None,
                "is_ended": obj["state"] == "ended",
                "is_unavailable": space_id in self.unavailable,
                "first_seen_at": seen[0][0], "last_seen_at": last_t,
                "unavailable_at": self.unavailable.get(space_id),
                "count_snapshots": len(seen), "peak_participants": max(participants),
                "last_participants": participants[-1], "count_subscribers": obj["subscriber_count"],
                "is_ticketed": obj["is_ticketed"],
                "count_buyers": len(self.world.buyers(space_id, at=last_t)) if obj["is_ticketed"] else None,
                "host_ids": obj["host_ids"], "host_usernames": [self.username(u) for u in obj["host_ids"]],
                "count_hosts": len(obj["host_ids"]), "speaker_ids": obj["speaker_ids"],
                "count_speakers": len(obj["speaker_ids"]), "topic_ids": obj["topic_ids"],
                "topic_names": [names[k] for k in obj["topic_ids"]],
            }
        return out

    def live_now(self) -> dict[str, dict]:
        sessions = self.sessions()
        live = [(space_id, obj) for space_id, seen in self.seen_at.items()
                for t, obj in seen if t == self.now and obj["state"] == "live"]
        live.sort(key=lambda item: (-item[1]["participant_count"], item[0]))
        return {space_id: {
            "live_rank": rank, "title": obj["title"], "creator_id": obj["creator_id"],
            "creator_username": self.username(obj["creator_id"]),
            "host_usernames": [self.username(u) for u in obj["host_ids"]],
            "topic_names": sessions[space_id]["topic_names"], "is_ticketed": obj["is_ticketed"],
            "started_at": sessions[space_id]["started_at"], "observed_at": self.now,
            "count_participants": obj["participant_count"], "count_subscribers": obj["subscriber_count"],
            "live_minutes": (self.now - sessions[space_id]["started_at"]) / 60,
        } for rank, (space_id, obj) in enumerate(live, start=1)}

    def timeseries(self) -> dict[tuple[str, float], dict]:
        sessions = self.sessions()
        out = {}
        for space_id, seen in self.seen_at.items():
            started, ended = sessions[space_id]["started_at"], sessions[space_id]["ended_at"]
            previous = None
            for n, (t, obj) in enumerate(seen, start=1):
                count = obj["participant_count"]
                out[(space_id, t)] = {
                    "observation_number": n, "state": obj["state"], "is_live": obj["state"] == "live",
                    "count_participants": count, "count_subscribers": obj["subscriber_count"],
                    "participants_change": None if previous is None else count - previous,
                    "minutes_since_start": ((min(t, ended) if ended is not None else t) - started) / 60
                    if started is not None and t >= started else None,
                    "title": sessions[space_id]["title"],
                }
                previous = count
        return out

    def dynamics(self) -> dict[str, dict]:
        sessions = self.sessions()
        out = {}
        for space_id, seen in self.seen_at.items():
            live = [(t, o["participant_count"]) for t, o in seen if o["state"] == "live"]
            if not live:
                continue
            peak = max(p for _, p in live)
            peak_at = next(t for t, p in live if p == peak)
            drops = [(live[k - 1][1] - live[k][1], live[k][0]) for k in range(1, len(live))]
            drops = [d for d in drops if d[0] > 0]
            largest = max((d for d, _ in drops), default=0)
            largest_at = next((t for d, t in drops if d == largest), None) if largest else None
            share = None
            if len(live) > 1:
                total = live[-1][0] - live[0][0]
                above = sum(live[k + 1][0] - live[k][0] for k in range(len(live) - 1) if live[k][1] * 2 > peak)
                share = above / total
            out[space_id] = {
                "title": sessions[space_id]["title"], "state": sessions[space_id]["state"],
                "started_at": sessions[space_id]["started_at"],
                "count_live_observations": len(live), "first_live_at": live[0][0], "last_live_at": live[-1][0],
                "peak_participants": peak, "peak_at": peak_at,
                "seconds_to_peak": peak_at - sessions[space_id]["started_at"],
                "largest_drop": largest, "largest_drop_at": largest_at,
                "observed_live_seconds": live[-1][0] - live[0][0] if len(live) > 1 else None,
                "share_above_half_peak": share,
            }
        return out

    def host_leaderboard(self) -> dict[str, dict]:
        sessions = self.sessions()
        per_host: dict[str, list[dict]] = defaultdict(list)
        for session in sessions.values():
            for user_id in session["host_ids"]:
                per_host[user_id].append(session)
        live_audience: dict[str, list[int]] = defaultdict(list)  # over the current host lists
        for space_id, seen in self.seen_at.items():
            for user_id in sessions[space_id]["host_ids"]:
                live_audience[user_id] += [o["participant_count"] for _, o in seen if o["state"] == "live"]
        rows = {}
        for user_id, hosted in per_host.items():
            started = [s for s in hosted if s["started_at"] is not None]
            peaks = [s["peak_participants"] for s in started]
            audience = live_audience[user_id]
            user = self.world.user(user_id)
            rows[user_id] = {
                "username": user["username"], "name": user["name"],
                "count_followers": user["public_metrics"]["followers_count"],
                "avg_participants": sum(audience) / len(audience) if audience else None,
                "count_spaces_hosted": len(hosted), "count_spaces_started": len(started),
                "count_spaces_scheduled": sum(s["state"] == "scheduled" for s in hosted),
                "live_seconds": sum(s["duration_seconds"] for s in started),
                "avg_peak_participants": sum(peaks) / len(peaks) if peaks else None,
                "peak_participants": max(peaks) if peaks else None,
            }
        order = sorted(rows, key=lambda u: (-rows[u]["live_seconds"],
                                            -(rows[u]["peak_participants"] if rows[u]["peak_participants"] is not None else -1),
                                            u))
        for rank, user_id in enumerate(order, start=1):
            row = rows[user_id]
            row["leaderboard_rank"] = rank
            row["live_minutes"] = row.pop("live_seconds") / 60
        return rows

    def creator_activity(self) -> dict[str, dict]:
        per_creator: dict[str, list[dict]] = defaultdict(list)
        for session in self.sessions().values():
            per_creator[session["creator_id"]].append(session)
        rows = {}
        for creator_id, spaces in per_creator.items():
            upcoming = [s for s in spaces if s["state"] == "scheduled" and not s["is_unavailable"]]
            delays = [s["start_delay_seconds"] for s in spaces if s["start_delay_seconds"] is not None]
            first_created = min(s["created_at"] for s in spaces)
            rows[creator_id] = {
                "creator_username": self.username(creator_id),
                "count_spaces": len(spaces), "count_spaces_upcoming": len(upcoming),
                "count_spaces_live": sum(s["state"] == "live" and not s["is_unavailable"] for s in spaces),
                "count_spaces_ended": sum(s["state"] == "ended" for s in spaces),
                "count_spaces_ticketed": sum(bool(s["is_ticketed"]) for s in spaces),
                "first_space_created_at": first_created,
                "next_scheduled_start_at": min((s["scheduled_start_at"] for s in upcoming), default=None),
                "spaces_per_week": len(spaces) * WEEK / max(WEEK, self.now - first_created),
                "avg_start_delay_seconds": sum(delays) / len(delays) if delays else None,
            }
        return rows

    def _live_days(self) -> list[tuple[dict, str, int]]:
        out = []
        for space_id, s in self.sessions().items():
            if s["started_at"] is not None:
                for day in range(day_of(s["started_at"]), day_of(s["live_until_at"]) + 1):
                    out.append((s, space_id, day))
        return out

    def _live_snapshots(self) -> list[tuple[str, float, int]]:
        return [(space_id, t, o["participant_count"]) for space_id, seen in self.seen_at.items()
                for t, o in seen if o["state"] == "live"]

    def daily_activity(self) -> dict[date, dict]:
        sessions = self.sessions()
        started = [s["started_at"] for s in sessions.values() if s["started_at"] is not None]
        first = min([day_of(t) for t in started] + [day_of(self.instants[0])])
        live_days, snapshots = self._live_days(), self._live_snapshots()
        rows = {}
        for day in range(first, day_of(self.now) + 1):
            lo, hi = day * DAY, (day + 1) * DAY
            live = [(s, sid) for s, sid, d in live_days if d == day]
            audience = [p for _, t, p in snapshots if day_of(t) == day]
            rows[as_date(day)] = {
                "count_spaces_started": sum(day_of(t) == day for t in started),
                "count_spaces_ended": sum(s["ended_at"] is not None and day_of(s["ended_at"]) == day
                                          for s in sessions.values()),
                "count_spaces_live": len({sid for _, sid in live}),
                "live_minutes": sum(max(0, min(s["live_until_at"], hi) - max(s["started_at"], lo))
                                    for s, _ in live) / 60,
                "count_live_snapshots": len(audience),
                "avg_participants": sum(audience) / len(audience) if audience else None,
                "peak_participants": max(audience) if audience else None,
            }
        return rows

    def topic_trends(self) -> dict[tuple[str, date], dict]:
        names = self.topic_names()
        spaces: dict[tuple[str, int], set[str]] = defaultdict(set)
        starts: dict[tuple[str, int], set[str]] = defaultdict(set)
        for s, space_id, day in self._live_days():
            for topic_id in s["topic_ids"]:
                spaces[(topic_id, day)].add(space_id)
                if day_of(s["started_at"]) == day:
                    starts[(topic_id, day)].add(space_id)
        sessions = self.sessions()
        audience: dict[tuple[str, int], list[int]] = defaultdict(list)
        for space_id, t, p in self._live_snapshots():
            for topic_id in sessions[space_id]["topic_ids"]:
                audience[(topic_id, day_of(t))].append(p)
        rows = {}
        for (topic_id, day), ids in spaces.items():
            seen = audience.get((topic_id, day), [])
            rows[(topic_id, as_date(day))] = {
                "topic_name": names[topic_id], "count_spaces_live": len(ids),
                "count_spaces_started": len(starts.get((topic_id, day), set())),
                "count_live_snapshots": len(seen),
                "avg_participants": sum(seen) / len(seen) if seen else None,
                "peak_participants": max(seen) if seen else None,
            }
        return rows

    def ticket_sales(self) -> dict[str, dict]:
        rows = {}
        for space_id, s in self.sessions().items():
            if not s["is_ticketed"]:
                continue
            # Buyers are fetched when first seen, when subscriber_count moved, and once ended.
            fetched = None
            for t, obj in self.seen_at[space_id]:
                if fetched is None or (fetched[1] != "ended" and (
                        obj["state"] == "ended" or obj["subscriber_count"] != fetched[2])):
                    fetched = (t, obj["state"], obj["subscriber_count"])
            rows[space_id] = {
                "title": s["title"], "state": s["state"], "creator_id": s["creator_id"],
                "creator_username": s["creator_username"], "scheduled_start_at": s["scheduled_start_at"],
                "started_at": s["started_at"], "count_buyers": s["count_buyers"], "count_subscribers": s["count_subscribers"],
                "buyers_per_subscriber": s["count_buyers"] / s["count_subscribers"] if s["count_subscribers"] else None,
                "peak_participants": s["peak_participants"],
                "is_buyers_complete": True, "buyers_fetched_at": fetched[0],
            }
        return rows


# ---------------------------------------------------------------------- the loads
@dataclass
class Scenario:
    path: Path
    truth: Truth
    creator_ids: list[str]
    space_ids: list[str]
    requests_per_load: list[int]  # what the emulator served each load


def top_creators(world: World, n: int) -> list[str]:
    counts = np.bincount(world.creator, minlength=world.n_users)
    return [world.user_ids.id(int(u)) for u in np.argsort(-counts, kind="stable")[:n]]


def explicit_ids(world: World, instants: list[float], creators: list[str]) -> list[str]:
    """Three ids only an explicit lookup finds: one ended at the first load, one scheduled
    then that starts while the loads run, and one the API has already forgotten."""
    found, _ = observe(world, instants, QUERIES, creators, [])
    t0 = instants[0]
    candidates = [i for i in range(world.n_spaces) if world.space_ids.id(i) not in found]
    ended = next(i for i in candidates if world.status(i, t0) == "ended")
    starting = next(i for i in candidates
                    if world.status(i, t0) == "scheduled" and any(world.status(i, t) == "live" for t in instants))
    forgotten = next(i for i in candidates if world.status(i, t0) == "expired")
    return [world.space_ids.id(i) for i in (ended, starting, forgotten)]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    tmp = tmp_path_factory.mktemp("models")
    path = tmp / "spaces.duckdb"  # not x_spaces.duckdb: a catalog named like the dataset is ambiguous
    with pytest.MonkeyPatch.context() as env, EmulatorServer(Settings(**SETTINGS)) as server:
        env.setenv("DLT_DATA_DIR", str(tmp / "dlt"))
        env.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
        world, clock = server.emulator.world, server.emulator.clock
        instants = [world.start + offset for offset in OFFSETS]
        creators = top_creators(world, N_CREATORS)
        space_ids = explicit_ids(world, instants, creators)
        pipeline = make_pipeline(path, pipelines_dir=str(tmp / "pipelines"))
        served = [server.emulator.stats.as_dict()["total"]]
        for t in instants:
            clock.advance(t - clock.now())
            run_load(pipeline, x_spaces(
                queries=QUERIES, creator_ids=creators, space_ids=space_ids, base_url=server.url,
                bearer_token=world.app_token, user_tokens=EmulatorTokens(server.url)))
            served.append(server.emulator.stats.as_dict()["total"])
    with duckdb.connect(str(path)) as con:
        build(con, Project.load())
    seen_at, unavailable = observe(world, instants, QUERIES, creators, space_ids)
    return Scenario(path, Truth(world, instants, seen_at, unavailable), creators, space_ids,
                    [b - a for a, b in zip(served, served[1:])])


@pytest.fixture(scope="module")
def con(scenario: Scenario) -> Any:
    connection = duckdb.connect(str(scenario.path), read_only=True)
    yield connection
    connection.close()


# ---------------------------------------------------------------------- comparing
def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).timestamp()
    return value


def fetch(con: duckdb.DuckDBPyConnection, relation: str, *key: str) -> dict[Any, dict]:
    cursor = con.execute(f"select * from {relation}")
    names = [d[0] for d in cursor.description]
    out = {}
    for row in cursor.fetchall():
        record = {n: _plain(v) for n, v in zip(names, row)}
        k = tuple(record[c] for c in key)
        k = k[0] if len(k) == 1 else k
        assert k not in out, f"{relation}: duplicate key {k}"
        out[k] = record
    return out


def assert_rows(relation: str, actual: dict[Any, dict], expected: dict[Any, dict]) -> None:
    assert set(actual) == set(expected), (
        f"{relation}: keys differ; missing {sorted(set(expected) - set(actual), key=str)[:5]}, "
        f"unexpected {sorted(set(actual) - set(expected), key=str)[:5]}")
    for key, want in expected.items():
        got = actual[key]
        for column, value in want.items():
            if isinstance(value, float):
                ok = got[column] is not None and got[column] == pytest.approx(value, rel=1e-9, abs=1e-6)
            else:
                ok = got[column] == value
            assert ok, f"{relation}[{key}].{column}: {got[column]!r}, the World says {value!r}"


# ---------------------------------------------------------------------- the tests
def test_the_loads_saw_what_the_world_shows(scenario: Scenario, con: duckdb.DuckDBPyConnection) -> None:
    truth = scenario.truth
    loads = [r[0] for r in con.execute("select epoch(observed_at) from x_spaces.loads order by 1").fetchall()]
    assert loads == truth.instants
    snapshots = {(s, t) for s, t in con.execute(
        "select space_id, epoch(observed_at) from x_spaces.space_snapshots").fetchall()}
    assert snapshots == {(s, t) for s, seen in truth.seen_at.items() for t, _ in seen}
    # The scenario covers what the marts are about.
    states = {s: [o["state"] for _, o in seen] for s, seen in truth.seen_at.items()}
    assert any(["scheduled", "live", "ended"] == list(dict.fromkeys(v)) for v in states.values())
    assert sum(v.count("live") >= 2 for v in states.values()) >= 3
    assert truth.unavailable and truth.live_now()
    assert any(o["is_ticketed"] for seen in truth.seen_at.values() for _, o in seen)
    assert len(truth.daily_activity()) >= 3


def test_stg_spaces_sightings_and_unavailability(scenario: Scenario, con: duckdb.DuckDBPyConnection) -> None:
    truth = scenario.truth
    actual = fetch(con, "staging.stg_spaces", "space_id")
    expected = {s: {"first_seen_at": seen[0][0], "last_seen_at": seen[-1][0],
                    "unavailable_at": truth.unavailable.get(s), "state": seen[-1][1]["state"],
                    "host_ids": seen[-1][1]["host_ids"], "count_participants": seen[-1][1]["participant_count"]}
                for s, seen in truth.seen_at.items()}
    assert_rows("staging.stg_spaces", actual, expected)
    # The forgotten explicit id is unavailable from the first load, and has no Space row.
    forgotten = scenario.space_ids[2]
    assert truth.unavailable[forgotten] == truth.instants[0] and forgotten not in actual


def test_space_sessions(scenario: Scenario, con: duckdb.DuckDBPyConnection) -> None:
    assert_rows("analytics.space_sessions", fetch(con, "analytics.space_sessions", "space_id"),
                scenario.truth.sessions())


def test_live_now(scenario: Scenario, con: duckdb.DuckDBPyConnection) -> None:
    assert_rows("analytics.live_now", fetch(con, "analytics.live_now", "space_id"), scenario.truth.live_now())


def test_participant_timeseries(scenario: Scenario, con: duckdb.DuckDBPyConnection) -> None:
    assert_rows("analytics.participant_timeseries",
                fetch(con, "analytics.participant_timeseries", "space_id", "observed_at"),
                scenario.truth.timeseries())


def test_audience_dynamics(scenario: Scenario, con: duckdb.DuckDBPyConnection) -> None:
    expected = scenario.truth.dynamics()
    assert any(row["largest_drop"] > 0 for row in expected.values())
    assert any(0 < (row["share_above_half_peak"] or 0) < 1 for row in expected.values())
    assert_rows("analytics.audience_dynamics", fetch(con, "analytics.audience_dynamics", "space_id"), expected)


def test_host_leaderboard(scenario: Scenario, con: duckdb.DuckDBPyConnection) -> None:
    assert_rows("analytics.host_leaderboard", fetch(con, "analytics.host_leaderboard", "user_id"),
                scenario.truth.host_leaderboard())


def test_creator_activity(scenario: Scenario, con: duckdb.DuckDBPyConnection) -> None:
    expected = scenario.truth.creator_activity()
    assert any(row["count_spaces_upcoming"] for row in expected.values())
    assert_rows("analytics.creator_activity", fetch(con, "analytics.creator_activity", "creator_id"), expected)


def test_daily_activity(scenario: Scenario, con: duckdb.DuckDBPyConnection) -> None:
    assert_rows("analytics.daily_activity", fetch(con, "analytics.daily_activity", "activity_date"),
                scenario.truth.daily_activity())


def test_topic_trends(scenario: Scenario, con: duckdb.DuckDBPyConnection) -> None:
    expected = scenario.truth.topic_trends()
    assert expected
    assert_rows("analytics.topic_trends", fetch(con, "analytics.topic_trends", "topic_id", "activity_date"),
                expected)


def test_ticket_sales(scenario: Scenario, con: duckdb.DuckDBPyConnection) -> None:
    expected = scenario.truth.ticket_sales()
    assert any(row["count_buyers"] for row in expected.values())
    assert_rows("analytics.ticket_sales", fetch(con, "analytics.ticket_sales", "space_id"), expected)


def test_load_history(scenario: Scenario, con: duckdb.DuckDBPyConnection) -> None:
    truth = scenario.truth
    actual = fetch(con, "analytics.load_history", "observed_at")
    expected = {t: {"is_latest": t == truth.now, "count_requests": n, "status": "complete",
                    "is_budget_exhausted": False}
                for t, n in zip(truth.instants, scenario.requests_per_load)}
    assert_rows("analytics.load_history", actual, expected)


def test_data_tests_pass(scenario: Scenario, con: duckdb.DuckDBPyConnection) -> None:
    project = Project.load()
    assert len(project.tests) >= 20
    failed = [(r.test.name, r.count, r.sample, r.error) for r in run_tests(con, project) if not r.passed]
    assert failed == []


def test_command_builds_and_tests(scenario: Scenario, tmp_path: Path) -> None:
    path = tmp_path / "copy.duckdb"
    shutil.copy(scenario.path, path)
    result = CliRunner().invoke(main, ["models", "--duckdb", str(path), "--test"])
    assert result.exit_code == 0, result.output
    assert "view analytics.space_sessions" in result.output
    assert "data tests passed" in result.output


def test_a_failing_data_test_is_listed(scenario: Scenario, tmp_path: Path) -> None:
    sql = tmp_path / "sql"
    shutil.copytree(SQL_DIR, sql)
    (sql / "tests" / "no_live_spaces_please.sql").write_text(
        "-- Offending rows: any live Space.\nselect space_id from analytics.live_now\n")
    path = tmp_path / "copy.duckdb"
    shutil.copy(scenario.path, path)
    result = CliRunner().invoke(main, ["models", "--duckdb", str(path), "--sql-dir", str(sql), "--test", "-q"])
    assert result.exit_code != 0
    assert "FAIL no_live_spaces_please" in result.output
    assert "data tests failed: no_live_spaces_please" in result.output
    assert "Traceback" not in result.output


def test_a_broken_model_is_named_and_changes_nothing(scenario: Scenario, tmp_path: Path) -> None:
    sql = tmp_path / "sql"
    shutil.copytree(SQL_DIR, sql)
    model = sql / "marts" / "host_leaderboard.sql"
    model.write_text(model.read_text().replace("sessions.duration_seconds,", "sessions.duration_secs,"))
    path = tmp_path / "copy.duckdb"
    shutil.copy(scenario.path, path)
    with duckdb.connect(str(path)) as db:
        before = db.execute("select count(*) from analytics.host_leaderboard").fetchone()
    result = CliRunner().invoke(main, ["models", "--duckdb", str(path), "--sql-dir", str(sql)])
    assert result.exit_code != 0
    message = result.output.strip().splitlines()
    assert len(message) == 1, result.output
    assert "analytics.host_leaderboard" in message[0] and "marts/host_leaderboard.sql" in message[0]
    assert "duration_secs" in message[0]
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    with duckdb.connect(str(path)) as db:  # the build is one transaction: the old views stay
        assert db.execute("select count(*) from analytics.host_leaderboard").fetchone() == before


def test_models_need_a_loaded_file(tmp_path: Path) -> None:
    missing = CliRunner().invoke(main, ["models", "--duckdb", str(tmp_path / "none.duckdb")])
    assert missing.exit_code != 0 and "no such file" in missing.output
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    result = CliRunner().invoke(main, ["models", "--duckdb", str(empty)])
    assert result.exit_code != 0 and "x-spaces load" in result.output
    # A file named like a schema of the models makes every "x_spaces.<table>" ambiguous.
    clash = tmp_path / "x_spaces.duckdb"
    duckdb.connect(str(clash)).close()
    result = CliRunner().invoke(main, ["models", "--duckdb", str(clash)])
    assert result.exit_code != 0 and "rename the file" in result.output


# ---------------------------------------------------------------------- the order
def test_build_order_follows_the_sql() -> None:
    project = Project.load()
    position = {m.relation: n for n, m in enumerate(project.models)}
    assert {m.schema for m in project.models} == {"staging", "analytics"}
    for model in project.models:
        for ref in model.refs:
            if not ref.startswith("x_spaces."):
                assert position[ref] < position[model.relation], f"{model.relation} is built before {ref}"
    assert position["staging.stg_space_snapshots"] < position["staging.stg_spaces"]
    assert position["analytics.space_sessions"] < position["analytics.live_now"]
    assert project.model("staging.stg_spaces").refs == {
        "x_spaces.spaces", "staging.stg_space_snapshots", "staging.stg_api_errors"}


def _write(folder: Path, name: str, sql: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.sql").write_text(sql)


def test_build_order_changes_with_the_sql(tmp_path: Path) -> None:
    """No list is kept: the order is whatever the references in the files say, so editing
    the SQL reverses it. Names are chosen so that alphabetical order is wrong both times."""
    sql = tmp_path / "sql"
    _write(sql / "staging", "stg_base", "select id from x_spaces.spaces")
    _write(sql / "marts", "a_top", "with b as (select * from analytics.b_middle) select * from b")
    _write(sql / "marts", "b_middle", "select * from analytics.c_bottom")
    _write(sql / "marts", "c_bottom", "select * from staging.stg_base")
    order = [m.relation for m in Project.load(sql).models]
    assert order == ["staging.stg_base", "analytics.c_bottom", "analytics.b_middle", "analytics.a_top"]
    _write(sql / "marts", "a_top", "select * from staging.stg_base")
    _write(sql / "marts", "b_middle", "select * from analytics.a_top")
    _write(sql / "marts", "c_bottom", "with x as (select * from analytics.b_middle) select * from x")
    order = [m.relation for m in Project.load(sql).models]
    assert order == ["staging.stg_base", "analytics.a_top", "analytics.b_middle", "analytics.c_bottom"]
    # and DuckDB agrees: the views are created in that order without a missing-table error
    with duckdb.connect() as con:
        con.execute("create schema x_spaces; create table x_spaces.spaces (id varchar)")
        build(con, Project.load(sql))
        assert con.execute("select count(*) from analytics.c_bottom").fetchone() == (0,)


def test_cycles_and_unknown_references_are_named(tmp_path: Path) -> None:
    sql = tmp_path / "sql"
    _write(sql / "marts", "one", "select * from analytics.two")
    _write(sql / "marts", "two", "select * from analytics.one")
    with pytest.raises(ModelError, match=r"cycle: analytics\.(one|two) -> analytics\.(one|two)"):
        Project.load(sql)
    _write(sql / "marts", "two", "select * from staging.stg_nothing")
    with pytest.raises(ModelError, match=r"analytics\.two \(marts/two\.sql\) reads staging\.stg_nothing"):
        Project.load(sql)
    _write(sql / "marts", "two", "select * from spaces")
    with pytest.raises(ModelError, match=r"marts/two\.sql reads 'spaces'"):
        Project.load(sql)
    _write(sql / "marts", "two", "select * fro analytics.one")
    with pytest.raises(ModelError, match=r"marts/two\.sql does not parse"):
        Project.load(sql)


def test_build_order_sorts_models_given_in_any_order() -> None:
    project = Project.load()
    shuffled = sorted(project.models, key=lambda m: m.name, reverse=True)
    assert [m.relation for m in build_order(shuffled)] == [m.relation for m in project.models]


# ---------------------------------------------------------------------- the style
def test_models_follow_the_house_style() -> None:
    for path in sorted(SQL_DIR.glob("*/*.sql")):
        sql = path.read_text()
        code = re.sub(r"--[^\n]*", "", sql)
        assert sql.startswith("-- "), f"{path.name}: no header comment"
        assert not re.search(r"\b(now\s*\(|current_timestamp|current_date|get_current_time|today\s*\()",
                             code, re.IGNORECASE), f"{path.name} reads the wall clock"
        if path.parent.name in ("staging", "marts"):
            assert code.rstrip().endswith("select * from final"), f"{path.name}: does not end with final"
        assert not re.search(r"\b(SELECT|FROM|WHERE|JOIN|GROUP|ORDER|WITH|AS|CAST|CASE|WHEN)\b", code), \
            f"{path.name}: uppercase keywords"


# ---------------------------------------------------------------------- edge cases
def raw_dataset() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with every raw table of the dataset, empty, and the list views
    the pipeline creates: rows are then written by hand."""
    from sources.x_spaces.tables import LIST_RELATIONS, TABLES

    con = duckdb.connect()
    con.execute("create schema x_spaces")
    for name, table in TABLES.items():
        empty = table.empty()  # noqa: F841 - read by DuckDB below
        con.execute(f"create table x_spaces.{name} as select * from empty")
    for view, (column, id_name) in LIST_RELATIONS.items():
        con.execute(f"create view x_spaces.{view} as select s.id as space_id, l.{id_name}, l.position "
                    f"from x_spaces.spaces s, unnest(cast(s.{column} as varchar[])) "
                    f"with ordinality as l({id_name}, position)")
    return con


def _at(text_: str) -> str:
    return f"timestamptz '{text_}+00'"


def test_edge_cases_of_the_definitions() -> None:
    """Ties, exactly half the peak, a single observation, a Space live across midnight, an
    ended snapshot after the end: each figure by hand."""
    con = raw_dataset()
    spaces = [
        # id, state, created, scheduled, started, ended, hosts, ticketed, subscribers
        ("A", "ended", "2026-03-01 22:00", "2026-03-01 22:50", "2026-03-01 23:00", "2026-03-02 01:30", ["u1"], False, 3),
        ("B", "live", "2026-03-02 09:00", None, "2026-03-02 09:00", None, ["u1", "u2"], True, 4),
        ("C", "scheduled", "2026-03-02 08:00", "2026-03-05 10:00", None, None, ["u2"], False, 0),
        ("D", "live", "2026-03-02 09:30", None, "2026-03-02 09:30", None, ["u3"], False, 0),
    ]
    for sid, state, created, scheduled, started, ended, hosts, ticketed, subscribers in spaces:
        con.execute(
            "insert into x_spaces.spaces (id, state, title, creator_id, is_ticketed, participant_count, "
            "subscriber_count, created_at, scheduled_start, started_at, ended_at, host_ids, speaker_ids, "
            "invited_user_ids, topic_ids, observed_at) values (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, [], [], ['t1'], ?)",
            [sid, state, f"Space {sid}", hosts[0], ticketed, subscribers, created + "+00",
             scheduled and scheduled + "+00", started and started + "+00", ended and ended + "+00", hosts,
             "2026-03-02 10:00+00"])
    snapshots = [  # space, at, state, participants
        ("A", "2026-03-01 23:00", "live", 10), ("A", "2026-03-01 23:01", "live", 5),
        ("A", "2026-03-01 23:02", "live", 10), ("A", "2026-03-01 23:03", "live", 4),
        ("A", "2026-03-01 23:05", "live", 5), ("A", "2026-03-02 02:00", "ended", 100),
        ("B", "2026-03-02 10:00", "live", 7), ("D", "2026-03-02 10:00", "live", 7),
        ("C", "2026-03-02 10:00", "scheduled", 0),
    ]
    for sid, at, state, participants in snapshots:
        con.execute("insert into x_spaces.space_snapshots values (?, ?, ?, ?, 0)",
                    [sid, at + "+00", state, participants])
    con.execute("insert into x_spaces.buyers values ('B', 'u9', 1, ?), ('B', 'u8', 2, ?)",
                ["2026-03-02 10:00+00"] * 2)
    for at in ("2026-03-01 23:00", "2026-03-02 10:00"):
        con.execute("insert into x_spaces.loads (load_id, observed_at, status) values (?, ?, 'complete')",
                    [at, at + "+00"])
    build(con, Project.load())

    dynamics = fetch(con, "analytics.audience_dynamics", "space_id")
    assert set(dynamics) == {"A", "B", "D"}  # C was never live
    a = dynamics["A"]
    assert a["peak_participants"] == 10  # the ended snapshot (100) is not a live observation
    assert a["peak_at"] == parse_instant("2026-03-01T23:00:00Z") and a["seconds_to_peak"] == 0
    assert a["largest_drop"] == 6 and a["largest_drop_at"] == parse_instant("2026-03-01T23:03:00Z")
    # intervals of 60, 60, 60 and 120 s at 10, 5, 10, 4: exactly half the peak is not above it
    assert a["share_above_half_peak"] == pytest.approx(120 / 300)
    b = dynamics["B"]
    assert (b["largest_drop"], b["largest_drop_at"], b["share_above_half_peak"]) == (0, None, None)

    sessions = fetch(con, "analytics.space_sessions", "space_id")
    assert sessions["A"]["duration_seconds"] == 9000 and sessions["A"]["start_delay_seconds"] == 600
    assert sessions["A"]["peak_participants"] == 100 and sessions["A"]["last_participants"] == 100
    assert sessions["B"]["live_until_at"] == parse_instant("2026-03-02T10:00:00Z")
    assert sessions["B"]["count_buyers"] == 2 and sessions["A"]["count_buyers"] is None
    assert sessions["C"]["duration_seconds"] is None and sessions["C"]["peak_participants"] == 0

    daily = fetch(con, "analytics.daily_activity", "activity_date")
    assert set(daily) == {date(2026, 3, 1), date(2026, 3, 2)}
    assert daily[date(2026, 3, 1)]["live_minutes"] == pytest.approx(60)  # A until midnight
    assert daily[date(2026, 3, 2)]["live_minutes"] == pytest.approx(90 + 60 + 30)  # A, B, D
    assert daily[date(2026, 3, 2)]["count_spaces_live"] == 3
    assert daily[date(2026, 3, 1)]["avg_participants"] == pytest.approx((10 + 5 + 10 + 4 + 5) / 5)

    live = fetch(con, "analytics.live_now", "space_id")
    assert {k: v["live_rank"] for k, v in live.items()} == {"B": 1, "D": 2}  # a tie: by space_id
    assert live["D"]["live_minutes"] == pytest.approx(30)

    leaders = fetch(con, "analytics.host_leaderboard", "user_id")
    assert leaders["u1"]["count_spaces_hosted"] == 2 and leaders["u1"]["live_minutes"] == pytest.approx(150 + 60)
    assert leaders["u2"]["count_spaces_scheduled"] == 1 and leaders["u2"]["peak_participants"] == 7
    assert [leaders[u]["leaderboard_rank"] for u in ("u1", "u2", "u3")] == [1, 2, 3]

    creators = fetch(con, "analytics.creator_activity", "creator_id")
    assert creators["u2"]["count_spaces_upcoming"] == 1
    assert creators["u1"]["spaces_per_week"] == pytest.approx(2.0)  # 2 Spaces, within a week
    assert creators["u1"]["avg_start_delay_seconds"] == pytest.approx(600)  # B was not scheduled

    sales = fetch(con, "analytics.ticket_sales", "space_id")
    assert set(sales) == {"B"} and sales["B"]["buyers_per_subscriber"] == pytest.approx(0.5)

    topics = fetch(con, "analytics.topic_trends", "topic_id", "activity_date")
    assert topics[("t1", date(2026, 3, 2))]["count_spaces_live"] == 3
    assert topics[("t1", date(2026, 3, 1))]["count_spaces_started"] == 1
    # users and topics were never expanded: the "known user" tests do not apply
    assert [r.test.name for r in run_tests(con, Project.load()) if not r.passed] == []


def test_sql_command_prints_a_mart_and_refuses_bad_sql_in_one_line(scenario: Scenario, tmp_path: Path) -> None:
    path = tmp_path / "copy.duckdb"  # the `con` fixture holds the original open in this process
    shutil.copy(scenario.path, path)
    runner = CliRunner()
    result = runner.invoke(main, ["sql", "--duckdb", str(path), "--csv",
                                  "select space_id, live_rank from analytics.live_now order by live_rank"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    expected = sorted(scenario.truth.live_now().items(), key=lambda kv: kv[1]["live_rank"])
    assert lines == ["space_id,live_rank"] + [f"{space_id},{row['live_rank']}" for space_id, row in expected]

    bad = runner.invoke(main, ["sql", "--duckdb", str(path), "select nope from analytics.live_now"])
    assert bad.exit_code == 1
    assert bad.output.strip().splitlines() == [bad.output.strip()] and "Error: the query failed" in bad.output
