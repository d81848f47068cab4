"""The simulated world: users, topics, Spaces in every state, buyers and shared posts.

`World` is deterministic in its seed and options, and every answer is a function of a
world instant, so tests can ask it for the truth at the instant a load saw:

    world = World(seed=42)
    world.space("1...", at="2026-03-02T16:00:00Z")   # the full Space object, or None
    world.search("tech talks", state="live")
    world.buyers(space_id), world.posts(space_id), world.user(user_id)

Objects come with every public field, in the production (2.167) names, with id lists
present even when empty. The server renders them through the fields a request asks for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import lru_cache

import numpy as np

from emulator import objects, people, text
from emulator.clock import DEFAULT_START, Instant, parse_instant
from emulator.ids import NumericIds, SpaceIds, Tokens
from emulator.people import UserTable
from emulator.search import find, words
from emulator.timeline import (
    PopularUsers,
    SharedPosts,
    SpaceTimeline,
    audience,
    build_buyers,
    build_posts,
    build_timeline,
    unit,
)

HOUR = 3600.0
DAY = 24 * HOUR
STATES = ("scheduled", "live", "ended")


class World:
    def __init__(
        self,
        seed: int = 42,
        spaces: int = 2000,
        users: int = 5000,
        start: str | datetime | float = DEFAULT_START,
        ended_retention: float = DAY,
        app_token: str | None = None,
    ) -> None:
        if spaces < 4 or users < 20:
            raise ValueError("a world needs at least 4 Spaces and 20 users")
        self.seed = seed
        self.n_spaces = spaces
        self.n_users = users
        self.start = parse_instant(start)
        self.ended_retention = float(ended_retention)
        self.tokens = Tokens(seed, app_token)
        self.space_ids = SpaceIds(seed, spaces)
        self.user_ids = NumericIds(seed, "user", users, 10**8, 10**19)
        self.topic_ids = NumericIds(seed, "topic", len(text.TOPICS), 8 * 10**17, 9 * 10**17)
        self.popular = PopularUsers(users)
        self.people = UserTable(seed, users)
        self._generate()
        self._timeline = lru_cache(maxsize=50_000)(self._build_timeline)
        self._shared_posts = lru_cache(maxsize=20_000)(self._build_shared_posts)
        self._buyers = lru_cache(maxsize=5_000)(
            lambda i: build_buyers(self.seed, i, int(self.n_buyers[i]), self.n_users))
        self.user_obj = lru_cache(maxsize=100_000)(self._user_obj)
        self._space_cache = lru_cache(maxsize=50_000)(lambda i, t: objects.space(self, i, t))

    # ------------------------------------------------------------------ generation
    def _generate(self) -> None:
        n, start = self.n_spaces, self.start
        rng = np.random.default_rng(self.seed)
        created = start + rng.uniform(-60 * HOUR, 60 * HOUR, n)
        is_scheduled = rng.random(n) < 0.55
        lead = np.clip(np.exp(rng.normal(np.log(5 * HOUR), 1.0, n)), 600, 14 * DAY)
        delay = np.where(rng.random(n) < 0.3, 0.0, np.clip(rng.exponential(300, n), 0, 3600))
        scheduled = np.where(is_scheduled, created + lead, np.nan)
        started = np.where(is_scheduled, scheduled + delay, created)
        duration = np.clip(np.exp(rng.normal(np.log(50 * 60), 0.6, n)), 300, 8 * HOUR)
        ended = started + duration
        cancelled = is_scheduled & (rng.random(n) < 0.07)
        cancel_at = np.where(cancelled, created + rng.random(n) * lead, np.nan)
        ticketed = is_scheduled & (rng.random(n) < 0.15)
        rank = np.arange(self.n_users, dtype=np.float64)
        weights = 1.0 / (rank + 10.0)
        creator = rng.choice(self.n_users, size=n, p=weights / weights.sum())
        peak = np.clip(3 + rng.pareto(1.2, n) * 30, 3, 250_000).astype(np.int64)
        shares = np.array([t[0] for t in text.THEMES.values()])
        theme = rng.choice(len(shares), size=n, p=shares / shares.sum())
        edited = np.where(rng.random(n) < 0.08, created + rng.random(n) * (ended - created), np.nan)
        n_posts = np.where(rng.random(n) < 0.25, 0, rng.geometric(0.18, n))
        n_buyers = np.where(ticketed, np.maximum(1, (peak * rng.uniform(0.4, 1.4, n))), 0)
        n_reminders = np.where(is_scheduled, (peak * rng.uniform(0.05, 0.4, n)), 0)
        lang = rng.integers(0, len(text.LANGS), n)

        # Four anchor Spaces every world has, as in the SDK docs: live tech talks and
        # programming, a ticketed scheduled AMA with a few pages of buyers, an ended one.
        anchors = [
            # created, scheduled, started, duration, theme, creator, ticketed, peak, buyers
            (-2 * HOUR, -0.5 * HOUR, -0.4 * HOUR, 4 * HOUR, "tech", 0, False, 1800, 0),
            (-1 * HOUR, None, -1 * HOUR, 3 * HOUR, "programming", 1, False, 650, 0),
            (-3 * DAY, 1.5 * HOUR, 1.6 * HOUR, 2 * HOUR, "tech", 2, True, 900, 250),
            (-4 * HOUR, None, -3 * HOUR, 1 * HOUR, "crypto", 3, False, 300, 0),
        ]
        theme_names = list(text.THEMES)
        for i, (c, s, st, d, th, cr, tk, pk, nb) in enumerate(anchors):
            created[i] = start + c
            is_scheduled[i] = s is not None
            scheduled[i] = start + s if s is not None else np.nan
            started[i] = start + st
            ended[i] = started[i] + d
            cancelled[i], cancel_at[i], edited[i] = False, np.nan, np.nan
            ticketed[i], peak[i], n_buyers[i] = tk, pk, nb
            n_reminders[i] = pk // 4 if s is not None else 0
            theme[i] = theme_names.index(th)
            creator[i] = min(cr, self.n_users - 1)
            n_posts[i] = 12
            lang[i] = 0
        anchor_titles = ["Tech talks: building with the X API", "Programming in Rust: live coding",
                         "Weekly tech talks AMA", "Crypto market morning"]

        # Whole seconds everywhere: bodies show .000Z and comparisons stay exact.
        self.created = np.floor(created)
        self.scheduled = np.floor(scheduled)
        self.started = np.floor(started)
        self.ended = np.floor(ended)
        self.cancel_at = np.floor(cancel_at)
        self.edited = np.floor(edited)
        self.ticketed = ticketed
        self.creator = creator.astype(np.int64)
        self.peak = peak
        self.theme = theme
        self.lang = lang
        self.n_posts = n_posts.astype(np.int64)
        self.n_buyers = n_buyers.astype(np.int64)
        self.n_reminders = n_reminders.astype(np.int64)
        self.post_offset = np.concatenate(([0], np.cumsum(self.n_posts)[:-1]))
        self.total_space_posts = int(self.n_posts.sum())
        self.post_ids = NumericIds(
            self.seed, "post", self.total_space_posts + 2 * self.n_users, 10**18, 2 * 10**18
        )

        # Titles, and the edited title of the Spaces renamed at `edited`. Plain lists: a
        # Python loop over numpy scalars is several times slower.
        py_rng = np.random.default_rng(self.seed + 1)
        template_pick = py_rng.random((n, 2)).tolist()
        filler_pick = py_rng.random((n, 2, 4)).tolist()
        themes = [text.THEMES[name][1] for name in theme_names]
        is_edited = (~np.isnan(self.edited)).tolist()
        self.titles: list[str] = []
        self.titles_after_edit: list[str | None] = []
        for i, th in enumerate(theme.tolist()):
            templates = themes[th]
            title = anchor_titles[i] if i < len(anchor_titles) else _fill(
                templates[int(template_pick[i][0] * len(templates))], filler_pick[i][0])
            self.titles.append(title)
            if is_edited[i]:
                other = templates[int(template_pick[i][1] * len(templates))]
                self.titles_after_edit.append(_fill(other, filler_pick[i][1]) + " (part 2)")
            else:
                self.titles_after_edit.append(None)

        index: dict[str, list[int]] = {}
        title_words: dict[str, list[str]] = {}  # titles repeat: split each distinct one once
        for i in range(n):
            for title in (self.titles[i], self.titles_after_edit[i]):
                if title is None:
                    continue
                split = title_words.get(title)
                if split is None:
                    split = title_words[title] = list(dict.fromkeys(words(title)))
                for word in split:
                    index.setdefault(word, []).append(i)
        self._word_index = {w: np.unique(np.array(v, dtype=np.int64)) for w, v in index.items()}

        order = np.argsort(self.creator, kind="stable")
        counts = np.bincount(self.creator, minlength=self.n_users)
        self._by_creator_order = order
        self._by_creator_start = np.concatenate(([0], np.cumsum(counts)))

        topic_index = {name: k for k, (name, _) in enumerate(text.TOPICS)}
        self.theme_topics = [[topic_index[t] for t in spec[2]] for spec in text.THEMES.values()]

    def _build_timeline(self, i: int) -> SpaceTimeline:
        return build_timeline(
            seed=self.seed, index=i, creator=int(self.creator[i]), n_users=self.n_users,
            popular=self.popular, created=float(self.created[i]),
            scheduled=None if np.isnan(self.scheduled[i]) else float(self.scheduled[i]),
            started=float(self.started[i]), ended=float(self.ended[i]),
            edited=None if np.isnan(self.edited[i]) else float(self.edited[i]),
            theme_topics=self.theme_topics[self.theme[i]],
            n_reminders=int(self.n_reminders[i]), n_buyers=int(self.n_buyers[i]),
        )

    def timeline(self, i: int) -> SpaceTimeline:
        return self._timeline(i)

    def _build_shared_posts(self, i: int) -> SharedPosts:
        return build_posts(
            seed=self.seed, index=i, timeline=self.timeline(i), popular=self.popular,
            created=float(self.created[i]),
            scheduled=None if np.isnan(self.scheduled[i]) else float(self.scheduled[i]),
            started=float(self.started[i]), ended=float(self.ended[i]),
            n_posts=int(self.n_posts[i]), post_offset=int(self.post_offset[i]),
        )

    def shared_posts(self, i: int) -> SharedPosts:
        """The posts shared in Space i, built on first use."""
        return self._shared_posts(i)

    # ------------------------------------------------------------------ instants
    def instant(self, at: Instant) -> float:
        return self.start if at is None else parse_instant(at)

    # ------------------------------------------------------------------ Spaces
    def status(self, i: int, t: float) -> str:
        """unborn, scheduled, live, ended, cancelled or expired: only the middle three
        are visible through the API."""
        if t < self.created[i]:
            return "unborn"
        if self.cancel_at[i] <= t:  # NaN compares False
            return "cancelled"
        if t >= self.ended[i] + self.ended_retention:
            return "expired"
        if t < self.started[i]:
            return "scheduled"
        if t < self.ended[i]:
            return "live"
        return "ended"

    def visible(self, i: int, t: float) -> bool:
        return self.status(i, t) in STATES

    def title_at(self, i: int, t: float) -> str:
        edited = self.edited[i]
        if not np.isnan(edited) and t >= edited:
            return self.titles_after_edit[i] or self.titles[i]
        return self.titles[i]

    def participants(self, i: int, t: float) -> int:
        state = self.status(i, t)
        if state == "scheduled":
            return 0
        if state == "ended":
            t = float(self.ended[i]) - 1.0
        timeline = self.timeline(i)
        on_stage = len(timeline.hosts) + len(timeline.speakers_at(t))
        noise = unit(self.seed, "audience", i, int(t // 60))
        return audience(int(self.peak[i]), float(self.started[i]), float(self.ended[i]), t,
                        on_stage, timeline.wobble, noise)

    def space_index(self, space_id: str) -> int | None:
        return self.space_ids.index(space_id)

    def space_at(self, i: int, t: float) -> dict | None:
        """The full object of Space i at t, or None when the API would not find it.
        Cached per instant (a frozen clock asks for the same ones again): do not mutate."""
        if not self.visible(i, t):
            return None
        return self._space_cache(i, float(t))

    def space(self, space_id: str, at: Instant = None) -> dict | None:
        i = self.space_index(space_id)
        return None if i is None else self.space_at(i, self.instant(at))

    def spaces(self, at: Instant = None) -> list[dict]:
        """Every Space the API would find at that instant, in index order."""
        t = self.instant(at)
        return [objects.space(self, i, t) for i in self.visible_indices(t).tolist()]

    def visible_indices(self, t: float) -> np.ndarray:
        alive = (self.created <= t) & (t < self.ended + self.ended_retention)
        alive &= ~(self.cancel_at <= t)
        return np.flatnonzero(alive)

    def search_indices(self, query: str, state: str, max_results: int, t: float) -> list[int]:
        """Indices of what /2/spaces/search answers, in its order (emulator.search)."""
        return find(self, self._word_index, query, state, max_results, t)

    def search(self, query: str, state: str = "all", max_results: int = 100,
               at: Instant = None) -> list[dict]:
        """What /2/spaces/search answers: live first by audience, then scheduled by start."""
        t = self.instant(at)
        return [objects.space(self, i, t) for i in self.search_indices(query, state, max_results, t)]

    def creator_indices(self, user_indices: Iterable[int], t: float) -> list[int]:
        found: list[int] = []
        for u in user_indices:
            lo, hi = self._by_creator_start[u], self._by_creator_start[u + 1]
            own = [int(i) for i in self._by_creator_order[lo:hi] if self.visible(int(i), t)]
            own.sort(key=lambda i: (-self.created[i], self.space_ids.id(i)))
            found.extend(own)
        return found

    def spaces_by_creators(self, user_ids: Iterable[str], at: Instant = None) -> list[dict]:
        t = self.instant(at)
        users = [u for u in (self.user_ids.index(x) for x in user_ids) if u is not None]
        return [objects.space(self, i, t) for i in self.creator_indices(users, t)]

    # ------------------------------------------------------------------ users, buyers, posts
    def user_index(self, user_id: str) -> int | None:
        return self.user_ids.index(user_id)

    def _user_obj(self, user_index: int) -> dict:
        return people.user(self, user_index)

    def user(self, user_id: str) -> dict | None:
        """The full public User object, or None for an id the world does not know."""
        u = self.user_index(user_id)
        return None if u is None else self.user_obj(u)

    def users(self) -> Iterator[dict]:
        for u in range(self.n_users):
            yield people.user(self, u)

    def buyer_indices(self, i: int, t: float) -> list[int]:
        """Users who bought a ticket by t, in purchase order (the order pages follow)."""
        if not self.ticketed[i]:
            return []
        return self._buyers(i)[: self.timeline(i).buyers_at(t)]

    def buyers(self, space_id: str, at: Instant = None) -> list[dict]:
        i = self.space_index(space_id)
        t = self.instant(at)
        if i is None or not self.visible(i, t):
            return []
        return [self.user_obj(u) for u in self.buyer_indices(i, t)]

    def post_indices(self, i: int, t: float) -> list[int]:
        """Posts shared in Space i by t, newest first (the order pages follow)."""
        shared = self.shared_posts(i)
        return [p.index for p in reversed(shared.posts[: shared.count_at(t)])]

    def post(self, post_index: int) -> dict:
        return objects.post(self, post_index)

    def posts(self, space_id: str, at: Instant = None) -> list[dict]:
        i = self.space_index(space_id)
        t = self.instant(at)
        if i is None or not self.visible(i, t):
            return []
        return [self.post(p) for p in self.post_indices(i, t)]

    def topic(self, k: int) -> dict:
        name, description = text.TOPICS[k]
        return {"description": description, "id": self.topic_ids.id(k), "name": name}

    # ------------------------------------------------------------------ tokens
    @property
    def app_token(self) -> str:
        return self.tokens.app

    def user_token(self, user_id: str) -> str | None:
        u = self.user_index(user_id)
        return None if u is None else self.tokens.user(u)


_SLOTS: dict[str, list[str]] = {}


def _fill(template: str, picks: list[float]) -> str:
    """Fill a title template's {slots} from the filler lists with the given picks."""
    slots = _SLOTS.get(template)
    if slots is None:
        slots = _SLOTS[template] = [s for s in text.FILLERS if "{" + s + "}" in template]
    out = template
    for k, slot in enumerate(slots):
        options = text.FILLERS[slot]
        out = out.replace("{" + slot + "}", options[int(picks[k % len(picks)] * len(options))], 1)
    if "{lang2}" in out:
        langs = [x for x in text.FILLERS["lang"] if x not in out]
        out = out.replace("{lang2}", langs[int(picks[-1] * len(langs))])
    return out
