"""An httpx client for X API v2 Spaces with the official SDK's interface, built for
unattended loads (timeouts, rate limits, retries, partial errors). Imports nothing from dlt.

    from sources.x_spaces.client import Client

    client = Client(base_url="https://api.x.com", bearer_token="...")
    response = client.spaces.search(query="tech talks", state="live",
                                    space_fields=["title", "participant_count"])
    for space in response.data:
        print(space.title, space.participant_count)

    creator = client.for_user(creator_access_token)   # same pool and rate state
    for page in creator.spaces.get_buyers(space_id):
        ...
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

import httpx

from sources.x_spaces._errors import (
    APIError,
    AuthenticationError,
    ForbiddenError,
    InvalidRequestError,
    NetworkError,
    NotFoundError,
    RateLimitError,
    ServerError,
    UsageCapError,
    XSpacesError,
)
from sources.x_spaces._http import EndpointStats, Transport
from sources.x_spaces._models import Includes, Item, Response
from sources.x_spaces._names import problem_name
from sources.x_spaces._spaces import SpacesClient

__all__ = [
    "APIError", "AuthenticationError", "Client", "EndpointStats", "ForbiddenError", "Includes",
    "InvalidRequestError", "Item", "NetworkError", "NotFoundError", "RateLimitError", "Response",
    "ServerError", "SpacesClient", "UsageCapError", "XSpacesError", "problem_name",
]

try:
    __version__ = version("x-spaces")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0"

USER_AGENT = f"x-spaces/{__version__} (+dlt source for X API v2 Spaces) httpx/{httpx.__version__}"


class Client:
    """The X API v2 client: `client.spaces` has the Spaces methods.

    Reads use the app `bearer_token` when there is one, else the OAuth2 user
    `access_token`; ticket buyers always need the creator's user token. One Client is
    safe to share between threads; `for_user(token)` gives a client for another user
    token that shares the connection pool, the rate-limit state and the counters.

    timeout: seconds per request (connect at most 10).
    retries / retry_timeout: further attempts, and the time they may take, for network
        errors, timeouts, broken bodies and 5xx.
    max_wait: longest wait for a rate-limit window, in seconds; past it RateLimitError.
    short_pause: pause after a 429 that leaves requests in the window (a per-second limit).
    max_pages: page cap of get_buyers / get_posts, so a broken server cannot loop forever.
    transport: an httpx transport (e.g. httpx.MockTransport) instead of the network.
    """

    def __init__(self, base_url: str = "https://api.x.com", bearer_token: str | None = None,
                 access_token: str | None = None, *, timeout: float = 30.0, retries: int = 4,
                 retry_timeout: float = 120.0, max_wait: float = 900.0, short_pause: float = 1.0,
                 max_pages: int = 1000, max_connections: int = 16, user_agent: str = USER_AGENT,
                 transport: httpx.BaseTransport | None = None, _shared: Transport | None = None) -> None:
        self._bearer_token = bearer_token or None
        self._access_token = access_token or None
        self.max_pages = max_pages
        self._transport = _shared or Transport(
            base_url, timeout=timeout, retries=retries, retry_timeout=retry_timeout,
            max_wait=max_wait, short_pause=short_pause, user_agent=user_agent,
            http_transport=transport, max_connections=max_connections,
        )
        self.spaces = SpacesClient(self)

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    def for_user(self, access_token: str) -> Client:
        """A client acting as the user of `access_token`, sharing pool, rate state and counters."""
        if not access_token:
            raise ValueError("for_user needs an OAuth2 user access token")
        return Client(access_token=access_token, max_pages=self.max_pages, _shared=self._transport)

    def _read_token(self) -> str:
        token = self._bearer_token or self._access_token
        if not token:
            raise ValueError("no token: pass bearer_token= (app) or access_token= (OAuth2 user)")
        return token

    def _user_token(self, method: str) -> str:
        if not self._access_token:
            raise ValueError(f"{method} needs the Space creator's OAuth2 user token: "
                             "Client(access_token=...) or client.for_user(token)")
        return self._access_token

    def stats(self) -> dict[str, EndpointStats]:
        """Requests, objects returned, waits and retries per endpoint template, so far."""
        return self._transport.counters.snapshot()

    @property
    def requests_made(self) -> int:
        return self._transport.counters.requests

    def rate_limits(self) -> dict[str, Any]:
        return self._transport.rates.snapshot()

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (f"<Client {self.base_url} app_token={'set' if self._bearer_token else 'none'} "
                f"user_token={'set' if self._access_token else 'none'}>")
