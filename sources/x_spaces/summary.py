"""What one load did: its outcome (`Summary`) and its row of the `loads` table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sources.x_spaces.client import Client


@dataclass
class Summary:
    load_id: str
    started_at: datetime
    observed_at: datetime | None = None
    finished_at: datetime | None = None
    status: str = "complete"  # complete, budget_exhausted, rate_limited, usage_capped, partial
    message: str = ""
    spaces_seen: int = 0
    errors: int = 0
    rows: dict[str, int] = field(default_factory=dict)


def load_row(summary: Summary, client: Client, max_requests: int, budget_exhausted: bool) -> dict[str, Any]:
    """The `loads` row: totals, and per endpoint the client's counts with what was left of
    each rate-limit window at the end (the least remaining over the tokens used)."""
    stats = client.stats()
    endpoints = {name: {k: (round(v, 3) if isinstance(v, float) else v) for k, v in vars(s).items()}
                 for name, s in sorted(stats.items())}
    for bucket, limits in client.rate_limits().items():
        name = bucket.rsplit(" ", 1)[0]
        if name in endpoints and limits.get("remaining") is not None:
            known = endpoints[name]
            known["remaining"] = min(known.get("remaining", limits["remaining"]), limits["remaining"])
            known["reset"] = max(known.get("reset") or 0, limits.get("reset") or 0)
    return {
        "load_id": summary.load_id, "started_at": summary.started_at,
        "finished_at": summary.finished_at, "status": summary.status,
        "requests": sum(s.requests for s in stats.values()),
        "objects": sum(s.objects for s in stats.values()),
        "wait_seconds": round(sum(s.wait_seconds for s in stats.values()), 3),
        "retries": sum(s.retries for s in stats.values()),
        "max_requests": max_requests or None,
        "budget_exhausted": budget_exhausted, "errors": summary.errors,
        "spaces_seen": summary.spaces_seen, "endpoints": endpoints, "message": summary.message or None,
    }
