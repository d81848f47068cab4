"""The official SDK's Spaces examples, run against the emulator with this client.

Where each example comes from (stored public copies of these pages, searched when this
docstring was written; each test names its source again in a `# Source:` line):

- "SDK reference page": the SpacesClient page of the xdk Python SDK,
  https://mintlify.wiki/xdevplatform/xdk-python/api/spaces (a documentation site generated
  from the SDK's repository, xdevplatform/xdk-python; not docs.x.com): initialization,
  "Search for live Spaces", and get_by_id with includes. The stored copy of the last one
  ends inside the call, after 'started_at': the rest of that test (one more field, the
  expansions, taken from the same page's parameter examples, user_fields and the prints) is
  in-house.
- "docs.x.com quickstarts": the Python SDK tab of https://docs.x.com/x-api/spaces/lookup/quickstart
  (by id, several ids, by creator, host information) and of
  https://docs.x.com/x-api/spaces/search/quickstart (search, filter by state, host
  information). The stored English pages render only their cURL tabs; the same Python code
  is on the localized copies (/es/, /ja/, /ko/, /pt/) and the enterprise-api copies. Of the
  lookup page the stored excerpts show the first example in full (`client.spaces.get(...)`);
  the other three are from the same page and were not re-checked against a stored copy.
- "SDK README": the "Spaces" block of the xdk Python SDK's README (API Reference ->
  Spaces; a 0.2.x beta README as stored in a public code index that does not name its
  repository). The current xdevplatform/xdk-python README has no Spaces example.
- In-house, in the docs' style (labelled "written here"): all ticket buyers, one pass of a
  "monitoring live Spaces" loop, and "tracking creator activity". The issue lists them
  among the docs' examples, but no such example was found in any stored copy of the docs.

Each documented example is its code as published with only three kinds of change, each
marked `# changed:` with the original (`was ...`): the import, the arguments of
`Client(...)` (the emulator's URL and tokens) and the ids (anchor Spaces and their creators
of the emulator's world; the docs' ids do not match the spec's patterns). What an example
prints, and the responses it got, are compared with the World's truth.

The docs.x.com lookup quickstart calls `client.spaces.get(...)` and
`client.spaces.get_spaces(...)`, which the SDK (xdk 0.10.6) does not have (it has
`get_by_id` and `get_by_ids`, as this client does): those two examples also carry a
`# changed:` method name, and a test below pins that the SDK lacks them.
"""

from __future__ import annotations

import inspect

import pytest

from sources.x_spaces._spaces import SpacesClient
from sources.x_spaces.client import Client
from tests._client_support import anchor, assert_same_object, creator_id, creator_token, ids


@pytest.fixture
def world(emulator):
    return emulator.emulator.world


@pytest.fixture
def app(emulator, world):
    """Keyword arguments that replace the docs' Client(bearer_token="YOUR_BEARER_TOKEN")."""
    return {"base_url": emulator.url, "bearer_token": world.app_token}


def printed(capsys) -> list[str]:
    return capsys.readouterr().out.splitlines()


# --------------------------------------------------------------------------- the interface
def test_spaces_methods_have_the_sdk_names_and_parameter_order():
    xdk_spaces = pytest.importorskip("xdk.spaces.client")
    for name in ("search", "get_by_id", "get_by_ids", "get_by_creator_ids", "get_buyers", "get_posts"):
        theirs = [p.name for p in
                  inspect.signature(getattr(xdk_spaces.SpacesClient, name)).parameters.values()]
        ours = [p.name for p in inspect.signature(getattr(SpacesClient, name)).parameters.values()
                if p.kind is not inspect.Parameter.KEYWORD_ONLY]
        assert ours == theirs, name


def test_the_quickstart_method_names_are_not_in_the_sdk_either():
    """Why two examples below change a method name: the SDK itself has no get/get_spaces."""
    xdk_spaces = pytest.importorskip("xdk.spaces.client")
    assert not hasattr(xdk_spaces.SpacesClient, "get")
    assert not hasattr(xdk_spaces.SpacesClient, "get_spaces")


# --------------------------------------------------------------------------- SDK reference page
def test_initialization(emulator, world):
    # Source: SDK reference page, "Initialization".
    from sources.x_spaces.client import Client  # changed: was `from xdk import Client`

    client = Client(
        base_url=emulator.url,  # changed: added
        bearer_token=world.app_token,  # changed: was "YOUR_BEARER_TOKEN"
        access_token=creator_token(world, 2),  # changed: was "YOUR_ACCESS_TOKEN"
    )

    spaces_client = client.spaces

    assert isinstance(spaces_client, SpacesClient)
    # reads use the app token, ticket buyers the user token
    assert spaces_client.search(query="tech").data
    pages = list(spaces_client.get_buyers(anchor(world, 2)))
    assert ids(u for p in pages for u in p.data) == ids(world.buyers(anchor(world, 2)))


def test_search_for_live_spaces(app, world, capsys):
    # Source: SDK reference page, search: "Example".
    client = Client(**app)  # changed: Client(...) arguments

    # Search for live Spaces
    response = client.spaces.search(
        query="tech talks",
        state="live",
        max_results=20,
        space_fields=['id', 'state', 'title', 'participant_count', 'started_at'],
        expansions=['host_ids', 'speaker_ids'],
        user_fields=['username', 'name']
    )

    for space in response.data:
        print(f"Space: {space.title}")
        print(f"State: {space.state}")
        print(f"Participants: {space.participant_count}")
        print("---")

    truth = world.search("tech talks", state="live", max_results=20)
    assert truth, "the anchor Spaces make this search non-empty"
    assert printed(capsys) == [line for s in truth for line in (
        f"Space: {s['title']}", f"State: {s['state']}", f"Participants: {s['participant_count']}", "---")]
    assert ids(response.data) == ids(truth)
    for space, expected in zip(response.data, truth):
        assert_same_object(space, expected, ["id", "state", "title", "participant_count", "started_at",
                                             "host_ids", "speaker_ids"])
    people = {u for s in truth for u in s["host_ids"] + s["speaker_ids"]}
    assert {u.id for u in response.includes["users"]} == people
    for user in response.includes["users"]:
        assert_same_object(user, world.user(user.id), ["username", "name"])


def test_get_by_id_with_includes(app, world, capsys):
    # Source: SDK reference page, get_by_id: "Example", up to 'started_at';
    # from 'participant_count' on, in-house (the stored copy ends there).
    client = Client(**app)  # changed: Client(...) arguments

    space_id = anchor(world, 0)  # changed: was "1ABC2DEF3GHI4JKL"
    response = client.spaces.get_by_id(
        id=space_id,
        space_fields=[
            'id',
            'state',
            'title',
            'created_at',
            'started_at',
            'participant_count',
        ],
        expansions=['host_ids', 'creator_id', 'invited_user_ids'],
        user_fields=['username', 'name']
    )

    space = response.data
    print(f"Space: {space.title} ({space.state})")
    for user in response.includes['users']:
        print(f"Host: @{user.username}")

    truth = world.space(space_id)
    assert_same_object(response.data, truth, ["id", "state", "title", "created_at", "started_at",
                                              "participant_count", "host_ids", "creator_id"])
    people = set(truth["host_ids"]) | {truth["creator_id"]} | set(truth["invited_user_ids"])
    assert sorted(u.id for u in response.includes["users"]) == sorted(people)
    out = printed(capsys)
    assert out[0] == f"Space: {truth['title']} ({truth['state']})"
    assert sorted(out[1:]) == sorted(f"Host: @{world.user(u)['username']}" for u in people)


# --------------------------------------------------------------------------- docs.x.com quickstarts
def test_lookup_get_a_space_by_id(app, world, capsys):
    # Source: docs.x.com lookup quickstart, "Get a Space by ID", Python SDK tab.
    client = Client(**app)  # changed: Client(...) arguments

    # Get a Space by ID
    response = client.spaces.get_by_id(  # changed: was client.spaces.get (not in the SDK)
        anchor(world, 0),  # changed: was "1DXxyRYNejbKM"
        space_fields=["title", "host_ids", "participant_count", "scheduled_start", "state", "created_at"]
    )

    print(f"Space: {response.data.title}")
    print(f"State: {response.data.state}")
    print(f"Participants: {response.data.participant_count}")

    truth = world.space(anchor(world, 0))
    assert printed(capsys) == [f"Space: {truth['title']}", f"State: {truth['state']}",
                               f"Participants: {truth['participant_count']}"]
    assert_same_object(response.data, truth, ["title", "host_ids", "participant_count",
                                              "scheduled_start", "state", "created_at"])


def test_lookup_get_multiple_spaces(app, world, capsys):
    # Source: docs.x.com lookup quickstart, "Get multiple Spaces", Python SDK tab.
    client = Client(**app)  # changed: Client(...) arguments

    # Get multiple Spaces
    response = client.spaces.get_by_ids(  # changed: was client.spaces.get_spaces (not in the SDK)
        ids=[anchor(world, 0), anchor(world, 3)],  # changed: was ["1DXxyRYNejbKM", "1YqJDqWYNQDGW"]
        space_fields=["title", "state", "participant_count"]
    )

    for space in response.data:
        print(f"{space.title} - {space.state}")

    truth = [world.space(anchor(world, 0)), world.space(anchor(world, 3))]
    assert printed(capsys) == [f"{s['title']} - {s['state']}" for s in truth]
    assert [s.state for s in response.data] == ["live", "ended"]
    for space, expected in zip(response.data, truth):
        assert_same_object(space, expected, ["title", "state", "participant_count"])


def test_lookup_get_spaces_by_creator(app, world, capsys):
    # Source: docs.x.com lookup quickstart, "Get Spaces by creator", Python SDK tab.
    client = Client(**app)  # changed: Client(...) arguments

    # Get Spaces by creator
    response = client.spaces.get_by_creator_ids(
        user_ids=[creator_id(world, 0), creator_id(world, 3)],  # changed: was ["2244994945", "783214"]
        space_fields=["title", "state", "scheduled_start"]
    )

    for space in response.data:
        print(f"{space.title} - {space.state}")

    truth = world.spaces_by_creators([creator_id(world, 0), creator_id(world, 3)])
    assert len(truth) > 2
    assert printed(capsys) == [f"{s['title']} - {s['state']}" for s in truth]
    assert ids(response.data) == ids(truth)
    for space, expected in zip(response.data, truth):
        assert_same_object(space, expected, ["title", "state", "scheduled_start"])


def test_lookup_include_host_information(app, world, capsys):
    # Source: docs.x.com lookup quickstart, "Include host information", Python SDK tab.
    client = Client(**app)  # changed: Client(...) arguments

    # Get Space with host info
    response = client.spaces.get_by_id(  # changed: was client.spaces.get (not in the SDK)
        anchor(world, 1),  # changed: was "1DXxyRYNejbKM"
        space_fields=["title", "host_ids", "state"],
        expansions=["host_ids"],
        user_fields=["username", "verified"]
    )

    print(f"Space: {response.data.title}")
    # Host info is in response.includes.users

    truth = world.space(anchor(world, 1))
    assert printed(capsys) == [f"Space: {truth['title']}"]
    assert_same_object(response.data, truth, ["title", "host_ids", "state"])
    assert [u.id for u in response.includes.users] == truth["host_ids"]
    for user in response.includes.users:
        assert_same_object(user, world.user(user.id), ["username", "verified"])


def test_search_for_spaces(app, world, capsys):
    # Source: docs.x.com search quickstart, "Search for Spaces", Python SDK tab.
    client = Client(**app)  # changed: Client(...) arguments

    # Search for Spaces
    response = client.spaces.search(
        query="AI",
        space_fields=["title", "host_ids", "participant_count", "state"],
        state="live"
    )

    for space in response.data:
        print(f"{space.title} - {space.participant_count} participants")

    truth = world.search("AI", state="live")
    assert printed(capsys) == [f"{s['title']} - {s['participant_count']} participants" for s in truth]
    assert ids(response.data) == ids(truth)
    if not truth:  # no live "AI" Space in the default world: data reads as an empty list
        assert response.data == [] and response.meta.result_count == 0


@pytest.mark.parametrize("state, label", [("live", "LIVE"), ("scheduled", "SCHEDULED")])
def test_search_filter_by_state(app, world, capsys, state, label):
    # Source: docs.x.com search quickstart, "Filter by state" (live only / scheduled only), Python SDK tabs.
    client = Client(**app)  # changed: Client(...) arguments

    if state == "live":
        # Search live Spaces only
        response = client.spaces.search(query="tech", state="live")

        for space in response.data:
            print(f"LIVE: {space.title}")
    else:
        # Search scheduled Spaces only
        response = client.spaces.search(query="tech", state="scheduled")

        for space in response.data:
            print(f"SCHEDULED: {space.title}")

    truth = world.search("tech", state=state)
    assert truth
    # no space.fields asked: the default fields (id, state) only, so title prints None
    assert printed(capsys) == [f"{label}: None"] * len(truth)
    assert ids(response.data) == ids(truth)
    assert {s.state for s in response.data} == {state}
    assert all(set(s) == {"id", "state"} for s in response.data)


def test_search_include_host_information(app, world, capsys):
    # Source: docs.x.com search quickstart, "Include host information", Python SDK tab.
    client = Client(**app)  # changed: Client(...) arguments

    # Search with host info
    response = client.spaces.search(
        query="AI",
        space_fields=["title", "host_ids", "state"],
        expansions=["host_ids"],
        user_fields=["username", "verified"]
    )

    for space in response.data:
        print(f"{space.title}")
    # Host info is in response.includes.users

    truth = world.search("AI")
    assert truth
    assert printed(capsys) == [s["title"] for s in truth]
    hosts = {u for s in truth for u in s["host_ids"]}
    assert {u.id for u in response.includes.users} == hosts
    for user in response.includes.users:
        assert_same_object(user, world.user(user.id), ["username", "verified"])


# --------------------------------------------------------------------------- SDK README
def test_readme_spaces_snippet(emulator, world):
    # Source: SDK README, "Spaces" (see the module docstring).
    client = Client(emulator.url, bearer_token=world.app_token,  # changed: Client(...) arguments
                    access_token=creator_token(world, 2))
    SPACE_ID_1, SPACE_ID_2 = anchor(world, 0), anchor(world, 1)  # changed: ids
    SPACE_ID, USER_ID, TICKETED_SPACE_ID = anchor(world, 3), creator_id(world, 1), anchor(world, 2)

    # Get spaces by IDs
    spaces = client.spaces.get_by_ids(ids=[SPACE_ID_1, SPACE_ID_2])

    # Get a single space
    space = client.spaces.get_by_id(id=SPACE_ID)

    # Search spaces
    results = client.spaces.search(query="tech talk")

    # Get spaces by creator IDs
    creator_spaces = client.spaces.get_by_creator_ids(user_ids=[USER_ID])

    # Get ticket buyers for a space (requires OAuth2)
    buyers = client.spaces.get_buyers(id=TICKETED_SPACE_ID, max_results=100)

    # Get posts shared in a space
    posts = client.spaces.get_posts(id=SPACE_ID)

    assert ids(spaces.data) == [SPACE_ID_1, SPACE_ID_2]
    assert space.data.id == SPACE_ID and space.data.state == "ended"
    assert ids(results.data) == ids(world.search("tech talk"))
    assert ids(creator_spaces.data) == ids(world.spaces_by_creators([USER_ID]))
    assert ids(u for page in buyers for u in page.data) == ids(world.buyers(TICKETED_SPACE_ID))
    pages = list(posts)
    assert ids(p for page in pages for p in page.data) == ids(world.posts(SPACE_ID))
    for post, truth in zip((p for page in pages for p in page.data), world.posts(SPACE_ID)):
        assert_same_object(post, truth, ["id", "text", "edit_history_post_ids"])


# --------------------------------------------------------------------------- written here (in-house)
def test_all_ticket_buyers(emulator, world, capsys):
    # Source: none: in-house, in the docs' style (no buyers example found in the docs).
    from sources.x_spaces.client import Client  # changed: was `from xdk import Client`

    # Ticket buyers need the OAuth2 user token of the Space's creator
    client = Client(
        base_url=emulator.url,  # changed: added
        access_token=creator_token(world, 2),  # changed: was "CREATOR_ACCESS_TOKEN"
    )

    # Get all ticket buyers: get_buyers pages through next_token by itself
    buyers = []
    for page in client.spaces.get_buyers(
        id=anchor(world, 2),  # changed: was "SPACE_ID"
        max_results=100,
        user_fields=["username", "created_at", "public_metrics"]
    ):
        buyers.extend(page.data)

    print(f"{len(buyers)} ticket buyers")
    for user in buyers:
        print(f"@{user.username} ({user.public_metrics.followers_count} followers)")

    truth = world.buyers(anchor(world, 2))
    assert len(truth) > 200, "the anchor ticketed Space has three pages of buyers"
    assert client.stats()["/2/spaces/{id}/buyers"].requests == 3
    assert ids(buyers) == ids(truth)
    for user, expected in zip(buyers, truth):
        assert_same_object(user, expected, ["username", "created_at", "public_metrics"])
    assert printed(capsys) == [f"{len(truth)} ticket buyers"] + [
        f"@{u['username']} ({u['public_metrics']['followers_count']} followers)" for u in truth]


def poll_live_spaces(client, known):
    """One pass of a monitoring loop:

        known = {}
        while True:
            poll_live_spaces(client, known)
            time.sleep(60)
    """
    # Monitor live Spaces
    response = client.spaces.search(
        query="tech",
        state="live",
        space_fields=["title", "participant_count", "started_at"],
        expansions=["creator_id"],
        user_fields=["username"]
    )

    creators = {user.id: user.username for user in response.includes.users}
    for space in response.data:
        if space.id not in known:
            print(f"NEW: {space.title} by @{creators[space.creator_id]}")
        known[space.id] = space.participant_count
        print(f"{space.title} - {space.participant_count} participants")


def test_monitoring_live_spaces(app, world, capsys):
    # Source: none: in-house (poll_live_spaces above), in the docs' style.
    client = Client(**app)  # changed: Client(...) arguments

    known = {}
    poll_live_spaces(client, known)

    truth = world.search("tech", state="live")
    assert truth
    expected = []
    for s in truth:
        expected += [f"NEW: {s['title']} by @{world.user(s['creator_id'])['username']}",
                     f"{s['title']} - {s['participant_count']} participants"]
    assert printed(capsys) == expected
    assert known == {s["id"]: s["participant_count"] for s in truth}

    poll_live_spaces(client, known)  # the frozen clock: same Spaces, nothing new
    assert printed(capsys) == [f"{s['title']} - {s['participant_count']} participants" for s in truth]


def test_tracking_creator_activity(app, world, capsys):
    # Source: none: in-house, in the docs' style.
    client = Client(**app)  # changed: Client(...) arguments

    creators = [creator_id(world, 0), creator_id(world, 2)]  # changed: was ["USER_ID_1", "USER_ID_2"]

    # Track what a set of creators are doing
    response = client.spaces.get_by_creator_ids(
        user_ids=creators,
        space_fields=["title", "state", "scheduled_start", "started_at", "ended_at", "participant_count"],
        expansions=["creator_id"],
        user_fields=["username"]
    )

    usernames = {user.id: user.username for user in response.includes.users}
    for space in response.data:
        who = usernames[space.creator_id]
        if space.state == "live":
            print(f"LIVE  @{who}: {space.title} - {space.participant_count} participants")
        elif space.state == "scheduled":
            print(f"SOON  @{who}: {space.title} at {space.scheduled_start}")
        else:
            print(f"ENDED @{who}: {space.title} at {space.ended_at}")

    truth = world.spaces_by_creators(creators)
    assert {s["state"] for s in truth} == {"live", "scheduled", "ended"}
    expected = []
    for s in truth:
        who = world.user(s["creator_id"])["username"]
        if s["state"] == "live":
            expected.append(f"LIVE  @{who}: {s['title']} - {s['participant_count']} participants")
        elif s["state"] == "scheduled":
            expected.append(f"SOON  @{who}: {s['title']} at {s['scheduled_start']}")
        else:
            expected.append(f"ENDED @{who}: {s['title']} at {s['ended_at']}")
    assert printed(capsys) == expected
    assert ids(response.data) == ids(truth)
    assert sorted(usernames) == sorted(creators)
