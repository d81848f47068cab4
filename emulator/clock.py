"""Instants of the world clock, and the clock itself.

The world has its own time: it starts at a fixed instant, runs at a chosen speed (0
freezes it) and can be moved forward. Bodies and the `Date` header use it; rate-limit
windows use the wall clock, as the real API's do.
"""

from __future__ import annotations

import math
import threading
import time
from datetime import datetime, timezone
from email.utils import formatdate
from functools import lru_cache

DEFAULT_START = "2026-03-02T16:00:00Z"
# The last instant ISO 8601 (4-digit years) and X's timestamps can show: the clock stops here.
MAX_INSTANT = 253402300799.0  # 9999-12-31T23:59:59Z

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
            return self._now()

    def _now(self) -> float:
        return min(self._anchor_world + (time.monotonic() - self._anchor_wall) * self.speed, MAX_INSTANT)

    def advance(self, seconds: float) -> float:
        """Move forward by `seconds`; the clock never goes back nor past MAX_INSTANT."""
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError("the world clock only moves forward by a finite number of seconds")
        with self._lock:
            now = self._now()
            if now + seconds > MAX_INSTANT:
                raise ValueError(f"{seconds:g} s would move the world clock past {iso(MAX_INSTANT)}")
            self._anchor_wall = time.monotonic()
            self._anchor_world = now + seconds
            return self._anchor_world

    def reset(self) -> None:
        with self._lock:
            self._anchor_wall = time.monotonic()
            self._anchor_world = self.start
