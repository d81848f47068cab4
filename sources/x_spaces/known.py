"""What the dataset already holds, read from the destination at the start of a load.

The loader keeps no history in dlt state: which Spaces are still open (scheduled or
live), which explicit ids are settled, and which buyers / posts fetches are complete are
read from the loaded tables. A fresh dataset (no tables yet) knows nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from sources.x_spaces.settings import LOOKUP, LOOKUP_ONE, RESOURCE_NOT_FOUND

Query = Callable[[str, Sequence[Any]], list[tuple]]


@dataclass(frozen=True)
class FetchRecord:
    is_complete: bool
    space_state: str | None
    subscriber_count: int | None
    updated_at: datetime | None


class Known(Protocol):
    def open_spaces(self) -> list[str]: ...
    def settled(self, space_ids: Sequence[str]) -> set[str]: ...
    def fetches(self, space_ids: Sequence[str]) -> dict[tuple[str, str], FetchRecord]: ...
    def space_post_ids(self, space_ids: Sequence[str]) -> dict[str, set[str]]: ...


class NothingKnown:
    """A fresh dataset."""

    def open_spaces(self) -> list[str]:
        return []

    def settled(self, space_ids: Sequence[str]) -> set[str]:
        return set()

    def fetches(self, space_ids: Sequence[str]) -> dict[tuple[str, str], FetchRecord]:
        return {}

    def space_post_ids(self, space_ids: Sequence[str]) -> dict[str, set[str]]:
        return {}


class DatasetKnown:
    """Reads through `query(sql, params)`; `table(name)` gives a qualified table name.
    A missing table (fresh dataset) reads as empty."""

    def __init__(self, query: Query, table: Callable[[str], str], existing: Iterable[str]) -> None:
        self._query = query
        self._table = table
        self._existing = set(existing)

    def _rows(self, sql: str, params: Sequence[Any] = (), needs: Sequence[str] = ()) -> list[tuple]:
        if any(name not in self._existing for name in needs):
            return []
        return self._query(sql, params)

    def _closed_clause(self) -> str:
        if "api_errors" not in self._existing:
            return ""
        return (f" and s.id not in (select resource_id from {self._table('api_errors')} "
                f"where problem_type = '{RESOURCE_NOT_FOUND}' and endpoint in ('{LOOKUP}', '{LOOKUP_ONE}'))")

    def open_spaces(self) -> list[str]:
        sql = (f"select s.id from {self._table('spaces')} s where s.state in ('scheduled', 'live')"
               f"{self._closed_clause()} order by s.id")
        return [r[0] for r in self._rows(sql, needs=["spaces"])]

    def settled(self, space_ids: Sequence[str]) -> set[str]:
        """Explicit ids that need no lookup: ended, or answered resource-not-found."""
        if not space_ids:
            return set()
        marks = ", ".join(["%s"] * len(space_ids))
        out = {r[0] for r in self._rows(
            f"select id from {self._table('spaces')} where state = 'ended' and id in ({marks})",
            space_ids, ["spaces"])}
        out |= {r[0] for r in self._rows(
            f"select resource_id from {self._table('api_errors')} where problem_type = %s "
            f"and resource_id in ({marks})", [RESOURCE_NOT_FOUND, *space_ids], ["api_errors"])}
        return out

    def fetches(self, space_ids: Sequence[str]) -> dict[tuple[str, str], FetchRecord]:
        out: dict[tuple[str, str], FetchRecord] = {}
        for chunk in _chunks(space_ids):
            marks = ", ".join(["%s"] * len(chunk))
            for space_id, kind, complete, state, subscribers, updated in self._rows(
                f"select space_id, kind, is_complete, space_state, subscriber_count, updated_at "
                f"from {self._table('space_fetches')} where space_id in ({marks})", chunk, ["space_fetches"]
            ):
                out[(space_id, kind)] = FetchRecord(bool(complete), state, subscribers, updated)
        return out

    def space_post_ids(self, space_ids: Sequence[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for chunk in _chunks(space_ids):
            marks = ", ".join(["%s"] * len(chunk))
            for space_id, post_id in self._rows(
                f"select space_id, post_id from {self._table('space_posts')} where space_id in ({marks})",
                chunk, ["space_posts"],
            ):
                out.setdefault(space_id, set()).add(post_id)
        return out


def _chunks(values: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def is_lock_error(exc: BaseException) -> bool:
    """DuckDB's answer when another process holds the file."""
    while exc is not None:
        text = str(exc).lower()
        if "could not set lock" in text or "conflicting lock" in text:
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


def retry_locked(call: Callable[[], Any], timeout: float) -> Any:
    """Run `call`, again while the DuckDB file is locked by another process (a dashboard
    reading between two loads), for up to `timeout` seconds. Other errors go up."""
    deadline = time.monotonic() + timeout
    delay = 0.1
    while True:
        try:
            return call()
        except Exception as exc:
            if not is_lock_error(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def from_pipeline(pipeline: Any, tables: Iterable[str], lock_timeout: float = 60.0) -> tuple[Known, set[str]]:
    """What the pipeline's destination dataset holds, and which of `tables` exist there.
    A busy file is waited for; any other failure to read it stops the load (reading it as
    empty would re-fetch everything and miss the ends of open Spaces)."""
    try:
        job_client = pipeline.destination_client()
    except Exception:  # noqa: BLE001 - no destination or schema configured yet: nothing to know
        return NothingKnown(), set()
    database = getattr(job_client.config.credentials, "database", None)
    if pipeline.destination.destination_name == "duckdb" and database and not Path(str(database)).exists():
        return NothingKnown(), set()  # a new DuckDB file: connecting would create it

    def storage_tables() -> set[str]:
        with job_client:
            return {name for name, columns in job_client.get_storage_tables(list(tables)) if columns}

    existing = retry_locked(storage_tables, lock_timeout)
    if not existing:
        return NothingKnown(), set()

    def query(sql: str, params: Sequence[Any]) -> list[tuple]:
        def run() -> list[tuple]:
            with pipeline.sql_client() as client, client.execute_query(sql, *params) as cursor:
                return [tuple(row) for row in cursor.fetchall()]
        return retry_locked(run, lock_timeout)

    def qualified() -> dict[str, str]:
        with pipeline.sql_client() as client:
            return {name: client.make_qualified_table_name(name) for name in existing}

    names = retry_locked(qualified, lock_timeout)
    return DatasetKnown(query, names.__getitem__, existing), existing
