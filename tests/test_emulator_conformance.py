"""Every response of the emulator against the contract, with real validators.

* 200 bodies, 400 bodies, the 403 `not-authorized-for-resource` body and every partial
  error (`errors[]` beside `data`) are validated by openapi-core against the production
  spec `emulator/spec/x-api-v2-spaces.openapi.json`, response by response, through the
  operation the request was routed to (status code, media type, schema).
* The 401 / 403 `unsupported-authentication` / 429 bodies, which the spec has no schema
  for, are validated by jsonschema against `emulator/spec_extensions.json`, and must
  *fail* the spec, so that the extension file holds only what the spec really lacks.

Strictness. The spec leaves `additionalProperties` open everywhere, so a body that leaks
a field of the older generation (`tweet_count`, `includes.tweets`, inline `topics`, ...)
or a made-up one would still pass it. The bodies are therefore also checked with
openapi-core's `additional_properties_default_policy="forbid"`: every object may only hold
properties the spec names. (Objects whose schema names no property at all, such as
`Post.non_public_metrics` or `PlaceGeo.properties`, are free-form in the spec and stay
open: see `_free_form_objects_stay_open`.) The one place where the real API (and
NOTES.md) has a property the spec does not name is `errors[]` of an `invalid-request`
problem: it is validated against the spec as is (open), the rest of that body strictly,
and `errors[]` against the shape NOTES.md gives (`{"message", "parameters": {name: [values]}}`).

The spec's `Problem` is a `oneOf` of nine problem schemas with a `type` discriminator and
an explicit mapping. openapi-schema-validator (under openapi-core) implements it: it reads
`type`, follows the mapping to the one member schema and validates the body against that
member only. A `type` outside the mapping falls back to an implicit
`#/components/schemas/<type>` reference, which cannot resolve, so the body fails ("reference
... could not be resolved"): that is how `about:blank`, `unsupported-authentication`,
`usage-capped` and any `api.twitter.com` URI fail the spec. Each mapped member also pins
`type` with a one-value enum, so the discriminator and a plain `oneOf` reading agree: valid
partial errors and problems pass, nothing was weakened to make them pass, and
`test_the_validators_reject_drift` proves the rejections on mutated real bodies.

Requests are checked too: each request of the field sweeps must be valid for the spec (so
the coverage below is coverage of the production contract, not of the emulator's leniency
for older names), and each request expected to get a 400 must be invalid for it (except an
unknown parameter or a forged pagination token, which the spec cannot see).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jsonschema
import pytest
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

import emulator
from emulator.config import Settings
from emulator.server import EmulatorServer
from emulator.world import World
from tests._emulator_support import world_like

# openapi-core has no security provider for the spec's `oauth2` scheme (it warns and
# skips it); the `BearerToken` scheme is checked.
pytestmark = pytest.mark.filterwarnings("ignore:Unsupported scheme type:UserWarning")

ROOT = Path(emulator.__file__).parent
SPEC: dict[str, Any] = json.loads((ROOT / "spec" / "x-api-v2-spaces.openapi.json").read_text())
EXTENSIONS: dict[str, Any] = json.loads((ROOT / "spec_extensions.json").read_text())
PROBLEMS = "https://api.x.com/2/problems/"


# --------------------------------------------------------------------------- validators
def _openapi(policy: str) -> OpenAPI:
    config = Config(
        extra_media_type_deserializers={"application/problem+json": json.loads},
        additional_properties_default_policy=policy,  # type: ignore[arg-type]
    )
    return OpenAPI.from_dict(copy.deepcopy(SPEC), config=config)


def _free_form_objects_stay_open(node: Any) -> Any:
    """An object schema that names no properties at all (`Post.non_public_metrics`,
    `Post.article`, `PlaceGeo.properties`, ...) is a free-form object: the spec says
    nothing of its keys. The strict policy below would forbid every key in it, so such
    schemas say `additionalProperties: true` explicitly. Nothing else is changed."""
    if isinstance(node, dict):
        if (
            node.get("type") == "object"
            and "properties" not in node
            and "additionalProperties" not in node
            and not any(k in node for k in ("oneOf", "anyOf", "allOf", "$ref"))
        ):
            node = {**node, "additionalProperties": True}
        return {k: _free_form_objects_stay_open(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_free_form_objects_stay_open(v) for v in node]
    return node


def _openapi(policy: str) -> OpenAPI:
    spec = copy.deepcopy(SPEC) if policy == "allow" else _free_form_objects_stay_open(SPEC)
    config = Config(
        extra_media_type_deserializers={"application/problem+json": json.loads},
        additional_properties_default_policy=policy,  # type: ignore[arg-type]
    )
    return OpenAPI.from_dict(spec, config=config)


OPEN = _openapi("allow")  # the spec exactly as published
STRICT = _openapi("forbid")  # the spec, with no property it does not name


class _Request:
    """An httpx request as openapi-core sees it, addressed to the spec's server
    (https://api.x.com) so that path finding uses the spec's own `servers`."""

    def __init__(self, request: httpx.Request) -> None:
        url = urlsplit(str(request.url))
        self.host_url = "https://api.x.com"
        self.path = url.path
        self.method = request.method.lower()
        self.body = b""
        self.content_type = "application/json"
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(
                [
                    (k, v)
                    for k, vs in parse_qs(url.query, keep_blank_values=True).items()
                    for v in vs
                ]
            ),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(),
        )


class _Response:
    def __init__(self, response: httpx.Response, data: bytes | None = None) -> None:
        self.data = response.content if data is None else data
        self.status_code = response.status_code
        self.content_type = response.headers.get("content-type", "")
        self.headers = Headers(list(response.headers.items()))


def _explain(exc: Exception) -> str:
    cause = exc.__cause__ or exc
    details = [str(e).split("\n\n")[0] for e in getattr(cause, "schema_errors", ())]
    return f"{type(exc).__name__}: {exc}" + "".join(f"\n  - {d}" for d in details[:10])


def spec_errors(response: httpx.Response, body: Any = None, api: OpenAPI = STRICT) -> str | None:
    """Why `body` (default: the response's own) breaks the spec for this response, or None."""
    data = None if body is None else json.dumps(body).encode()
    try:
        api.validate_response(_Request(response.request), _Response(response, data))
    except Exception as exc:  # noqa: BLE001 - every validation error is a finding
        return _explain(exc)
    return None


def request_errors(request: httpx.Request) -> str | None:
    try:
        OPEN.validate_request(_Request(request))
    except Exception as exc:  # noqa: BLE001
        return _explain(exc)
    return None


INVALID_REQUEST_ITEM = {
    "type": "object",
    "required": ["message", "parameters"],
    "properties": {
        "message": {"type": "string", "minLength": 1},
        "parameters": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "additionalProperties": False,
}


def assert_conforms(response: httpx.Response) -> dict:
    """A response the spec describes: validated against it, strictly. Returns the body."""
    body = response.json()
    where = f"{response.request.method} {response.request.url} -> {response.status_code}"
    if response.status_code == 200:
        assert response.headers["content-type"] == "application/json", where
    else:
        assert response.headers["content-type"] == "application/problem+json", where
    is_invalid_request = isinstance(body, dict) and body.get("type") == PROBLEMS + "invalid-request"
    if is_invalid_request:
        assert response.status_code == 400, where
        problem = spec_errors(response, api=OPEN)
        assert problem is None, f"{where}\n{problem}"
        rest = {k: v for k, v in body.items() if k != "errors"}
        problem = spec_errors(response, rest)
        assert problem is None, f"{where}\n{problem}"
        assert body["errors"], where
        for item in body["errors"]:
            jsonschema.validate(item, INVALID_REQUEST_ITEM)
    else:
        problem = spec_errors(response)
        assert problem is None, f"{where}\n{problem}"
    return body


def extension_validator(name: str) -> jsonschema.Draft202012Validator:
    schema = {"$ref": f"#/$defs/{name}", "$defs": EXTENSIONS["$defs"]}
    return jsonschema.Draft202012Validator(schema)


def assert_extension(response: httpx.Response, name: str) -> dict:
    """A response the spec lacks: valid for its extension schema, invalid for the spec."""
    where = f"{response.request.method} {response.request.url} -> {response.status_code}"
    assert response.headers["content-type"] == "application/problem+json", where
    body = response.json()
    errors = [e.message for e in extension_validator(name).iter_errors(body)]
    assert not errors, f"{where}: {body} breaks {name}: {errors}"
    jsonschema.Draft202012Validator(EXTENSIONS).validate(body)  # the file's top-level oneOf
    assert spec_errors(response, api=OPEN) is not None, f"{where}: the spec already covers {body}"
    return body


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    """A frozen default world with rate limits no conformance sweep can reach (the 15-minute
    window is set high, and the 1 request/second limit of by/creator_ids is lifted: both
    are tested in test_emulator_semantics.py)."""
    with EmulatorServer(Settings(clock_speed=0, rate_limit=1_000_000)) as srv:
        srv.emulator.limiter.per_second = frozenset()
        yield srv


@pytest.fixture(scope="module")
def world(server: EmulatorServer) -> World:
    """Ground truth, built apart from the server's own instance (same seed and options)."""
    return world_like(server)


@pytest.fixture(scope="module")
def http(server: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def _unknown_space_id(world: World) -> str:
    for tail in ("zzzzzzzzzzzz", "000000000000", "ZZZZZZZZZZZZ", "aaaaaaaaaaaa"):
        candidate = "1" + tail
        if world.space_index(candidate) is None:
            return candidate
    raise AssertionError("no unknown Space id found")


class Picks:
    """Spaces, users and tokens chosen from the ground truth at the world's start."""

    def __init__(self, world: World) -> None:
        t = world.start
        self.t = t
        by_status: dict[str, list[int]] = {}
        for i in range(world.n_spaces):
            by_status.setdefault(world.status(i, t), []).append(i)
        self.by_status = by_status
        sid = world.space_ids.id
        self.live, self.scheduled, self.ended = sid(0), sid(2), sid(3)
        visible = by_status["live"] + by_status["scheduled"] + by_status["ended"]
        tl = world.timeline

        def richest(key) -> str:
            return sid(max(visible, key=key))

        self.spread = list(
            dict.fromkeys(
                [
                    sid(0),
                    sid(1),
                    sid(2),
                    sid(3),
                    sid(by_status["live"][-1]),
                    sid(by_status["scheduled"][-1]),
                    sid(by_status["ended"][-1]),
                    richest(lambda i: len(tl(i).invited)),
                    richest(lambda i: len(tl(i).speakers_at(t))),
                    richest(lambda i: len(tl(i).topics)),
                    richest(lambda i: len(tl(i).hosts)),
                ]
            )
        )
        self.unknown = _unknown_space_id(world)
        self.expired = sid(by_status["expired"][0])
        self.cancelled = sid(by_status["cancelled"][0])
        self.unborn = sid(by_status["unborn"][0])
        self.missing = [self.unknown, self.expired, self.cancelled, self.unborn]

        self.creator_ids = list(
            dict.fromkeys(
                [world.user_ids.id(int(world.creator[world.space_index(s)])) for s in self.spread]
                + [world.user_ids.id(0)]
            )
        )
        self.unknown_user = next(
            str(n) for n in range(1, 10**6) if world.user_index(str(n)) is None
        )

        # The ticketed anchor's creator may read its buyers; anyone else may not.
        self.buyers_space = sid(2)
        creator = int(world.creator[2])
        self.creator_token = world.tokens.user(creator)
        self.other_token = world.tokens.user(creator + 1)

        # Spaces whose shared posts carry each kind of attachment or reference.
        self.post_spaces: dict[str, str] = {}
        for i in visible:
            for post in world.posts(sid(i), t):
                kinds = set(post) | set(post.get("attachments", {}))
                for kind in (
                    "media_keys",
                    "poll_ids",
                    "geo",
                    "referenced_posts",
                    "in_reply_to_user_id",
                    "context_annotations",
                ):
                    if kind in kinds:
                        self.post_spaces.setdefault(kind, sid(i))
        self.most_posts = sid(max(visible, key=lambda i: len(world.post_indices(i, t))))
        first = world.posts(self.most_posts, t)[0]
        self.post_author_token = world.tokens.user(world.user_index(first["author_id"]))


@pytest.fixture(scope="module")
def picks(world: World) -> Picks:
    return Picks(world)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --------------------------------------------------------------------------- selections
def _params(path: str) -> list[dict]:
    out = []
    for raw in SPEC["paths"][path]["get"].get("parameters", []):
        if "$ref" in raw:
            raw = SPEC["components"]["parameters"][raw["$ref"].rsplit("/", 1)[1]]
        out.append(raw)
    return out


def list_params(path: str) -> dict[str, list[str]]:
    """The fields/expansions parameters of a path, with every value the spec allows."""
    return {
        p["name"]: p["schema"]["items"]["enum"]
        for p in _params(path)
        if p["schema"].get("type") == "array" and "enum" in p["schema"]["items"]
    }


def selections(path: str) -> list[tuple[str, dict[str, str]]]:
    """Defaults; everything; and each single value of each list parameter, with every
    other list parameter at all its values (so that expanded objects show up)."""
    lists = list_params(path)
    everything = {name: ",".join(values) for name, values in lists.items()}
    out = [("defaults", {}), ("all", everything)]
    for name, values in lists.items():
        for value in values:
            out.append((f"{name}={value}", {**everything, name: value}))
    return out


SPACE_PATHS = ("/2/spaces", "/2/spaces/{id}", "/2/spaces/search", "/2/spaces/by/creator_ids")


def _space_cases(path: str, picks: Picks) -> list[tuple[str, dict[str, str]]]:
    """(url, base params) of one Spaces path over the whole spread of Spaces."""
    if path == "/2/spaces":
        return [("/2/spaces", {"ids": ",".join(picks.spread + picks.missing)})]
    if path == "/2/spaces/{id}":
        return [(f"/2/spaces/{s}", {}) for s in (picks.live, picks.scheduled, picks.ended)]
    if path == "/2/spaces/search":
        return [
            ("/2/spaces/search", {"query": "tech", "state": state})
            for state in ("all", "live", "scheduled")
        ]
    return [
        (
            "/2/spaces/by/creator_ids",
            {"user_ids": ",".join(picks.creator_ids + [picks.unknown_user])},
        )
    ]


def _space_small_case(path: str, picks: Picks) -> tuple[str, dict[str, str]]:
    """A few Spaces of every state (bodies small enough for a sweep of single values)."""
    if path == "/2/spaces":
        return "/2/spaces", {"ids": ",".join(picks.spread[:4] + [picks.unknown])}
    if path == "/2/spaces/{id}":
        return f"/2/spaces/{picks.live}", {}
    if path == "/2/spaces/search":
        return "/2/spaces/search", {"query": "tech talks", "max_results": "3"}
    return "/2/spaces/by/creator_ids", {"user_ids": ",".join(picks.creator_ids[2:4])}


# --------------------------------------------------------------------------- 200s
@pytest.mark.parametrize("path", SPACE_PATHS)
def test_space_endpoints_conform_over_every_field_and_expansion(
    http: httpx.Client, picks: Picks, world: World, path: str
) -> None:
    seen_fields: set[str] = set()

    def check(url: str, params: dict[str, str], token: str, label: str) -> None:
        response = http.get(url, params=params, headers=auth(token))
        assert response.status_code == 200, (label, response.text)
        problem = request_errors(response.request)
        assert problem is None, (label, problem)
        body = assert_conforms(response)
        data = body.get("data") or []
        for space in data if isinstance(data, list) else [data]:
            seen_fields.update(space)

    sweeps = selections(path)
    # defaults and everything: over the whole spread, with the app token and a user token
    for label, selection in sweeps[:2]:
        for url, base in _space_cases(path, picks):
            for token in (world.app_token, picks.creator_token):
                check(url, {**base, **selection}, token, label)
    # each single value of each list parameter (user token: caller-dependent fields too)
    url, base = _space_small_case(path, picks)
    for label, selection in sweeps[2:]:
        check(url, {**base, **selection}, picks.creator_token, label)

    # the sweep really produced every Space field the spec has (search finds no ended Space)
    expected = set(SPEC["components"]["schemas"]["Space"]["properties"])
    if path == "/2/spaces/search":
        expected -= {"ended_at"}
    assert seen_fields >= expected, expected - seen_fields


def test_space_states_and_missing_ids(http: httpx.Client, picks: Picks, world: World) -> None:
    everything = {k: ",".join(v) for k, v in list_params("/2/spaces/{id}").items()}
    app = auth(world.app_token)
    states = set()
    for space_id in picks.spread:
        body = assert_conforms(http.get(f"/2/spaces/{space_id}", params=everything, headers=app))
        states.add(body["data"]["state"])
    assert states == {"live", "scheduled", "ended"}
    for space_id in picks.missing:
        for params in ({}, everything):
            response = http.get(f"/2/spaces/{space_id}", params=params, headers=app)
            assert response.status_code == 200
            body = assert_conforms(response)
            assert set(body) == {"errors"}, body
            assert body["errors"][0]["type"] == PROBLEMS + "resource-not-found"
    # a list of only missing ids: errors and nothing else
    response = http.get(
        "/2/spaces", params={"ids": ",".join(picks.missing), **everything}, headers=app
    )
    body = assert_conforms(response)
    assert set(body) == {"errors"} and len(body["errors"]) == len(picks.missing)


def _pages(http: httpx.Client, url: str, params: dict[str, Any], token: str) -> Iterator[dict]:
    """Every page of a paginated list, each one validated."""
    params = dict(params)
    while True:
        response = http.get(url, params=params, headers=auth(token))
        assert response.status_code == 200, response.text
        body = assert_conforms(response)
        yield body
        next_token = body.get("meta", {}).get("next_token")
        if not next_token:
            return
        params["pagination_token"] = next_token


def test_posts_conform_over_every_field_expansion_and_page(
    http: httpx.Client, picks: Picks, world: World
) -> None:
    path = "/2/spaces/{id}/tweets"
    sweeps = selections(path)
    everything = dict(sweeps)["all"]
    spaces = list(dict.fromkeys([picks.most_posts, *picks.post_spaces.values()]))
    seen_includes: set[str] = set()
    seen_problem_types: set[str] = set()
    private_seen = False

    def note(body: dict) -> None:
        nonlocal private_seen
        seen_includes.update(body.get("includes", {}))
        seen_problem_types.update(e["type"] for e in body.get("errors", []))
        private_seen |= any("non_public_metrics" in p for p in body.get("data", []))

    # defaults and everything, every page, with the app token and a post author's token
    for token, size in ((world.app_token, 10), (picks.post_author_token, 100)):
        for _label, selection in sweeps[:2]:
            for space_id in spaces:
                for body in _pages(
                    http, f"/2/spaces/{space_id}/tweets", {**selection, "max_results": size}, token
                ):
                    note(body)
    # each single value of each list parameter, on the Space where it shows
    where = {
        "media.fields": picks.post_spaces["media_keys"],
        "poll.fields": picks.post_spaces["poll_ids"],
        "place.fields": picks.post_spaces["geo"],
    }
    for label, selection in sweeps[2:]:
        name = label.split("=", 1)[0]
        space_id = where.get(name, picks.most_posts)
        response = http.get(
            f"/2/spaces/{space_id}/tweets",
            params={**selection, "max_results": 8},
            headers=auth(picks.post_author_token),
        )
        assert response.status_code == 200, (label, response.text)
        problem = request_errors(response.request)
        assert problem is None, (label, problem)
        note(assert_conforms(response))

    assert seen_includes >= {"users", "posts", "media", "polls", "places"}, seen_includes
    assert PROBLEMS + "not-authorized-for-field" in seen_problem_types
    assert private_seen  # the author's own posts came with their private metrics
    assert everything  # (and the sweep asked for all of them)


def test_buyers_conform_over_every_field_and_page(
    http: httpx.Client, picks: Picks, world: World
) -> None:
    path = "/2/spaces/{id}/buyers"
    url = f"/2/spaces/{picks.buyers_space}/buyers"
    sweeps = selections(path)
    user_fields_seen: set[str] = set()
    for label, selection in sweeps[2:]:
        response = http.get(
            url, params={**selection, "max_results": 10}, headers=auth(picks.creator_token)
        )
        assert response.status_code == 200, (label, response.text)
        problem = request_errors(response.request)
        assert problem is None, (label, problem)
        body = assert_conforms(response)
        for user in body.get("data", []):
            user_fields_seen.update(user)
    expected = len(world.buyers(picks.buyers_space))
    assert expected > 200  # several pages at max_results=100
    for (_label, selection), size in zip(sweeps[:2], (37, 100), strict=True):
        bodies = list(_pages(http, url, {**selection, "max_results": size}, picks.creator_token))
        assert sum(b["meta"]["result_count"] for b in bodies) == expected
        assert len(bodies) == -(-expected // size)
        for body in bodies:
            for user in body["data"]:
                user_fields_seen.update(user)
        # and back: a previous_token page conforms too
        previous = bodies[-1]["meta"]["previous_token"]
        response = http.get(
            url,
            params={**selection, "max_results": size, "pagination_token": previous},
            headers=auth(picks.creator_token),
        )
        assert_conforms(response)
    assert user_fields_seen >= {
        "affiliation",
        "pinned_post_id",
        "most_recent_post_id",
        "entities",
        "public_metrics",
        "connection_status",
        "subscription",
    }, user_fields_seen


def test_not_authorized_for_resource_conforms(http: httpx.Client, picks: Picks) -> None:
    response = http.get(f"/2/spaces/{picks.buyers_space}/buyers", headers=auth(picks.other_token))
    assert response.status_code == 403
    body = assert_conforms(response)
    assert body["type"] == PROBLEMS + "not-authorized-for-resource"


# --------------------------------------------------------------------------- 400s
def _bad_cases(picks: Picks) -> list[tuple[str, str, dict[str, str], bool]]:
    """(label, url, params, the spec itself rejects the request)."""
    s = picks.live
    many = ",".join([s] * 101)
    return [
        ("search without query", "/2/spaces/search", {}, True),
        ("search empty query", "/2/spaces/search", {"query": ""}, True),
        ("search long query", "/2/spaces/search", {"query": "a" * 2049}, True),
        ("search bad state", "/2/spaces/search", {"query": "tech", "state": "ended"}, True),
        ("search max_results 0", "/2/spaces/search", {"query": "tech", "max_results": "0"}, True),
        (
            "search max_results 101",
            "/2/spaces/search",
            {"query": "tech", "max_results": "101"},
            True,
        ),
        (
            "search max_results text",
            "/2/spaces/search",
            {"query": "tech", "max_results": "ten"},
            True,
        ),
        (
            "search bad space.fields",
            "/2/spaces/search",
            {"query": "tech", "space.fields": "title,bogus"},
            True,
        ),
        (
            "search bad expansions",
            "/2/spaces/search",
            {"query": "tech", "expansions": "author_id"},
            True,
        ),
        (
            "search bad user.fields",
            "/2/spaces/search",
            {"query": "tech", "expansions": "creator_id", "user.fields": "tweet_count"},
            True,
        ),
        (
            "search bad topic.fields",
            "/2/spaces/search",
            {"query": "tech", "topic.fields": "title"},
            True,
        ),
        (
            "search unknown parameter",
            "/2/spaces/search",
            {"query": "tech", "next_token": "x"},
            False,
        ),
        ("ids missing", "/2/spaces", {}, True),
        ("ids empty", "/2/spaces", {"ids": ""}, True),
        ("ids 101", "/2/spaces", {"ids": many}, True),
        ("ids pattern", "/2/spaces", {"ids": f"{s},not-an-id"}, True),
        ("ids too long", "/2/spaces", {"ids": "1" * 14}, True),
        ("id path pattern", "/2/spaces/not_an_id", {}, True),
        ("id path too long", "/2/spaces/" + "1" * 14, {}, True),
        ("user_ids missing", "/2/spaces/by/creator_ids", {}, True),
        ("user_ids pattern", "/2/spaces/by/creator_ids", {"user_ids": "12,abc"}, True),
        ("user_ids too long", "/2/spaces/by/creator_ids", {"user_ids": "1" * 20}, True),
        ("user_ids 101", "/2/spaces/by/creator_ids", {"user_ids": ",".join(["12"] * 101)}, True),
        ("tweets max_results 0", f"/2/spaces/{s}/tweets", {"max_results": "0"}, True),
        ("tweets bad post.fields", f"/2/spaces/{s}/tweets", {"post.fields": "retweet_count"}, True),
        ("tweets bad media.fields", f"/2/spaces/{s}/tweets", {"media.fields": "bogus"}, True),
        ("tweets bad poll.fields", f"/2/spaces/{s}/tweets", {"poll.fields": "bogus"}, True),
        ("tweets bad place.fields", f"/2/spaces/{s}/tweets", {"place.fields": "bogus"}, True),
        ("tweets bad expansions", f"/2/spaces/{s}/tweets", {"expansions": "creator_id"}, True),
        ("tweets unknown token", f"/2/spaces/{s}/tweets", {"pagination_token": "0" * 20}, False),
    ]


def test_invalid_requests_conform(http: httpx.Client, picks: Picks, world: World) -> None:
    for label, url, params, spec_rejects in _bad_cases(picks):
        response = http.get(url, params=params, headers=auth(world.app_token))
        assert response.status_code == 400, (label, response.status_code, response.text)
        if spec_rejects:
            assert request_errors(response.request) is not None, f"{label}: the spec accepts it"
        body = assert_conforms(response)
        assert body["type"] == PROBLEMS + "invalid-request" and body["status"] == 400, label


def test_invalid_buyers_requests_conform(http: httpx.Client, picks: Picks) -> None:
    url = f"/2/spaces/{picks.buyers_space}/buyers"
    headers = auth(picks.creator_token)
    for params, spec_rejects in (
        ({"max_results": "101"}, True),
        ({"user.fields": "bogus"}, True),
        ({"expansions": "creator_id"}, True),
        ({"post.fields": "bogus"}, True),
        ({"pagination_token": "short"}, True),
        ({"pagination_token": "0" * 20}, False),
    ):
        response = http.get(url, params=params, headers=headers)
        assert response.status_code == 400, (params, response.text)
        if spec_rejects:
            assert request_errors(response.request) is not None, params
        assert_conforms(response)


# --------------------------------------------------------------------------- extensions
def test_problem_shapes_the_spec_lacks(make_emulator, picks: Picks, world: World) -> None:
    server = make_emulator(rate_limit=1, usage_cap=None)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for headers in (
            {},
            auth("not-a-token"),
            {"Authorization": world.app_token},
            auth(world.tokens.user(world.n_users + 5)),
        ):
            response = client.get(f"/2/spaces/{picks.live}", headers=headers)
            assert response.status_code == 401, headers
            body = assert_extension(response, "AboutBlankProblem")
            assert body["status"] == 401

        response = client.get(
            f"/2/spaces/{picks.buyers_space}/buyers", headers=auth(world.app_token)
        )
        assert response.status_code == 403
        body = assert_extension(response, "UnsupportedAuthenticationProblem")

        first = client.get(f"/2/spaces/{picks.live}", headers=auth(world.app_token))
        assert first.status_code == 200
        limited = client.get(f"/2/spaces/{picks.live}", headers=auth(world.app_token))
        assert limited.status_code == 429
        body = assert_extension(limited, "AboutBlankProblem")
        assert body["status"] == 429

    capped_server = make_emulator(usage_cap=1)
    with httpx.Client(base_url=capped_server.url, timeout=30) as client:
        assert (
            client.get(f"/2/spaces/{picks.live}", headers=auth(world.app_token)).status_code == 200
        )
        capped = client.get(f"/2/spaces/{picks.live}", headers=auth(world.app_token))
        assert capped.status_code == 429
        assert_extension(capped, "UsageCappedProblem")


# --------------------------------------------------------------------------- the checks bite
def test_the_validators_reject_drift(
    http: httpx.Client, picks: Picks, world: World, make_emulator
) -> None:
    """Mutated real bodies must fail: otherwise the sweeps above prove nothing."""
    app = auth(world.app_token)
    everything = {k: ",".join(v) for k, v in list_params("/2/spaces").items()}
    spaces = http.get(
        "/2/spaces", params={"ids": f"{picks.live},{picks.unknown}", **everything}, headers=app
    )
    body = spaces.json()
    assert spec_errors(spaces) is None

    def mutated(change) -> dict:
        copy_ = copy.deepcopy(body)
        change(copy_)
        return copy_

    def legacy_topics(b: dict) -> None:
        b["data"][0]["topics"] = [{"id": t} for t in b["data"][0].pop("topic_ids")]

    def legacy_tweet_count(b: dict) -> None:
        metrics = b["includes"]["users"][0]["public_metrics"]
        metrics["tweet_count"] = metrics.pop("post_count")

    def legacy_problem_host(b: dict) -> None:
        b["errors"][0]["type"] = b["errors"][0]["type"].replace("api.x.com", "api.twitter.com")

    drifts = {
        "inline topics": legacy_topics,
        "tweet_count": legacy_tweet_count,
        "api.twitter.com problem": legacy_problem_host,
        "unknown problem type": lambda b: b["errors"][0].update(type=PROBLEMS + "bogus"),
        "problem without title": lambda b: b["errors"][0].pop("title"),
        "numeric id": lambda b: b["data"][0].update(id=1),
        "bad date": lambda b: b["data"][0].update(created_at="yesterday"),
        "string count": lambda b: b["data"][0].update(participant_count="12"),
        "includes.tweets": lambda b: b["includes"].update(tweets=[{"id": "1", "text": "x"}]),
        "data as object": lambda b: b.update(data=b["data"][0]),
    }
    for name, change in drifts.items():
        assert spec_errors(spaces, mutated(change)) is not None, f"{name} passed the spec"

    # an error body served as application/json is read as the legacy Error shape: fails
    bad = http.get("/2/spaces", params={"ids": "not-an-id"}, headers=app)
    as_json = httpx.Response(
        400, headers={"content-type": "application/json"}, content=bad.content, request=bad.request
    )
    assert spec_errors(as_json, api=OPEN) is not None

    # extension schemas are closed as well
    blank = {
        "title": "Unauthorized",
        "type": "about:blank",
        "status": 401,
        "detail": "Unauthorized",
    }
    assert extension_validator("AboutBlankProblem").is_valid(blank)
    for wrong in (
        {**blank, "status": 403},
        {**blank, "extra": 1},
        {k: v for k, v in blank.items() if k != "detail"},
    ):
        assert not extension_validator("AboutBlankProblem").is_valid(wrong)
    capped = {
        "title": "UsageCapExceeded",
        "detail": "x",
        "type": PROBLEMS + "usage-capped",
        "period": "Monthly",
        "scope": "Product",
        "status": 429,
    }
    assert extension_validator("UsageCappedProblem").is_valid(capped)
    assert not extension_validator("UsageCappedProblem").is_valid({**capped, "period": "Weekly"})
    assert not extension_validator("UsageCappedProblem").is_valid(
        {k: v for k, v in capped.items() if k != "scope"}
    )

    # the older generation of names is served by --legacy-names only, and it is not 2.167
    legacy = make_emulator(legacy_names=True)
    with httpx.Client(base_url=legacy.url, timeout=30) as client:
        response = client.get(
            "/2/spaces", params={"ids": f"{picks.live},{picks.unknown}", **everything}, headers=app
        )
        assert response.status_code == 200
        assert spec_errors(response) is not None
