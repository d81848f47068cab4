"""What happens inside one Space over time: hosts, speakers coming and going, reminders,
ticket sales, shared posts and the audience curve.

Generated lazily from (seed, space index) so that a world of 100,000 Spaces costs nothing
until a Space is asked for, and the same Space is always the same.
"""

from __future__ import annotations

import hashlib
import math
import random
from bisect import bisect_right
from dataclasses import dataclass, field


def unit(*keys: object) -> float:
    """A deterministic number in [0, 1) for the given keys."""
    digest = hashlib.blake2b(repr(keys).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@dataclass(frozen=True)
class SpeakerTurn:
    user: int
    joined: float
    left: float  # may be after the Space ended: still on stage at the end


@dataclass(frozen=True)
class SharedPost:
    index: int  # global post index
    created: float
    author: int
    template: int
    quotes: int | None  # global index of an earlier post of the same Space
    reply_to_user: int | None
    has_media: bool
    has_poll: bool
    has_place: bool


@dataclass
class SpaceTimeline:
    """Who is on stage when, and how the subscriber count grows. Buyers' identities and the
    shared posts are built separately (`build_buyers`, `build_posts`), only when asked for."""

    hosts: list[int]
    speakers: list[SpeakerTurn]
    invited: list[int]
    topics: list[int]
    reminders: int  # set evenly between creation and start
    reminder_window: tuple[float, float]
    buyers: int  # bought evenly between creation and 30% into the Space
    sale_window: tuple[float, float]
    wobble: tuple[float, float, float] = field(default=(0.0, 0.0, 0.0))
    change_times: list[float] = field(default_factory=list)  # sorted; feeds updated_at

    def speakers_at(self, t: float) -> list[int]:
        return [s.user for s in self.speakers if s.joined <= t < s.left]

    def reminders_at(self, t: float) -> int:
        return _spread(self.reminders, self.reminder_window, t)

    def buyers_at(self, t: float) -> int:
        return _spread(self.buyers, self.sale_window, t)

    def subscribers_at(self, t: float) -> int:
        return self.reminders_at(t) + self.buyers_at(t)

    def last_change(self, t: float) -> float | None:
        pos = bisect_right(self.change_times, t)
        return self.change_times[pos - 1] if pos else None


def _spread(total: int, window: tuple[float, float], t: float) -> int:
    """How many of `total` events spread evenly over whole seconds of `window` happened by t."""
    start, end = window
    if total <= 0 or t < start:
        return 0
    if t >= end or end <= start:
        return total
    return min(total, int(total * (int(t) - start + 1) / (end - start + 1)))


@dataclass
class SharedPosts:
    posts: list[SharedPost]  # sorted by creation
    times: list[float]

    def count_at(self, t: float) -> int:
        return bisect_right(self.times, t)


def build_timeline(
    *,
    seed: int,
    index: int,
    creator: int,
    n_users: int,
    popular: PopularUsers,
    created: float,
    scheduled: float | None,
    started: float,
    ended: float,
    edited: float | None,
    theme_topics: list[int],
    n_reminders: int,
    n_buyers: int,
) -> SpaceTimeline:
    rng = random.Random((seed << 40) ^ (index * 2654435761) ^ 0x5EED)
    draw = rng.random  # plain draws: choices/randint cost ten times more per call
    duration = ended - started

    hosts = [creator]
    for _ in range(_weighted(draw(), (55, 25, 14, 6))):
        candidate = popular.pick(rng)
        if candidate not in hosts:
            hosts.append(candidate)

    # At most 10 on stage, hosts included: distinct speakers never exceed what is left.
    speakers: list[SpeakerTurn] = []
    on_stage = set(hosts)
    for _ in range(int(draw() * (11 - len(hosts)))):
        user = popular.pick(rng)
        if user in on_stage:
            continue
        on_stage.add(user)
        joined = started + draw() * duration * 0.85
        stay = rng.expovariate(1.0 / max(duration * 0.35, 60.0))
        left = joined + max(stay, 30.0)
        if draw() < 0.3:
            left = ended + 1.0  # still speaking when the Space ends
        speakers.append(SpeakerTurn(user, float(int(joined)), float(int(left))))
    # A quarter of the Spaces clear their stage for good before the end (hosts only):
    # speaker lists become empty while live.
    if speakers and draw() < 0.25:
        cleared = float(int(started + duration * (0.5 + 0.35 * draw())))
        speakers = [SpeakerTurn(s.user, s.joined, min(s.left, cleared)) for s in speakers if s.joined < cleared]
    speakers.sort(key=lambda s: (s.joined, s.user))

    invited: list[int] = []
    if scheduled is not None:
        for _ in range((0, 1, 2, 4)[_weighted(draw(), (50, 25, 15, 10))]):
            user = int(draw() * n_users)
            if user not in invited and user not in hosts:
                invited.append(user)

    wanted = min(len(theme_topics), int(draw() * 4))
    topics = sorted({theme_topics[int(draw() * len(theme_topics))] for _ in range(wanted)})

    changes = {created, started, ended}
    if edited is not None:
        changes.add(edited)
    for turn in speakers:
        changes.add(turn.joined)
        if turn.left <= ended:
            changes.add(turn.left)
    wobble = (2.0 + 4.0 * draw(), 2 * math.pi * draw(), 0.05 + 0.15 * draw())
    return SpaceTimeline(
        hosts=hosts, speakers=speakers, invited=invited, topics=topics,
        reminders=n_reminders if scheduled is not None else 0, reminder_window=(created, started),
        buyers=n_buyers, sale_window=(created, float(int(started + 0.3 * duration))),
        wobble=wobble, change_times=sorted(changes),
    )


def _weighted(roll: float, weights: tuple[int, ...]) -> int:
    edge, total = 0, sum(weights)
    for k, weight in enumerate(weights):
        edge += weight
        if roll * total < edge:
            return k
    return len(weights) - 1


def build_buyers(seed: int, index: int, n_buyers: int, n_users: int) -> list[int]:
    """The Space's buyers in purchase order (distinct users)."""
    rng = random.Random((seed << 40) ^ (index * 2654435761) ^ 0xB0B)
    return rng.sample(range(n_users), k=min(n_buyers, n_users))


def build_posts(*, seed: int, index: int, timeline: SpaceTimeline, popular: PopularUsers,
                created: float, scheduled: float | None, started: float, ended: float,
                n_posts: int, post_offset: int) -> SharedPosts:
    """Posts shared in the Space, from an hour before it (or its schedule) to an hour after."""
    rng = random.Random((seed << 40) ^ (index * 2654435761) ^ 0x9057)
    draw = rng.random
    hosts = timeline.hosts
    window_start = max((scheduled if scheduled is not None else started) - 3600.0, created)
    times = sorted(float(int(window_start + draw() * (ended + 3600.0 - window_start))) for _ in range(n_posts))
    posts: list[SharedPost] = []
    for k, t in enumerate(times):
        author = hosts[int(draw() * len(hosts))] if draw() < 0.6 else popular.pick(rng)
        quotes = posts[int(draw() * len(posts))].index if posts and draw() < 0.15 else None
        reply_to = hosts[int(draw() * len(hosts))] if draw() < 0.1 else None
        posts.append(SharedPost(
            index=post_offset + k, created=t, author=author, template=int(draw() * 1_000_000),
            quotes=quotes, reply_to_user=reply_to if reply_to != author else None,
            has_media=draw() < 0.2, has_poll=draw() < 0.05, has_place=draw() < 0.05,
        ))
    return SharedPosts(posts, times)


class PopularUsers:
    """Draws users with Zipf-like weights: user 0 is the most followed and most active."""

    def __init__(self, n_users: int, exponent: float = 1.07) -> None:
        self.n = n_users
        weights = [1.0 / (rank + 1) ** exponent for rank in range(min(n_users, 20_000))]
        total = 0.0
        self.cumulative: list[float] = []
        for w in weights:
            total += w
            self.cumulative.append(total)
        self.total = total

    def pick(self, rng: random.Random) -> int:
        # The long tail beyond the first 20,000 users is drawn uniformly, 10% of the time.
        if self.n > len(self.cumulative) and rng.random() < 0.1:
            return rng.randrange(len(self.cumulative), self.n)
        return min(bisect_right(self.cumulative, rng.random() * self.total), self.n - 1)


def audience(peak: int, started: float, ended: float, t: float, on_stage: int,
             wobble: tuple[float, float, float], noise: float) -> int:
    """participant_count at instant t of a live Space: a quick rise, a wobbling plateau
    and a fade towards the end. `noise` is in [0, 1)."""
    duration = max(ended - started, 1.0)
    f = min(max((t - started) / duration, 0.0), 1.0)
    rise = min(1.0, f / 0.15)
    fade = 1.0 - 0.6 * max(0.0, f - 0.7) / 0.3
    freq, phase, depth = wobble
    shape = rise * fade * (1.0 + depth * math.sin(2 * math.pi * freq * f + phase))
    value = peak * shape * (0.94 + 0.12 * noise)
    return max(int(value), on_stage)
