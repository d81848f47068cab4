"""Injected failures and latency for /2/ requests, as ASGI middleware.

Each request draws one number from a seeded generator; the fault probabilities split
[0, 1) into consecutive intervals (429, 5xx, close, slow, truncate), so each kind happens
at its own configured rate and a run with the same seed and request order replays.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import orjson

from emulator.config import Faults

if TYPE_CHECKING:
    from emulator.app import Stats

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class InjectedClose(Exception):
    """Raised after part of a body was sent, so the server drops the connection."""


class _QuietInjectedClose(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], InjectedClose))


logging.getLogger("uvicorn.error").addFilter(_QuietInjectedClose())


class FaultInjector:
    def __init__(self, settings: Faults, seed: int, stats: Stats) -> None:
        self.settings = settings
        self.stats = stats
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def draw(self) -> tuple[str | None, float]:
        s = self.settings
        with self._lock:
            roll, extra = self._rng.random(), self._rng.random()
        edge = 0.0
        for kind, p in (("429", s.p429), ("5xx", s.p5xx), ("close", s.close),
                        ("slow", s.slow), ("truncate", s.truncate)):
            edge += p
            if roll < edge:
                return kind, extra
        return None, extra

    def wrap(self, app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or not scope["path"].startswith("/2/"):
                await app(scope, receive, send)
                return
            if self.settings.latency_ms > 0:
                await asyncio.sleep(self.settings.latency_ms / 1000.0)
            kind, extra = self.draw()
            if kind is None:
                await app(scope, receive, send)
                return
            self.stats.faults[kind] += 1
            if kind == "429":
                await _reply(send, 429, {"title": "Too Many Requests", "detail": "Too Many Requests",
                                         "type": "about:blank", "status": 429},
                             {"x-rate-limit-limit": "300", "x-rate-limit-remaining": "120",
                              "x-rate-limit-reset": str(int(time.time()) + 1 + int(extra * 2) % 2)})
            elif kind == "5xx":
                await _server_error(send, (500, 502, 503)[int(extra * 3)])
            elif kind == "slow":
                await asyncio.sleep(self.settings.slow_seconds)
                await app(scope, receive, send)
            else:
                await _mangled(app, scope, receive, send, cut=kind == "truncate", fraction=extra)

        return middleware


async def _reply(send: Send, status: int, body: Any, headers: dict[str, str] | None = None,
                 content_type: str = "application/problem+json") -> None:
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    head = [(b"content-type", content_type.encode()), (b"content-length", str(len(raw)).encode())]
    head += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": raw})


async def _server_error(send: Send, status: int) -> None:
    if status == 500:
        await _reply(send, 500, {"title": "Internal Error", "detail": "Something went wrong. Try again later.",
                                 "type": "https://api.x.com/2/problems/internal-error", "status": 500})
    elif status == 502:
        await _reply(send, 502, b"<html><body><h1>502 Bad Gateway</h1></body></html>",
                     content_type="text/html")
    else:
        await _reply(send, 503, {"errors": [{"code": 130, "message": "Over capacity"}]},
                     content_type="application/json")


async def _mangled(app: ASGIApp, scope: Scope, receive: Receive, send: Send,
                   cut: bool, fraction: float) -> None:
    """Serve the real response, then break it: `cut` sends a shorter body with a matching
    Content-Length (valid HTTP, broken JSON); otherwise the connection drops mid-body."""
    start: Message = {}
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, capture)
    body = b"".join(chunks)
    keep = max(1, int(len(body) * (0.1 + 0.8 * fraction))) if len(body) > 1 else 0
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
    if cut:
        headers.append((b"content-length", str(keep).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body[:keep]})
        return
    headers.append((b"content-length", str(len(body)).encode()))
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": body[:keep], "more_body": True})
    raise InjectedClose()
