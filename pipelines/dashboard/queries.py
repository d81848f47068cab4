"""What the dashboard reads: one function per mart view, each returning a polars DataFrame.

Every query opens the DuckDB file read-only, runs, and closes it, so a running
`x-spaces watch` can write between two queries. DuckDB lets one process write and then
nobody else read: while a writer holds the file, a query retries for `busy_timeout`
seconds, then raises `DatabaseBusy`. A missing file or missing models raise
`DatabaseMissing` / `ModelsMissing`, whose messages say what to run.

    from pipelines.dashboard import queries
    frame = queries.live_now("out/demo.duckdb")
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

ENV_VAR = "X_SPACES_DUCKDB"
DEFAULT_DB = Path("out/demo.duckdb")
BUSY_TIMEOUT = 10.0  # seconds a query waits for a writer to let go of the file


class DashboardError(Exception):
    """Something the dashboard cannot show; the message is one line for the reader."""


class DatabaseMissing(DashboardError):
    """No DuckDB file at the path."""


class ModelsMissing(DashboardError):
    """The file has no loads, or not the SQL models the dashboard reads."""


class DatabaseBusy(DashboardError):
    """Another process (a load or `x-spaces watch`) holds the file for writing."""


def resolve_db(cli_value: Any = None, environ: Mapping[str, str] | None = None) -> Path:
    """The DuckDB file to show: --duckdb, else $X_SPACES_DUCKDB, else out/demo.duckdb."""
    environ = os.environ if environ is None else environ
    if cli_value not in (None, "", True):
        return Path(str(cli_value))
    if environ.get(ENV_VAR):
        return Path(environ[ENV_VAR])
    return DEFAULT_DB


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:297] + "..."


def _is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text or "locked" in text)


def missing_message(db: Path) -> str:
    return (f"{db}: no such DuckDB file. Run `make demo` for a demo database (out/demo.duckdb), "
            f"or load one with `x-spaces load --duckdb {db} ...` and build the models with "
            f"`x-spaces models --duckdb {db}`.")


def busy_message(db: Path, waited: float) -> str:
    return (f"Database busy: {db} is locked by another process (a running `x-spaces load` or "
            f"`watch` writing a load?) and stayed locked for {waited:.0f} s. The dashboard tries "
            "again on the next refresh.")


@contextmanager
def connect(db: str | Path, busy_timeout: float = BUSY_TIMEOUT) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to `db`, closed on exit; waits while a writer holds the file."""
    path = Path(db)
    if not path.is_file():
        raise DatabaseMissing(missing_message(path))
    deadline = time.monotonic() + busy_timeout
    started = time.monotonic()
    delay = 0.05
    while True:
        try:
            # No replacement scans: a missing view must not resolve to a Python variable.
            con = duckdb.connect(str(path), read_only=True, config={"python_enable_replacements": False})
            break
        except duckdb.Error as exc:
            if not _is_lock_error(exc):
                raise DashboardError(f"{path}: cannot open it with DuckDB ({_one_line(exc)})") from None
            if time.monotonic() >= deadline:
                raise DatabaseBusy(busy_message(path, time.monotonic() - started)) from None
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 1.5, 0.5)
    try:
        yield con
    finally:
        con.close()


def run(db: str | Path, sql: str, params: list[Any] | None = None,
        busy_timeout: float = BUSY_TIMEOUT) -> pl.DataFrame:
    """One query on its own read-only connection."""
    with connect(db, busy_timeout) as con:
        try:
            return con.sql(sql, params=params or None).pl()
        except duckdb.CatalogException as exc:
            raise ModelsMissing(models_message(Path(db), exc, _has_loads(con))) from None
        except duckdb.BinderException as exc:  # a mart built by another version of sql/
            raise ModelsMissing(f"{db}: the dashboard models are out of date ({_one_line(exc)}). "
                                f"Rebuild them with `x-spaces models --duckdb {db}`.") from None


def _has_loads(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute("select count(*) from duckdb_tables() "
                        "where schema_name = 'x_spaces' and table_name = 'loads'").fetchone()
    return bool(found and found[0])


def models_message(db: Path, exc: BaseException, has_loads: bool = True) -> str:
    reason = _one_line(exc).removeprefix("Catalog Error: ")
    if not has_loads or re.search(r'"?x_spaces"?\.', reason) or 'schema "x_spaces"' in reason:
        return (f"{db} holds no loads yet ({reason}). Load it with `x-spaces load --duckdb {db} ...`, "
                f"then build the models with `x-spaces models --duckdb {db}`; or run `make demo` "
                "for a demo database.")
    return (f"{db} has no dashboard models ({reason}). Build them with "
            f"`x-spaces models --duckdb {db}`, or run `make demo` for a demo database.")


# -- one function per mart view ------------------------------------------------------------


def overview(db: str | Path, busy_timeout: float = BUSY_TIMEOUT) -> pl.DataFrame:
    """One row: the latest load ("now"), loads so far, Spaces known, live now, listening now."""
    return run(db, """
        select
            (select max(observed_at) from analytics.load_history) as latest_load_at,
            (select count(*) from analytics.load_history) as count_loads,
            (select count(*) from analytics.space_sessions) as count_spaces,
            (select count(*) from analytics.live_now) as count_live,
            (select coalesce(sum(count_participants), 0) from analytics.live_now) as count_listening
        """, busy_timeout=busy_timeout)


def live_now(db: str | Path, limit: int | None = None, busy_timeout: float = BUSY_TIMEOUT) -> pl.DataFrame:
    """analytics.live_now, by live_rank."""
    return run(db, """
        select live_rank, space_id, title, count_participants, count_subscribers, live_minutes,
               creator_username, host_usernames, topic_names, is_ticketed, started_at, observed_at
        from analytics.live_now
        order by live_rank
        limit ?""", [limit if limit is not None else 2**62], busy_timeout)


def participant_timeseries(db: str | Path, top: int = 8, busy_timeout: float = BUSY_TIMEOUT) -> pl.DataFrame:
    """analytics.participant_timeseries, live observations only, of the `top` Spaces with
    the largest audience seen live (ties: most observations, then space_id)."""
    return run(db, """
        with live as (
            select * from analytics.participant_timeseries where is_live
        ),
        top_spaces as (
            select space_id, max(count_participants) as peak_participants,
                   count(*) as count_live_observations
            from live
            group by space_id
            order by peak_participants desc, count_live_observations desc, space_id
            limit ?
        )
        select live.space_id, live.title, live.observed_at, live.count_participants,
               live.count_subscribers, live.participants_change, live.minutes_since_start,
               top_spaces.peak_participants
        from live
        inner join top_spaces on top_spaces.space_id = live.space_id
        order by top_spaces.peak_participants desc, live.space_id, live.observed_at""",
        [top], busy_timeout)


def audience_dynamics(db: str | Path, limit: int = 15, busy_timeout: float = BUSY_TIMEOUT) -> pl.DataFrame:
    """analytics.audience_dynamics: the `limit` Spaces with the largest live peak."""
    return run(db, """
        select space_id, title, state, started_at, count_live_observations, peak_participants,
               peak_at, seconds_to_peak, largest_drop, largest_drop_at, share_above_half_peak
        from analytics.audience_dynamics
        order by peak_participants desc, space_id
        limit ?""", [limit], busy_timeout)


def host_leaderboard(db: str | Path, limit: int = 15, busy_timeout: float = BUSY_TIMEOUT) -> pl.DataFrame:
    """analytics.host_leaderboard, by leaderboard_rank."""
    return run(db, """
        select leaderboard_rank, user_id, username, coalesce(name, username, user_id) as name,
               count_followers, count_spaces_hosted, count_spaces_started, count_spaces_scheduled,
               live_minutes, avg_peak_participants, peak_participants
        from analytics.host_leaderboard
        order by leaderboard_rank
        limit ?""", [limit], busy_timeout)


def daily_activity(db: str | Path, days: int = 60, busy_timeout: float = BUSY_TIMEOUT) -> pl.DataFrame:
    """analytics.daily_activity: the last `days` days, oldest first."""
    return run(db, """
        select * from (
            select activity_date, count_spaces_started, count_spaces_ended, count_spaces_live,
                   live_minutes, count_live_snapshots, avg_participants, peak_participants
            from analytics.daily_activity
            order by activity_date desc
            limit ?
        )
        order by activity_date""", [days], busy_timeout)


def topic_trends(db: str | Path, days: int = 14, busy_timeout: float = BUSY_TIMEOUT) -> pl.DataFrame:
    """analytics.topic_trends over the last `days` days with activity."""
    return run(db, """
        with recent as (
            select distinct activity_date from analytics.topic_trends
            order by activity_date desc
            limit ?
        )
        select topic_id, coalesce(topic_name, topic_id) as topic_name, activity_date,
               count_spaces_live, count_spaces_started, count_live_snapshots,
               avg_participants, peak_participants
        from analytics.topic_trends
        where activity_date in (select activity_date from recent)
        order by activity_date, topic_name""", [days], busy_timeout)


def ticket_sales(db: str | Path, limit: int = 25, busy_timeout: float = BUSY_TIMEOUT) -> pl.DataFrame:
    """analytics.ticket_sales: the ticketed Spaces with the most buyers."""
    return run(db, """
        select space_id, title, state, creator_username, scheduled_start_at, started_at,
               count_buyers, count_subscribers, buyers_per_subscriber, peak_participants,
               is_buyers_complete
        from analytics.ticket_sales
        order by count_buyers desc nulls last, count_subscribers desc nulls last, space_id
        limit ?""", [limit], busy_timeout)


# -- everything at once -----------------------------------------------------------------


@dataclass
class Dashboard:
    """What the dashboard shows, read one query (one connection) at a time."""

    db: Path
    overview: pl.DataFrame
    live_now: pl.DataFrame
    participant_timeseries: pl.DataFrame
    audience_dynamics: pl.DataFrame
    host_leaderboard: pl.DataFrame
    daily_activity: pl.DataFrame
    topic_trends: pl.DataFrame
    ticket_sales: pl.DataFrame

    @property
    def latest_load_at(self) -> datetime | None:
        return self.overview["latest_load_at"][0] if self.overview.height else None

    def frames(self) -> dict[str, pl.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "db"}


def fetch_all(db: str | Path, busy_timeout: float = BUSY_TIMEOUT) -> Dashboard:
    """Every query the dashboard needs; raises DashboardError (DatabaseBusy, ...)."""
    db = Path(db)
    return Dashboard(
        db=db,
        overview=overview(db, busy_timeout=busy_timeout),
        live_now=live_now(db, busy_timeout=busy_timeout),
        participant_timeseries=participant_timeseries(db, busy_timeout=busy_timeout),
        audience_dynamics=audience_dynamics(db, busy_timeout=busy_timeout),
        host_leaderboard=host_leaderboard(db, busy_timeout=busy_timeout),
        daily_activity=daily_activity(db, busy_timeout=busy_timeout),
        topic_trends=topic_trends(db, busy_timeout=busy_timeout),
        ticket_sales=ticket_sales(db, busy_timeout=busy_timeout),
    )
