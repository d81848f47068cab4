"""Helpers for tests that load the emulator through the real pipeline and read DuckDB."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb

from emulator.server import EmulatorServer
from pipelines.emulator_tokens import EmulatorTokens
from pipelines.spaces_pipeline import LoadReport, make_pipeline, run_load
from sources.x_spaces import x_spaces

DLT_COLUMNS = ("_dlt_load_id", "_dlt_id")


def load(server: EmulatorServer, db: Path, **source_args: Any) -> LoadReport:
    """One load of the emulator into `db`, with the creators' tokens from the emulator."""
    source_args.setdefault("base_url", server.url)
    source_args.setdefault("bearer_token", server.emulator.world.app_token)
    source_args.setdefault("user_tokens", EmulatorTokens(server.url))
    pipeline = make_pipeline(db, pipelines_dir=str(db.parent / "pipelines"))
    return run_load(pipeline, x_spaces(**source_args))


def rows(db: Path, relation: str, order_by: str | None = None, keep_dlt: bool = False) -> list[dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        sql = f"select * from x_spaces.{relation}" + (f" order by {order_by}" if order_by else "")
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        out = [dict(zip(names, r)) for r in cursor.fetchall()]
    if not keep_dlt:
        out = [{k: v for k, v in r.items() if k not in DLT_COLUMNS} for r in out]
    return out


def scalar(db: Path, sql: str) -> Any:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def stats(server: EmulatorServer) -> dict[str, dict[str, int]]:
    return {k: dict(v) for k, v in server.emulator.stats.requests.items()}


def calls(server: EmulatorServer) -> dict[str, int]:
    return {k: sum(v.values()) for k, v in server.emulator.stats.requests.items()}


def ts(value: str | None) -> datetime | None:
    if value is None:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)


def ids(value: Any) -> list[str] | None:
    """A list column as loaded (JSON text in DuckDB) -> list of ids."""
    if value is None:
        return None
    return json.loads(value) if isinstance(value, str) else list(value)


def snapshot(db: Path, relations: list[str]) -> dict[str, list[tuple]]:
    """Every relation's rows without dlt's columns, sorted: equal snapshots = equal tables."""
    out = {}
    for relation in relations:
        table = rows(db, relation)
        out[relation] = sorted((tuple(sorted((k, _plain(v)) for k, v in r.items())) for r in table), key=repr)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value
