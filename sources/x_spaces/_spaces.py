"""`client.spaces`: the six Spaces methods of the official SDK (xdk 0.10.6), same names,
parameters and order, plus `iter_by_ids` / `iter_by_creator_ids` for streaming chunks.

Arguments are checked before any request is spent; list methods take any number of ids
(one request per 100); `get_buyers` and `get_posts` page automatically.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from sources.x_spaces import _names as names
from sources.x_spaces import _validation as check
from sources.x_spaces._errors import ForbiddenError
from sources.x_spaces._models import Response
from sources.x_spaces.settings import IDS_PER_LOOKUP

if TYPE_CHECKING:
    from sources.x_spaces.client import Client

log = logging.getLogger("sources.x_spaces.client")

Names = Iterable[str] | str | None


class SpacesClient:
    def __init__(self, client: Client) -> None:
        self.client = client

    # ------------------------------------------------------------------ plumbing
    def _call(self, endpoint: str, path: str, params: dict[str, Any], token: str,
              data_kind: str = "space") -> Response:
        sent = {k: str(v) for k, v in params.items() if v is not None}
        transport = self.client._transport
        body, headers = transport.get(endpoint, path, sent, token)
        names.normalize(body, data_kind)
        data = body.get("data")
        objects = len(data) if isinstance(data, list) else int(data is not None)
        included = sum(len(v) for v in (body.get("includes") or {}).values())
        transport.counters.add(endpoint, objects=objects, included=included)
        return Response(body, endpoint=endpoint, headers=dict(headers))

    def _space_params(self, space_fields: Names, expansions: Names, user_fields: Names,
                      topic_fields: Names) -> dict[str, Any]:
        fields, id_expansions = check.fields(space_fields, names.SPACE_FIELDS,
                                             names.OLDER_SPACE_FIELDS, "space_fields")
        users, _ = check.fields(user_fields, names.USER_FIELDS, names.USER_POST_ID_FIELDS, "user_fields")
        topics, _ = check.fields(topic_fields, names.TOPIC_FIELDS, {}, "topic_fields")
        return {
            "space.fields": check.joined(fields),
            "expansions": check.joined(check.expansions(expansions, names.SPACE_EXPANSIONS) + id_expansions),
            "user.fields": check.joined(users),
            "topic.fields": check.joined(topics),
        }

    def _pages(self, endpoint: str, path: str, params: dict[str, Any], token: str,
               pagination_token: str | None, data_kind: str) -> Iterator[Response]:
        seen: set[str] = set()
        cursor = pagination_token
        pages = 0
        max_pages = self.client.max_pages
        while True:
            response = self._call(endpoint, path, {**params, "pagination_token": cursor}, token, data_kind)
            yield response
            pages += 1
            next_token = (response.json.get("meta") or {}).get("next_token")
            if not next_token:
                return
            if next_token in seen or next_token == cursor:
                log.warning("GET %s: the server repeated a next_token; stopping after %d pages",
                            endpoint, pages)
                return
            if pages >= max_pages:
                log.warning("GET %s: stopping at the page cap (%d pages); more remain", endpoint, pages)
                return
            seen.add(next_token)
            cursor = next_token

    # ------------------------------------------------------------------ lookups
    def search(self, query: str, state: str | None = None, max_results: int | None = None,
               space_fields: Names = None, expansions: Names = None, user_fields: Names = None,
               topic_fields: Names = None) -> Response:
        """Live and scheduled Spaces whose title has every word of `query`."""
        params = {"query": check.query(query), "state": check.state(state),
                  "max_results": check.max_results(max_results),
                  **self._space_params(space_fields, expansions, user_fields, topic_fields)}
        return self._call("/2/spaces/search", "/2/spaces/search", params, self.client._read_token())

    def get_by_id(self, id: str, space_fields: Names = None, expansions: Names = None,
                  user_fields: Names = None, topic_fields: Names = None) -> Response:
        space_id = check.space_id(id)
        params = self._space_params(space_fields, expansions, user_fields, topic_fields)
        return self._call("/2/spaces/{id}", f"/2/spaces/{space_id}", params, self.client._read_token())

    def iter_by_ids(self, ids: Iterable[str], space_fields: Names = None, expansions: Names = None,
                    user_fields: Names = None, topic_fields: Names = None) -> Iterator[Response]:
        """One response per chunk of 100 ids."""
        checked = check.id_list(ids, check.space_id, "ids")
        params = self._space_params(space_fields, expansions, user_fields, topic_fields)
        token = self.client._read_token()
        return (self._call("/2/spaces", "/2/spaces", {**params, "ids": ",".join(chunk)}, token)
                for chunk in _chunks(checked))

    def get_by_ids(self, ids: Iterable[str], space_fields: Names = None, expansions: Names = None,
                   user_fields: Names = None, topic_fields: Names = None) -> Response:
        """Any number of Spaces: one request per 100 ids, merged into one response."""
        return Response.merge(self.iter_by_ids(ids, space_fields, expansions, user_fields, topic_fields),
                              endpoint="/2/spaces")

    def iter_by_creator_ids(self, user_ids: Iterable[str], space_fields: Names = None,
                            expansions: Names = None, user_fields: Names = None,
                            topic_fields: Names = None) -> Iterator[Response]:
        checked = check.id_list(user_ids, check.user_id, "user_ids")
        params = self._space_params(space_fields, expansions, user_fields, topic_fields)
        token = self.client._read_token()
        endpoint = "/2/spaces/by/creator_ids"
        return (self._call(endpoint, endpoint, {**params, "user_ids": ",".join(chunk)}, token)
                for chunk in _chunks(checked))

    def get_by_creator_ids(self, user_ids: Iterable[str], space_fields: Names = None,
                           expansions: Names = None, user_fields: Names = None,
                           topic_fields: Names = None) -> Response:
        """Spaces created by any number of users: one request per 100, merged."""
        return Response.merge(
            self.iter_by_creator_ids(user_ids, space_fields, expansions, user_fields, topic_fields),
            endpoint="/2/spaces/by/creator_ids")

    # ------------------------------------------------------------------ paged
    def get_buyers(self, id: str, max_results: int | None = None, pagination_token: str | None = None,
                   user_fields: Names = None, expansions: Names = None, post_fields: Names = None,
                   *, tweet_fields: Names = None) -> Iterator[Response]:
        """Pages of the users who bought a ticket; needs the creator's OAuth2 user token."""
        space_id = check.space_id(id)
        users, user_expansions = check.fields(user_fields, names.USER_FIELDS, names.OLDER_USER_FIELDS,
                                              "user_fields")
        posts, _ = self._post_fields(post_fields, tweet_fields)
        params = {
            "max_results": check.max_results(max_results),
            "user.fields": check.joined(users),
            "expansions": check.joined(check.expansions(expansions, names.USER_EXPANSIONS) + user_expansions),
            "post.fields": check.joined(posts),
        }
        token = self.client._user_token("get_buyers")
        return self._pages("/2/spaces/{id}/buyers", f"/2/spaces/{space_id}/buyers", params, token,
                           pagination_token, "user")

    def get_posts(self, id: str, max_results: int | None = None, pagination_token: str | None = None,
                  post_fields: Names = None, expansions: Names = None, user_fields: Names = None,
                  media_fields: Names = None, poll_fields: Names = None, place_fields: Names = None,
                  *, tweet_fields: Names = None) -> Iterator[Response]:
        """Pages of the posts shared in a Space, newest first."""
        space_id = check.space_id(id)
        posts, post_expansions = self._post_fields(post_fields, tweet_fields)
        users, _ = check.fields(user_fields, names.USER_FIELDS, names.USER_POST_ID_FIELDS, "user_fields")
        params = {
            "max_results": check.max_results(max_results),
            "post.fields": check.joined(posts),
            "expansions": check.joined(check.expansions(expansions, names.POST_EXPANSIONS) + post_expansions),
            "user.fields": check.joined(users),
            "media.fields": check.joined(check.fields(media_fields, names.MEDIA_FIELDS, {}, "media_fields")[0]),
            "poll.fields": check.joined(check.fields(poll_fields, names.POLL_FIELDS, {}, "poll_fields")[0]),
            "place.fields": check.joined(check.fields(place_fields, names.PLACE_FIELDS, {}, "place_fields")[0]),
        }
        return self._posts_pages(space_id, params, pagination_token, self.client._read_token())

    def _posts_pages(self, space_id: str, params: dict[str, Any], pagination_token: str | None,
                     token: str) -> Iterator[Response]:
        endpoint, path = "/2/spaces/{id}/tweets", f"/2/spaces/{space_id}/tweets"
        try:
            yield from self._pages(endpoint, path, params, token, pagination_token, "post")
        except ForbiddenError as exc:
            # Older reference pages: posts of a Space need user context. Fall back once.
            user_token = self.client._access_token
            if names.problem_name(exc.problem_type) != "unsupported-authentication" or not user_token \
                    or user_token == token:
                raise
            yield from self._pages(endpoint, path, params, user_token, pagination_token, "post")

    @staticmethod
    def _post_fields(post_fields: Names, tweet_fields: Names) -> tuple[list[str], list[str]]:
        a, ax = check.fields(post_fields, names.POST_FIELDS, names.OLDER_POST_FIELDS, "post_fields")
        b, bx = check.fields(tweet_fields, names.POST_FIELDS, names.OLDER_POST_FIELDS, "tweet_fields")
        return a + b, ax + bx


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), IDS_PER_LOOKUP):
        yield ids[start:start + IDS_PER_LOOKUP]
