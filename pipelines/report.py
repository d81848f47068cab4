"""What a load did, told in a few lines: rows per table, requests per endpoint, waits, budget."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import click

from sources.x_spaces.work import plural

ENDPOINT_NAMES = {
    "/2/spaces/search": "search", "/2/spaces": "lookup", "/2/spaces/{id}": "lookup one",
    "/2/spaces/by/creator_ids": "by creator", "/2/spaces/{id}/buyers": "buyers",
    "/2/spaces/{id}/tweets": "posts",
}
TABLE_ORDER = ("spaces", "space_snapshots", "users", "topics", "buyers", "posts", "space_posts",
               "space_fetches", "api_errors")


@dataclass
class LoadSummary:
    rows: dict[str, int]
    load: dict[str, Any] = field(default_factory=dict)  # the `loads` row of this load
    seconds: float = 0.0

    @property
    def status(self) -> str:
        return str(self.load.get("status") or "complete")

    @property
    def endpoints(self) -> dict[str, dict[str, Any]]:
        raw = self.load.get("endpoints")
        return json.loads(raw) if isinstance(raw, str) else (raw or {})

    def rate_limit_pause(self) -> float:
        """Seconds to wait so the next load, making the same calls, spends no 429."""
        pause = 0.0
        for stats in self.endpoints.values():
            remaining, reset = stats.get("remaining"), stats.get("reset")
            if remaining is not None and reset and remaining < stats.get("requests", 0):
                pause = max(pause, reset - time.time() + 1)
        return pause


def latest_load(pipeline: Any) -> dict[str, Any]:
    """The `loads` row this run wrote (the newest by finish time)."""
    try:
        with pipeline.sql_client() as client:
            table = client.make_qualified_table_name("loads")
            with client.execute_query(f"select * from {table} order by finished_at desc limit 1") as cursor:
                row = cursor.fetchone()
                names = [d[0] for d in cursor.description]
    except Exception:  # noqa: BLE001 - a summary must never fail a load
        return {}
    return dict(zip(names, row)) if row else {}


def print_summary(summary: LoadSummary, brief: bool = False) -> None:
    load = summary.load
    observed = load.get("observed_at")
    when = observed.strftime("%Y-%m-%dT%H:%M:%SZ") if observed else "no response"
    requests = int(load.get("requests") or 0)
    waited = float(load.get("wait_seconds") or 0)
    # Waits are summed over the threads that waited, so they can exceed the run's length.
    threads = " (summed over threads)" if waited > summary.seconds else ""
    line = (f"{summary.status}: {load.get('spaces_seen', 0)} Spaces seen at {when} (API clock); "
            f"{plural(requests, 'request')}, {waited:.0f} s waiting for rate limits{threads}, "
            f"{summary.seconds:.1f} s in all")
    click.echo(line)
    if brief:
        return
    rows = ", ".join(f"{name} {summary.rows[name]}" for name in TABLE_ORDER if summary.rows.get(name))
    click.echo(f"  rows written (merged on their keys): {rows or 'none'}")
    calls = ", ".join(f"{ENDPOINT_NAMES.get(name, name)} {stats.get('requests', 0)}{_waited(stats)}"
                      for name, stats in summary.endpoints.items())
    click.echo(f"  requests: {calls or 'none'}; retries {load.get('retries') or 0}")
    if load.get("max_requests"):
        left = "exhausted: the next load continues" if load.get("budget_exhausted") else "not exhausted"
        calls_made = requests - int(load.get("retries") or 0)  # the cap counts calls, not re-sends
        click.echo(f"  budget: {calls_made} of {load['max_requests']} calls, {left}")
    if load.get("errors"):
        click.echo(f"  {load['errors']} API errors recorded in x_spaces.api_errors")
    if load.get("message"):
        click.echo(f"  note: {load['message']}")


def _waited(stats: dict[str, Any]) -> str:
    seconds = float(stats.get("wait_seconds") or 0)
    return f" ({seconds:.0f} s waiting)" if seconds >= 0.5 else ""


