"""The x_spaces pipeline: destination, pending packages, DuckDB locks, the list views.

    pipeline = make_pipeline(duckdb_path="spaces.duckdb")
    report = run_load(pipeline, x_spaces(queries=["tech"]))
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dlt
import duckdb
from dlt.common.pipeline import LoadInfo
from dlt.pipeline.exceptions import PipelineStepFailed

from sources.x_spaces.known import is_lock_error, retry_locked
from sources.x_spaces.settings import DATASET_NAME, PIPELINE_NAME
from sources.x_spaces.tables import LIST_RELATIONS, TABLES

log = logging.getLogger("pipelines")

DUCKDB_FAMILY = ("duckdb", "motherduck")
# Not x_spaces.duckdb: DuckDB names a file's catalog after it, and a catalog named like the
# dataset (schema x_spaces) makes every x_spaces.<table> ambiguous.
DEFAULT_DUCKDB = "spaces.duckdb"


class LoadFailed(Exception):
    """A load that could not finish; the message is one line for the user."""


@dataclass
class LoadReport:
    info: LoadInfo | None
    rows: dict[str, int] = field(default_factory=dict)
    loads_row: dict[str, Any] = field(default_factory=dict)


def make_pipeline(duckdb_path: str | Path | None = None, destination: str | None = None,
                  pipelines_dir: str | None = None, pipeline_name: str | None = None,
                  dataset_name: str = DATASET_NAME) -> dlt.Pipeline:
    """DuckDB (a file) by default, loaded with parquet; any other dlt destination by name,
    with its credentials from secrets and its preferred file format.

    Each DuckDB file gets its own pipeline name (from its path), so two databases never
    share dlt's local state (the cursors of unfinished fetches)."""
    if destination in (None, "duckdb"):
        path = Path(duckdb_path or DEFAULT_DUCKDB).resolve()
        target: Any = dlt.destinations.duckdb(str(path), preferred_loader_file_format="parquet")
        if pipeline_name is None:
            slug = re.sub(r"[^a-z0-9]+", "_", path.stem.lower()).strip("_") or "db"
            pipeline_name = f"{PIPELINE_NAME}_{slug}_{hashlib.sha1(str(path).encode()).hexdigest()[:6]}"
    elif destination == "motherduck":
        target = dlt.destinations.motherduck(preferred_loader_file_format="parquet")
    else:
        target = destination
    return dlt.pipeline(pipeline_name=pipeline_name or PIPELINE_NAME, destination=target,
                        dataset_name=dataset_name, pipelines_dir=pipelines_dir)


def is_duckdb(pipeline: dlt.Pipeline) -> bool:
    return pipeline.destination.destination_name in DUCKDB_FAMILY


def duckdb_path(pipeline: dlt.Pipeline) -> str | None:
    if pipeline.destination.destination_name != "duckdb":
        return None
    return str(pipeline.destination_client().config.credentials.database)


def wait_for_lock(path: str, timeout: float) -> None:
    """Wait until no other process holds the DuckDB file (a dashboard, another load)."""
    if not Path(path).exists():
        return  # nothing to wait for, and connecting would create the file
    try:
        retry_locked(lambda: duckdb.connect(path).close(), timeout)
    except duckdb.Error as exc:
        if is_lock_error(exc):
            raise LoadFailed(locked_message(path, timeout)) from None
        raise


def locked_message(path: str, timeout: float) -> str:
    return (f"{path} is locked by another process (a running load or dashboard?) and stayed "
            f"locked for {timeout:.0f} s; try again, or raise --lock-timeout")


def finish_pending(pipeline: dlt.Pipeline, lock_timeout: float = 60.0) -> LoadInfo | None:
    """Load packages left by an interrupted run before extracting new data."""
    if not pipeline.has_pending_data:
        return None
    log.info("finishing load packages left by an earlier run")
    try:
        pipeline.normalize()
        return _load_with_lock_retry(pipeline, duckdb_path(pipeline), lock_timeout)
    except PipelineStepFailed as exc:
        reason = str(_root(exc)).strip().splitlines()[0]
        raise LoadFailed(
            f"a load package left by an earlier run cannot be loaded ({reason}); "
            f"inspect it with `dlt pipeline {pipeline.pipeline_name} info`, or drop it with "
            f"`x-spaces load --drop-pending ...`") from None


def run_load(pipeline: dlt.Pipeline, source: Any, lock_timeout: float = 60.0) -> LoadReport:
    """Extract, normalize and load one run of the source; then the DuckDB views."""
    path = duckdb_path(pipeline)
    if path is not None:
        wait_for_lock(path, lock_timeout)
    else:
        pipeline.destination_client()  # missing credentials fail now, before a request is spent
    finish_pending(pipeline, lock_timeout)
    pipeline.extract(source, loader_file_format=LOADER_FILE_FORMAT.get(pipeline.destination.destination_name))
    pipeline.normalize()
    info = _load_with_lock_retry(pipeline, path, lock_timeout)
    if pipeline.destination.destination_name in UNNEST_SQL:
        retry_locked(lambda: create_views(pipeline), lock_timeout)
    rows = {}
    trace = pipeline.last_trace
    if trace is not None and trace.last_normalize_info is not None:
        rows = {k: v for k, v in trace.last_normalize_info.row_counts.items() if not k.startswith("_dlt")}
    return LoadReport(info, rows)


def _load_with_lock_retry(pipeline: dlt.Pipeline, path: str | None, timeout: float) -> LoadInfo:
    if path is None:
        return pipeline.load()
    return retry_locked(pipeline.load, timeout)


# Where dlt's choice for Arrow pages is wrong: its CSV files for Postgres load empty strings
# as NULL; SQL inserts keep them.
LOADER_FILE_FORMAT = {"postgres": "insert_values"}

# A JSON list column as rows (element, position), per destination that gets the views.
UNNEST_SQL = {
    "duckdb": "unnest(cast(s.{column} as varchar[]))",
    "motherduck": "unnest(cast(s.{column} as varchar[]))",
    "postgres": "jsonb_array_elements_text(s.{column})",
}


def create_views(pipeline: dlt.Pipeline) -> None:
    """hosts, speakers, invited_users and space_topics: the current lists of each Space,
    unnested from the list columns of `spaces` (see the README for why)."""
    unnest = UNNEST_SQL[pipeline.destination.destination_name]
    with pipeline.sql_client() as client:
        spaces = client.make_qualified_table_name("spaces")
        for view, (column, id_name) in LIST_RELATIONS.items():
            client.execute_sql(
                f"create or replace view {client.make_qualified_table_name(view)} as "
                f"select s.id as space_id, l.{id_name}, l.position "
                f"from {spaces} s, {unnest.format(column=column)} with ordinality as l({id_name}, position)"
            )


def _root(exc: BaseException) -> BaseException:
    while exc.__cause__ is not None or (exc.__context__ is not None and not exc.__suppress_context__):
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return exc


def table_names() -> list[str]:
    return list(TABLES) + list(LIST_RELATIONS)
