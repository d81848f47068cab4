"""Rate-limit state per (endpoint template, token), learnt from `x-rate-limit-*` headers.

Window limits are never hard-coded: a bucket knows its limit only after the server told
it. Before a call, a bucket whose window is spent (remaining minus calls in flight reaches
0) waits for the window to reset instead of spending a 429. Waits use the local wall clock
against the header's epoch reset, never the `Date` header.

Every wait is counted (`on_wait`) and logged once, naming the endpoint template and when
it ends: a window wait at INFO with the UTC time the window opens (once per window, however
many threads wait for it), a server-asked pause at INFO, the by/creator_ids pacing at DEBUG
(it happens on nearly every call there, so INFO would be noise).

The one limit no header announces, `by/creator_ids`' documented 1 request per second (per
token), is paced: calls to that bucket go one at a time, each at least MIN_INTERVAL after
the previous one was answered (so after the server saw it), instead of spending a 429.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sources.x_spaces._errors import RateLimitError

log = logging.getLogger("sources.x_spaces.client")

RESET_MARGIN = 1.0  # seconds past the announced reset before calling again
MIN_INTERVAL = {"/2/spaces/by/creator_ids": 1.0}  # seconds between calls of one token


def utc(epoch: float) -> str:
    """An epoch time as the UTC timestamp logs and messages show."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def token_key(token: str) -> str:
    """A stable, non-reversible key for a token: state and logs never hold the token."""
    return hashlib.sha256(token.encode()).hexdigest()[:12]


@dataclass
class Bucket:
    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None  # epoch seconds
    in_flight: int = 0
    logged_reset: float | None = None
    last_done: float | None = None  # local clock when the last call was answered


class RateLimits:
    def __init__(self, max_wait: float, on_wait: Callable[[str, float], None],
                 clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.max_wait = max_wait
        self._on_wait = on_wait
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Condition()
        self._buckets: dict[tuple[str, str], Bucket] = {}

    def _bucket(self, endpoint: str, key: str) -> Bucket:
        return self._buckets.setdefault((endpoint, key), Bucket())

    def acquire(self, endpoint: str, key: str) -> None:
        """Block until the bucket has room for one more call, or raise RateLimitError."""
        with self._lock:
            while True:
                bucket = self._bucket(endpoint, key)
                now = self._clock()
                if bucket.reset is not None and now >= bucket.reset + RESET_MARGIN:
                    bucket.remaining, bucket.reset = bucket.limit, None  # a new window
                # Calls in flight count against the window, a new one included (its limit
                # is known from the last): else, after a reset, every waiting thread would
                # go at once and spend 429s.
                spent = bucket.remaining is not None and bucket.remaining - bucket.in_flight <= 0
                if not spent or (bucket.reset is None and bucket.in_flight == 0):
                    interval = MIN_INTERVAL.get(endpoint)
                    if interval is not None and bucket.in_flight > 0:
                        self._lock.wait(timeout=1.0)  # paced: one call at a time
                        continue
                    if interval is not None and bucket.last_done is not None \
                            and now < bucket.last_done + interval:
                        self._pause(endpoint, bucket.last_done + interval - now)
                        continue
                    bucket.in_flight += 1
                    return
                if bucket.in_flight > 0:
                    self._lock.wait(timeout=1.0)  # a call in flight may bring fresh headers
                    continue
                assert bucket.reset is not None
                wait = bucket.reset + RESET_MARGIN - now
                self._wait(endpoint, bucket, wait)

    def _pause(self, endpoint: str, seconds: float) -> None:
        """Sleep for a paced bucket (lock released meanwhile); called with the lock."""
        log.debug("GET %s is paced at one call per %.0f s: waiting %.2f s, until %s",
                  endpoint, MIN_INTERVAL[endpoint], seconds, utc(self._clock() + seconds))
        self._on_wait(endpoint, seconds)
        self._lock.release()
        try:
            self._sleep(seconds)
        finally:
            self._lock.acquire()

    def _wait(self, endpoint: str, bucket: Bucket, wait: float) -> None:
        """Sleep until the window opens (lock released meanwhile); called with the lock."""
        assert bucket.reset is not None
        opens = utc(bucket.reset)
        if wait > self.max_wait:
            raise RateLimitError(
                f"GET {endpoint}: rate limit exhausted; the window opens at {opens} "
                f"(in {wait:.0f} s), past the maximum wait of {self.max_wait:.0f} s",
                reset_at=bucket.reset, endpoint=endpoint,
            )
        if bucket.logged_reset != bucket.reset:
            bucket.logged_reset = bucket.reset
            log.info("rate limit of GET %s reached: waiting %.0f s, until the window opens at %s",
                     endpoint, wait, opens)
        self._on_wait(endpoint, wait)
        self._lock.release()
        try:
            self._sleep(max(wait, 0.0))
        finally:
            self._lock.acquire()

    def release(self, endpoint: str, key: str, headers: dict[str, str] | None) -> None:
        """One call finished; learn from its headers (when it got any)."""
        with self._lock:
            bucket = self._bucket(endpoint, key)
            bucket.in_flight = max(0, bucket.in_flight - 1)
            bucket.last_done = self._clock()
            if headers:
                try:
                    limit = int(headers["x-rate-limit-limit"])
                    remaining = int(headers["x-rate-limit-remaining"])
                    reset = float(headers["x-rate-limit-reset"])
                except (KeyError, ValueError):
                    pass
                else:
                    # Responses of concurrent calls arrive in any order: within one window
                    # the smallest `remaining` is the truth; an older window is ignored.
                    if bucket.reset is None or reset > bucket.reset:
                        bucket.limit, bucket.remaining, bucket.reset = limit, remaining, reset
                    elif reset == bucket.reset:
                        known = bucket.remaining if bucket.remaining is not None else remaining
                        bucket.limit, bucket.remaining = limit, min(known, remaining)
            self._lock.notify_all()

    def exhaust(self, endpoint: str, key: str, reset: float | None) -> None:
        """A 429 said the window is spent until `reset`."""
        with self._lock:
            bucket = self._bucket(endpoint, key)
            bucket.remaining = 0
            if reset is not None:
                bucket.reset = reset

    def wait_for(self, endpoint: str, seconds: float, reason: str) -> None:
        """A short pause asked by the server (a per-second limit): counted like any wait."""
        log.info("GET %s answered 429 (%s): pausing %.1f s, until %s", endpoint, reason, seconds,
                 utc(self._clock() + seconds))
        self._on_wait(endpoint, seconds)
        self._sleep(seconds)

    def snapshot(self) -> dict[str, dict[str, int | float | None]]:
        """Known buckets, keyed "endpoint token-key", for reporting."""
        with self._lock:
            return {f"{e} {k}": {"limit": b.limit, "remaining": b.remaining, "reset": b.reset}
                    for (e, k), b in self._buckets.items()}
