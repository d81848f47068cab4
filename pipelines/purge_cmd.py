"""`x-spaces purge --unavailable`: delete Spaces that are no longer on X, with their rows.

X's developer terms ask apps to remove content that is no longer available on the
platform. A Space is unavailable once a lookup answered `resource-not-found` for it
(cancelled, deleted, or expired after it ended). Its `api_errors` rows stay: they hold
no content and record that it is gone, so it is never looked up again.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import duckdb

from pipelines.spaces_pipeline import DEFAULT_DUCKDB, LoadFailed, wait_for_lock
from sources.x_spaces.settings import DATASET_NAME, LOOKUP, LOOKUP_ONE, RESOURCE_NOT_FOUND

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_age(text: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text)
    if not match:
        raise click.BadParameter(f"{text!r}: give a number with s, m, h or d (e.g. 24h)", param_hint="--older-than")
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


def purge(path: Path, older_than: float, dry_run: bool = False) -> dict[str, int]:
    """Delete unavailable Spaces (unavailable for at least `older_than` seconds of API time,
    measured against the latest load) and their rows. Returns rows deleted per table."""
    d = DATASET_NAME
    with duckdb.connect(str(path)) as con:
        tables = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = ?", [d]).fetchall()}
        if not {"spaces", "api_errors", "loads"} <= tables:
            raise LoadFailed(f"{path} holds no x_spaces dataset: run `x-spaces load` first")
        con.execute("begin transaction")
        con.execute(f"""
            create temp table purged as
            with now as (select max(observed_at) as now_at from {d}.loads),
            gone as (
                select resource_id as space_id, min(observed_at) as unavailable_at
                from {d}.api_errors
                where problem_type = ? and endpoint in (?, ?)
                group by resource_id
            )
            select g.space_id from gone g, now
            where g.unavailable_at <= now.now_at - to_seconds(?)
              and g.space_id in (select id from {d}.spaces)
        """, [RESOURCE_NOT_FOUND, LOOKUP, LOOKUP_ONE, older_than])
        counts = {}
        # Posts shared only in purged Spaces go with them; posts also shared elsewhere stay.
        con.execute(f"""
            create temp table purged_posts as
            select distinct post_id from {d}.space_posts where space_id in (select space_id from purged)
            except
            select post_id from {d}.space_posts where space_id not in (select space_id from purged)
        """)
        counts["posts"] = con.execute(f"delete from {d}.posts where id in (select post_id from purged_posts)").fetchone()[0]
        for table, key in (("space_snapshots", "space_id"), ("buyers", "space_id"), ("space_posts", "space_id"),
                           ("space_fetches", "space_id"), ("spaces", "id")):
            if table in tables:
                counts[table] = con.execute(
                    f"delete from {d}.{table} where {key} in (select space_id from purged)").fetchone()[0]
        con.execute("rollback" if dry_run else "commit")
    return counts


@click.command("purge")
@click.option("--unavailable", is_flag=True, required=True,
              help="Delete Spaces a lookup found missing (cancelled, deleted or expired), with their rows.")
@click.option("--older-than", default="0s", show_default=True,
              help="Only those unavailable for at least this long (e.g. 24h), by the latest load's clock.")
@click.option("--duckdb", "duckdb_path", type=click.Path(dir_okay=False, exists=True), default=DEFAULT_DUCKDB,
              show_default=True, help="The DuckDB file of the pipeline.")
@click.option("--lock-timeout", type=click.FloatRange(0), default=60.0, show_default=True,
              help="Seconds to wait for a DuckDB file locked by another process.")
@click.option("--dry-run", is_flag=True, help="Count what would go; delete nothing.")
def purge_command(unavailable: bool, older_than: str, duckdb_path: str, lock_timeout: float, dry_run: bool) -> None:
    """Delete Spaces no longer on X (as X's terms ask), with their snapshots, buyers and posts."""
    age = parse_age(older_than)
    try:
        wait_for_lock(duckdb_path, lock_timeout)
        counts = purge(Path(duckdb_path), age, dry_run)
    except LoadFailed as exc:
        raise click.ClickException(str(exc)) from None
    except duckdb.Error as exc:
        raise click.ClickException(f"{duckdb_path}: {str(exc).splitlines()[0]}") from None
    verb = "would delete" if dry_run else "deleted"
    detail = ", ".join(f"{n} {table}" for table, n in counts.items())
    click.echo(f"{verb} {counts.get('spaces', 0)} unavailable Spaces ({detail})")
