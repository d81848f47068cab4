"""The emulator's ASGI application: the six /2/spaces paths and the /_emulator/ admin routes.

Every /2/ request goes through the same steps as on api.x.com: authentication, the rate
limit of its (endpoint, token) bucket, the usage cap, parameter validation, then the
endpoint itself. Bodies and the `Date` header use the world clock.
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator import admin, legacy
from emulator.clock import WorldClock, http_date, parse_instant
from emulator.config import Settings
from emulator.endpoints import HANDLERS, BadToken, Call
from emulator.faults import FaultInjector
from emulator.limits import RateLimiter, Verdict
from emulator.paging import Paging
from emulator.params import InvalidParams, operations, validate
from emulator.render import PROBLEMS
from emulator.world import World

JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
_BEARER = re.compile(r"^Bearer\s+(\S+)$")
DATA_KINDS = {"/2/spaces/{id}/buyers": "user", "/2/spaces/{id}/tweets": "post"}


class Stats:
    """Requests per endpoint and status, faults injected, and time spent serving."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.since = time.time()
        self.requests: dict[str, Counter[str]] = defaultdict(Counter)
        self.faults: Counter[str] = Counter()
        self.serve_seconds = 0.0
        self.serve_by_endpoint: Counter[str] = Counter()

    def as_dict(self) -> dict[str, Any]:
        total = sum(sum(c.values()) for c in self.requests.values())
        return {
            "since": self.since,
            "total": total,
            "requests": {k: dict(sorted(v.items())) for k, v in sorted(self.requests.items())},
            "faults": dict(sorted(self.faults.items())),
            "serve_seconds": round(self.serve_seconds, 6),
            "serve_seconds_by_endpoint": {k: round(v, 6) for k, v in sorted(self.serve_by_endpoint.items())},
        }


class Emulator:
    """One emulated API: a world, its clock, rate limits, stats and fault settings."""

    def __init__(self, settings: Settings | None = None, world: World | None = None) -> None:
        self.settings = settings or Settings()
        s = self.settings
        self.world = world or World(
            seed=s.seed, spaces=s.spaces, users=s.users, start=s.start,
            ended_retention=s.ended_retention, app_token=s.bearer_token,
        )
        self.clock = WorldClock(parse_instant(s.start), s.clock_speed)
        self.limiter = RateLimiter(s.rate_limit, s.rate_window)
        self.paging = Paging(s.seed)
        self.stats = Stats()
        self.faults = FaultInjector(s.faults, s.seed if s.fault_seed is None else s.fault_seed,
                                    self.stats)
        self.app_requests = 0  # toward the usage cap
        self.app = Starlette(routes=self._routes())
        self.asgi = self.faults.wrap(self.app)

    def _routes(self) -> list[Route]:
        routes = [Route(path, self._endpoint(path), methods=["GET"])
                  for path in ("/2/spaces/search", "/2/spaces/by/creator_ids", "/2/spaces",
                               "/2/spaces/{id}/buyers", "/2/spaces/{id}/tweets", "/2/spaces/{id}")]
        return routes + admin.routes(self) + [Route("/2/{rest:path}", self._unknown)]

    def reset(self) -> None:
        """Back to the start: world clock, rate limits, usage counter and stats."""
        self.clock.reset()
        self.limiter.reset()
        self.stats.reset()
        self.app_requests = 0

    # ------------------------------------------------------------------ responses
    def _response(self, status: int, body: dict, verdict: Verdict | None, t: float,
                  media_type: str = JSON, data_kind: str = "space") -> Response:
        headers = {"date": http_date(t)}
        if verdict is not None:
            headers.update(verdict.headers())
        if self.settings.legacy_names:
            body = legacy.translate(body, data_kind)
        return Response(orjson.dumps(body), status_code=status, headers=headers, media_type=media_type)

    async def _unknown(self, request: Request) -> Response:
        t = self.clock.now()
        body = {"title": "Not Found Error", "detail": f"No such endpoint: {request.url.path}",
                "type": "about:blank", "status": 404}
        self.stats.requests["GET " + request.url.path][str(404)] += 1
        return self._response(404, body, None, t, PROBLEM_JSON)

    def _endpoint(self, template: str):
        op = operations()[template]
        handler = HANDLERS[template]
        label = "GET " + template

        async def endpoint(request: Request) -> Response:
            started = time.perf_counter()
            response = self._serve(request, op, handler)
            self.stats.requests[label][str(response.status_code)] += 1
            spent = time.perf_counter() - started
            self.stats.serve_seconds += spent
            self.stats.serve_by_endpoint[label] += spent
            return response

        return endpoint

    def _serve(self, request: Request, op, handler) -> Response:
        t = self.clock.now()
        match = _BEARER.match(request.headers.get("authorization", ""))
        token = match.group(1) if match else ""
        caller: int | None = None
        if token == self.world.app_token:
            kind = "app"
        else:
            caller = self.world.tokens.user_index(token) if token else None
            kind = "user" if caller is not None and caller < self.world.n_users else ""
        if not kind:
            body = {"title": "Unauthorized", "type": "about:blank", "status": 401,
                    "detail": "Unauthorized"}
            return self._response(401, body, None, t, PROBLEM_JSON)

        verdict = self.limiter.hit(op.path, token)
        if not verdict.allowed:
            body = {"title": "Too Many Requests", "detail": "Too Many Requests",
                    "type": "about:blank", "status": 429}
            return self._response(429, body, verdict, t, PROBLEM_JSON)

        cap = self.settings.usage_cap
        if cap is not None:
            self.app_requests += 1
            if self.app_requests > cap:
                body = {"title": "UsageCapExceeded", "detail": "Usage cap exceeded: Monthly product cap",
                        "type": PROBLEMS + "usage-capped", "period": "Monthly", "scope": "Product",
                        "status": 429}
                return self._response(429, body, verdict, t, PROBLEM_JSON)

        if kind == "app" and "BearerToken" not in op.security:
            body = {"title": "Unsupported Authentication",
                    "detail": "Authenticating with OAuth 2.0 Application-Only is forbidden for this "
                              "endpoint.  Supported authentication types are [OAuth 2.0 User Context].",
                    "type": PROBLEMS + "unsupported-authentication", "status": 403}
            return self._response(403, body, verdict, t, PROBLEM_JSON)

        query: dict[str, str] = {}
        duplicates = []
        for name, value in request.query_params.multi_items():
            if name in query:
                duplicates.append({"parameters": {name: [value]},
                                   "message": f"Duplicate parameter [{name}]: send one value list, "
                                              "comma-separated"})
            query[name] = value
        try:
            if duplicates:
                raise InvalidParams(duplicates)
            params = validate(op, query, dict(request.path_params))
            call = Call(self.world, self.paging, t, caller, params, dict(request.path_params))
            status, body = handler(call)
        except InvalidParams as exc:
            return self._response(400, _invalid(exc.errors), verdict, t, PROBLEM_JSON)
        except BadToken as exc:
            error = {"parameters": {"pagination_token": [str(exc)]},
                     "message": f"The `pagination_token` query parameter value [{exc}] is not valid"}
            return self._response(400, _invalid([error]), verdict, t, PROBLEM_JSON)
        media_type = JSON if status == 200 else PROBLEM_JSON
        kind = DATA_KINDS.get(op.path, "space")
        return self._response(status, body, verdict, t, media_type, kind)


def _invalid(errors: list[dict]) -> dict:
    return {
        "errors": errors,
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": PROBLEMS + "invalid-request",
        "status": 400,
    }
