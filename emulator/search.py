"""/2/spaces/search over the world's titles: which Spaces match a query, in X's order.

The rule: every whitespace-separated term of the query must appear in the title as a
whole word (not inside a longer word), case-insensitively. A term may hold punctuation:
"c++", "tech's" or "#ai" match those very spellings. A query with no term, a term with
no letter or digit ("-", "!!"), or any control or format character ("tech\\x00") matches
nothing. Only live and scheduled Spaces are found: live first by `participant_count`
descending, then scheduled by `scheduled_start`, ties by id.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from emulator.world import World

_WORD = re.compile(r"\w+")
_SEPARATORS = frozenset(" \t\n\r\x0b\x0c")  # whitespace that separates terms, though C-category


def words(title: str) -> list[str]:
    """The whole words of a title, lowercased: the search index holds these."""
    return _WORD.findall(title.lower())


def query_terms(query: str) -> list[re.Pattern[str]] | None:
    """One pattern per distinct term, to search a lowercased title with; None when the
    query can match nothing."""
    if any(unicodedata.category(c).startswith("C") and c not in _SEPARATORS for c in query):
        return None
    terms = query.lower().split()
    if not terms or not all(_WORD.search(term) for term in terms):
        return None
    return [re.compile(rf"(?<!\w){re.escape(term)}(?!\w)") for term in dict.fromkeys(terms)]


def matches(patterns: list[re.Pattern[str]], title: str) -> bool:
    lowered = title.lower()
    return all(p.search(lowered) for p in patterns)


def find(world: World, index: dict[str, np.ndarray], query: str, state: str,
         max_results: int, t: float) -> list[int]:
    """Indices of the Spaces found at t. `index`: title word -> Space indices, over the
    titles before and after any edit."""
    patterns = query_terms(query)
    if patterns is None:
        return []
    # The index narrows the titles down: each word of a term is a word of its title.
    candidates: np.ndarray | None = None
    for word in dict.fromkeys(words(query)):
        hits = index.get(word)
        if hits is None:
            return []
        candidates = hits if candidates is None else np.intersect1d(candidates, hits)
    wanted = ("live", "scheduled") if state == "all" else (state,)
    found: dict[str, list[int]] = {"live": [], "scheduled": []}
    for i in candidates.tolist() if candidates is not None else []:
        status = world.status(i, t)
        if status not in wanted:
            continue
        if not matches(patterns, world.title_at(i, t)):
            continue  # the words are there, not the term; or only before or after an edit
        found[status].append(i)
    live = sorted(found["live"], key=lambda i: (-world.participants(i, t), world.space_ids.id(i)))
    scheduled = sorted(found["scheduled"], key=lambda i: (world.scheduled[i], world.space_ids.id(i)))
    return (live + scheduled)[:max_results]
