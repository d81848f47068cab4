"""`make demo`: the whole job on the embedded emulator, in a minute or two.

Starts the emulator on a free loopback port with a frozen world clock, loads several
times while moving the clock (Spaces get scheduled, go live and end; buyers included),
builds the SQL models, runs the data tests, prints what it found, writes the static
report, stops the emulator and says what to do next.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

import click
import duckdb

from emulator.config import Settings
from emulator.server import EmulatorServer
from pipelines.emulator_tokens import EmulatorTokens
from pipelines.models import Project, build, run_tests
from pipelines.report import ENDPOINT_NAMES
from pipelines.spaces_pipeline import make_pipeline, run_load
from sources.x_spaces import x_spaces

QUERIES = ["tech", "music", "crypto", "programming"]
STEP_MINUTES = 40  # world time between two loads
LOADS = 7


def _load(server: EmulatorServer, db: Path, pipelines_dir: Path, creators: list[str]) -> dict:
    pipeline = make_pipeline(db, pipelines_dir=str(pipelines_dir))
    source = x_spaces(queries=QUERIES, creator_ids=creators, base_url=server.url,
                      bearer_token=server.emulator.world.app_token, user_tokens=EmulatorTokens(server.url))
    report = run_load(pipeline, source)
    return report.rows


def _table(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def summarize(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        now = _table(con, "select max(observed_at) from x_spaces.loads")[0][0]
        click.secho(f"\nLive now ({now:%Y-%m-%d %H:%M} UTC on the emulator's clock):", bold=True)
        for rank, title, people in _table(con, """
                select live_rank, title, count_participants from analytics.live_now
                order by live_rank limit 5"""):
            click.echo(f"  {rank}. {title} — {people:,} listening")
        click.secho("Host leaderboard:", bold=True)
        for rank, name, hosted, minutes, peak in _table(con, """
                select leaderboard_rank, coalesce(name, user_id), count_spaces_hosted,
                       round(live_minutes), peak_participants
                from analytics.host_leaderboard order by leaderboard_rank limit 5"""):
            click.echo(f"  {rank}. {name}: {hosted} Spaces, {minutes:,.0f} live minutes, peak {peak or 0:,}")
        (loads, requests, waited), = _table(con, """
            select count(*), sum(requests), sum(wait_seconds) from x_spaces.loads""")
        per_endpoint: dict[str, int] = {}
        for (endpoints,) in _table(con, "select endpoints from x_spaces.loads"):
            import json

            for name, stats in json.loads(endpoints or "{}").items():
                per_endpoint[name] = per_endpoint.get(name, 0) + int(stats.get("requests", 0))
        detail = ", ".join(f"{ENDPOINT_NAMES.get(k, k)} {v}" for k, v in per_endpoint.items())
        click.secho("Requests used:", bold=True)
        click.echo(f"  {requests:,} in {loads} loads ({detail}); {waited:.0f} s waiting for rate limits")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="out", help="folder for demo.duckdb and report.html")
    args = parser.parse_args(argv)
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    logging.getLogger("stamina").setLevel(logging.ERROR)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    db = out / "demo.duckdb"
    for stale in (db, out / "demo.duckdb.wal"):
        stale.unlink(missing_ok=True)
    started = time.monotonic()

    with EmulatorServer(Settings(clock_speed=0)) as server:
        world, clock = server.emulator.world, server.emulator.clock
        creators = [world.user_ids.id(u) for u in range(25)]
        click.secho(f"Emulator on {server.url}: {world.n_spaces:,} Spaces, {world.n_users:,} users, "
                    f"world clock frozen at {clock.now():.0f}", bold=True)
        click.echo(f"Loading {', '.join(QUERIES)} and {len(creators)} creators, {LOADS} times, "
                   f"{STEP_MINUTES} world minutes apart:")
        for n in range(LOADS):
            if n:
                clock.advance(STEP_MINUTES * 60)
            rows = _load(server, db, out / "pipelines", creators)
            click.echo(f"  load {n + 1}: {rows.get('spaces', 0)} Spaces, {rows.get('users', 0)} users, "
                       f"{rows.get('buyers', 0)} buyers, {rows.get('posts', 0)} posts")

    click.echo("Building the SQL models and running the data tests...")
    project = Project.load()
    with duckdb.connect(str(db)) as con:
        built = build(con, project)
        failures = [r for r in run_tests(con, project) if not r.passed]
    click.echo(f"  {len(built)} models built; {len(project.tests) - len(failures)} of "
               f"{len(project.tests)} data tests pass")
    summarize(db)

    from pipelines.dashboard.static_report import write_report

    report = write_report(db, out / "report.html")
    click.secho(f"\nDone in {time.monotonic() - started:.0f} s. The emulator is stopped.", bold=True)
    click.echo("Next:")
    for command, what in (
        ("make dashboard", "the dashboard on http://127.0.0.1:2718, over this database"),
        (f"open {report}", "the same as one offline HTML file"),
        (f".venv/bin/x-spaces sql --duckdb {db} 'from analytics.live_now'", "ask in SQL (marts in schema analytics)"),
        (".venv/bin/x-spaces load --query tech", "the real API: bearer token in .dlt/secrets.toml (see README)"),
    ):
        click.echo(f"  {command}\n      {what}")
    if failures:
        click.secho(f"{len(failures)} data tests failed: " + ", ".join(f.test.name for f in failures), fg="red")
        sys.exit(1)


if __name__ == "__main__":
    main()
