"""The Spaces client against canned HTTP answers (respx, offline): shapes the emulator does
not produce (a 429 that waits for the reset, old error and name shapes, a stuck server),
the exact requests sent, and the policy of retries and error mapping.

Rate-limit waits run on a fake clock (the client's RateLimits takes `clock` and `sleep`),
retries in stamina's testing mode: nothing here sleeps for real.
"""

from __future__ import annotations

import logging
import types
from datetime import datetime, timezone
from importlib.metadata import version

import httpx
import pytest
import respx
import stamina
import tenacity

from sources.x_spaces._http import MAX_429_RETRIES
from sources.x_spaces._models import Response
from sources.x_spaces._ratelimit import RESET_MARGIN
from sources.x_spaces.client import (
    APIError,
    AuthenticationError,
    Client,
    ForbiddenError,
    InvalidRequestError,
    NetworkError,
    NotFoundError,
    RateLimitError,
    ServerError,
    UsageCapError,
    XSpacesError,
    problem_name,
)
from tests._client_support import assert_no_token, assert_no_token_in_logs

BASE = "https://api.test"
APP = "app-token-AAAAAAAAAAAAAAAAAAAAA-secret"
USER = "user-token-BBBBBBBBBBBBBBBBBBBB-secret"
SPACE = "1DXxyRYNejbKM"
NOW = 1_800_000_000.0
X = "https://api.x.com/2/problems/"
TWITTER = "https://api.twitter.com/2/problems/"


@pytest.fixture(autouse=True)
def no_backoff():
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


@pytest.fixture
def api():
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        yield mock


class FakeTime:
    """The rate state's clock and sleep: sleeping moves the clock, nothing waits."""

    def __init__(self, client: Client, now: float = NOW) -> None:
        self.now = now
        self.sleeps: list[float] = []
        rates = client._transport.rates
        rates._clock = lambda: self.now
        rates._sleep = self.sleep

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def client(**options) -> Client:
    options.setdefault("retries", 3)
    return Client(BASE, bearer_token=APP, **options)


def limits(remaining: int, reset: float, limit: int = 300) -> dict[str, str]:
    return {"x-rate-limit-limit": str(limit), "x-rate-limit-remaining": str(remaining),
            "x-rate-limit-reset": str(int(reset))}


ONE_SPACE = {"data": {"id": SPACE, "state": "live"}}
TOO_MANY = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank",
            "status": 429}


def utc(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def wait_logs(caplog) -> list[logging.LogRecord]:
    """The client's log records of waits and pauses."""
    return [r for r in caplog.records if r.name == "sources.x_spaces.client"
            and ("waiting" in r.getMessage() or "pausing" in r.getMessage())]


def params_of(route) -> dict[str, str]:
    query = route.calls.last.request.url.params
    assert all(len(query.get_list(k)) == 1 for k in query), "each parameter is sent once"
    return dict(query)


# --------------------------------------------------------------------------- the requests
def test_user_agent_names_the_project_and_timeouts_are_set(api):
    route = api.get(f"/2/spaces/{SPACE}").respond(200, json=ONE_SPACE)

    client().spaces.get_by_id(SPACE)
    request = route.calls.last.request
    assert request.headers["user-agent"].startswith(f"x-spaces/{version('x-spaces')} ")
    assert request.headers["authorization"] == f"Bearer {APP}"
    assert request.extensions["timeout"] == {"connect": 10.0, "read": 30.0, "write": 30.0, "pool": 30.0}

    client(timeout=4.0, user_agent="my-loader/2").spaces.get_by_id(SPACE)
    request = route.calls.last.request
    assert request.headers["user-agent"] == "my-loader/2"
    assert request.extensions["timeout"] == {"connect": 4.0, "read": 4.0, "write": 4.0, "pool": 4.0}


def test_older_id_fields_are_sent_as_expansions(api):
    route = api.get(f"/2/spaces/{SPACE}").respond(200, json=ONE_SPACE)
    client().spaces.get_by_id(SPACE, space_fields=["title", "creator_id", "host_ids", "topic_ids"],
                              expansions=["speaker_ids", "host_ids"], user_fields="username,name")
    sent = params_of(route)
    assert sent["space.fields"] == "title"
    assert sent["expansions"] == "speaker_ids,host_ids,creator_id,topic_ids"
    assert sent["user.fields"] == "username,name"


def test_ids_are_one_comma_separated_parameter(api):
    route = api.get("/2/spaces").respond(200, json={"data": []})
    client().spaces.get_by_ids([SPACE, "1YqJDqWYNQDGW", SPACE])
    assert params_of(route) == {"ids": f"{SPACE},1YqJDqWYNQDGW"}
    creators = api.get("/2/spaces/by/creator_ids").respond(200, json={"meta": {"result_count": 0}})
    client().spaces.get_by_creator_ids(["2244994945", "783214"], space_fields=["title"])
    assert params_of(creators) == {"user_ids": "2244994945,783214", "space.fields": "title"}


def test_post_and_user_names_of_both_generations_are_sent_in_2_167_form(api):
    posts = api.get(f"/2/spaces/{SPACE}/tweets").respond(200, json={"meta": {"result_count": 0}})
    client().spaces.get_posts(SPACE, tweet_fields=["created_at", "author_id", "edit_history_tweet_ids",
                                                   "note_tweet"],
                              expansions=["referenced_tweets.id", "attachments.media_keys"],
                              media_fields=["url"]).__next__()
    sent = params_of(posts)
    assert "tweet.fields" not in sent
    assert sent["post.fields"] == "created_at,note_post"
    assert sent["expansions"] == "referenced_posts,attachments.media_keys,author_id,edit_history_post_ids"
    assert sent["media.fields"] == "url"

    both = list(client().spaces.get_posts(SPACE, post_fields=["text"], tweet_fields=["lang"]))
    assert params_of(posts)["post.fields"] == "text,lang" and len(both) == 1

    buyers = api.get(f"/2/spaces/{SPACE}/buyers").respond(200, json={"meta": {"result_count": 0}})
    list(Client(BASE, access_token=USER).spaces.get_buyers(
        SPACE, max_results=100, user_fields=["username", "pinned_tweet_id"], tweet_fields=["created_at"]))
    assert params_of(buyers) == {"max_results": "100", "user.fields": "username",
                                 "expansions": "pinned_post_id", "post.fields": "created_at"}
    assert buyers.calls.last.request.headers["authorization"] == f"Bearer {USER}"


def test_user_post_id_fields_of_both_generations_are_taken_wherever_user_fields_are(api):
    """Buyers sends them as its 2.167 expansions (above). Elsewhere users are only includes
    and 2.167 has no expansion for them there: sent as the user field the real API and 2.159
    take, whichever name was given, and no expansion the endpoint lacks is added."""
    wanted = ["username", "pinned_tweet_id", "most_recent_post_id", "pinned_post_id"]
    empty = {"meta": {"result_count": 0}}
    routes = {
        "host_ids": [api.get("/2/spaces/search").respond(200, json=empty),
                     api.get(f"/2/spaces/{SPACE}").respond(200, json=ONE_SPACE),
                     api.get("/2/spaces").respond(200, json={"data": []})],
        "creator_id": [api.get("/2/spaces/by/creator_ids").respond(200, json=empty)],
        "author_id": [api.get(f"/2/spaces/{SPACE}/tweets").respond(200, json=empty)],
    }
    c = client()
    c.spaces.search(query="tech", expansions=["host_ids"], user_fields=wanted)
    c.spaces.get_by_id(SPACE, expansions=["host_ids"], user_fields=wanted)
    c.spaces.get_by_ids([SPACE], expansions=["host_ids"], user_fields=wanted)
    c.spaces.get_by_creator_ids(["783214"], expansions=["creator_id"], user_fields=wanted)
    list(c.spaces.get_posts(SPACE, expansions=["author_id"], user_fields=wanted))
    for expansion, endpoint_routes in routes.items():
        for route in endpoint_routes:
            sent = params_of(route)
            assert sent["user.fields"] == "username,pinned_tweet_id,most_recent_tweet_id"
            assert sent["expansions"] == expansion


# --------------------------------------------------------------------------- rate limits
def test_a_429_with_nothing_left_waits_for_the_reset(api):
    reset = NOW + 60
    route = api.get(f"/2/spaces/{SPACE}").mock(side_effect=[
        httpx.Response(429, json=TOO_MANY, headers=limits(0, reset)),
        httpx.Response(200, json=ONE_SPACE, headers=limits(299, NOW + 960)),
    ])
    c = client()
    clock = FakeTime(c)

    assert c.spaces.get_by_id(SPACE).data.id == SPACE

    assert route.call_count == 2
    assert clock.sleeps == [pytest.approx(reset + RESET_MARGIN - NOW)]
    stats = c.stats()["/2/spaces/{id}"]
    assert (stats.requests, stats.waits, stats.retries) == (2, 1, 1)
    assert stats.wait_seconds == pytest.approx(61.0)


def test_a_spent_window_waits_before_calling(api):
    """Remaining 0 on a 200: the next call waits for the reset instead of spending a 429."""
    route = api.get(f"/2/spaces/{SPACE}").mock(side_effect=[
        httpx.Response(200, json=ONE_SPACE, headers=limits(0, NOW + 30)),
        httpx.Response(200, json=ONE_SPACE, headers=limits(299, NOW + 960)),
    ])
    c = client()
    clock = FakeTime(c)
    c.spaces.get_by_id(SPACE)
    assert clock.sleeps == []
    c.spaces.get_by_id(SPACE)
    assert clock.sleeps == [pytest.approx(30 + RESET_MARGIN)]
    assert route.call_count == 2


def test_a_429_with_requests_left_gets_a_short_pause(api):
    route = api.get("/2/spaces/search").mock(side_effect=[
        httpx.Response(429, json=TOO_MANY, headers=limits(250, NOW + 900)),
        httpx.Response(429, json=TOO_MANY, headers=limits(250, NOW + 900)),
        httpx.Response(200, json={"meta": {"result_count": 0}}, headers=limits(249, NOW + 900)),
    ])
    c = client(short_pause=0.7, max_wait=5)
    clock = FakeTime(c)
    c.spaces.search(query="tech")
    assert route.call_count == 3
    assert clock.sleeps == [0.7, 0.7]
    assert c.stats()["/2/spaces/search"].waits == 2


def test_by_creator_ids_is_paced_at_one_request_per_second_per_token(api):
    """Its documented 1 request per second comes in no header: paced from the last answer."""
    route = api.get("/2/spaces/by/creator_ids").respond(
        200, json={"meta": {"result_count": 0}}, headers=limits(299, NOW + 900))
    c = client()
    clock = FakeTime(c)
    for _ in range(3):
        c.spaces.get_by_creator_ids(["783214"])
    assert clock.sleeps == [pytest.approx(1.0), pytest.approx(1.0)]
    c.for_user(USER).spaces.get_by_creator_ids(["783214"])  # another token, its own pace
    assert len(clock.sleeps) == 2
    clock.now += 5
    c.spaces.get_by_creator_ids(["783214"])  # long enough after the last: no pause
    assert len(clock.sleeps) == 2
    assert route.call_count == 5
    assert c.stats()["/2/spaces/by/creator_ids"].waits == 2

    route.mock(side_effect=[httpx.Response(429, json=TOO_MANY, headers=limits(250, NOW + 900)),
                            httpx.Response(200, json={"meta": {"result_count": 0}})])
    clock.now += 5
    c.spaces.get_by_creator_ids(["783214"])  # a 429 from another process on this token
    assert clock.sleeps[2:] == [1.0]  # the short pause covers the pace


def test_a_429_without_rate_headers_pauses_instead_of_hammering(api):
    old_form = {"errors": [{"code": 88, "message": "Rate limit exceeded"}]}
    route = api.get("/2/spaces/search").mock(side_effect=[
        httpx.Response(429, json=old_form),
        httpx.Response(200, json={"meta": {"result_count": 0}}),
    ])
    c = client(short_pause=0.5)
    clock = FakeTime(c)
    assert c.spaces.search(query="tech").data == []
    assert route.call_count == 2
    assert clock.sleeps == [0.5]


def test_endless_429s_end_in_a_rate_limit_error(api):
    route = api.get("/2/spaces/search").respond(429, json=TOO_MANY, headers=limits(10, NOW + 900))
    c = client(short_pause=0.1)
    clock = FakeTime(c)
    with pytest.raises(RateLimitError, match="/2/spaces/search"):
        c.spaces.search(query="tech")
    assert route.call_count == MAX_429_RETRIES
    assert len(clock.sleeps) == MAX_429_RETRIES


def test_a_wait_past_max_wait_raises_and_says_when_the_window_opens(api):
    reset = NOW + 3600
    route = api.get("/2/spaces/search").respond(429, json=TOO_MANY, headers=limits(0, reset))
    c = client(max_wait=900)
    clock = FakeTime(c)
    with pytest.raises(RateLimitError) as caught:
        c.spaces.search(query="tech")
    opens = datetime.fromtimestamp(reset, timezone.utc)
    assert opens.strftime("%Y-%m-%dT%H:%M:%SZ") in str(caught.value)
    assert "maximum wait of 900 s" in str(caught.value)
    assert caught.value.reset_at == opens
    assert caught.value.endpoint == "/2/spaces/search"
    assert route.call_count == 1 and clock.sleeps == []


@pytest.mark.parametrize("date", ["Mon, 01 Jan 2001 00:00:00 GMT", "Fri, 31 Dec 2060 23:59:59 GMT"])
def test_waits_run_on_the_local_clock_never_the_date_header(api, date):
    """The emulator's Date is world time; a real server's clock may be off: only the epoch
    reset against the local clock counts."""
    route = api.get(f"/2/spaces/{SPACE}").mock(side_effect=[
        httpx.Response(429, json=TOO_MANY, headers={**limits(0, NOW + 1), "date": date}),
        httpx.Response(200, json=ONE_SPACE, headers={**limits(0, NOW + 4), "date": date}),
        httpx.Response(200, json=ONE_SPACE, headers={**limits(299, NOW + 900), "date": date}),
    ])
    c = client(max_wait=30)
    clock = FakeTime(c)
    c.spaces.get_by_id(SPACE)  # a 429 until NOW + 1
    c.spaces.get_by_id(SPACE)  # the window the 200 spent opens at NOW + 4
    assert route.call_count == 3
    first = 1 + RESET_MARGIN
    assert clock.sleeps == [pytest.approx(first), pytest.approx(4 + RESET_MARGIN - first)]
    assert 0 < c.stats()["/2/spaces/{id}"].wait_seconds <= 5


def test_each_window_wait_is_logged_once_with_endpoint_and_opening_time(api, caplog):
    caplog.set_level(logging.DEBUG)
    route = api.get(f"/2/spaces/{SPACE}").mock(side_effect=[
        httpx.Response(429, json=TOO_MANY, headers=limits(0, NOW + 60)),
        httpx.Response(200, json=ONE_SPACE, headers=limits(0, NOW + 120)),
        httpx.Response(200, json=ONE_SPACE, headers=limits(299, NOW + 1020)),
        httpx.Response(200, json=ONE_SPACE, headers=limits(298, NOW + 1020)),
    ])
    c = client()
    clock = FakeTime(c)
    for _ in range(3):  # waits for the window after the 429, then the one the 200 spent
        c.spaces.get_by_id(SPACE)
    assert route.call_count == 4 and len(clock.sleeps) == 2
    records = wait_logs(caplog)
    assert len(records) == c.stats()["/2/spaces/{id}"].waits == 2
    for record, opens, seconds in zip(records, (NOW + 60, NOW + 120), clock.sleeps):
        assert record.levelno == logging.INFO
        message = record.getMessage()
        assert "/2/spaces/{id}" in message and f"waiting {seconds:.0f} s" in message
        assert f"the window opens at {utc(opens)}" in message
    assert_no_token_in_logs(caplog.records, [APP])


def test_each_429_pause_is_logged_with_endpoint_and_time(api, caplog):
    caplog.set_level(logging.DEBUG)
    api.get("/2/spaces/search").mock(side_effect=[
        httpx.Response(429, json=TOO_MANY, headers=limits(250, NOW + 900)),
        httpx.Response(429, json={"errors": [{"code": 88, "message": "Rate limit exceeded"}]}),
        httpx.Response(200, json={"meta": {"result_count": 0}}, headers=limits(249, NOW + 900)),
    ])
    c = client(short_pause=0.7)
    FakeTime(c)
    c.spaces.search(query="tech")
    records = wait_logs(caplog)
    assert len(records) == c.stats()["/2/spaces/search"].waits == 2
    assert all(r.levelno == logging.INFO for r in records)
    first, second = (r.getMessage() for r in records)
    assert "GET /2/spaces/search" in first and "250 left in the window" in first
    assert f"pausing 0.7 s, until {utc(NOW + 0.7)}" in first
    assert "no x-rate-limit-reset" in second and f"until {utc(NOW + 1.4)}" in second
    assert_no_token_in_logs(caplog.records, [APP])


def test_each_pace_of_by_creator_ids_is_logged_at_debug(api, caplog):
    caplog.set_level(logging.DEBUG)
    api.get("/2/spaces/by/creator_ids").respond(
        200, json={"meta": {"result_count": 0}}, headers=limits(299, NOW + 900))
    c = client()
    clock = FakeTime(c)
    for _ in range(3):
        c.spaces.get_by_creator_ids(["783214"])
    records = wait_logs(caplog)
    assert len(records) == c.stats()["/2/spaces/by/creator_ids"].waits == len(clock.sleeps) == 2
    for n, record in enumerate(records, start=1):
        assert record.levelno == logging.DEBUG  # on nearly every call there: not INFO noise
        assert "GET /2/spaces/by/creator_ids" in record.getMessage()
        assert f"waiting 1.00 s, until {utc(NOW + n)}" in record.getMessage()
    assert_no_token_in_logs(caplog.records, [APP])


@pytest.mark.parametrize("host", [X, TWITTER])
def test_a_usage_cap_raises_at_once(api, host):
    body = {"title": "UsageCapExceeded", "detail": "Usage cap exceeded: Monthly product cap",
            "type": host + "usage-capped", "period": "Monthly", "scope": "Product", "status": 429}
    route = api.get(f"/2/spaces/{SPACE}").respond(429, json=body, headers=limits(200, NOW + 900))
    c = client(retries=5)
    clock = FakeTime(c)
    with pytest.raises(UsageCapError) as caught:
        c.spaces.get_by_id(SPACE)
    assert (caught.value.period, caught.value.scope) == ("Monthly", "Product")
    assert "UsageCapExceeded" in str(caught.value) and "Monthly product cap" in str(caught.value)
    assert route.call_count == 1 and clock.sleeps == []


# --------------------------------------------------------------------------- errors
CLIENT_ERRORS = [
    (400, InvalidRequestError, {
        "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
        "type": X + "invalid-request", "status": 400,
        "errors": [{"parameters": {"space.fields": ["titel"]},
                    "message": "The `space.fields` value [titel] is not one of ..."},
                   {"parameters": {"space.fields": ["colour"], "expansions": ["x"]},
                    "message": "second"}]},
     "Invalid Request", "The `space.fields` value [titel]"),
    (401, AuthenticationError, {"title": "Unauthorized", "type": "about:blank", "status": 401,
                                "detail": "Unauthorized"}, "Unauthorized", "Unauthorized"),
    (401, AuthenticationError, {"errors": [{"code": 89, "message": "Invalid or expired token."}]},
     "Invalid or expired token.", "code 89"),
    (403, ForbiddenError, {"title": "Unsupported Authentication",
                           "type": TWITTER + "unsupported-authentication",
                           "detail": "Authenticating with OAuth 2.0 Application-Only is forbidden",
                           "status": 403}, "Unsupported Authentication", "Application-Only is forbidden"),
    (404, NotFoundError, {"title": "Not Found Error", "detail": "No such endpoint", "type": "about:blank",
                          "status": 404}, "Not Found Error", "No such endpoint"),
    (409, APIError, {"title": "Conflict", "status": 409}, "Conflict", ""),
]


@pytest.mark.parametrize("status, error, body, title, detail", CLIENT_ERRORS)
def test_client_errors_map_to_their_class_and_are_never_retried(api, status, error, body, title, detail):
    route = api.get(f"/2/spaces/{SPACE}").respond(status, json=body)
    with pytest.raises(error) as caught:
        client(retries=5).spaces.get_by_id(SPACE)
    assert type(caught.value) is error
    assert route.call_count == 1
    message = str(caught.value)
    assert message.startswith(f"GET /2/spaces/{{id}}: HTTP {status}: ")
    assert title in message and detail in message
    assert (caught.value.status_code, caught.value.title) == (status, title)
    assert caught.value.endpoint == "/2/spaces/{id}"
    assert caught.value.url == f"{BASE}/2/spaces/{SPACE}"
    assert caught.value.body == body


def test_invalid_request_lists_the_bad_parameters(api):
    status, error, body, *_ = CLIENT_ERRORS[0]
    api.get(f"/2/spaces/{SPACE}").respond(status, json=body)
    with pytest.raises(InvalidRequestError) as caught:
        client().spaces.get_by_id(SPACE)
    assert caught.value.parameters == {"space.fields": ["titel", "colour"], "expansions": ["x"]}
    assert problem_name(caught.value.problem_type) == "invalid-request"
    assert "second" in caught.value.detail


def test_server_errors_are_retried_then_raised(api):
    route = api.get(f"/2/spaces/{SPACE}").mock(side_effect=[
        httpx.Response(503, json={"errors": [{"code": 130, "message": "Over capacity"}]}),
        httpx.Response(502, text="<html><body><h1>502 Bad Gateway</h1></body></html>",
                       headers={"content-type": "text/html"}),
        httpx.Response(500, json={"title": "Internal Error", "detail": "Something went wrong.",
                                  "type": X + "internal-error", "status": 500}),
        httpx.Response(200, json=ONE_SPACE),
    ])
    c = client(retries=3)
    assert c.spaces.get_by_id(SPACE).data.id == SPACE
    assert route.call_count == 4
    stats = c.stats()["/2/spaces/{id}"]
    assert (stats.requests, stats.retries, stats.errors) == (4, 3, 3)

    route.mock(side_effect=None).respond(500, json={
        "title": "Internal Error", "detail": "Something went wrong.", "type": X + "internal-error",
        "status": 500})
    with pytest.raises(ServerError, match=r"HTTP 500: Internal Error — Something went wrong\.") as caught:
        c.spaces.get_by_id(SPACE)
    assert caught.value.status_code == 500
    assert route.call_count == 4 + 4


def test_network_failures_and_broken_bodies_are_retried(api):
    route = api.get("/2/spaces/search").mock(side_effect=[
        httpx.ConnectError,
        httpx.ReadTimeout,
        httpx.RemoteProtocolError,
        httpx.Response(200, content=b'{"data": [{"id": "1DXxy'),  # cut short
        httpx.Response(200, text="<html>maintenance</html>"),
        httpx.Response(200, json=[]),  # JSON, but not an object
        httpx.Response(200, json={"data": [{"id": SPACE, "state": "live"}], "meta": {"result_count": 1}}),
    ])
    c = client(retries=6)
    assert [s.id for s in c.spaces.search(query="tech").data] == [SPACE]
    assert route.call_count == 7
    stats = c.stats()["/2/spaces/search"]
    assert (stats.requests, stats.retries, stats.errors, stats.objects) == (7, 6, 6, 1)


GZIP = {"content-encoding": "gzip", "content-type": "application/json"}


def corrupt_gzip(lazy: bool) -> httpx.Response:
    """A 200 whose gzip body is garbage; decoded while read (as from a socket), or while
    the response is built (httpx decodes `content=` at once)."""
    if lazy:
        return httpx.Response(200, headers={**GZIP, **limits(299, NOW + 900)},
                              stream=httpx.ByteStream(b"\x1f\x8b not gzip at all"))
    return httpx.Response(200, headers=GZIP, content=b"\x1f\x8b not gzip at all")


def mock_client(handler, **options) -> Client:
    options.setdefault("retries", 3)
    return Client(BASE, bearer_token=APP, transport=httpx.MockTransport(handler), **options)


@pytest.mark.parametrize("lazy", [True, False], ids=["read", "built"])
def test_a_body_that_cannot_be_decoded_is_retried_like_a_cut_one(lazy):
    answers = iter([lambda: corrupt_gzip(lazy), lambda: httpx.Response(200, json=ONE_SPACE)])
    c = mock_client(lambda request: next(answers)())  # built inside the transport, as a send
    assert c.spaces.get_by_id(SPACE).data.id == SPACE
    stats = c.stats()["/2/spaces/{id}"]
    assert (stats.requests, stats.retries, stats.errors) == (2, 1, 1)


@pytest.mark.parametrize("lazy", [True, False], ids=["read", "built"])
def test_out_of_retries_an_undecodable_body_is_a_network_error_holding_no_token(lazy, caplog):
    caplog.set_level(logging.DEBUG)
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return corrupt_gzip(lazy)

    c = mock_client(handler, retries=2)
    with pytest.raises(NetworkError) as caught:
        c.spaces.search(query="tech")
    assert isinstance(caught.value, XSpacesError) and len(calls) == 3
    assert str(caught.value).startswith("GET /2/spaces/search: the body could not be decoded")
    assert "DecodingError" in str(caught.value)
    # the httpx error holds the request, and the request the Authorization header
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert calls[0].headers["authorization"] == f"Bearer {APP}"  # so the token was there to leak
    assert_no_token(caught.value, [APP])
    assert_no_token_in_logs(caplog.records, [APP])
    if lazy:  # the headers came before the broken body: the rate state learnt from them
        (bucket,) = c.rate_limits().values()
        assert bucket["remaining"] == 299


def test_a_transport_message_quoting_the_header_never_carries_the_token(caplog):
    caplog.set_level(logging.DEBUG)

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.LocalProtocolError(f"Illegal header value {request.headers['authorization']!r}")

    with pytest.raises(NetworkError, match="Illegal header value") as caught:
        mock_client(handler, retries=1).spaces.search(query="tech")
    assert_no_token(caught.value, [APP])
    assert_no_token_in_logs(caplog.records, [APP])


@pytest.mark.parametrize("retries", [0, 1, 4])
def test_a_server_always_failing_is_tried_retries_plus_one_times(api, retries):
    route = api.get(f"/2/spaces/{SPACE}").respond(503, json={"title": "Service Unavailable",
                                                             "status": 503})
    c = client(retries=retries)
    with pytest.raises(ServerError, match="HTTP 503: Service Unavailable"):
        c.spaces.get_by_id(SPACE)
    assert route.call_count == retries + 1
    stats = c.stats()["/2/spaces/{id}"]
    assert (stats.requests, stats.retries, stats.errors) == (retries + 1, retries, retries + 1)


class RetryClock:
    """tenacity's clock and sleep (stamina retries through tenacity): sleeping moves the
    clock, nothing waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def retry_clock(monkeypatch):
    """Real backoff (stamina's testing mode off: it drops the timeout) on a fake clock."""
    clock = RetryClock()
    fake_time = types.SimpleNamespace(monotonic=clock.monotonic, sleep=clock.sleep)
    monkeypatch.setattr(tenacity, "time", fake_time)
    monkeypatch.setattr(tenacity.nap, "time", fake_time)
    with stamina.set_testing(False):
        yield clock


def test_retry_timeout_stops_retries_before_the_attempts_run_out(api, retry_clock):
    route = api.get(f"/2/spaces/{SPACE}").respond(503, json={"title": "Service Unavailable"})
    c = client(retries=50, retry_timeout=5.0)
    with pytest.raises(ServerError):
        c.spaces.get_by_id(SPACE)
    sleeps = retry_clock.sleeps
    assert 2 <= route.call_count < 51, "the time bound, not the count, ended the retries"
    assert len(sleeps) == route.call_count - 1
    assert sum(sleeps[:-1]) < 5.0 <= sum(sleeps), "no attempt began after the timeout"
    assert all(later >= earlier - 1.0 for earlier, later in zip(sleeps, sleeps[1:])), "backoff"

    retry_clock.sleeps.clear()
    calls = route.call_count
    with pytest.raises(ServerError):  # a generous time bound: the count ends them
        client(retries=3, retry_timeout=600.0).spaces.get_by_id(SPACE)
    assert route.call_count - calls == 4 and len(retry_clock.sleeps) == 3


def test_out_of_retries_a_network_error_names_the_endpoint_and_holds_no_token(api):
    api.get("/2/spaces/search").mock(side_effect=httpx.ConnectError("connection refused"))
    with pytest.raises(NetworkError) as caught:
        client(retries=2).spaces.search(query="tech")
    assert "GET /2/spaces/search: ConnectError: connection refused" == str(caught.value)
    # the httpx error holds the request, and the request the Authorization header
    assert caught.value.__context__ is None and caught.value.__cause__ is None
    assert_no_token(caught.value, [APP])


def test_errors_hold_no_token(api):
    api.get(f"/2/spaces/{SPACE}").respond(401, json={"title": "Unauthorized", "detail": "Unauthorized",
                                                     "type": "about:blank", "status": 401})
    api.get(f"/2/spaces/{SPACE}/buyers").respond(403, json={"title": "Forbidden", "status": 403})
    errors = []
    for call in (lambda: client().spaces.get_by_id(SPACE),
                 lambda: list(Client(BASE, access_token=USER).spaces.get_buyers(SPACE))):
        with pytest.raises(APIError) as caught:
            call()
        errors.append(caught.value)
    for error in errors:
        assert_no_token(error, [APP, USER])
    assert_no_token(repr(Client(BASE, bearer_token=APP, access_token=USER)), [APP, USER])
    assert_no_token(repr(client().for_user(USER)), [APP, USER])


# --------------------------------------------------------------------------- responses
def test_partial_errors_of_either_host_and_any_shape_are_kept(api):
    errors = [
        {"value": "1abc", "detail": "Could not find space with ids: [1abc].", "title": "Not Found Error",
         "resource_type": "space", "parameter": "ids", "resource_id": "1abc",
         "type": X + "resource-not-found"},
        {"value": "1def", "title": "Not Found Error", "resource_type": "space", "parameter": "ids",
         "resource_id": "1def", "type": TWITTER + "resource-not-found"},  # no detail
        {"title": "Something new", "type": X + "brand-new-problem", "section": "data",
         "extra": {"nested": [1, 2]}},  # unknown type and fields
        {"code": 63, "message": "User has been suspended."},  # old shape
    ]
    api.get("/2/spaces").respond(200, json={"data": [{"id": SPACE, "state": "live"}], "errors": errors})
    response = client().spaces.get_by_ids([SPACE, "1abc", "1def"])
    assert [s.id for s in response.data] == [SPACE]
    assert response.errors == errors
    assert [problem_name(e.type) for e in response.errors] == [
        "resource-not-found", "resource-not-found", "brand-new-problem", ""]
    assert response.errors[1].detail is None
    assert response.errors[2].extra.nested == [1, 2]
    assert response.errors[3].message == "User has been suspended."


@pytest.mark.parametrize("uri, name", [
    (X + "resource-not-found", "resource-not-found"),
    (TWITTER + "resource-not-found", "resource-not-found"),
    ("https://api.x.com/2/problems/usage-capped/", "usage-capped"),
    ("about:blank", ""),
    ("", ""),
    (None, ""),
    ("https://example.com/problems/x", ""),
])
def test_problem_name(uri, name):
    assert problem_name(uri) == name


def test_empty_responses_read_as_empty_lists(api):
    api.get("/2/spaces/search").respond(200, json={"meta": {"result_count": 0}})
    api.get(f"/2/spaces/{SPACE}").respond(200, json={"errors": [{"type": X + "resource-not-found",
                                                                 "title": "Not Found Error"}]})
    empty = client().spaces.search(query="nothing")
    assert empty.data == [] and empty.errors == [] and empty.includes.users == []
    assert empty.includes["topics"] == [] and empty.meta.result_count == 0
    assert empty.meta.next_token is None
    missing = client().spaces.get_by_id(SPACE)
    assert missing.data == [] and len(missing.errors) == 1


def test_attribute_access_and_includes(api):
    body = {"data": [{"id": SPACE, "title": "Hello", "host_ids": ["1"], "extra": {"deep": {"x": 1}}}],
            "includes": {"users": [{"id": "1", "username": "alice",
                                    "public_metrics": {"followers_count": 3}}]},
            "meta": {"result_count": 1}}
    api.get("/2/spaces/search").respond(200, json=body)
    response = client().spaces.search(query="hello")
    assert response.json == body
    space = response.data[0]
    assert space.title == space["title"] == "Hello"
    assert space.extra.deep.x == 1 and space.missing is None
    assert response.includes["users"][0].username == response.includes.users[0].username == "alice"
    assert response.includes.users[0].public_metrics.followers_count == 3
    assert response.includes.media == []
    with pytest.raises(AttributeError):
        space.__wrapped__  # noqa: B018 - dunder names are not fields


def test_older_names_in_responses_are_read_as_2_167_names(api):
    user = {"id": "1", "username": "alice", "pinned_tweet_id": "10", "most_recent_tweet_id": "11",
            "public_metrics": {"followers_count": 5, "tweet_count": 42}}
    tweet = {"id": "10", "text": "hi", "edit_history_tweet_ids": ["10"], "note_tweet": {"text": "long"},
             "referenced_tweets": [{"type": "quoted", "id": "9"}],
             "public_metrics": {"retweet_count": 3, "like_count": 4}}
    api.get(f"/2/spaces/{SPACE}/buyers").respond(200, json={
        "data": [user], "includes": {"tweets": [tweet]}, "meta": {"result_count": 1}})
    (page,) = Client(BASE, access_token=USER).spaces.get_buyers(SPACE)
    assert page.json == {
        "data": [{"id": "1", "username": "alice", "pinned_post_id": "10", "most_recent_post_id": "11",
                  "public_metrics": {"followers_count": 5, "post_count": 42}}],
        "includes": {"posts": [{"id": "10", "text": "hi", "edit_history_post_ids": ["10"],
                                "note_post": {"text": "long"},
                                "referenced_posts": [{"type": "quoted", "id": "9"}],
                                "public_metrics": {"repost_count": 3, "like_count": 4}}]},
        "meta": {"result_count": 1},
    }
    assert page.includes.posts[0].public_metrics.repost_count == 3
    assert page.data[0].public_metrics.post_count == 42

    api.get(f"/2/spaces/{SPACE}/tweets").respond(200, json={
        "data": [dict(tweet)], "includes": {"users": [dict(user)]}, "meta": {"result_count": 1}})
    (posts,) = client().spaces.get_posts(SPACE)
    assert posts.data[0].edit_history_post_ids == ["10"] and "edit_history_tweet_ids" not in posts.data[0]
    assert posts.data[0].public_metrics == {"repost_count": 3, "like_count": 4}
    assert posts.includes.users[0].public_metrics.post_count == 42


def test_inline_topics_become_topic_ids_and_includes(api):
    ai = {"id": "848920371311001600", "name": "Technology"}
    music = {"id": "847869190225526784", "name": "Music"}
    api.get("/2/spaces").respond(200, json={
        "data": [{"id": SPACE, "state": "live", "topics": [ai, music]},
                 {"id": "1YqJDqWYNQDGW", "state": "live", "topics": [ai]},
                 {"id": "1OwxWzEEZXYJQ", "state": "ended"}],
        "includes": {"users": [{"id": "1", "username": "alice"}]}})
    response = client().spaces.get_by_ids([SPACE, "1YqJDqWYNQDGW", "1OwxWzEEZXYJQ"])
    assert [s.topic_ids for s in response.data] == [[ai["id"], music["id"]], [ai["id"]], None]
    assert all("topics" not in s for s in response.data)
    assert response.includes.topics == [ai, music]
    assert response.includes.users == [{"id": "1", "username": "alice"}]


def test_both_generations_in_one_body_keep_the_2_167_value(api):
    api.get("/2/spaces/search").respond(200, json={
        "data": [{"id": SPACE, "topic_ids": ["1"], "topics": [{"id": "2", "name": "Other"}]}],
        "includes": {"users": [{"id": "1", "public_metrics": {"tweet_count": 1, "post_count": 2}}],
                     "topics": [{"id": "1", "name": "Tech"}]}})
    response = client().spaces.search(query="x")
    assert response.data[0].topic_ids == ["1"]
    assert response.includes.users[0].public_metrics == {"post_count": 2}
    assert {t.id for t in response.includes.topics} == {"1", "2"}


def test_merge_concatenates_data_dedups_includes_and_keeps_errors():
    a = Response({"data": [{"id": "1"}], "includes": {"users": [{"id": "u1"}, {"id": "u2"}],
                                                      "media": [{"media_key": "m1"}]},
                  "errors": [{"title": "e1"}], "meta": {"result_count": 1}})
    b = Response({"includes": {"users": [{"id": "u2", "name": "later copy"}, {"id": "u3"}],
                               "media": [{"media_key": "m1"}, {"media_key": "m2"}]},
                  "errors": [{"title": "e2"}], "meta": {"result_count": 0}})
    c = Response({"data": [{"id": "2"}, {"id": "3"}], "meta": {"result_count": 2}})
    merged = Response.merge([a, b, c], endpoint="/2/spaces")
    assert [d.id for d in merged.data] == ["1", "2", "3"]
    assert merged.includes.users == [{"id": "u1"}, {"id": "u2"}, {"id": "u3"}]
    assert [m.media_key for m in merged.includes.media] == ["m1", "m2"]
    assert [e.title for e in merged.errors] == ["e1", "e2"]
    assert merged.meta.result_count == 3
    assert Response.merge([]).data == []


# --------------------------------------------------------------------------- paging
def _page(n: int, next_token: str | None = None, previous: str | None = None) -> httpx.Response:
    meta: dict = {"result_count": 1}
    if next_token:
        meta["next_token"] = next_token
    if previous:
        meta["previous_token"] = previous
    return httpx.Response(200, json={"data": [{"id": str(n), "username": f"u{n}"}], "meta": meta})


def test_pages_follow_next_token_to_the_end(api):
    route = api.get(f"/2/spaces/{SPACE}/buyers").mock(side_effect=[
        _page(1, "t2"), _page(2, "t3", previous="t1"), _page(3, previous="t2")])
    pages = list(Client(BASE, access_token=USER).spaces.get_buyers(SPACE, max_results=1))
    assert [p.data[0].id for p in pages] == ["1", "2", "3"]
    assert [c.request.url.params.get("pagination_token") for c in route.calls] == [None, "t2", "t3"]


def test_a_repeated_next_token_stops_with_a_warning(api, caplog):
    route = api.get(f"/2/spaces/{SPACE}/tweets").mock(side_effect=[_page(1, "same"), _page(2, "same"),
                                                                   _page(3, "same")])
    with caplog.at_level(logging.WARNING, logger="sources.x_spaces.client"):
        pages = list(client().spaces.get_posts(SPACE))
    assert len(pages) == 2 and route.call_count == 2
    assert any("repeated a next_token" in r.getMessage() for r in caplog.records)


def test_a_next_token_cycle_stops_with_a_warning(api, caplog):
    route = api.get(f"/2/spaces/{SPACE}/tweets").mock(side_effect=[
        _page(1, "a"), _page(2, "b"), _page(3, "a"), _page(4, "b"), _page(5)])
    with caplog.at_level(logging.WARNING, logger="sources.x_spaces.client"):
        pages = list(client().spaces.get_posts(SPACE))
    assert len(pages) == 3 and route.call_count == 3
    assert any("repeated a next_token" in r.getMessage() for r in caplog.records)


def test_the_page_cap_stops_with_a_warning(api, caplog):
    counter = iter(range(1, 1000))
    route = api.get(f"/2/spaces/{SPACE}/buyers").mock(
        side_effect=lambda request: _page(n := next(counter), f"t{n + 1}"))
    with caplog.at_level(logging.WARNING, logger="sources.x_spaces.client"):
        pages = list(Client(BASE, access_token=USER, max_pages=4).spaces.get_buyers(SPACE))
    assert len(pages) == 4 and route.call_count == 4
    assert any("page cap" in r.getMessage() for r in caplog.records)
    shared = Client(BASE, bearer_token=APP, max_pages=2).for_user(USER)
    assert len(list(shared.spaces.get_buyers(SPACE))) == 2


def test_pagination_starts_from_the_given_token(api):
    route = api.get(f"/2/spaces/{SPACE}/buyers").mock(side_effect=[_page(7)])
    (page,) = Client(BASE, access_token=USER).spaces.get_buyers(SPACE, pagination_token="t7")
    assert route.calls.last.request.url.params["pagination_token"] == "t7"


def test_posts_fall_back_to_the_user_token_on_unsupported_authentication(api):
    forbidden = {"title": "Unsupported Authentication", "type": X + "unsupported-authentication",
                 "detail": "Application-Only is forbidden", "status": 403}
    route = api.get(f"/2/spaces/{SPACE}/tweets").mock(side_effect=[
        httpx.Response(403, json=forbidden), _page(1)])
    both = Client(BASE, bearer_token=APP, access_token=USER)
    assert [p.data[0].id for p in both.spaces.get_posts(SPACE)] == ["1"]
    assert [c.request.headers["authorization"] for c in route.calls] == [f"Bearer {APP}", f"Bearer {USER}"]

    other = {"title": "Forbidden", "type": X + "not-authorized-for-resource", "status": 403}
    route.mock(side_effect=[httpx.Response(403, json=other)])
    with pytest.raises(ForbiddenError):
        list(both.spaces.get_posts(SPACE))
    route.mock(side_effect=[httpx.Response(403, json=forbidden)])
    with pytest.raises(ForbiddenError):  # no user token to fall back to
        list(client().spaces.get_posts(SPACE))
