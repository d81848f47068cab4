"""Admin routes under /_emulator/ (never under /2/): the clock, tokens, stats, the world
as JSON lines, reset and run-time configuration."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from emulator.clock import iso, parse_instant
from emulator.config import ConfigError, number

if TYPE_CHECKING:
    from emulator.app import Emulator

# POST /_emulator/config names -> Faults fields
CONFIG_NAMES = {
    "fault_429": "p429", "fault_5xx": "p5xx", "fault_close": "close", "fault_slow": "slow",
    "fault_truncate": "truncate", "latency_ms": "latency_ms", "slow_seconds": "slow_seconds",
}
FIELD_KEYS = {attr: name for name, attr in CONFIG_NAMES.items()}


# ASCII digits only: float() would also take "1_000", " 5", "infinity" and "٥"
_SECONDS = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _error(status: int, detail: str, **extra: object) -> JSONResponse:
    """A problem body, like the API's own errors."""
    title = {400: "Invalid Request", 404: "Not Found"}.get(status, "Error")
    body = {"title": title, "detail": detail, "type": "about:blank", "status": status, **extra}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _config_values(values: object) -> tuple[dict[str, object], tuple[int | None] | None]:
    """The Faults changes and the usage cap (None: unchanged) a config body asks for,
    every value checked; raises ConfigError naming the first bad key."""
    if not isinstance(values, dict):
        raise ConfigError("body", "send a JSON object")
    unknown = sorted(set(values) - set(CONFIG_NAMES) - {"usage_cap"})
    if unknown:
        raise ConfigError(unknown[0], f"unknown setting; known: {sorted(CONFIG_NAMES) + ['usage_cap']}")
    cap: tuple[int | None] | None = None
    if "usage_cap" in values:
        raw = values["usage_cap"]
        if raw is not None:
            value = number("usage_cap", raw)
            if isinstance(raw, float) or value < 0:
                raise ConfigError("usage_cap", f"must be null or a whole number >= 0, not {raw!r}")
            raw = int(raw)
        cap = (raw,)
    return {CONFIG_NAMES[k]: v for k, v in values.items() if k in CONFIG_NAMES}, cap


def routes(emu: Emulator) -> list[Route]:
    world = emu.world

    def clock_state() -> dict:
        now = emu.clock.now()
        return {"now": iso(now), "epoch": now, "speed": emu.clock.speed, "start": iso(emu.clock.start)}

    async def clock(request: Request) -> Response:
        return JSONResponse(clock_state())

    async def advance(request: Request) -> Response:
        raw = request.query_params.get("seconds", "")
        if not _SECONDS.fullmatch(raw):  # also refuses nan, inf and negative numbers
            return _error(400, f"give ?seconds=N, N a number >= 0 in ASCII digits, not {raw!r}",
                          parameter="seconds")
        try:
            emu.clock.advance(float(raw))  # refuses a move past the year 9999
        except (ValueError, OverflowError) as exc:
            return _error(400, str(exc), parameter="seconds")
        return JSONResponse(clock_state())

    async def token(request: Request) -> Response:
        value = world.user_token(request.path_params["user_id"])
        if value is None:
            return _error(404, "no such user")
        return JSONResponse({"access_token": value, "token_type": "bearer"})

    async def stats(request: Request) -> Response:
        return JSONResponse(emu.stats.as_dict())

    async def reset(request: Request) -> Response:
        emu.reset()
        return JSONResponse(clock_state())

    async def config(request: Request) -> Response:
        if request.method == "POST":
            # Check everything, then apply: a refused body changes nothing.
            try:
                values = orjson.loads(await request.body() or b"{}")
            except orjson.JSONDecodeError as exc:
                return _error(400, f"the body is not JSON: {exc}", key="body")
            try:
                faults, cap = _config_values(values)
                emu.faults.settings.update(faults, names=FIELD_KEYS)  # checks before applying
            except ConfigError as exc:
                return _error(400, str(exc), key=exc.key)
            if cap is not None:
                emu.settings.usage_cap = cap[0]
        settings = emu.faults.settings.snapshot()
        current: dict[str, object] = {name: settings[attr] for name, attr in CONFIG_NAMES.items()}
        current["usage_cap"] = emu.settings.usage_cap
        return JSONResponse(current)

    async def world_dump(request: Request) -> Response:
        kind = request.path_params["kind"]
        try:
            at = request.query_params.get("at")
            t = emu.clock.now() if at is None else parse_instant(at)
        except ValueError:
            return _error(400, "at= takes an ISO 8601 instant")
        if kind == "spaces":
            lines: Iterator[dict] = iter(world.spaces(t))
        elif kind == "users":
            ids = request.query_params.get("ids")
            lines = (world.user(x) for x in ids.split(",")) if ids else world.users()
            lines = (u for u in lines if u is not None)
        elif kind == "buyers":
            lines = ({"space_id": s["id"], "position": n, "user": u}
                     for s in world.spaces(t) if s["is_ticketed"]
                     for n, u in enumerate(world.buyers(s["id"], t)))
        elif kind == "posts":
            lines = ({"space_id": s["id"], "post": p}
                     for s in world.spaces(t) for p in world.posts(s["id"], t))
        else:
            return _error(404, "world/{spaces,users,buyers,posts}")
        return StreamingResponse(_batched(lines), media_type="application/x-ndjson")

    return [
        Route("/_emulator/clock", clock, methods=["GET"]),
        Route("/_emulator/clock/advance", advance, methods=["POST"]),
        Route("/_emulator/users/{user_id}/token", token, methods=["GET"]),
        Route("/_emulator/stats", stats, methods=["GET"]),
        Route("/_emulator/reset", reset, methods=["POST"]),
        Route("/_emulator/config", config, methods=["GET", "POST"]),
        Route("/_emulator/world/{kind}", world_dump, methods=["GET"]),
    ]


def _batched(lines: Iterator[dict], size: int = 500) -> Iterator[bytes]:
    """JSON lines in chunks: one chunk per line makes a large dump crawl."""
    chunk: list[bytes] = []
    for line in lines:
        chunk.append(orjson.dumps(line))
        if len(chunk) >= size:
            yield b"\n".join(chunk) + b"\n"
            chunk = []
    if chunk:
        yield b"\n".join(chunk) + b"\n"
