"""The dlt source against the emulator: loaded tables equal the World's truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.server import EmulatorServer
from sources.x_spaces.tables import LIST_RELATIONS, TABLES
from tests.loading import calls, ids, load, rows, snapshot, ts

QUERIES = ["tech", "music", "programming"]
SPACE_SCALARS = ("state", "title", "lang", "creator_id", "is_ticketed", "participant_count",
                 "subscriber_count")
SPACE_TIMES = ("created_at", "updated_at", "scheduled_start", "started_at", "ended_at")
ALL_RELATIONS = [name for name in TABLES if name != "loads"] + list(LIST_RELATIONS)


@pytest.fixture
def server(make_emulator) -> EmulatorServer:
    return make_emulator(spaces=600, users=1500)


def expected_ids(world, t, queries=(), creators=(), explicit=()) -> set[str]:
    found = {s["id"] for q in queries for s in world.search(q, "all", 100, at=t)}
    found |= {s["id"] for s in world.spaces_by_creators(creators, at=t)}
    found |= {i for i in explicit if world.space(i, at=t) is not None}
    return found


def assert_spaces_match_world(db: Path, world, t: float, expected: set[str]) -> None:
    loaded = {r["id"]: r for r in rows(db, "spaces")}
    assert set(loaded) == expected
    for space_id, row in loaded.items():
        truth = world.space(space_id, at=t)
        for name in SPACE_SCALARS:
            assert row[name] == truth.get(name), (space_id, name)
        for name in SPACE_TIMES:
            assert row[name] == ts(truth.get(name)), (space_id, name)
        for name in ("host_ids", "speaker_ids", "invited_user_ids", "topic_ids"):
            assert ids(row[name]) == truth[name], (space_id, name)
    for view, (column, id_name) in LIST_RELATIONS.items():
        got: dict[str, list[str]] = {}
        for r in rows(db, view, order_by="space_id, position"):
            got.setdefault(r["space_id"], []).append(r[id_name])
        want = {i: world.space(i, at=t)[column] for i in expected if world.space(i, at=t)[column]}
        assert got == want, view


def test_a_load_equals_the_world(server: EmulatorServer, tmp_path: Path) -> None:
    world = server.emulator.world
    t = server.emulator.clock.now()
    creators = [world.user_ids.id(u) for u in range(6)]
    explicit = [world.space_ids.id(i) for i in (3, 10, 11, 12)]
    db = tmp_path / "spaces.duckdb"
    load(server, db, queries=QUERIES, creator_ids=creators, space_ids=explicit)

    expected = expected_ids(world, t, QUERIES, creators, explicit)
    assert len(expected) > 20
    assert_spaces_match_world(db, world, t, expected)

    buyers: dict[str, list[str]] = {}
    for r in rows(db, "buyers", order_by="space_id, position"):
        buyers.setdefault(r["space_id"], []).append(r["user_id"])
    ticketed = [i for i in expected if world.space(i, at=t)["is_ticketed"]]
    assert ticketed, "the test world should hold ticketed Spaces"
    assert buyers == {i: [u["id"] for u in world.buyers(i, at=t)] for i in ticketed if world.buyers(i, at=t)}

    shared: dict[str, set[str]] = {}
    for r in rows(db, "space_posts"):
        shared.setdefault(r["space_id"], set()).add(r["post_id"])
    assert shared == {i: {p["id"] for p in world.posts(i, at=t)} for i in expected if world.posts(i, at=t)}
    posts = {r["id"]: r for r in rows(db, "posts")}
    for space_id in expected:
        for truth in world.posts(space_id, at=t):
            row = posts[truth["id"]]
            assert (row["text"], row["author_id"], row["created_at"]) == (
                truth["text"], truth["author_id"], ts(truth["created_at"]))
            assert row["public_metrics__like_count"] == truth["public_metrics"]["like_count"]
            assert ids(row["edit_history_post_ids"]) == truth["edit_history_post_ids"]

    users = {r["id"]: r for r in rows(db, "users")}
    mentioned = {u for i in expected for k in ("host_ids", "speaker_ids", "invited_user_ids")
                 for u in world.space(i, at=t)[k]}
    mentioned |= {u for s in buyers.values() for u in s}
    mentioned |= {p["author_id"] for i in expected for p in world.posts(i, at=t)}
    assert set(users) == mentioned
    for user_id, row in users.items():
        truth = world.user(user_id)
        assert (row["username"], row["name"], row["description"], row["verified"]) == (
            truth["username"], truth["name"], truth["description"], truth["verified"])
        assert row["public_metrics__followers_count"] == truth["public_metrics"]["followers_count"]
        assert row["public_metrics__post_count"] == truth["public_metrics"]["post_count"]
        assert row["created_at"] == ts(truth["created_at"])

    topics = {r["id"]: r for r in rows(db, "topics")}
    for space_id in expected:
        for topic_id in world.space(space_id, at=t)["topic_ids"]:
            k = world.topic_ids.index(topic_id)
            assert topics[topic_id]["name"] == world.topic(k)["name"]

    snapshots = rows(db, "space_snapshots")
    assert {r["space_id"] for r in snapshots} == expected
    for r in snapshots:
        truth = world.space(r["space_id"], at=t)
        assert (r["state"], r["participant_count"], r["subscriber_count"]) == (
            truth["state"], truth["participant_count"], truth["subscriber_count"])
        assert r["observed_at"].timestamp() == t


def test_every_relation_and_column_exists_after_an_empty_load(server: EmulatorServer, tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    load(server, db, queries=["zzzznomatch"])
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        present = {(t, c) for t, c in con.execute(
            "select table_name, column_name from information_schema.columns where table_schema = 'x_spaces'"
        ).fetchall()}
    for table in TABLES.values():
        for column in table.columns:
            assert (table.name, column.name) in present, (table.name, column.name)
    for view, (_, id_name) in LIST_RELATIONS.items():
        assert {(view, "space_id"), (view, id_name), (view, "position")} <= present
    assert len(rows(db, "loads")) == 1 and rows(db, "spaces") == []


@pytest.mark.parametrize("max_requests", [0, 1000], ids=["no cap", "a cap never reached"])
def test_rerun_at_the_same_instant_changes_nothing_and_makes_only_discovery_calls(
        server: EmulatorServer, tmp_path: Path, max_requests: int) -> None:
    world = server.emulator.world
    creators = [world.user_ids.id(u) for u in range(150)]
    db = tmp_path / "rerun.duckdb"
    load(server, db, queries=QUERIES, creator_ids=creators, max_requests=max_requests)
    before = snapshot(db, ALL_RELATIONS)
    counted = calls(server)
    load(server, db, queries=QUERIES, creator_ids=creators, max_requests=max_requests)
    after = calls(server)
    delta = {k: after.get(k, 0) - counted.get(k, 0) for k in after if after.get(k, 0) != counted.get(k, 0)}
    assert delta == {"GET /2/spaces/search": len(QUERIES), "GET /2/spaces/by/creator_ids": 2}
    assert snapshot(db, ALL_RELATIONS) == before
    assert len(rows(db, "loads")) == 2


def test_ends_are_captured_and_snapshots_keep_the_audience_history(server: EmulatorServer, tmp_path: Path) -> None:
    world, clock = server.emulator.world, server.emulator.clock
    db = tmp_path / "life.duckdb"
    t0 = clock.now()
    load(server, db, queries=["tech"])
    first = expected_ids(world, t0, ["tech"])
    live_or_scheduled = {i for i in first if world.space(i, at=t0)["state"] in ("live", "scheduled")}
    assert world.space_ids.id(0) in live_or_scheduled and world.space_ids.id(2) in live_or_scheduled

    clock.advance(5 * 3600)  # both anchors end: 0 at +3.6 h, 2 (ticketed) at +3.6 h
    t1 = clock.now()
    load(server, db, queries=["tech"])
    spaces = {r["id"]: r for r in rows(db, "spaces")}
    for space_id in live_or_scheduled:
        truth = world.space(space_id, at=t1)
        if truth is None:
            continue  # cancelled meanwhile: covered below
        assert spaces[space_id]["state"] == truth["state"]
        assert spaces[space_id]["ended_at"] == ts(truth.get("ended_at"))
        assert spaces[space_id]["participant_count"] == truth["participant_count"]
    ended = world.space_ids.id(0)
    assert spaces[ended]["state"] == "ended"
    history = [r for r in rows(db, "space_snapshots", order_by="observed_at") if r["space_id"] == ended]
    assert [(r["observed_at"].timestamp(), r["state"]) for r in history] == [(t0, "live"), (t1, "ended")]
    assert history[1]["participant_count"] == world.space(ended, at=t1)["participant_count"]

    ticketed = world.space_ids.id(2)  # its buyers, fetched in full once after it ended
    buyers = [r["user_id"] for r in rows(db, "buyers", order_by="position") if r["space_id"] == ticketed]
    assert buyers == [u["id"] for u in world.buyers(ticketed, at=t1)]
    fetches = {(r["space_id"], r["kind"]): r for r in rows(db, "space_fetches")}
    assert fetches[(ticketed, "buyers")]["is_complete"] and fetches[(ticketed, "buyers")]["space_state"] == "ended"

    counted = calls(server)
    clock.advance(60)
    load(server, db, queries=["tech"])
    after = calls(server)
    assert after.get("GET /2/spaces/{id}/buyers", 0) == counted.get("GET /2/spaces/{id}/buyers", 0), \
        "a complete fetch of an ended Space is never repeated"


def _cancelled_after(world, t0: float) -> int:
    for i in range(world.n_spaces):
        if world.status(i, t0) == "scheduled" and t0 < world.cancel_at[i]:
            return i
    raise AssertionError("no scheduled Space of the test world gets cancelled")


def test_cancelled_and_expired_spaces_end_as_not_found_and_are_not_looked_up_again(
        make_emulator, tmp_path: Path) -> None:
    server = make_emulator(spaces=600, users=1500, ended_retention=3600)
    world, clock = server.emulator.world, server.emulator.clock
    t0 = clock.now()
    cancelled = world.space_ids.id(_cancelled_after(world, t0))
    expired = world.space_ids.id(3)  # ended two hours before the start: past the 1 h retention
    assert world.space(expired, at=t0) is None and world.space(cancelled, at=t0)["state"] == "scheduled"
    db = tmp_path / "gone.duckdb"
    load(server, db, space_ids=[cancelled, expired])
    assert {r["id"] for r in rows(db, "spaces")} == {cancelled}
    assert {(r["resource_id"], r["problem_type"]) for r in rows(db, "api_errors")} == {
        (expired, "resource-not-found")}

    clock.advance(float(world.cancel_at[world.space_index(cancelled)]) - t0 + 60)
    assert world.space(cancelled, at=clock.now()) is None
    load(server, db, space_ids=[cancelled, expired])
    assert {(r["resource_id"], r["problem_type"]) for r in rows(db, "api_errors")} == {
        (expired, "resource-not-found"), (cancelled, "resource-not-found")}
    kept = {r["id"]: r for r in rows(db, "spaces")}[cancelled]
    assert kept["title"] == world.space(cancelled, at=t0)["title"], "a vanished Space keeps its last row"

    before = calls(server)
    clock.advance(60)
    load(server, db, space_ids=[cancelled, expired])
    assert calls(server) == before, "closed Spaces are never looked up again"


def _shrinking_speakers(world, t0: float) -> tuple[int, float]:
    for i in range(world.n_spaces):
        if world.status(i, t0) != "live":
            continue
        now = world.space_at(i, t0)["speaker_ids"]
        for minutes in range(5, 240, 5):
            t1 = t0 + minutes * 60
            later = world.space_at(i, t1)
            if later and later["state"] == "live" and len(later["speaker_ids"]) < len(now) and \
                    not set(later["speaker_ids"]) - set(now):
                return i, t1
    raise AssertionError("no live Space of the test world loses speakers")


def test_a_shrinking_speaker_list_is_reflected_exactly(server: EmulatorServer, tmp_path: Path) -> None:
    world, clock = server.emulator.world, server.emulator.clock
    t0 = clock.now()
    i, t1 = _shrinking_speakers(world, t0)
    space_id = world.space_ids.id(i)
    db = tmp_path / "speakers.duckdb"
    load(server, db, space_ids=[space_id])
    clock.advance(t1 - t0)
    load(server, db, space_ids=[space_id])
    speakers = [r["user_id"] for r in rows(db, "speakers", order_by="position")]
    assert speakers == world.space(space_id, at=t1)["speaker_ids"]


def _stage_empties(world, t0: float) -> tuple[int, float]:
    """A Space live at t0 with speakers, and a later instant, still live, with none."""
    for i in range(world.n_spaces):
        if world.status(i, t0) != "live" or not world.space_at(i, t0)["speaker_ids"]:
            continue
        for minutes in range(5, 600, 5):
            t1 = t0 + minutes * 60
            later = world.space_at(i, t1)
            if later is None or later["state"] != "live":
                break
            if not later["speaker_ids"]:
                return i, t1
    raise AssertionError("no live Space of the test world empties its stage")


def test_a_space_whose_speakers_all_left_has_no_speaker_rows(server: EmulatorServer, tmp_path: Path) -> None:
    world, clock = server.emulator.world, server.emulator.clock
    t0 = clock.now()
    i, t1 = _stage_empties(world, t0)
    space_id = world.space_ids.id(i)
    db = tmp_path / "empty-stage.duckdb"
    load(server, db, space_ids=[space_id])
    assert [r["user_id"] for r in rows(db, "speakers", order_by="position")] == \
        world.space(space_id, at=t0)["speaker_ids"]
    clock.advance(t1 - t0)
    load(server, db, space_ids=[space_id])
    assert rows(db, "speakers") == []
    assert ids(rows(db, "spaces")[0]["speaker_ids"]) == []


def test_max_requests_spreads_the_work_over_loads_without_gap_or_duplicate(
        server: EmulatorServer, tmp_path: Path) -> None:
    world = server.emulator.world
    creators = [world.user_ids.id(u) for u in range(3)]
    whole = tmp_path / "whole.duckdb"
    load(server, whole, queries=QUERIES, creator_ids=creators)
    spent = sum(calls(server).values())

    budgeted = tmp_path / "budget.duckdb"
    statuses = []
    for _ in range(40):
        report = load(server, budgeted, queries=QUERIES, creator_ids=creators, max_requests=4)
        status = rows(budgeted, "loads", order_by="finished_at")[-1]
        assert status["requests"] - status["retries"] <= 4, "the cap counts calls; a retried call once"
        statuses.append(status["status"])
        if status["status"] == "complete":
            break
    assert statuses[-1] == "complete" and len(statuses) > 2, statuses
    assert sum(calls(server).values()) - spent >= spent
    assert snapshot(budgeted, ALL_RELATIONS) == snapshot(whole, ALL_RELATIONS)
    assert report is not None


def test_missing_and_rejected_creator_tokens_skip_buyers_and_are_recorded(
        server: EmulatorServer, tmp_path: Path) -> None:
    world = server.emulator.world
    ticketed = world.space_ids.id(2)
    creator = world.user_ids.id(int(world.creator[2]))
    db = tmp_path / "tokens.duckdb"
    load(server, db, space_ids=[ticketed], user_tokens={})
    errors = rows(db, "api_errors")
    assert [(e["resource_id"], e["problem_type"]) for e in errors] == [(ticketed, "missing-user-token")]
    assert creator in errors[0]["detail"] and rows(db, "buyers") == []
    fetches = {(r["space_id"], r["kind"]): r["is_complete"] for r in rows(db, "space_fetches")}
    assert fetches == {(ticketed, "posts"): True}, "posts are still loaded"

    someone_else = world.user_token(world.user_ids.id(999))
    db2 = tmp_path / "rejected.duckdb"
    load(server, db2, space_ids=[ticketed], user_tokens={creator: someone_else})
    errors = rows(db2, "api_errors")
    assert [(e["resource_id"], e["problem_type"], e["status"]) for e in errors] == [
        (ticketed, "user-token-rejected", 403)]
    assert someone_else not in (errors[0]["detail"] or "")


def test_tokens_appear_in_no_file_table_state_or_log(server: EmulatorServer, tmp_path: Path, caplog) -> None:
    import logging

    world = server.emulator.world
    caplog.set_level(logging.DEBUG)
    tokens = {world.user_ids.id(int(world.creator[i])): world.user_token(world.user_ids.id(int(world.creator[i])))
              for i in range(world.n_spaces)}
    db = tmp_path / "secret.duckdb"
    load(server, db, queries=QUERIES, user_tokens=tokens)
    assert rows(db, "buyers"), "user tokens were used"
    secrets = [world.app_token.encode(), *(t.encode() for t in tokens.values())]
    for path in [db, *sorted((tmp_path / "pipelines").rglob("*"))]:
        if path.is_file():
            content = path.read_bytes()
            assert not any(s in content for s in secrets), path
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert not any(s.decode() in text for s in secrets)


def test_a_space_that_vanishes_mid_fetch_keeps_its_posts(make_emulator, tmp_path: Path) -> None:
    server = make_emulator(spaces=600, users=1500, ended_retention=1800)
    world, clock = server.emulator.world, server.emulator.clock
    t0 = clock.now()
    space_id = world.space_ids.id(0)  # live at the start, ends 3.6 h later, with posts shared
    db = tmp_path / "vanish.duckdb"
    load(server, db, space_ids=[space_id])
    shared = {r["post_id"] for r in rows(db, "space_posts")}
    assert shared == {p["id"] for p in world.posts(space_id, at=t0)} and shared

    clock.advance(float(world.ended[0]) - t0 + 60)  # ended: its final posts fetch is due...
    load(server, db, space_ids=[space_id], max_requests=1)  # ...but the budget only looks it up
    assert rows(db, "spaces")[0]["state"] == "ended"

    clock.advance(3600)  # past the retention: gone before its posts were fetched again
    load(server, db, space_ids=[space_id], max_requests=5)
    errors = {(r["endpoint"], r["problem_type"]) for r in rows(db, "api_errors")}
    assert ("/2/spaces/{id}/tweets", "resource-not-found") in errors
    assert {r["post_id"] for r in rows(db, "space_posts")} == shared, "what was loaded of it stays"
