"""The same loads into PostgreSQL as into DuckDB: equal tables, list columns as jsonb, and
the list views (hosts, speakers, ...) there too. A throwaway PostgreSQL server on
loopback (Debian's, installed with scripts/apt_install.sh when missing)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from emulator.server import EmulatorServer
from pipelines.emulator_tokens import EmulatorTokens
from pipelines.spaces_pipeline import make_pipeline, run_load
from sources.x_spaces import x_spaces
from sources.x_spaces.tables import LIST_RELATIONS, TABLES
from tests._system import ensure, skip_or_fail
from tests.loading import DLT_COLUMNS, load, rows

pytestmark = pytest.mark.heavy

RELATIONS = [name for name in TABLES if name != "loads"] + list(LIST_RELATIONS)
LIST_COLUMNS = {c.name for t in TABLES.values() for c in t.columns if "list" in str(c.type)}
QUERIES = ["tech", "music"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A credentials URL for a new PostgreSQL cluster (trust auth, loopback only)."""
    bindir = Path(ensure("/usr/lib/postgresql/*/bin/initdb", "postgresql")[-1]).parent
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="x-spaces-pg-"))
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        if shutil.which("runuser") is None or subprocess.run(["id", "postgres"], capture_output=True).returncode:
            skip_or_fail("running as root with no `postgres` user (or runuser) to start PostgreSQL as")
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port, data = _free_port(), folder / "data"

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=120)

    run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "loader")
    run(str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "log"), "-o",
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start")
    try:
        run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "loader", "spaces")
        # dlt wants a password; trust auth ignores it
        yield f"postgresql://loader:unused@127.0.0.1:{port}/spaces"
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def load_postgres(server: EmulatorServer, pipelines_dir: Path, **source_args: Any) -> None:
    pipeline = make_pipeline(destination="postgres", pipelines_dir=str(pipelines_dir))
    run_load(pipeline, x_spaces(base_url=server.url, bearer_token=server.emulator.world.app_token,
                                user_tokens=EmulatorTokens(server.url), **source_args))


def pg_rows(credentials: str, relation: str) -> list[dict]:
    import psycopg2

    with psycopg2.connect(credentials.replace(":unused", "")) as con, con.cursor() as cursor:
        cursor.execute(f"select * from x_spaces.{relation}")
        names = [d[0] for d in cursor.description]
        return [{k: v for k, v in zip(names, r) if k not in DLT_COLUMNS} for r in cursor.fetchall()]


def normalized(table: list[dict]) -> list[tuple]:
    def plain(name: str, value: Any) -> Any:
        if isinstance(value, datetime):
            return value.astimezone(timezone.utc).isoformat()
        if name in LIST_COLUMNS and isinstance(value, str):
            return json.loads(value)  # DuckDB hands JSON back as text, psycopg2 as lists
        return value

    return sorted((tuple(sorted((k, repr(plain(k, v))) for k, v in r.items())) for r in table), key=repr)


def test_postgres_holds_the_same_tables_as_duckdb(make_emulator, postgres: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", postgres)
    server = make_emulator(spaces=400, users=1000)
    world, clock = server.emulator.world, server.emulator.clock
    creators = [world.user_ids.id(u) for u in range(3)]
    duck = tmp_path / "same.duckdb"
    for _ in range(2):  # a second load after Spaces moved on: merges, ends, shrunk lists
        load_postgres(server, tmp_path / "pg-pipelines", queries=QUERIES, creator_ids=creators)
        load(server, duck, queries=QUERIES, creator_ids=creators)
        clock.advance(2 * 3600)

    for relation in RELATIONS:
        assert normalized(pg_rows(postgres, relation)) == normalized(rows(duck, relation)), relation

    at = clock.now() - 2 * 3600
    expected = {s["id"] for q in QUERIES for s in world.search(q, at=at)}
    assert expected <= {r["id"] for r in pg_rows(postgres, "spaces")}
    some = next(r for r in pg_rows(postgres, "spaces") if r["host_ids"])
    assert isinstance(some["host_ids"], list), "a jsonb list, not text"
    hosts = sorted(pg_rows(postgres, "hosts"), key=lambda r: r["position"])
    assert [r["user_id"] for r in hosts if r["space_id"] == some["id"]] == some["host_ids"]
