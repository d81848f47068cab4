"""Sending one request: timeouts, rate limits, retries and error mapping.

The retry policy, in one place:
- retried, with exponential backoff and jitter (stamina), at most `retries` more
  attempts within `retry_timeout` seconds: connection errors, timeouts, connections
  closed mid-response, bodies that cannot be decoded (a corrupt gzip) or are not valid
  JSON, and 5xx answers; out of attempts, a NetworkError or ServerError with no httpx
  exception behind it (that exception holds the request, and the request the token);
- a 429 whose `x-rate-limit-remaining` is 0: the bucket waits for `x-rate-limit-reset`
  (on the local clock, at most `max_wait`), then the call is made again;
- a 429 with `remaining` above 0 (a per-second limit), or with no `x-rate-limit-reset` to
  wait for: a short pause, then again;
- never retried: a 429 `usage-capped` (UsageCapError at once) and every other 4xx.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import httpx
import stamina

from sources.x_spaces import _errors as errors
from sources.x_spaces._names import problem_name
from sources.x_spaces._ratelimit import RateLimits, token_key

log = logging.getLogger("sources.x_spaces.client")

MAX_429_RETRIES = 8


@dataclass
class EndpointStats:
    requests: int = 0
    objects: int = 0
    included: int = 0
    waits: int = 0
    wait_seconds: float = 0.0
    retries: int = 0
    errors: int = 0


class Counters:
    """Requests, returned objects and waits per endpoint, for quota reporting."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_endpoint: dict[str, EndpointStats] = defaultdict(EndpointStats)

    def add(self, endpoint: str, **amounts: float) -> None:
        with self._lock:
            stats = self._by_endpoint[endpoint]
            for name, amount in amounts.items():
                setattr(stats, name, getattr(stats, name) + amount)

    def snapshot(self) -> dict[str, EndpointStats]:
        with self._lock:
            return {k: EndpointStats(**vars(v)) for k, v in self._by_endpoint.items()}

    @property
    def requests(self) -> int:
        with self._lock:
            return sum(s.requests for s in self._by_endpoint.values())


class _Transient(Exception):
    """Internal: a failure worth another attempt."""

    def __init__(self, error: errors.XSpacesError) -> None:
        super().__init__(str(error))
        self.error = error


class Transport:
    """The shared part of every Client made with `for_user`: pool, rate state, counters."""

    def __init__(self, base_url: str, *, timeout: float, retries: int, retry_timeout: float,
                 max_wait: float, short_pause: float, user_agent: str,
                 http_transport: httpx.BaseTransport | None, max_connections: int) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            limits=httpx.Limits(max_connections=max_connections,
                                max_keepalive_connections=max_connections),
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            transport=http_transport,
        )
        self.retries = retries
        self.retry_timeout = retry_timeout
        self.short_pause = short_pause
        self.counters = Counters()
        self.rates = RateLimits(max_wait, self._count_wait)

    def _count_wait(self, endpoint: str, seconds: float) -> None:
        self.counters.add(endpoint, waits=1, wait_seconds=seconds)

    def close(self) -> None:
        self.http.close()

    def get(self, endpoint: str, path: str, params: dict[str, str], token: str) -> tuple[dict, httpx.Headers]:
        """GET `path`; `endpoint` is its template (/2/spaces/{id}), the rate bucket's name."""
        attempt_no = 0
        failure: errors.XSpacesError | None = None
        try:
            for attempt in stamina.retry_context(
                on=_Transient, attempts=self.retries + 1, timeout=self.retry_timeout,
                wait_initial=0.5, wait_max=10.0, wait_jitter=1.0,
            ):
                with attempt:
                    attempt_no += 1
                    if attempt_no > 1:
                        self.counters.add(endpoint, retries=1)
                    try:
                        return self._once(endpoint, path, params, token)
                    except _Transient as exc:
                        log.info("GET %s failed (%s); attempt %d of at most %d", endpoint,
                                 exc.error, attempt_no, self.retries + 1)
                        raise
        except _Transient as exc:  # out of attempts or time: the last failure, as it was
            failure = exc.error
        # Raised outside the `except`, so the error has no __context__: the chain behind it
        # (_Transient -> the httpx exception) holds the request, whose headers hold the token.
        if failure is None:  # pragma: no cover
            raise AssertionError("unreachable")
        raise failure

    def _once(self, endpoint: str, path: str, params: dict[str, str], token: str) -> tuple[dict, httpx.Headers]:
        key = token_key(token)
        url = self.base_url + path
        context = {"endpoint": endpoint, "url": url}
        for _ in range(MAX_429_RETRIES):
            self.rates.acquire(endpoint, key)
            headers = None
            try:
                request = self.http.build_request(
                    "GET", path, params=params, headers={"Authorization": f"Bearer {token}"})
                # Streamed, so a body that fails to read or decode still leaves its headers
                # (and their rate state) behind.
                response = self.http.send(request, stream=True)
                headers = response.headers
                try:
                    raw = response.read()
                finally:
                    response.close()
            except httpx.HTTPError as exc:  # transport errors, and bodies httpx cannot decode
                self.counters.add(endpoint, requests=1, errors=1)
                raise _Transient(_network_error(endpoint, exc, headers, token, context)) from None
            finally:
                self.rates.release(endpoint, key, dict(headers) if headers is not None else None)
            self.counters.add(endpoint, requests=1)
            status = response.status_code
            if status == 429:
                body = _json_or_none(raw)
                if problem_name(_get(body, "type")) == "usage-capped":
                    self.counters.add(endpoint, errors=1)
                    raise _api_error(errors.UsageCapError, endpoint, status, body, context,
                                     period=_get(body, "period"), scope=_get(body, "scope"))
                remaining = _int(headers.get("x-rate-limit-remaining"))
                reset = _float(headers.get("x-rate-limit-reset"))
                if (remaining is not None and remaining > 0) or reset is None:
                    # a per-second limit, or a 429 that does not say when the window opens
                    # (the bucket cannot wait for an unknown reset): a short pause, not a burst
                    reason = (f"{remaining} left in the window: a per-second limit" if reset is not None
                              else "no x-rate-limit-reset to wait for")
                    self.rates.wait_for(endpoint, self.short_pause, reason)
                else:
                    self.rates.exhaust(endpoint, key, reset)
                self.counters.add(endpoint, retries=1)  # the same call, sent again
                continue
            if status >= 500:
                self.counters.add(endpoint, errors=1)
                raise _Transient(_api_error(errors.ServerError, endpoint, status, _json_or_none(raw), context))
            if status >= 400:
                self.counters.add(endpoint, errors=1)
                raise _client_error(endpoint, status, _json_or_none(raw), context)
            try:
                body = json.loads(raw)
                if not isinstance(body, dict):
                    raise ValueError("not a JSON object")
            except ValueError:
                self.counters.add(endpoint, errors=1)
                raise _Transient(errors.NetworkError(
                    f"GET {endpoint}: the body of a {status} response is not valid JSON "
                    f"({len(raw)} bytes; cut short?)", **context)) from None
            return body, headers
        raise errors.RateLimitError(
            f"GET {endpoint}: still answered 429 after {MAX_429_RETRIES} waits", **context)


def _network_error(endpoint: str, exc: httpx.HTTPError, headers: httpx.Headers | None,
                   token: str, context: dict[str, str]) -> errors.NetworkError:
    """The error for a failed send or read, built from text only: the httpx exception holds
    the request, whose headers hold the token, so it is neither kept nor chained."""
    if isinstance(exc, httpx.DecodingError):
        encoding = (headers or {}).get("content-encoding", "none")
        text = (f"the body could not be decoded (content-encoding {encoding}; cut short or "
                f"corrupt?): DecodingError: {exc}")
    else:
        text = f"{type(exc).__name__}: {exc}"
    # An httpx or h11 message may quote a header value (an illegal one, say): never the token.
    text = text.replace(token, "<token>") if token else text
    return errors.NetworkError(f"GET {endpoint}: {text}", **context)


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _get(body: Any, key: str) -> Any:
    return body.get(key) if isinstance(body, dict) else None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _describe(body: Any) -> tuple[str, str, str]:
    """(title, detail, type) from a Problem body or the legacy {"errors": [{code, message}]}."""
    if isinstance(body, dict):
        title = str(body.get("title") or "")
        detail = str(body.get("detail") or "")
        kind = str(body.get("type") or "")
        legacy = body.get("errors")
        if not title and isinstance(legacy, list) and legacy and isinstance(legacy[0], dict):
            first = legacy[0]
            title = str(first.get("message") or "")
            if "code" in first:
                detail = f"code {first['code']}"
        if kind and problem_name(kind) == "invalid-request" and isinstance(legacy, list):
            messages = [str(e.get("message")) for e in legacy if isinstance(e, dict) and e.get("message")]
            if messages:
                detail = "; ".join(messages)
        return title, detail, kind
    return "", "", ""


def _api_error(cls: type[errors.APIError], endpoint: str, status: int, body: Any,
               context: dict[str, str], **extra: Any) -> errors.APIError:
    title, detail, kind = _describe(body)
    text = " — ".join(x for x in (title, detail) if x) or "no details in the response"
    return cls(f"GET {endpoint}: HTTP {status}: {text}", status_code=status, body=body,
               title=title, detail=detail, problem_type=kind, **context, **extra)


def _client_error(endpoint: str, status: int, body: Any, context: dict[str, str]) -> errors.APIError:
    if status == 400:
        parameters: dict[str, list[str]] = {}
        for entry in (_get(body, "errors") or []):
            if isinstance(entry, dict) and isinstance(entry.get("parameters"), dict):
                for name, values in entry["parameters"].items():
                    parameters.setdefault(name, []).extend(values)
        return _api_error(errors.InvalidRequestError, endpoint, status, body, context,
                          parameters=parameters)
    cls = {401: errors.AuthenticationError, 403: errors.ForbiddenError,
           404: errors.NotFoundError}.get(status, errors.APIError)
    return _api_error(cls, endpoint, status, body, context)

