"""Instants of the world clock, and the clock itself.

The world has its own time: it starts at a fixed instant, runs at a chosen speed (0
freezes it) and can be moved forward. Bodies and the `Date` header use it; rate-limit
windows use the wall clock, as the real API's do.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from email.utils import formatdate
from functools import lru_cache

DEFAULT_START = "2026-03-02T16:00:00Z"

Instant = float | int | str | datetime | None


def parse_instant(value: str | datetime | float | int) -> float:
    """Epoch seconds from an ISO 8601 string, a datetime or a number."""
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.timestamp()


@lru_cache(maxsize=100_000)
def iso(ts: float) -> str:
    """X's timestamp format: 2021-07-06T18:40:40.000Z (UTC, milliseconds)."""
    whole = int(ts // 1)
    millis = int(round((ts - whole) * 1000))
    if millis == 1000:
        whole, millis = whole + 1, 0
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{millis:03d}Z"


def http_date(ts: float) -> str:
    return formatdate(ts, usegmt=True)


class WorldClock:
    """now = start + (wall time elapsed) * speed + seconds advanced by hand."""

    def __init__(self, start: float, speed: float = 1.0) -> None:
        if speed < 0:
            raise ValueError("clock speed must be 0 (frozen) or positive")
        self.start = start
        self.speed = speed
        self._lock = threading.Lock()
        self._anchor_wall = time.monotonic()
        self._anchor_world = start

    def now(self) -> float:
        with self._lock:
            return self._anchor_world + (time.monotonic() - self._anchor_wall) * self.speed

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the world clock only moves forward")
        with self._lock:
            self._anchor_world += seconds
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._anchor_wall = time.monotonic()
            self._anchor_world = self.start
