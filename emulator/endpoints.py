"""The six Spaces endpoints: from validated parameters to a response body.

Each handler gets the world, the request's world instant, the caller and its checked
parameters, and returns (status, body). Auth, rate limits and validation happen before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator.paging import Cursor, Paging, page_forward
from emulator.render import PROBLEMS, Renderer, Selection, not_found
from emulator.world import World


@dataclass(frozen=True)
class Call:
    world: World
    paging: Paging
    t: float
    caller: int | None  # user index for a user token, None for the app token
    params: dict[str, Any]
    path: dict[str, str]

    def renderer(self) -> Renderer:
        return Renderer(self.world, Selection.from_params(self.params, self.caller), self.t)


Result = tuple[int, dict]


def search(call: Call) -> Result:
    world, r = call.world, call.renderer()
    found = world.search_indices(call.params["query"], call.params.get("state", "all"),
                                 call.params.get("max_results", 100), call.t)
    data = [r.space(i) for i in found]
    return 200, r.body(data, {"result_count": len(data)})


def by_id(call: Call) -> Result:
    world, r = call.world, call.renderer()
    space_id = call.path["id"]
    i = world.space_index(space_id)
    if i is None or not world.visible(i, call.t):
        r.errors.append(not_found(space_id, "id"))
        return 200, r.body(None)
    return 200, r.body(r.space(i))


def by_ids(call: Call) -> Result:
    world, r = call.world, call.renderer()
    data = []
    for space_id in dict.fromkeys(call.params["ids"]):
        i = world.space_index(space_id)
        if i is None or not world.visible(i, call.t):
            r.errors.append(not_found(space_id, "ids"))
        else:
            data.append(r.space(i))
    return 200, r.body(data)


def by_creator_ids(call: Call) -> Result:
    world, r = call.world, call.renderer()
    users = [u for u in (world.user_index(x) for x in dict.fromkeys(call.params["user_ids"]))
             if u is not None]
    data = [r.space(i) for i in world.creator_indices(users, call.t)]
    return 200, r.body(data, {"result_count": len(data)})


def buyers(call: Call) -> Result:
    world, r = call.world, call.renderer()
    space_id = call.path["id"]
    i = world.space_index(space_id)
    if i is None or not world.visible(i, call.t):
        r.errors.append(not_found(space_id, "id"))
        return 200, r.body(None)
    if call.caller != int(world.creator[i]):
        return 403, {
            "detail": "You are not authorized to see the ticket buyers of this Space: "
                      "only its creator is.",
            "title": "Forbidden",
            "resource_type": "space",
            "parameter": "id",
            "resource_id": space_id,
            "value": space_id,
            "type": PROBLEMS + "not-authorized-for-resource",
            "status": 403,
        }
    everyone = world.buyer_indices(i, call.t)
    size = call.params.get("max_results", 100)
    cursor = _cursor(call, "buyers", i)
    lo, hi = page_forward(len(everyone), cursor, size)
    data = [r.user(u) for u in everyone[lo:hi]]
    meta: dict[str, Any] = {"result_count": len(data)}
    if hi < len(everyone):
        meta["next_token"] = call.paging.token("buyers", i, Cursor(hi, True))
    if lo > 0:
        meta["previous_token"] = call.paging.token("buyers", i, Cursor(lo, False))
    return 200, r.body(data, meta)


def posts(call: Call) -> Result:
    world, r = call.world, call.renderer()
    space_id = call.path["id"]
    i = world.space_index(space_id)
    if i is None or not world.visible(i, call.t):
        r.errors.append(not_found(space_id, "id"))
        return 200, r.body(None)
    shared = world.shared_posts(i)
    count = shared.count_at(call.t)  # posts [0, count) exist; pages run newest first
    size = call.params.get("max_results", 100)
    cursor = _cursor(call, "posts", i)
    if cursor is None or cursor.forward:
        hi = count if cursor is None else min(cursor.position, count)
        lo = max(0, hi - size)
    else:
        lo = min(cursor.position, count)
        hi = min(lo + size, count)
    shown = shared.posts[lo:hi][::-1]
    data = [r.post(p.index) for p in shown]
    meta: dict[str, Any] = {"result_count": len(data)}
    if lo > 0:
        meta["next_token"] = call.paging.token("posts", i, Cursor(lo, True))
    if hi < count and cursor is not None:
        meta["previous_token"] = call.paging.token("posts", i, Cursor(hi, False))
    return 200, r.body(data, meta)


class BadToken(Exception):
    """A pagination token this list never issued."""


def _cursor(call: Call, kind: str, i: int) -> Cursor | None:
    token = call.params.get("pagination_token")
    if token is None:
        return None
    cursor = call.paging.cursor(kind, i, token)
    if cursor is None:
        raise BadToken(token)
    return cursor


HANDLERS: dict[str, Callable[[Call], Result]] = {
    "/2/spaces/search": search,
    "/2/spaces/{id}": by_id,
    "/2/spaces": by_ids,
    "/2/spaces/by/creator_ids": by_creator_ids,
    "/2/spaces/{id}/buyers": buyers,
    "/2/spaces/{id}/tweets": posts,
}
