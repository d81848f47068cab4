"""What the emulator counts for GET /_emulator/stats: requests per endpoint and status
sent, faults injected, time spent serving, and how many /2/ requests overlapped."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from typing import Any


class Stats:
    """Counters of one event loop (the server's): no lock needed between its requests.

    `requests[label][status]` counts every /2/ request by the status line it was sent,
    faulted ones included. A response a fault broke after its status line went out is
    counted as that status and what happened to it, e.g. "200 close" (connection dropped
    after the headers or mid-body) or "200 truncate" (a body cut short), so a broken
    response is never counted as a plain success."""

    def __init__(self) -> None:
        self.in_flight = 0  # a live gauge: a reset keeps it
        self.reset()

    def reset(self) -> None:
        self.since = time.time()
        self.requests: dict[str, Counter[str]] = defaultdict(Counter)
        self.faults: Counter[str] = Counter()
        self.serve_seconds = 0.0
        self.serve_by_endpoint: Counter[str] = Counter()
        self.max_in_flight = self.in_flight  # shows held responses (latency, slow) block no others

    def injected(self, fault: str) -> None:
        """Counted when drawn: a held (slow) response counts before it answers."""
        self.faults[fault] += 1

    def record(self, label: str, status: int, fault: str | None = None) -> None:
        """One response sent; `fault` the kind that broke it, if any."""
        key = f"{status} {fault}" if fault in ("close", "truncate") else str(status)
        self.requests[label][key] += 1

    def enter(self) -> None:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        self.in_flight -= 1

    def as_dict(self) -> dict[str, Any]:
        total = sum(sum(c.values()) for c in self.requests.values())
        return {
            "since": self.since,
            "total": total,
            "requests": {k: dict(sorted(v.items())) for k, v in sorted(self.requests.items())},
            "faults": dict(sorted(self.faults.items())),
            "serve_seconds": round(self.serve_seconds, 6),
            "serve_seconds_by_endpoint": {k: round(v, 6) for k, v in sorted(self.serve_by_endpoint.items())},
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
        }
