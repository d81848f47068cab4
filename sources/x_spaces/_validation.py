"""Checks made before a request is spent: ids, ranges, query length and field names.

Bad input raises ValueError naming the argument and what it accepts. Tokens handed out
by the server (pagination tokens) are never checked, only passed back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sources.x_spaces import _names as names

SPACE_ID = re.compile(r"^[a-zA-Z0-9]{1,13}$")
USER_ID = re.compile(r"^[0-9]{1,19}$")
STATES = ("live", "scheduled", "all")


def space_id(value: object) -> str:
    text = str(value)
    if not SPACE_ID.match(text):
        raise ValueError(f"Space id {text!r} is not valid: 1 to 13 letters or digits")
    return text


def user_id(value: object) -> str:
    text = str(value)
    if not USER_ID.match(text):
        raise ValueError(f"user id {text!r} is not valid: 1 to 19 digits")
    return text


def id_list(values: Iterable[object], check, what: str) -> list[str]:
    if isinstance(values, (str, bytes)):
        values = str(values).split(",")
    out = list(dict.fromkeys(check(v) for v in values))
    if not out:
        raise ValueError(f"{what} needs at least one id")
    return out


def max_results(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
        raise ValueError(f"max_results must be a whole number from 1 to 100, not {value!r}")
    return value


def query(value: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 2048:
        raise ValueError("query must be a string of 1 to 2048 characters")
    return value


def state(value: str | None) -> str | None:
    if value is not None and value not in STATES:
        raise ValueError(f"state must be one of {', '.join(STATES)}, not {value!r}")
    return value


def _as_list(values: Iterable[str] | str | None, argument: str) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = values.split(",")
    out = [v.strip() for v in values]
    if any(not v for v in out):
        raise ValueError(f"{argument} has an empty name")
    return out


def fields(values: Iterable[str] | str | None, known: frozenset[str],
           older: dict[str, tuple[str, str]], argument: str) -> tuple[list[str], list[str]]:
    """(fields, expansions): 2.167 field names, and older id fields sent as expansions."""
    out_fields: list[str] = []
    out_expansions: list[str] = []
    for name in _as_list(values, argument):
        if name in known:
            out_fields.append(name)
        elif name in older:
            kind, new = older[name]
            (out_expansions if kind == "expansion" else out_fields).append(new)
        else:
            accepted = ", ".join(sorted(known | set(older)))
            raise ValueError(f"{argument}: unknown field {name!r}; known: {accepted}")
    return out_fields, out_expansions


def expansions(values: Iterable[str] | str | None, known: frozenset[str], argument: str = "expansions") -> list[str]:
    out = []
    for name in _as_list(values, argument):
        name = names.OLDER_EXPANSIONS.get(name, name)
        if name not in known:
            raise ValueError(f"{argument}: unknown expansion {name!r}; known: {', '.join(sorted(known))}")
        out.append(name)
    return out


def joined(values: Iterable[str]) -> str | None:
    unique = list(dict.fromkeys(values))
    return ",".join(unique) if unique else None
