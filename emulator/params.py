"""Query and path parameters of the six Spaces paths, read from the OpenAPI spec itself,
and their validation with X's `invalid-request` messages.

The spec is the contract, so the rules (enums, patterns, ranges, list sizes) come from it
rather than from a hand-kept copy. On top of it the server accepts what the real API and
the older 2.159 generation accept: id fields in `space.fields`, `tweet.fields` for
`post.fields`, and the older post and user field and expansion names.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

SPEC_FILE = "x-api-v2-spaces.openapi.json"

# Older names the real API still takes, mapped to their 2.167 names.
LEGACY_POST_FIELDS = {
    "author_id": "author_id", "in_reply_to_user_id": "in_reply_to_user_id",
    "referenced_tweets": "referenced_posts", "edit_history_tweet_ids": "edit_history_post_ids",
    "note_tweet": "note_post", "referenced_posts": "referenced_posts",
    "edit_history_post_ids": "edit_history_post_ids",
}
LEGACY_USER_FIELDS = {
    "pinned_tweet_id": "pinned_post_id", "most_recent_tweet_id": "most_recent_post_id",
    "pinned_post_id": "pinned_post_id", "most_recent_post_id": "most_recent_post_id",
}
LEGACY_POST_EXPANSIONS = {
    "referenced_tweets.id": "referenced_posts", "referenced_tweets.id.author_id": "referenced_posts",
    "edit_history_tweet_ids": "edit_history_post_ids",
}
LEGACY_USER_EXPANSIONS = {
    "pinned_tweet_id": "pinned_post_id", "most_recent_tweet_id": "most_recent_post_id",
    "affiliation.user_id": "affiliation",
}
SPACE_ID_FIELDS = ("creator_id", "host_ids", "invited_user_ids", "speaker_ids", "topic_ids")


@dataclass
class ParamRule:
    name: str
    location: str
    required: bool
    schema: dict
    extra_values: dict[str, str] = field(default_factory=dict)  # accepted name -> 2.167 name

    @property
    def is_list(self) -> bool:
        return self.schema.get("type") == "array"


@dataclass
class Operation:
    path: str  # the spec's template, e.g. /2/spaces/{id}/buyers
    security: list[str]
    rules: dict[str, ParamRule]


@cache
def spec() -> dict[str, Any]:
    with resources.files("emulator").joinpath("spec", SPEC_FILE).open("rb") as fh:
        return json.load(fh)


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        target: Any = spec()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


@cache
def operations() -> dict[str, Operation]:
    ops: dict[str, Operation] = {}
    for path, item in spec()["paths"].items():
        op = item["get"]
        rules: dict[str, ParamRule] = {}
        for raw in op.get("parameters", []):
            param = _resolve(raw)
            rules[param["name"]] = ParamRule(
                param["name"], param["in"], param.get("required", False), _resolve(param["schema"])
            )
        _add_legacy(rules)
        security = [name for req in op.get("security", []) for name in req]
        ops[path] = Operation(path, security, rules)
    return ops


def _add_legacy(rules: dict[str, ParamRule]) -> None:
    if "space.fields" in rules:
        rules["space.fields"].extra_values = {f: f for f in SPACE_ID_FIELDS}
    if "post.fields" in rules:
        rules["post.fields"].extra_values = dict(LEGACY_POST_FIELDS)
        rules["tweet.fields"] = ParamRule(
            "tweet.fields", "query", False, rules["post.fields"].schema, dict(LEGACY_POST_FIELDS)
        )
    if "user.fields" in rules:
        rules["user.fields"].extra_values = dict(LEGACY_USER_FIELDS)
    expansions = rules.get("expansions")
    if expansions is not None:
        names = set(expansions.schema["items"].get("enum", []))
        if "author_id" in names:
            expansions.extra_values = dict(LEGACY_POST_EXPANSIONS)
        elif "pinned_post_id" in names:
            expansions.extra_values = dict(LEGACY_USER_EXPANSIONS)


class ParamError(ValueError):
    """One bad value: the message and the value X echoes in `parameters`."""

    def __init__(self, message: str, value: str) -> None:
        super().__init__(message)
        self.value = value


class InvalidParams(Exception):
    """One entry per bad parameter, in X's `errors[]` shape."""

    def __init__(self, errors: list[dict]) -> None:
        super().__init__(errors)
        self.errors = errors


def _error(name: str, value: str, message: str) -> dict:
    return {"parameters": {name: [value]}, "message": message}


def validate(op: Operation, query: dict[str, str], path: dict[str, str]) -> dict[str, Any]:
    """Checked and normalised values: lists split and mapped to 2.167 names, integers
    parsed. Raises InvalidParams listing every bad parameter."""
    errors: list[dict] = []
    values: dict[str, Any] = {}
    query_rules = {n: r for n, r in op.rules.items() if r.location == "query"}
    for name, raw in query.items():
        if name not in query_rules:
            allowed = ",".join(sorted(query_rules))
            errors.append(_error(name, raw, f"The query parameter [{name}] is not one of [{allowed}]"))
    for name, rule in op.rules.items():
        raw = path.get(name) if rule.location == "path" else query.get(name)
        if raw is None:
            if rule.required:
                errors.append(_error(name, "", f"The `{name}` query parameter can not be empty"))
            continue
        try:
            values[name] = _check(rule, raw)
        except ParamError as exc:
            errors.append(_error(name, exc.value, str(exc)))
    if errors:
        raise InvalidParams(errors)
    if "tweet.fields" in values:
        values["post.fields"] = list(dict.fromkeys(values.get("post.fields", []) + values.pop("tweet.fields")))
    return values


def _check(rule: ParamRule, raw: str) -> Any:
    where = "path" if rule.location == "path" else "query"
    schema = rule.schema
    if rule.is_list:
        items = raw.split(",")
        low, high = schema.get("minItems", 0), schema.get("maxItems")
        if len(items) < low or (high is not None and len(items) > high) or "" in items:
            bound = f"between {low} and {high}" if high else f"at least {low}"
            raise ParamError(
                f"The number of values in the `{rule.name}` {where} parameter list [{raw}] is not {bound}",
                raw,
            )
        item_schema = schema["items"]
        out = []
        for item in items:
            if item in rule.extra_values:
                out.append(rule.extra_values[item])
                continue
            _check_scalar(rule.name, where, item_schema, item)
            out.append(item)
        if schema.get("uniqueItems") and len(set(out)) != len(out):
            raise ParamError(f"The `{rule.name}` {where} parameter list [{raw}] has duplicate values", raw)
        return out
    return _check_scalar(rule.name, where, schema, raw)


_INTEGER = re.compile(r"-?[0-9]+")  # ASCII digits: \d (and int()) would take "٥" too


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    """A spec (ECMA-262) pattern in Python: its `$` ends the input, where Python's would
    also match before a final newline, and character classes stay ASCII."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern, re.ASCII)


def _check_scalar(name: str, where: str, schema: dict, raw: str) -> Any:
    prefix = f"The `{name}` {where} parameter value [{raw}]"
    if schema.get("type") == "integer":
        if not _INTEGER.fullmatch(raw):
            raise ParamError(f"{prefix} is not a valid integer", raw)
        value = int(raw)
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ParamError(f"{prefix} is not between {low} and {high}", raw)
        return value
    if "enum" in schema and raw not in schema["enum"]:
        raise ParamError(f"{prefix} is not one of [{','.join(schema['enum'])}]", raw)
    if "pattern" in schema and not _pattern(schema["pattern"]).search(raw):
        raise ParamError(f"{prefix} does not match {schema['pattern']}", raw)
    low, high = schema.get("minLength"), schema.get("maxLength")
    if (low is not None and len(raw) < low) or (high is not None and len(raw) > high):
        raise ParamError(f"{prefix} must be between {low or 0} and {high or 'any number of'} characters", raw)
    return raw
