"""Rate limits per (endpoint template, token) on the wall clock, as X counts them.

Each bucket is a fixed window that opens at its first request; `x-rate-limit-reset` is
the window's end in epoch seconds. `by/creator_ids` also takes one request per second
per token: a request inside that second gets a 429 while `remaining` is still above 0.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass


@dataclass
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # epoch seconds, wall clock

    def headers(self) -> dict[str, str]:
        return {
            "x-rate-limit-limit": str(self.limit),
            "x-rate-limit-remaining": str(self.remaining),
            "x-rate-limit-reset": str(self.reset),
        }


class RateLimiter:
    def __init__(self, limit: int = 300, window: float = 900.0,
                 per_second: frozenset[str] = frozenset({"/2/spaces/by/creator_ids"})) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("rate limit and window must be positive")
        self.limit = limit
        self.window = window
        self.per_second = per_second
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], list[float]] = {}  # key -> [window_start, used]
        self._last: dict[tuple[str, str], float] = {}

    def hit(self, endpoint: str, token: str, now: float | None = None) -> Verdict:
        now = time.time() if now is None else now
        key = (endpoint, token)
        with self._lock:
            bucket = self._open(key, now)
            if bucket is None:
                bucket = self._buckets[key] = [now, 0]
            reset = math.ceil(bucket[0] + self.window)
            if bucket[1] >= self.limit:
                return Verdict(False, self.limit, 0, reset)
            if endpoint in self.per_second:
                last = self._last.get(key)
                if last is not None and now - last < 1.0:
                    return Verdict(False, self.limit, self.limit - int(bucket[1]), reset)
                self._last[key] = now
            bucket[1] += 1
            return Verdict(True, self.limit, self.limit - int(bucket[1]), reset)

    def peek(self, endpoint: str, token: str, now: float | None = None) -> Verdict:
        """The bucket's state without spending a request (for injected faults, which
        never reach the endpoint); a bucket not opened yet shows a whole window."""
        now = time.time() if now is None else now
        with self._lock:
            bucket = self._open((endpoint, token), now)
            if bucket is None:
                return Verdict(True, self.limit, self.limit, math.ceil(now + self.window))
            used = int(bucket[1])
            return Verdict(used < self.limit, self.limit, self.limit - used,
                           math.ceil(bucket[0] + self.window))

    def _open(self, key: tuple[str, str], now: float) -> list[float] | None:
        """The bucket of `key` if its window is still open at `now`; called with the lock."""
        bucket = self._buckets.get(key)
        return bucket if bucket is not None and now < bucket[0] + self.window else None

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
            self._last.clear()
