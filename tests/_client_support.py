"""Helpers shared by the client tests (test_client_*.py): clients on an emulator, the
emulator's own request counts, comparisons with the World's truth, and a search for token
strings in everything reachable from an exception or a log record."""

from __future__ import annotations

import logging
import types
from collections.abc import Iterable, Iterator
from typing import Any

import httpx

from sources.x_spaces.client import Client


def app_client(server: Any, **options: Any) -> Client:
    """A client with the emulator's app bearer token; small timeouts and retry budgets."""
    options.setdefault("timeout", 10.0)
    options.setdefault("retries", 3)
    options.setdefault("retry_timeout", 10.0)
    return Client(server.url, bearer_token=server.emulator.world.app_token, **options)


def anchor(world: Any, i: int) -> str:
    """Id of anchor Space i (0, 1 live; 2 scheduled ticketed; 3 ended)."""
    return world.space_ids.id(i)


def creator_id(world: Any, i: int) -> str:
    return world.user_ids.id(int(world.creator[i]))


def creator_token(world: Any, i: int) -> str:
    token = world.user_token(creator_id(world, i))
    assert token
    return token


def server_stats(server: Any) -> dict[str, Any]:
    """GET /_emulator/stats: requests per endpoint and status, faults injected."""
    return httpx.get(server.url + "/_emulator/stats", timeout=10).json()


def statuses(server: Any, template: str) -> dict[str, int]:
    """{status: count} the emulator served on one endpoint template, e.g. /2/spaces."""
    return server_stats(server)["requests"].get("GET " + template, {})


def configure(server: Any, **values: Any) -> dict[str, Any]:
    """POST /_emulator/config (fault_5xx=..., fault_slow=..., slow_seconds=..., usage_cap=...)."""
    response = httpx.post(server.url + "/_emulator/config", json=values, timeout=10)
    response.raise_for_status()
    return response.json()


def assert_same_object(item: dict, truth: dict, wanted: Iterable[str] = ()) -> None:
    """Every field the API returned equals the World's value, and every field asked for is
    there (empty lists and fields the object lacks excepted: the API leaves them out)."""
    assert truth is not None
    for key, value in item.items():
        assert key in truth, f"unexpected field {key!r}"
        assert value == truth[key], f"field {key!r}: {value!r} != {truth[key]!r}"
    for key in wanted:
        if key in truth and truth[key] != []:
            assert key in item, f"field {key!r} was asked for and is missing"


def ids(items: Iterable[dict]) -> list[str]:
    return [x["id"] for x in items]


# --------------------------------------------------------------------------- secrets
_ATOMS = (int, float, bool, type(None))
_SKIP = (type, types.ModuleType, types.FunctionType, types.MethodType, types.BuiltinFunctionType,
         types.TracebackType, types.FrameType)


def reachable_text(obj: Any, *, depth: int = 8) -> Iterator[str]:
    """Every string reachable from `obj`: str/repr of exceptions, their args, attributes,
    causes and contexts, and containers and plain objects inside (not tracebacks)."""
    seen: set[int] = set()

    def walk(value: Any, level: int) -> Iterator[str]:
        if isinstance(value, _ATOMS) or level > depth or id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, str):
            yield value
            return
        if isinstance(value, (bytes, bytearray)):
            yield bytes(value).decode("latin-1")
            return
        if isinstance(value, _SKIP):
            return
        try:
            yield repr(value)
        except Exception:  # pragma: no cover - a broken repr is not a leak
            pass
        if isinstance(value, BaseException):
            yield str(value)
            yield from walk(value.args, level + 1)
            yield from walk(value.__cause__, level + 1)
            yield from walk(value.__context__, level + 1)
        if isinstance(value, dict):
            for k, v in value.items():
                yield from walk(k, level + 1)
                yield from walk(v, level + 1)
            return
        if isinstance(value, (list, tuple, set, frozenset)):
            for v in value:
                yield from walk(v, level + 1)
            return
        attributes = getattr(value, "__dict__", None)
        if isinstance(attributes, dict):
            yield from walk(attributes, level + 1)
        for slot in getattr(type(value), "__slots__", ()) or ():
            if isinstance(slot, str) and hasattr(value, slot):
                yield from walk(getattr(value, slot), level + 1)

    yield from walk(obj, 0)


def assert_no_token(obj: Any, tokens: Iterable[str]) -> None:
    texts = list(reachable_text(obj))
    for token in tokens:
        for text in texts:
            assert token not in text, f"a token is reachable from {type(obj).__name__}: {text[:200]!r}"


def assert_no_token_in_logs(records: Iterable[Any], tokens: Iterable[str]) -> None:
    """No token in any log record: its formatted text (traceback included) and every
    attribute (args, extras such as stamina's `caused_by`)."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    tokens = list(tokens)
    for record in records:
        texts = [formatter.format(record), *reachable_text(vars(record))]
        for token in tokens:
            for text in texts:
                assert token not in text, f"a token in a log record of {record.name}: {text[:200]!r}"
