"""One load: discovery, lifecycle re-lookups, buyers and posts, under a request budget.

Order of work:
1. Discovery and lookups. Searches and creator lookups come first, then the re-lookups of
   open Spaces (scheduled or live in the dataset) and explicit ids they did not return
   (fewest requests). When a budget is too small for all of that, the re-lookups of every
   open Space come first instead, so an end is never missed for lack of requests.
2. Buyers and posts of the Spaces that need them: interrupted fetches first (their
   cursors are the only thing kept in dlt state), then ended Spaces (fetched in full
   once), then live and scheduled ones whose subscriber_count (buyers) or updated_at
   (posts) moved since their last fetch.
Independent requests run on a small thread pool; every request is paid for from the
budget before it is made; pages go to dlt as Arrow tables as they arrive.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timezone
from email.utils import parsedate_to_datetime
from typing import Any

from sources.x_spaces import _names as names
from sources.x_spaces import _validation as check
from sources.x_spaces import settings as cfg
from sources.x_spaces import tables as t
from sources.x_spaces._errors import (
    AuthenticationError,
    ForbiddenError,
    InvalidRequestError,
    NetworkError,
    RateLimitError,
    ServerError,
    UsageCapError,
)
from sources.x_spaces._models import Response
from sources.x_spaces._names import problem_name
from sources.x_spaces.client import Client
from sources.x_spaces.fetches import iso, needs_fetch, now, paging_task, pending_entry, space_marks
from sources.x_spaces.known import Known
from sources.x_spaces.rows import Page, Pages
from sources.x_spaces.summary import Summary, load_row
from sources.x_spaces.work import Budget, Result, Task, Ticker, plural, run_tasks

log = logging.getLogger("sources.x_spaces")

Progress = Callable[[str], None]


@dataclass
class Options:
    queries: list[str] = field(default_factory=list)
    state: str = "all"
    creator_ids: list[str] = field(default_factory=list)
    space_ids: list[str] = field(default_factory=list)
    buyers: bool = True
    posts: bool = True
    max_requests: int = 0
    concurrency: int = cfg.DEFAULT_CONCURRENCY
    space_fields: tuple[str, ...] = cfg.SPACE_FIELDS
    space_expansions: tuple[str, ...] = cfg.SPACE_EXPANSIONS
    user_fields: tuple[str, ...] = cfg.USER_FIELDS
    topic_fields: tuple[str, ...] = cfg.TOPIC_FIELDS
    post_fields: tuple[str, ...] = cfg.POST_FIELDS
    post_expansions: tuple[str, ...] = cfg.POST_EXPANSIONS
    buyer_expansions: tuple[str, ...] = cfg.BUYER_EXPANSIONS

    def __post_init__(self) -> None:
        """Unknown field or expansion names fail here, when the source is built, not at a
        load's first request (the client's own checks, applied to the settings)."""
        check.fields(self.space_fields, names.SPACE_FIELDS, names.OLDER_SPACE_FIELDS, "space_fields")
        check.fields(self.user_fields, names.USER_FIELDS, {}, "user_fields")
        check.fields(self.topic_fields, names.TOPIC_FIELDS, {}, "topic_fields")
        check.fields(self.post_fields, names.POST_FIELDS, names.OLDER_POST_FIELDS, "post_fields")
        check.expansions(self.space_expansions, names.SPACE_EXPANSIONS, "space_expansions")
        check.expansions(self.post_expansions, names.POST_EXPANSIONS, "post_expansions")
        check.expansions(self.buyer_expansions, names.USER_EXPANSIONS, "buyer_expansions")


class Harvest:
    def __init__(self, client: Client, options: Options, known: Known, state: dict[str, Any],
                 user_tokens: Mapping[str, str], existing_tables: set[str] | None = None,
                 progress: Progress | None = None) -> None:
        self.client = client
        self.options = options
        self.known = known
        self.state = state  # dlt resource state: open work only
        self.pending: dict[str, dict] = state.setdefault("pending", {})  # unfinished fetches, their cursors
        self.user_tokens = user_tokens  # creator user id -> OAuth2 user token
        self.existing_tables = existing_tables or set()
        self.progress = progress or (lambda message: log.info(message))
        self.budget = Budget(options.max_requests)
        self.stop = threading.Event()
        self.summary = Summary(load_id=uuid.uuid4().hex, started_at=now())
        self.seen: dict[str, dict] = {}  # Spaces returned by this load: id -> object
        self._pages: Pages | None = None
        self._skipped: list[tuple[str, dict, str, str]] = []  # buyers calls not made, and why
        self._known_posts: dict[str, set[str]] = {}
        self._failures: list[Exception] = []
        self._fetched: dict[str, dict] = {}  # fetches this load already ran
        self._space_params = {
            "space_fields": list(options.space_fields), "expansions": list(options.space_expansions),
            "user_fields": list(options.user_fields), "topic_fields": list(options.topic_fields),
        }

    # ------------------------------------------------------------------ entry point
    def pages(self) -> Iterator[Page]:
        options = self.options
        explicit = [i for i in dict.fromkeys(options.space_ids) if i not in self.known.settled(options.space_ids)]
        open_ids = self.known.open_spaces()
        lookups = list(dict.fromkeys(open_ids + explicit))
        left = self.state.pop("discovery_left", None)
        left = left if options.max_requests else None  # an unbudgeted load does it all
        queries, creators = self._discovery_units(left)
        calls = len(queries) + _batches(len(creators)) + _batches(len(lookups))
        try:
            if self.budget.covers(calls):
                yield from self._discovery(queries, creators)
                rest = [i for i in lookups if i not in self.seen]
                yield from self._phase("lookups", self._lookup_tasks(rest))
                yield from self._fetch_phase({**self._resumed_fetches(), **self._new_fetches()})
            else:
                # A tight budget: open Spaces first, then work left by the last load, then the rest.
                yield from self._phase("lookups", self._lookup_tasks(lookups))
                yield from self._fetch_phase(self._resumed_fetches())
                yield from self._discovery(queries, creators)
                yield from self._fetch_phase(self._new_fetches())
        finally:
            self.summary.spaces_seen = len(self.seen)
        if self._pages is None and self._failures:
            raise self._failures[0]  # not one answer from the API: fail rather than load nothing
        if self.budget.exhausted and self.summary.status == "complete":
            self.summary.status = "budget_exhausted"
            self.summary.message = f"stopped at max_requests={options.max_requests}; the next load continues"
        yield from self._closing_pages()

    def _discovery_units(self, left: dict | None) -> tuple[list[str], list[str]]:
        """The queries and creator ids to discover with: all of them, or what is still
        configured of those a budgeted load left."""
        queries = list(dict.fromkeys(self.options.queries))
        creators = list(dict.fromkeys(self.options.creator_ids))
        if left is not None:
            queries = [q for q in queries if q in set(left.get("queries", []))]
            creators = [c for c in creators if c in set(left.get("creator_ids", []))]
        return queries, creators

    def _discovery(self, queries: list[str], creators: list[str]) -> Iterator[Page]:
        """Searches and creator lookups; what the budget does not let run is kept for the next load."""
        not_run = yield from self._phase("discovery", self._discovery_tasks(queries, creators))
        if not_run:
            self.state["discovery_left"] = {
                "queries": [q for task in not_run for q in task.info.get("queries", [])],
                "creator_ids": [c for task in not_run for c in task.info.get("creator_ids", [])],
            }

    # ------------------------------------------------------------------ pages
    @property
    def rows(self) -> Pages:
        if self._pages is None:
            raise RuntimeError("no response yet")
        return self._pages

    def _observe(self, response: Response) -> None:
        if self._pages is not None:
            return
        observed = None
        if response.date:
            try:
                observed = parsedate_to_datetime(response.date).astimezone(timezone.utc)
            except (TypeError, ValueError):
                observed = None
        self.summary.observed_at = observed or now()
        self._pages = Pages(self.summary.observed_at, set(self.options.space_expansions))

    def _absorb_spaces(self, endpoint: str, response: Response) -> Iterator[Page]:
        body = response.json
        data = body.get("data")
        spaces = data if isinstance(data, list) else ([data] if isinstance(data, dict) else [])
        fresh = []
        for space in spaces:
            if space.get("id") not in self.seen:
                self.seen[space["id"]] = space
                fresh.append(space)
        yield from self.rows.includes(body)
        yield from self.rows.spaces(fresh)
        yield from self._errors(endpoint, body.get("errors") or [])

    def _errors(self, endpoint: str, errors: list[dict]) -> Iterator[Page]:
        if errors:
            self.summary.errors += len(errors)
            yield from self.rows.errors(endpoint, errors)

    # ------------------------------------------------------------------ tasks
    def _phase(self, name: str, tasks: list[Task]) -> Generator[Page, None, list[Task]]:
        """Run lookup-like tasks; returns the tasks the budget did not let run."""
        if not tasks or self.stop.is_set():
            return tasks if self.stop.is_set() else []
        before = len(self.seen)
        not_run: list[Task] = []
        ticker = Ticker()
        for result in run_tasks(tasks, self.budget, self.options.concurrency, self.stop):
            if result.response is not None:
                self._observe(result.response)
                yield from self._absorb_spaces(result.task.info["endpoint"], result.response)
            if result.error is not None:
                yield from self._task_failed(result)
            elif result.done and not result.info.get("ran"):
                not_run.append(result.task)
            if result.done and ticker.due():
                self.progress(f"{name}: {ticker.done} of {plural(len(tasks), 'call')} done, "
                              f"{len(self.seen) - before} Spaces found so far")
        made, found = len(tasks) - len(not_run), len(self.seen) - before
        left = f" ({len(not_run)} left for the next load: budget)" if not_run else ""
        self.progress(f"{name}: {plural(made, 'call')}, {found} Spaces found{left}")
        return not_run

    def _discovery_tasks(self, queries: list[str], creators: list[str]) -> list[Task]:
        options, spaces = self.options, self.client.spaces
        tasks = []
        for query in queries:
            tasks.append(self._single(f"search {query!r}", cfg.SEARCH, lambda q=query: spaces.search(
                q, state=options.state, max_results=cfg.PAGE_SIZE, **self._space_params), queries=[query]))
        for start in range(0, len(creators), cfg.IDS_PER_LOOKUP):
            chunk = creators[start:start + cfg.IDS_PER_LOOKUP]
            tasks.append(self._single(f"creators {start}", cfg.BY_CREATOR,
                                      lambda c=chunk: spaces.get_by_creator_ids(c, **self._space_params),
                                      creator_ids=chunk))
        return tasks

    def _lookup_tasks(self, ids: list[str]) -> list[Task]:
        spaces = self.client.spaces
        return [self._single(f"lookup {start}", cfg.LOOKUP,
                             lambda c=ids[start:start + cfg.IDS_PER_LOOKUP]: spaces.get_by_ids(c, **self._space_params))
                for start in range(0, len(ids), cfg.IDS_PER_LOOKUP)]

    @staticmethod
    def _single(key: str, endpoint: str, call: Callable[[], Response], **info: Any) -> Task:
        def run(budget: Budget) -> Iterator[Any]:
            if budget.take():
                yield {"ran": True}
                yield call()
        return Task("lookup", key, run, {"endpoint": endpoint, **info})

    def _task_failed(self, result: Result) -> Iterator[Page]:
        error = result.error
        if isinstance(error, UsageCapError):
            self._halt("usage_capped", f"usage cap reached ({error.period or 'unknown'} period): {error}")
        elif isinstance(error, RateLimitError):
            self._halt("rate_limited", str(error))
        elif isinstance(error, (ServerError, NetworkError)):
            self.summary.status = "partial"
            self.summary.message = str(error)
            self._failures.append(error)
            if self._pages is not None:
                yield from self._errors(result.task.info["endpoint"], [{
                    "resource_id": result.task.key, "type": "request-failed",
                    "title": type(error).__name__, "detail": str(error),
                    "status": getattr(error, "status_code", None)}])
        elif isinstance(error, (AuthenticationError, ForbiddenError, InvalidRequestError)):
            raise error  # the app token or the settings are wrong: nothing is loaded
        elif isinstance(error, BaseException):
            raise error

    def _halt(self, status: str, message: str) -> None:
        self.summary.status = status
        self.summary.message = message
        self.stop.set()
        log.warning("stopping this load early: %s", message)

    # ------------------------------------------------------------------ buyers and posts
    def _fetch_phase(self, wanted: dict[str, dict]) -> Iterator[Page]:
        if self.stop.is_set() or not wanted:
            return
        post_spaces = [key.split(":", 1)[1] for key in wanted if key.startswith("posts:")]
        self._known_posts.update(self.known.space_post_ids(post_spaces) if post_spaces else {})
        tasks = [task for key, entry in wanted.items() if (task := self._fetch_task(key, entry))]
        self._fetched.update(wanted)
        pages_before = dict(self._pages.counts) if self._pages else {}
        ran = 0
        ticker = Ticker()

        def found() -> str:
            counts = self._pages.counts if self._pages else {}
            return "{} buyers, {} posts".format(counts.get("buyers", 0) - pages_before.get("buyers", 0),
                                                counts.get("space_posts", 0) - pages_before.get("space_posts", 0))

        for result in run_tasks(tasks, self.budget, self.options.concurrency, self.stop):
            if result.response is not None:
                self._observe(result.response)
                yield from self._fetched_page(result.task, result.response)
            if result.done:
                ran += bool(result.info.get("ran"))
                yield from self._fetch_done(result)
                if ticker.due():
                    self.progress(f"buyers and posts: {ticker.done} of {plural(len(tasks), 'fetch')} done, "
                                  f"{found()} so far")
        left = len(tasks) - ran
        note = f" ({left} left for the next load: budget)" if left and self.budget.exhausted else ""
        self.progress(f"buyers and posts: {plural(ran, 'fetch')}, {found()}{note}")

    def _kinds(self) -> list[str]:
        return [k for k, on in (("buyers", self.options.buyers), ("posts", self.options.posts)) if on]

    def _resumed_fetches(self) -> dict[str, dict]:
        """Fetches an earlier load started or planned but did not finish: key "kind:space_id"."""
        wanted: dict[str, dict] = {}
        for key, entry in self.pending.items():
            if key.split(":", 1)[0] in self._kinds() and key not in self._fetched:
                space = self.seen.get(entry["space_id"])
                if space is not None:
                    entry.update(space_marks(space))
                wanted[key] = entry
        return wanted

    def _new_fetches(self) -> dict[str, dict]:
        """Buyers and posts of the Spaces seen in this load that need fetching."""
        records = self.known.fetches(list(self.seen))
        order = {"ended": 0, "live": 1, "scheduled": 2}
        wanted: dict[str, dict] = {}
        for space_id, space in sorted(self.seen.items(), key=lambda kv: (order.get(kv[1].get("state"), 3), kv[0])):
            for kind in self._kinds():
                key = f"{kind}:{space_id}"
                if key in self._fetched or key in self.pending or (kind == "buyers" and not space.get("is_ticketed")):
                    continue
                if needs_fetch(kind, space, records.get((space_id, kind))):
                    wanted[key] = {"space_id": space_id, "cursor": None, "position": 0,
                                   "started_at": iso(self.summary.observed_at), **space_marks(space)}
        return wanted

    def _fetch_task(self, key: str, entry: dict) -> Task | None:
        kind, space_id = key.split(":", 1)
        spaces = self.client.spaces
        if kind == "buyers":
            token = self.user_tokens.get(str(entry.get("creator_id")))
            if not token:
                self._skipped.append((key, entry, cfg.MISSING_USER_TOKEN,
                                      f"no OAuth2 user token for creator {entry.get('creator_id')}: add it to "
                                      "[sources.x_spaces.user_tokens] or SOURCES__X_SPACES__USER_TOKENS"))
                return None
            creator = self.client.for_user(token)

            def pages() -> Iterator[Response]:
                options = self.options
                return creator.spaces.get_buyers(
                    space_id, max_results=cfg.PAGE_SIZE, pagination_token=entry.get("cursor"),
                    user_fields=list(options.user_fields), expansions=list(options.buyer_expansions) or None,
                    post_fields=list(options.post_fields) if options.buyer_expansions else None)
            endpoint = cfg.BUYERS
        else:
            def pages() -> Iterator[Response]:
                options = self.options
                return spaces.get_posts(
                    space_id, max_results=cfg.PAGE_SIZE, pagination_token=entry.get("cursor"),
                    post_fields=list(options.post_fields), expansions=list(options.post_expansions),
                    user_fields=list(options.user_fields))
            endpoint = cfg.POSTS
            entry.setdefault("post_ids", [])

        return paging_task(kind, key, endpoint, entry, pages)

    def _fetched_page(self, task: Task, response: Response) -> Iterator[Page]:
        entry = task.info["entry"]
        space_id = entry["space_id"]
        body = response.json
        data = body.get("data") or []
        entry["cursor"] = (body.get("meta") or {}).get("next_token")
        includes = body.get("includes") or {}
        if task.kind == "buyers":
            yield from self.rows.buyers(space_id, data, entry.get("position", 0))
            entry["position"] = entry.get("position", 0) + len(data)
            yield from self.rows.users(includes.get("users") or [])
            yield from self.rows.posts(includes.get("posts") or [])  # pinned posts: not Space posts
        else:
            yield from self.rows.posts(data)
            yield from self.rows.users(includes.get("users") or [])
            ids = [p["id"] for p in data]
            entry["post_ids"].extend(ids)
            yield from self.rows.space_posts(space_id, ids)
        errors = body.get("errors") or []
        if not data and any(problem_name(e.get("type")) == cfg.RESOURCE_NOT_FOUND for e in errors):
            entry["vanished"] = True  # the Space is gone: what was loaded of it stays as it was
        yield from self._errors(task.info["endpoint"], errors)

    def _fetch_done(self, result: Result) -> Iterator[Page]:
        task, info = result.task, result.info
        entry = task.info["entry"]
        space_id = entry["space_id"]
        kind = task.kind
        if result.error is not None:
            error = result.error
            if kind == "buyers" and isinstance(error, (AuthenticationError, ForbiddenError)):
                self.pending.pop(task.key, None)
                yield from self._skip_rows(task.key, entry, cfg.USER_TOKEN_REJECTED,
                                           f"the creator's user token was refused: {error}", error.status_code)
                return
            self.pending[task.key] = pending_entry(entry)
            yield from self._task_failed(result)
            return
        if entry.pop("vanished", False):
            self.pending.pop(task.key, None)
            return
        if info.get("complete"):
            self.pending.pop(task.key, None)
            count = entry.get("position", 0) if kind == "buyers" else len(entry.get("post_ids", []))
            if kind == "posts":
                kept = set(entry.get("post_ids", []))
                gone = sorted(self._known_posts.get(space_id, set()) - kept)
                yield from self.rows.space_posts(space_id, gone, deleted=True)
            if self._pages is not None:
                yield from self.rows.fetch(space_id, kind, True, entry, count, entry.get("started_at"))
            return
        if info.get("stopped") == "pagination":
            self.pending.pop(task.key, None)  # a stuck cursor: start over next time
            return
        self.pending[task.key] = pending_entry(entry)
        if self._pages is not None and entry.get("cursor"):
            count = entry.get("position", 0) if kind == "buyers" else len(entry.get("post_ids", []))
            yield from self.rows.fetch(space_id, kind, False, entry, count, entry.get("started_at"))

    def _skip_rows(self, key: str, entry: dict, problem: str, detail: str,
                   status: int | None = None) -> Iterator[Page]:
        if self._pages is None:
            return
        yield from self._errors(cfg.BUYERS, [{
            "resource_id": entry["space_id"], "type": problem, "title": problem.replace("-", " "),
            "detail": detail, "resource_type": "space", "status": status}])

    # ------------------------------------------------------------------ closing
    def _closing_pages(self) -> Iterator[Page]:
        for key, entry, problem, detail in self._skipped:
            yield from self._skip_rows(key, entry, problem, detail)
        if self._pages is not None:
            yield from self._pages.flush()
        self.summary.finished_at = now()
        row = load_row(self.summary, self.client, self.options.max_requests, self.budget.exhausted)
        yield t.LOADS.name, t.LOADS.to_arrow([row], {"observed_at": self.summary.observed_at})
        written = self._pages.counts if self._pages else {}
        self.summary.rows = dict(written)
        for table in t.TABLES.values():
            if table.name not in written and table.name not in self.existing_tables and table is not t.LOADS:
                yield table.name, table.empty()


def _batches(n_ids: int) -> int:
    return -(-n_ids // cfg.IDS_PER_LOOKUP)
