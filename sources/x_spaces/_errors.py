"""Exceptions of the Spaces client.

    XSpacesError              every error of this client; .endpoint, .method, .url
    ├── APIError              the API answered with an error status; .status_code,
    │   │                     .title, .detail, .problem_type, .body
    │   ├── InvalidRequestError   400; .parameters: {name: [bad values]}
    │   ├── AuthenticationError   401: missing, unknown or expired token
    │   ├── ForbiddenError        403: wrong kind of token, or not the creator's
    │   ├── NotFoundError         404: no such endpoint
    │   ├── UsageCapError         429 usage-capped: a daily/monthly cap; .period, .scope
    │   └── ServerError           5xx that outlived the retries
    ├── RateLimitError        a window stays closed past the maximum wait; .reset_at
    └── NetworkError          connection failures, timeouts, cut or unreadable bodies
                              that outlived the retries

Messages name the endpoint and the problem's title and detail. No message, attribute or
repr holds a token: errors keep the method and URL, never the request's headers.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any


class XSpacesError(Exception):
    def __init__(self, message: str, *, endpoint: str = "", method: str = "GET", url: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.endpoint = endpoint
        self.method = method
        self.url = url

    def __str__(self) -> str:
        return self.message


class APIError(XSpacesError):
    def __init__(self, message: str, *, status_code: int, body: Any = None, title: str = "",
                 detail: str = "", problem_type: str = "", **context: str) -> None:
        super().__init__(message, **context)
        self.status_code = status_code
        self.body = body
        self.title = title
        self.detail = detail
        self.problem_type = problem_type


class InvalidRequestError(APIError):
    def __init__(self, message: str, *, parameters: dict[str, list[str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.parameters = parameters or {}


class AuthenticationError(APIError):
    pass


class ForbiddenError(APIError):
    pass


class NotFoundError(APIError):
    pass


class UsageCapError(APIError):
    def __init__(self, message: str, *, period: str | None = None, scope: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.period = period
        self.scope = scope


class ServerError(APIError):
    pass


class RateLimitError(XSpacesError):
    def __init__(self, message: str, *, reset_at: float | None = None, **context: str) -> None:
        super().__init__(message, **context)
        self.reset_at = (datetime.fromtimestamp(reset_at, timezone.utc)
                         if reset_at is not None else None)


class NetworkError(XSpacesError):
    pass

