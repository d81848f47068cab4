"""From API response bodies to table pages (Arrow), one page per response.

A Space's id lists are written as they are at that instant: an expansion that was asked
for and is absent from the object means an empty list (the API leaves empty lists out),
while one that was not asked for stays NULL (unknown).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pyarrow as pa

from sources.x_spaces import tables as t
from sources.x_spaces._names import problem_name

Page = tuple[str, pa.Table]
LIST_FIELDS = ("host_ids", "speaker_ids", "invited_user_ids", "topic_ids")


def _unique(objs: list[dict], key: str = "id") -> list[dict]:
    seen: dict[Any, dict] = {}
    for obj in objs:
        seen.setdefault(obj.get(key), obj)
    return list(seen.values())


class Pages:
    """Builds pages for one load: every row carries the load's `observed_at`.

    Responses are small (a few posts, one page of buyers), and dlt spends a few
    milliseconds on every item it is given, so rows are gathered per table and handed
    over as one Arrow table per `batch_rows` rows (and the rest by `flush`)."""

    def __init__(self, observed_at: datetime, space_expansions: set[str], batch_rows: int = 5000) -> None:
        self.observed_at = observed_at
        self.expanded_lists = [f for f in LIST_FIELDS if f in space_expansions]
        self.counts: dict[str, int] = {}
        self.batch_rows = batch_rows
        self._held: dict[str, tuple[t.Table, list[dict], dict[str, Any]]] = {}

    def _page(self, table: t.Table, objs: list[dict], **constants: Any) -> Iterator[Page]:
        if not objs:
            return
        self.counts[table.name] = self.counts.get(table.name, 0) + len(objs)
        held = self._held.setdefault(table.name, (table, [], constants))
        held[1].extend(objs)
        if len(held[1]) >= self.batch_rows:
            yield from self._emit(table.name)

    def _emit(self, name: str) -> Iterator[Page]:
        table, objs, constants = self._held.pop(name)
        yield name, table.to_arrow(objs, constants)

    def flush(self) -> Iterator[Page]:
        """Hand over every row still held."""
        for name in list(self._held):
            yield from self._emit(name)

    def includes(self, body: dict) -> Iterator[Page]:
        includes = body.get("includes") or {}
        yield from self._page(t.USERS, _unique(includes.get("users") or []), observed_at=self.observed_at)
        yield from self._page(t.TOPICS, _unique(includes.get("topics") or []))

    def spaces(self, spaces: list[dict]) -> Iterator[Page]:
        for space in spaces:
            for name in self.expanded_lists:
                space.setdefault(name, [])
        yield from self._page(t.SPACES, spaces, observed_at=self.observed_at)
        yield from self._page(t.SPACE_SNAPSHOTS, [
            {"space_id": s["id"], "state": s.get("state"), "participant_count": s.get("participant_count"),
             "subscriber_count": s.get("subscriber_count")} for s in spaces
        ], observed_at=self.observed_at)

    def users(self, users: list[dict]) -> Iterator[Page]:
        yield from self._page(t.USERS, _unique(users), observed_at=self.observed_at)

    def buyers(self, space_id: str, users: list[dict], first_position: int) -> Iterator[Page]:
        yield from self.users(users)
        yield from self._page(t.BUYERS, [
            {"space_id": space_id, "user_id": u["id"], "position": first_position + n + 1}
            for n, u in enumerate(users)
        ], observed_at=self.observed_at)

    def posts(self, posts: list[dict]) -> Iterator[Page]:
        yield from self._page(t.POSTS, _unique(posts), observed_at=self.observed_at)

    def space_posts(self, space_id: str, post_ids: list[str], deleted: bool = False) -> Iterator[Page]:
        yield from self._page(t.SPACE_POSTS, [
            {"space_id": space_id, "post_id": p, "is_deleted": deleted} for p in post_ids
        ], observed_at=self.observed_at)

    def errors(self, endpoint: str, errors: list[dict]) -> Iterator[Page]:
        rows = []
        for error in errors:
            resource = error.get("resource_id") or error.get("value")
            rows.append({
                "endpoint": endpoint,
                "resource_id": str(resource) if resource is not None else "",
                "problem_type": problem_name(error.get("type")) or str(error.get("type") or "unknown"),
                "title": error.get("title"), "detail": error.get("detail"),
                "resource_type": error.get("resource_type"), "parameter": error.get("parameter"),
                "value": None if error.get("value") is None else str(error.get("value")),
                "status": error.get("status"),
            })
        yield from self._page(t.API_ERRORS, _unique_errors(rows), observed_at=self.observed_at)

    def fetch(self, space_id: str, kind: str, complete: bool, space: dict, item_count: int,
              started_at: datetime) -> Iterator[Page]:
        yield from self._page(t.SPACE_FETCHES, [{
            "space_id": space_id, "kind": kind, "is_complete": complete,
            "space_state": space.get("state"), "subscriber_count": space.get("subscriber_count"),
            "updated_at": space.get("updated_at"), "item_count": item_count, "started_at": started_at,
            "fetched_at": self.observed_at,
        }])


def _unique_errors(rows: list[dict]) -> list[dict]:
    seen: dict[tuple, dict] = {}
    for row in rows:
        seen.setdefault((row["endpoint"], row["resource_id"], row["problem_type"]), row)
    return list(seen.values())
