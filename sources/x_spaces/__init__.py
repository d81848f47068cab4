"""dlt source for X API v2 Spaces: Spaces, users, hosts, speakers, topics, buyers, posts,
audience snapshots and API errors, loaded incrementally.

    import dlt
    from sources.x_spaces import x_spaces

    pipeline = dlt.pipeline("x_spaces", destination="duckdb", dataset_name="x_spaces")
    pipeline.run(x_spaces(queries=["tech", "music"]))

Secrets come from `.dlt/secrets.toml` or the environment: `bearer_token` (app) and
`user_tokens` (creator user id -> that creator's OAuth2 user token, for ticket buyers).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import dlt
from dlt.sources import DltResource

from sources.x_spaces import _validation as check
from sources.x_spaces import settings as cfg
from sources.x_spaces.client import Client
from sources.x_spaces.harvest import Harvest, Options
from sources.x_spaces.known import from_pipeline
from sources.x_spaces.tables import TABLES

TABLE_HINTS = {name: dlt.mark.make_hints(**table.hints()) for name, table in TABLES.items()}


@dlt.source(name="x_spaces", max_table_nesting=0)
def x_spaces(
    queries: Sequence[str] = (),
    state: str = "all",
    creator_ids: Sequence[str] = (),
    space_ids: Sequence[str] = (),
    buyers: bool = True,
    posts: bool = True,
    max_requests: int = 0,
    concurrency: int = cfg.DEFAULT_CONCURRENCY,
    max_wait: float = cfg.DEFAULT_MAX_WAIT,
    lock_timeout: float = 60.0,
    base_url: str = cfg.DEFAULT_BASE_URL,
    space_fields: Sequence[str] = cfg.SPACE_FIELDS,
    user_fields: Sequence[str] = cfg.USER_FIELDS,
    topic_fields: Sequence[str] = cfg.TOPIC_FIELDS,
    post_fields: Sequence[str] = cfg.POST_FIELDS,
    space_expansions: Sequence[str] = cfg.SPACE_EXPANSIONS,
    post_expansions: Sequence[str] = cfg.POST_EXPANSIONS,
    buyer_expansions: Sequence[str] = cfg.BUYER_EXPANSIONS,
    bearer_token: str = dlt.secrets.value,
    user_tokens: dict[str, str] | None = dlt.secrets.value,
) -> DltResource:
    """X API v2 Spaces found by search `queries` (in `state`), by `creator_ids` and by
    explicit `space_ids`, with their buyers and posts.

    max_requests caps one load (0: no cap); the next load continues where it stopped.
    concurrency bounds parallel requests; max_wait is the longest rate-limit wait (s);
    lock_timeout is how long to wait for a destination file another process holds (s).
    The *_fields and *_expansions default to every public field and the Space expansions
    plus author_id; fields that depend on the calling token are opt-in here.
    """
    check.state(state)
    for query in queries:
        check.query(query)
    if max_requests < 0 or concurrency < 1:
        raise ValueError("max_requests must be 0 (no cap) or more, and concurrency 1 or more")
    options = Options(
        queries=list(queries), state=state, creator_ids=[check.user_id(i) for i in creator_ids],
        space_ids=[check.space_id(i) for i in space_ids], buyers=buyers, posts=posts,
        max_requests=max_requests, concurrency=concurrency,
        space_fields=tuple(space_fields), user_fields=tuple(user_fields), topic_fields=tuple(topic_fields),
        post_fields=tuple(post_fields), space_expansions=tuple(space_expansions), post_expansions=tuple(post_expansions),
        buyer_expansions=tuple(buyer_expansions),
    )
    client = Client(base_url=base_url, bearer_token=bearer_token, max_wait=max_wait,
                    max_connections=max(16, concurrency * 2))
    tokens = user_tokens if user_tokens is not None else {}
    if isinstance(tokens, dict) and type(tokens) is dict:
        tokens = {str(k): v for k, v in tokens.items()}  # TOML keys may arrive as ints
    return spaces_api(client, options, tokens, lock_timeout)


@dlt.resource(name="spaces_api", standalone=False)
def spaces_api(client: Client, options: Options, user_tokens: Mapping[str, str],
               lock_timeout: float = 60.0) -> Iterator[Any]:
    """Every table of the dataset, page by page. This resource has no hints of its own:
    each page carries its table's hints (see tables.py)."""
    known, existing = from_pipeline(dlt.current.pipeline(), TABLES, lock_timeout)
    harvest = Harvest(client, options, known, dlt.current.resource_state(), user_tokens, existing)
    try:
        for table_name, page in harvest.pages():
            yield dlt.mark.with_hints(page, TABLE_HINTS[table_name], create_table_variant=True)
    finally:
        client.close()
