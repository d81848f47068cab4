"""The emulator's ASGI application: the six /2/spaces paths and the /_emulator/ admin routes.

Every /2/ request goes through the same steps as on api.x.com: authentication, the rate
limit of its (endpoint, token) bucket, the usage cap, parameter validation, then the
endpoint itself. Before those, the fault injector may answer, hold or break it. Bodies
and the `Date` header use the world clock.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator import admin, legacy
from emulator.clock import WorldClock, http_date, parse_instant
from emulator.config import Settings
from emulator.endpoints import HANDLERS, BadToken, Call, Result
from emulator.faults import Broken, FaultInjector, server_error, too_many_requests
from emulator.limits import RateLimiter, Verdict
from emulator.paging import Paging
from emulator.params import InvalidParams, Operation, operations, validate
from emulator.render import PROBLEMS, TOPIC_DEFAULT
from emulator.stats import Stats
from emulator.world import World

__all__ = ["Emulator", "Stats"]

JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
_BEARER = re.compile(r"^Bearer\s+(\S+)$")
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
DATA_KINDS = {"/2/spaces/{id}/buyers": "user", "/2/spaces/{id}/tweets": "post"}


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
        self.faults = FaultInjector(s.faults, s.seed if s.fault_seed is None else s.fault_seed)
        self.app_requests = 0  # toward the usage cap
        self.app = Starlette(routes=self._routes())

    def _routes(self) -> list[Route]:
        # Every method reaches the handlers, so that a POST gets a problem body (405, or 404
        # for an unknown path), not Starlette's plain-text 405.
        routes = [Route(path, self._endpoint(path), methods=ALL_METHODS)
                  for path in ("/2/spaces/search", "/2/spaces/by/creator_ids", "/2/spaces",
                               "/2/spaces/{id}/buyers", "/2/spaces/{id}/tweets", "/2/spaces/{id}")]
        return routes + admin.routes(self) + [Route("/2/{rest:path}", self._unknown, methods=ALL_METHODS)]

    def reset(self) -> None:
        """Back to the start: world clock, rate limits, usage counter, stats and the fault
        draws (so a reset run meets the same failures again)."""
        self.clock.reset()
        self.limiter.reset()
        self.stats.reset()
        self.faults.reseed()
        self.app_requests = 0

    # ------------------------------------------------------------------ responses
    def _response(self, status: int, body: dict, verdict: Verdict | None, t: float,
                  media_type: str = JSON, data_kind: str = "space",
                  topic_fields: frozenset[str] = frozenset()) -> Response:
        headers = {"date": http_date(t)}
        if verdict is not None:
            headers.update(verdict.headers())
        if self.settings.legacy_names:
            wanted = TOPIC_DEFAULT | topic_fields

            def topic(topic_id: str) -> dict:  # as includes.topics would render it
                k = self.world.topic_ids.index(topic_id)
                assert k is not None, topic_id
                return {name: v for name, v in self.world.topic(k).items() if name in wanted}

            body = legacy.translate(body, data_kind, topic)
        return Response(orjson.dumps(body), status_code=status, headers=headers, media_type=media_type)

    async def _unknown(self, request: Request) -> Response:
        t = self.clock.now()
        body = {"title": "Not Found Error", "detail": f"No such endpoint: {request.url.path}",
                "type": "about:blank", "status": 404}
        self.stats.record(f"{request.method} {request.url.path}", 404)
        return self._response(404, body, None, t, PROBLEM_JSON)

    def _not_allowed(self, request: Request, label: str) -> Response:
        """The six paths take GET only; like the API's other errors, a problem body."""
        body = {"title": "Method Not Allowed", "type": "about:blank", "status": 405,
                "detail": f"{request.method} is not allowed on {request.url.path}: use GET"}
        self.stats.record(label, 405)
        response = self._response(405, body, None, self.clock.now(), PROBLEM_JSON)
        response.headers["allow"] = "GET, HEAD"
        return response

    def _endpoint(self, template: str) -> Callable[[Request], Awaitable[Response]]:
        op = operations()[template]
        handler = HANDLERS[template]
        label = "GET " + template

        async def endpoint(request: Request) -> Response:
            if request.method not in ("GET", "HEAD"):
                return self._not_allowed(request, f"{request.method} {template}")
            self.stats.enter()
            try:
                return await self._faulted(request, op, handler, label)
            finally:
                self.stats.leave()

        return endpoint

    async def _faulted(self, request: Request, op: Operation, handler: Callable[[Call], Result],
                       label: str) -> Response:
        """The request through the fault injector: drawn on arrival (so the order of
        arrival replays), then held for the latency, then answered by a fault or served."""
        kind, extra, settings = self.faults.draw()
        if kind is not None:
            self.stats.injected(kind)
        await self.faults.holds.sleep(settings["latency_ms"] / 1000.0)
        if kind in ("429", "5xx"):
            bucket = self.limiter.peek(op.path, _token(request))
            date = http_date(self.clock.now())
            if kind == "429":
                response = too_many_requests(bucket, time.time(), date)
            else:
                response = server_error((500, 502, 503)[int(extra * 3)], bucket, date,
                                        self.settings.legacy_names)
            self.stats.record(label, response.status_code, kind)
            return response
        if kind == "slow":
            await self.faults.holds.sleep(settings["slow_seconds"])
        started = time.perf_counter()
        response = self._serve(request, op, handler)
        spent = time.perf_counter() - started
        self.stats.serve_seconds += spent
        self.stats.serve_by_endpoint[label] += spent
        self.stats.record(label, response.status_code, kind)
        if kind in ("close", "truncate"):
            return Broken(response, cut=kind == "truncate", fraction=extra)
        return response

    def _serve(self, request: Request, op: Operation, handler: Callable[[Call], Result]) -> Response:
        t = self.clock.now()
        token = _token(request)
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
        topic_fields = frozenset(params.get("topic.fields") or ())
        return self._response(status, body, verdict, t, media_type, kind, topic_fields)


def _token(request: Request) -> str:
    match = _BEARER.match(request.headers.get("authorization", ""))
    return match.group(1) if match else ""


def _invalid(errors: list[dict]) -> dict:
    return {
        "errors": errors,
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": PROBLEMS + "invalid-request",
        "status": 400,
    }
