"""Responses of the Spaces client: raw JSON for pipelines, attribute access for people.

`Response.json` is the body (in 2.167 names) with no objects built; `.data`, `.includes`,
`.errors` and `.meta` wrap it lazily so the SDK docs' code works:

    for space in response.data: space.title, space.participant_count
    for user in response.includes["users"]: user.username      # or response.includes.users
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class Item(dict):
    """A JSON object whose keys also read as attributes; a missing key reads as None."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return wrap(self.get(name))


def wrap(value: Any) -> Any:
    if isinstance(value, dict) and not isinstance(value, Item):
        return Item(value)
    if isinstance(value, list):
        return [wrap(v) for v in value]
    return value


class Includes(dict):
    """`includes` by kind (users, topics, posts, media, polls, places); absent kinds are []."""

    __slots__ = ()

    def __missing__(self, key: str) -> list:
        return []

    def __getattr__(self, name: str) -> list[Item]:
        if name.startswith("__"):
            raise AttributeError(name)
        return self[name]


def _key(kind: str, obj: dict) -> Any:
    return obj.get("media_key") if kind == "media" else obj.get("id")


class Response:
    """One API response (or several merged), read lazily."""

    __slots__ = ("json", "endpoint", "status_code", "headers", "_cache")

    def __init__(self, body: dict[str, Any], *, endpoint: str = "", status_code: int = 200,
                 headers: dict[str, str] | None = None) -> None:
        self.json = body
        self.endpoint = endpoint
        self.status_code = status_code
        self.headers = headers or {}
        self._cache: dict[str, Any] = {}

    @property
    def data(self) -> Any:
        if "data" not in self._cache:
            raw = self.json.get("data")
            self._cache["data"] = [] if raw is None else wrap(raw)
        return self._cache["data"]

    @property
    def includes(self) -> Includes:
        if "includes" not in self._cache:
            raw = self.json.get("includes") or {}
            self._cache["includes"] = Includes({k: wrap(v) for k, v in raw.items()})
        return self._cache["includes"]

    @property
    def errors(self) -> list[Item]:
        return wrap(self.json.get("errors") or [])

    @property
    def meta(self) -> Item:
        return Item(self.json.get("meta") or {})

    @property
    def date(self) -> str | None:
        """The `Date` header: the server's clock when it answered."""
        return self.headers.get("date")

    def __repr__(self) -> str:
        data = self.json.get("data")
        count = len(data) if isinstance(data, list) else int(data is not None)
        return (f"<Response {self.endpoint} data={count} "
                f"errors={len(self.json.get('errors') or [])}>")

    @classmethod
    def merge(cls, responses: Iterable[Response], endpoint: str = "") -> Response:
        """One response from several: data concatenated, includes de-duplicated, errors kept."""
        data: list = []
        includes: dict[str, dict[Any, dict]] = {}
        errors: list = []
        count, has_meta, last = 0, False, None
        for response in responses:
            last = response
            body = response.json
            data.extend(body.get("data") or [])
            for kind, objs in (body.get("includes") or {}).items():
                seen = includes.setdefault(kind, {})
                for obj in objs:
                    seen.setdefault(_key(kind, obj), obj)
            errors.extend(body.get("errors") or [])
            if "meta" in body:
                has_meta = True
                count += int(body["meta"].get("result_count", 0))
        merged: dict[str, Any] = {}
        if data:
            merged["data"] = data
        if includes:
            merged["includes"] = {k: list(v.values()) for k, v in includes.items()}
        if errors:
            merged["errors"] = errors
        if has_meta:
            merged["meta"] = {"result_count": count}
        headers = last.headers if last is not None else {}
        return cls(merged, endpoint=endpoint or (last.endpoint if last else ""), headers=headers)
