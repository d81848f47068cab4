"""Buyers and posts of one Space: whether they need fetching, the task that pages
through them under the load's budget, and what dlt state keeps of an unfinished fetch.

Buyers and posts are fetched in full once after a Space ends; before that, again only when
subscriber_count (buyers) or updated_at (posts) moved since the last complete fetch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

from sources.x_spaces._models import Response
from sources.x_spaces.known import FetchRecord
from sources.x_spaces.work import Budget, Task


def paging_task(kind: str, key: str, endpoint: str, entry: dict,
                pages: Callable[[], Iterator[Response]]) -> Task:
    """A task that pays for each page from the budget before asking for it, and says at
    its end whether it ran at all and whether the fetch is complete, or stopped by the
    budget or a stuck cursor."""
    def run(budget: Budget) -> Iterator[Any]:
        if not budget.take():
            yield {"stopped": "budget"}
            return
        yield {"ran": True}
        last: Response | None = None
        for page in pages():
            last = page
            yield page
            if not page.meta.get("next_token"):
                yield {"complete": True}
                return
            if not budget.take():
                yield {"stopped": "budget"}
                return
        yield {"complete": last is None, "stopped": None if last is None else "pagination"}

    return Task(kind, key, run, {"endpoint": endpoint, "entry": entry})


def needs_fetch(kind: str, space: dict, record: FetchRecord | None) -> bool:
    """Buyers and posts are fetched in full once after a Space ends; before that, again
    only when subscriber_count (buyers) or updated_at (posts) moved since the last fetch."""
    if record is None or not record.is_complete:
        return True
    if record.space_state == "ended":
        return False
    if space.get("state") == "ended":
        return True
    if kind == "buyers":
        return record.subscriber_count != space.get("subscriber_count")
    return iso(record.updated_at) != normaliso(space.get("updated_at"))


def space_marks(space: dict) -> dict:
    return {"state": space.get("state"), "creator_id": space.get("creator_id"),
            "subscriber_count": space.get("subscriber_count"), "updated_at": space.get("updated_at")}


def pending_entry(entry: dict) -> dict:
    keep = ("space_id", "cursor", "position", "post_ids", "started_at", "state", "creator_id",
            "subscriber_count", "updated_at")
    return {k: entry[k] for k in keep if k in entry}


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def iso(value: datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return normaliso(value)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def normaliso(value: str | None) -> str | None:
    """2021-07-06T18:40:40.000Z and 2021-07-06T18:40:40Z compare equal."""
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return value
