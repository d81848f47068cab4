"""Injected failures and latency for the /2/ endpoints.

Each request draws two numbers from a seeded generator when it arrives. The first picks
the fault: the probabilities split [0, 1) into consecutive intervals (429, 5xx, close,
slow, truncate), so each kind happens at its own rate and a run with the same seed and
request order replays (a reset reseeds). The second picks the details: which 5xx, where
a body is cut, whether a connection drops right after the headers or mid-body.

The app answers an injected 429 or 5xx itself, with the world's `Date` and the caller's
real rate-limit bucket; close and truncate break the real response on its way out.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import threading
from typing import Any

import orjson
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from emulator import legacy
from emulator.config import FAULT_KINDS, PROBABILITIES, Faults
from emulator.limits import Verdict
from emulator.render import PROBLEMS

CLOSE_AFTER_HEADERS = 1 / 3  # share of closes that send the headers and no body byte


class InjectedClose(Exception):
    """Raised after the headers (and maybe part of a body), so the server drops the connection."""


class _QuietInjectedClose(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], InjectedClose))


logging.getLogger("uvicorn.error").addFilter(_QuietInjectedClose())


class Holds:
    """Sleeps of held responses (latency, slow faults) that end at once when the server
    shuts down, so a held response never delays the exit."""

    def __init__(self) -> None:
        self._released: asyncio.Event | None = None

    def arm(self) -> None:
        """A fresh event for the loop about to serve (an Event binds to one loop)."""
        self._released = None

    async def sleep(self, seconds: float) -> None:
        if self._released is None:
            self._released = asyncio.Event()
        if seconds <= 0 or self._released.is_set():
            return
        try:
            async with asyncio.timeout(seconds):
                await self._released.wait()
        except TimeoutError:
            pass

    def release(self) -> None:
        if self._released is None:
            self._released = asyncio.Event()
        self._released.set()


class FaultInjector:
    def __init__(self, settings: Faults, seed: int) -> None:
        self.settings = settings
        self.seed = seed
        self.holds = Holds()
        self._lock = threading.Lock()
        self._rng = random.Random(seed)

    def reseed(self) -> None:
        """Back to the first draw: after a reset the same requests meet the same faults."""
        with self._lock:
            self._rng = random.Random(self.seed)

    def draw(self) -> tuple[str | None, float, dict[str, float]]:
        """(fault kind or None, a number in [0, 1) for its details, the settings used)."""
        s = self.settings.snapshot()
        with self._lock:
            roll, extra = self._rng.random(), self._rng.random()
        edge = 0.0
        for kind, name in zip(FAULT_KINDS, PROBABILITIES):
            edge += s[name]
            if roll < edge:
                return kind, extra, s
        return None, extra, s


def _problem(status: int, body: Any, headers: dict[str, str],
             media_type: str = "application/problem+json") -> Response:
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    return Response(raw, status_code=status, headers=headers, media_type=media_type)


def too_many_requests(bucket: Verdict, wall: float, date: str) -> Response:
    """The transient kind of 429: the configured limit, the caller's real remaining count
    (kept above 0 and below the limit) and a reset at most 2 s ahead."""
    remaining = max(1, min(bucket.remaining, bucket.limit - 1))
    headers = {"date": date, "x-rate-limit-limit": str(bucket.limit),
               "x-rate-limit-remaining": str(remaining),
               "x-rate-limit-reset": str(math.floor(wall) + 2)}  # in (wall + 1, wall + 2]
    return _problem(429, {"title": "Too Many Requests", "detail": "Too Many Requests",
                          "type": "about:blank", "status": 429}, headers)


def server_error(status: int, bucket: Verdict, date: str, legacy_names: bool) -> Response:
    """A 500 problem (in the older generation's problem host under --legacy-names), a
    gateway's HTML 502, or the old-style 503 `Over capacity`."""
    headers = {"date": date, **bucket.headers()}
    if status == 500:
        body = {"title": "Internal Error", "detail": "Something went wrong. Try again later.",
                "type": PROBLEMS + "internal-error", "status": 500}
        return _problem(500, legacy.problem(body) if legacy_names else body, headers)
    if status == 502:
        return _problem(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", headers,
                        "text/html")
    return _problem(503, {"errors": [{"code": 130, "message": "Over capacity"}]}, headers,
                    "application/json")


class Broken(Response):
    """A real response, broken on its way out. `cut`: a shorter body with a matching
    Content-Length (valid HTTP, broken JSON). Otherwise the full Content-Length is
    announced and the connection drops: right after the headers for a third of the draws,
    else after 10-90% of the body."""

    def __init__(self, inner: Response, cut: bool, fraction: float) -> None:
        self.inner = inner
        self.cut = cut
        self.fraction = fraction
        self.status_code = inner.status_code
        self.background = None

    def keep(self, size: int) -> int:
        if self.cut:
            return max(1, int(size * (0.1 + 0.8 * self.fraction))) if size > 1 else 0
        if self.fraction < CLOSE_AFTER_HEADERS:
            return 0
        share = (self.fraction - CLOSE_AFTER_HEADERS) / (1 - CLOSE_AFTER_HEADERS)
        return max(1, int(size * (0.1 + 0.8 * share))) if size > 1 else 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = bytes(self.inner.body)
        keep = self.keep(len(body))
        headers = [(k, v) for k, v in self.inner.raw_headers if k.lower() != b"content-length"]
        headers.append((b"content-length", str(keep if self.cut else len(body)).encode()))
        await send({"type": "http.response.start", "status": self.status_code, "headers": headers})
        if self.cut:
            await send({"type": "http.response.body", "body": body[:keep]})
            return
        if keep:
            await send({"type": "http.response.body", "body": body[:keep], "more_body": True})
        raise InjectedClose()
