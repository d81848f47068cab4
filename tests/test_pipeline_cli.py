"""`x-spaces load / watch / purge` as a user runs them: exit codes, one-line errors,
locks, signals, faults and kills."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import stamina

from emulator.server import EmulatorServer
from sources.x_spaces.tables import LIST_RELATIONS, TABLES
from tests.loading import load, rows, snapshot

CLI = str(Path(sys.executable).parent / "x-spaces")
RELATIONS = [name for name in TABLES if name != "loads"] + list(LIST_RELATIONS)


@pytest.fixture
def server(make_emulator) -> EmulatorServer:
    return make_emulator(spaces=400, users=1000)


def env(tmp_path: Path, token: str | None) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("SOURCES__")}
    out.update(DLT_DATA_DIR=str(tmp_path / "dlt"), RUNTIME__DLTHUB_TELEMETRY="false")
    if token is not None:
        out["SOURCES__X_SPACES__BEARER_TOKEN"] = token
    return out


def cli(tmp_path: Path, *args: str, token: str | None = None, timeout: float = 120,
        settings: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], cwd=tmp_path, env={**env(tmp_path, token), **(settings or {})},
                          capture_output=True, text=True, timeout=timeout)


def one_line_error(result: subprocess.CompletedProcess) -> str:
    """The one line of stderr that is not progress ("x-spaces: ..."): the error, nothing else
    (no traceback, no usage block)."""
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("x-spaces: ")]
    assert len(lines) == 1 and lines[0].startswith("Error:"), result.stderr
    return lines[0]


def test_load_from_the_command_line(server: EmulatorServer, tmp_path: Path) -> None:
    world = server.emulator.world
    result = cli(tmp_path, "load", "--query", "tech", "--base-url", server.url, "--emulator-tokens",
                 "--duckdb", "out.duckdb", token=world.app_token)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("complete:") and "requests:" in result.stdout
    assert "discovery:" in result.stderr  # progress while it runs
    loaded = {r["id"] for r in rows(tmp_path / "out.duckdb", "spaces")}
    assert loaded == {s["id"] for s in world.search("tech", at=server.emulator.clock.now())}


@pytest.mark.parametrize(("args", "token", "code", "says"), [
    (["--space-id", "not-an-id!"], "app", 2, "Space id 'not-an-id!' is not valid"),
    (["--creator-id", "12ab"], "app", 2, "user id '12ab' is not valid"),
    (["--query", "tech", "--state", "ended"], "app", 2, "'ended' is not one of"),
    (["--query", "tech", "--max-requests", "-1"], "app", 2, "--max-requests"),
    (["--query", "tech", "--duckdb", "missing/dir/x.duckdb"], "app", 2, "does not exist"),
    # root may write anywhere by os.access, but nothing can be created in /proc
    (["--query", "tech", "--duckdb", "/proc/x.duckdb"], "app", 2, "cannot write in /proc"),
    ([], "app", 2, "nothing to load"),
    (["--query", "tech", "--destination", "nowhere"], "app", 2, "--destination nowhere: not a dlt destination"),
    (["--query", "tech"], None, 1, "no bearer token configured"),
    (["--query", "tech", "--destination", "postgres"], "app", 1, "destination postgres: missing or incomplete credentials"),
    (["--query", "tech"], "wrong-token", 1, "refused the bearer token (401"),
])
def test_bad_input_is_one_line_and_writes_nothing(server: EmulatorServer, tmp_path: Path, args: list[str],
                                                  token: str | None, code: int, says: str) -> None:
    actual = server.emulator.world.app_token if token == "app" else token
    extra = [] if "--duckdb" in args else ["--duckdb", "out.duckdb"]
    served = server.emulator.stats.as_dict()["total"]
    result = cli(tmp_path, "load", "--base-url", server.url, *extra, *args, token=actual)
    assert result.returncode == code, result.stderr
    assert says in one_line_error(result)
    if code == 2:
        assert server.emulator.stats.as_dict()["total"] == served, "a bad option spends no request"
    assert not (tmp_path / "out.duckdb").exists()
    assert actual is None or actual == "app" or actual not in result.stderr + result.stdout


@pytest.mark.parametrize(("setting", "value", "says"), [
    ("SPACE_FIELDS", '["title", "nope"]', "space_fields: unknown field 'nope'"),
    ("BUYER_EXPANSIONS", '["nope"]', "buyer_expansions: unknown expansion 'nope'"),
    ("STATE", "bogus", "state must be one of"),
    ("CONCURRENCY", "0", "concurrency 1 or more"),
])
def test_a_bad_setting_from_the_environment_is_refused_before_any_request(
        server: EmulatorServer, tmp_path: Path, setting: str, value: str, says: str) -> None:
    result = cli(tmp_path, "load", "--base-url", server.url, "--query", "tech", "--duckdb", "out.duckdb",
                 token=server.emulator.world.app_token, settings={f"SOURCES__X_SPACES__{setting}": value})
    assert result.returncode == 2, result.stderr
    line = one_line_error(result)
    assert "invalid setting under [sources.x_spaces]" in line and says in line
    assert not server.emulator.stats.requests, "no request spent"
    assert not (tmp_path / "out.duckdb").exists()


def test_a_locked_duckdb_file_fails_in_one_line_after_the_lock_timeout(server: EmulatorServer, tmp_path: Path) -> None:
    db = tmp_path / "locked.duckdb"
    load(server, db, queries=["music"])
    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)"),
        str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = cli(tmp_path, "load", "--query", "music", "--base-url", server.url, "--duckdb", str(db),
                     "--lock-timeout", "1", token=server.emulator.world.app_token)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1
    assert "locked by another process" in one_line_error(result)


def test_watch_loads_repeatedly_and_a_signal_finishes_the_current_load(server: EmulatorServer, tmp_path: Path) -> None:
    token = server.emulator.world.app_token
    result = cli(tmp_path, "watch", "--query", "tech", "--base-url", server.url, "--duckdb", "w.duckdb",
                 "--no-buyers", "--interval", "1", "--max-loads", "2", token=token)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("complete:") == 2
    assert len(rows(tmp_path / "w.duckdb", "loads")) == 2

    process = subprocess.Popen([CLI, "watch", "--query", "tech", "--base-url", server.url, "--duckdb", "w.duckdb",
                                "--no-buyers", "--interval", "600"], cwd=tmp_path, env=env(tmp_path, token),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()
        assert first.startswith("complete:")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
    assert len(rows(tmp_path / "w.duckdb", "loads")) == 3


@pytest.mark.parametrize(("args", "says"), [
    (["--latency-ms", "70000"], "'--latency-ms': 70000.0 is not in the range"),
    (["--fault-slow-seconds", "7200"], "'--fault-slow-seconds'"),
    (["--fault-429", "0.6", "--fault-5xx", "0.6"], "add up to more than 1"),
    (["--start", "yesterday"], "'yesterday' is not an ISO 8601 instant"),
])
def test_bad_emulator_options_are_one_line(tmp_path: Path, args: list[str], says: str) -> None:
    result = cli(tmp_path, "emulator", "--port", "0", *args, timeout=60)
    assert result.returncode == 2, result.stderr
    assert says in one_line_error(result) and result.stdout == ""


def test_watch_outlives_an_unreachable_api_and_exits_1_if_the_last_load_failed(tmp_path: Path) -> None:
    with socket.socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    result = cli(tmp_path, "watch", "--query", "tech", "--base-url", dead, "--duckdb", "w.duckdb",
                 "--interval", "1", "--max-loads", "2", token="any-token")
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("load failed (the next one will try again): cannot reach the API") == 2
    assert result.stderr.strip().splitlines()[-1].startswith("Error: cannot reach the API")
    assert "Traceback" not in result.stderr and "any-token" not in result.stderr


def test_purge_deletes_unavailable_spaces_with_their_rows(make_emulator, tmp_path: Path) -> None:
    server = make_emulator(spaces=400, users=1000)
    world, clock = server.emulator.world, server.emulator.clock
    t0 = clock.now()
    i = next(i for i in range(world.n_spaces)
             if world.status(i, t0) == "scheduled" and t0 < world.cancel_at[i])
    gone, kept = world.space_ids.id(i), world.space_ids.id(0)
    db = tmp_path / "purge.duckdb"
    load(server, db, space_ids=[gone, kept])
    clock.advance(float(world.cancel_at[i]) - t0 + 60)
    load(server, db, space_ids=[gone, kept])
    assert {r["id"] for r in rows(db, "spaces")} == {gone, kept}

    young = cli(tmp_path, "purge", "--unavailable", "--older-than", "1d", "--duckdb", str(db))
    assert young.returncode == 0 and young.stdout.startswith("deleted 0 unavailable Spaces"), young.stdout
    result = cli(tmp_path, "purge", "--unavailable", "--duckdb", str(db))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("deleted 1 unavailable Spaces")
    assert {r["id"] for r in rows(db, "spaces")} == {kept}
    assert {r["space_id"] for r in rows(db, "space_snapshots")} == {kept}
    assert {r["resource_id"] for r in rows(db, "api_errors")} == {gone}, "the record that it is gone stays"

    bad = cli(tmp_path, "purge", "--unavailable", "--older-than", "soon", "--duckdb", str(db))
    assert bad.returncode == 2 and "--older-than" in one_line_error(bad)


@pytest.fixture
def quick_retries():
    stamina.set_testing(True, attempts=10)
    yield
    stamina.set_testing(False)


def test_a_load_under_injected_faults_ends_with_the_same_tables(make_emulator, tmp_path: Path, quick_retries) -> None:
    clean_server = make_emulator(spaces=400, users=1000)
    clean = tmp_path / "clean.duckdb"
    load(clean_server, clean, queries=["tech", "music", "programming"])

    faulty_server = make_emulator(spaces=400, users=1000)
    faulty_server.emulator.faults.settings.update(
        {"p5xx": 0.15, "close": 0.1, "truncate": 0.1, "p429": 0.05})
    faulty = tmp_path / "faulty.duckdb"
    load(faulty_server, faulty, queries=["tech", "music", "programming"])
    assert sum(faulty_server.emulator.stats.faults.values()) > 0
    assert snapshot(faulty, RELATIONS) == snapshot(clean, RELATIONS)
    assert rows(faulty, "loads")[0]["retries"] > 0


@pytest.mark.heavy
def test_a_killed_load_rerun_ends_like_an_uninterrupted_one(make_emulator, tmp_path: Path) -> None:
    server = make_emulator(spaces=1500, users=3000)
    server.emulator.faults.settings.update({"latency_ms": 20})  # long enough loads to kill mid-way
    token = server.emulator.world.app_token
    args = ["load", "--query", "tech", "--query", "music", "--query", "crypto", "--query", "programming",
            "--base-url", server.url, "--emulator-tokens", "-q"]
    reference = tmp_path / "reference"
    reference.mkdir()
    started = time.monotonic()
    assert cli(reference, *args, "--duckdb", "ref.duckdb", token=token).returncode == 0
    duration = time.monotonic() - started
    expected = snapshot(reference / "ref.duckdb", RELATIONS)

    rng = random.Random(7)
    for trial in range(5):
        folder = tmp_path / f"trial{trial}"
        folder.mkdir()
        process = subprocess.Popen([CLI, *args, "--duckdb", "t.duckdb"], cwd=folder, env=env(folder, token),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, duration))
        process.send_signal(signal.SIGKILL)
        process.wait()
        rerun = cli(folder, *args, "--duckdb", "t.duckdb", token=token)
        assert rerun.returncode == 0, rerun.stderr
        assert snapshot(folder / "t.duckdb", RELATIONS) == expected, f"trial {trial}"


def test_a_package_that_cannot_load_is_reported_with_the_command_that_clears_it(
        server: EmulatorServer, tmp_path: Path) -> None:
    from pipelines.emulator_tokens import EmulatorTokens
    from pipelines.spaces_pipeline import make_pipeline
    from sources.x_spaces import x_spaces

    token = server.emulator.world.app_token
    db = tmp_path / "poison.duckdb"
    pipelines_dir = tmp_path / "dlt" / "pipelines"
    pipeline = make_pipeline(db, pipelines_dir=str(pipelines_dir))
    pipeline.extract(x_spaces(queries=["tech"], base_url=server.url, bearer_token=token,
                              user_tokens=EmulatorTokens(server.url)))
    pipeline.normalize()
    jobs = [p for p in pipelines_dir.rglob("*.parquet") if "new_jobs" in p.parts]
    assert jobs, "a normalized package waits to be loaded"
    for job in jobs:
        job.write_bytes(b"not parquet")  # a package no destination can load

    args = ["load", "--query", "tech", "--base-url", server.url, "--duckdb", str(db),
            "--pipelines-dir", str(pipelines_dir)]
    result = cli(tmp_path, *args, token=token)
    assert result.returncode == 1
    assert "--drop-pending" in one_line_error(result)
    cleared = cli(tmp_path, *args, "--drop-pending", token=token)
    assert cleared.returncode == 0, cleared.stderr
    assert rows(db, "spaces")


def test_a_signal_during_a_load_lets_it_finish_and_exits_0(server: EmulatorServer, tmp_path: Path) -> None:
    server.emulator.faults.settings.update({"latency_ms": 150})  # a load of a few seconds
    token = server.emulator.world.app_token
    process = subprocess.Popen([CLI, "watch", "--query", "tech", "--query", "music", "--base-url", server.url,
                                "--duckdb", "s.duckdb", "--emulator-tokens", "--interval", "600"],
                               cwd=tmp_path, env=env(tmp_path, token), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        progress = process.stderr.readline()  # the first progress line: the load is under way
        assert progress.startswith("x-spaces: discovery"), progress
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert out.startswith("complete:")
    loads = rows(tmp_path / "s.duckdb", "loads")
    assert [r["status"] for r in loads] == ["complete"]
    assert rows(tmp_path / "s.duckdb", "space_fetches"), "the load went on to buyers and posts"


def test_a_signal_during_dlt_load_step_also_lets_it_finish(server: EmulatorServer, tmp_path: Path) -> None:
    # dlt intercepts signals in its normalize and load steps: send one from inside that step
    script = (
        "import os, signal, sys\n"
        "import importlib\n"
        "p = importlib.import_module('dlt.pipeline.pipeline')\n"
        "run_pool = p.runner.run_pool\n"
        "def inside_a_step(config, step):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    return run_pool(config, step)\n"
        "p.runner.run_pool = inside_a_step\n"
        "from pipelines.cli import main\n"
        "sys.argv = ['x-spaces'] + sys.argv[1:]\n"
        "main()\n"
    )
    token = server.emulator.world.app_token
    result = subprocess.run([sys.executable, "-c", script, "watch", "--query", "tech", "--base-url", server.url,
                             "--duckdb", "l.duckdb", "--no-buyers", "--interval", "600"],
                            cwd=tmp_path, env=env(tmp_path, token), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("complete:")
    assert [r["status"] for r in rows(tmp_path / "l.duckdb", "loads")] == ["complete"]
