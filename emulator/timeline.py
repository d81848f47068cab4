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
    hosts: list[int]
    speakers: list[SpeakerTurn]
    invited: list[int]
    topics: list[int]
    reminders: list[float]  # sorted instants at which someone set a reminder
    buyer_times: list[float]  # sorted purchase instants
    buyer_users: list[int]  # same order as buyer_times
    posts: list[SharedPost]  # sorted by creation
    wobble: tuple[float, float, float] = field(default=(0.0, 0.0, 0.0))
    change_times: list[float] = field(default_factory=list)  # sorted; feeds updated_at
    post_times: list[float] = field(default_factory=list)

    def speakers_at(self, t: float) -> list[int]:
        return [s.user for s in self.speakers if s.joined <= t < s.left]

    def subscribers_at(self, t: float) -> int:
        return bisect_right(self.reminders, t) + bisect_right(self.buyer_times, t)

    def buyers_at(self, t: float) -> int:
        return bisect_right(self.buyer_times, t)

    def posts_at(self, t: float) -> int:
        return bisect_right(self.post_times, t)

    def last_change(self, t: float) -> float | None:
        pos = bisect_right(self.change_times, t)
        return self.change_times[pos - 1] if pos else None


def build_timeline(
    *,
    seed: int,
    index: int,
    creator: int,
    n_users: int,
    popular: "PopularUsers",
    created: float,
    scheduled: float | None,
    started: float,
    ended: float,
    edited: float | None,
    theme_topics: list[int],
    n_reminders: int,
    n_buyers: int,
    n_posts: int,
    post_offset: int,
) -> SpaceTimeline:
    rng = random.Random((seed << 40) ^ (index * 2654435761) ^ 0x5EED)
    duration = ended - started

    hosts = [creator]
    for _ in range(rng.choices((0, 1, 2, 3), weights=(55, 25, 14, 6))[0]):
        candidate = popular.pick(rng)
        if candidate not in hosts:
            hosts.append(candidate)

    # At most 10 on stage, hosts included: distinct speakers never exceed what is left.
    speakers: list[SpeakerTurn] = []
    on_stage = set(hosts)
    for _ in range(rng.randint(0, 10 - len(hosts))):
        user = popular.pick(rng)
        if user in on_stage:
            continue
        on_stage.add(user)
        joined = started + rng.random() * duration * 0.85
        stay = rng.expovariate(1.0 / max(duration * 0.35, 60.0))
        left = joined + max(stay, 30.0)
        if rng.random() < 0.3:
            left = ended + 1.0  # still speaking when the Space ends
        speakers.append(SpeakerTurn(user, float(int(joined)), float(int(left))))
    # A quarter of the Spaces clear their stage for good before the end (hosts only):
    # speaker lists become empty while live.
    if speakers and rng.random() < 0.25:
        cleared = float(int(started + duration * rng.uniform(0.5, 0.85)))
        speakers = [SpeakerTurn(s.user, s.joined, min(s.left, cleared)) for s in speakers if s.joined < cleared]
    speakers.sort(key=lambda s: (s.joined, s.user))

    invited: list[int] = []
    if scheduled is not None:
        for _ in range(rng.choices((0, 1, 2, 4), weights=(50, 25, 15, 10))[0]):
            user = rng.randrange(n_users)
            if user not in invited and user not in hosts:
                invited.append(user)

    topics = sorted(set(rng.sample(theme_topics, k=min(len(theme_topics), rng.randint(0, 3)))))

    sale_end = started + 0.3 * duration
    reminders = sorted(
        float(int(created + rng.random() * (started - created))) for _ in range(n_reminders)
    ) if scheduled is not None else []
    buyer_times = sorted(
        float(int(created + rng.random() * (sale_end - created))) for _ in range(n_buyers)
    )
    buyer_users = rng.sample(range(n_users), k=min(n_buyers, n_users))
    buyer_times = buyer_times[: len(buyer_users)]

    posts: list[SharedPost] = []
    window_start = (scheduled if scheduled is not None else started) - 3600.0
    window_start = max(window_start, created)
    for k, t in enumerate(sorted(
        float(int(window_start + rng.random() * (ended + 3600.0 - window_start)))
        for _ in range(n_posts)
    )):
        roll = rng.random()
        author = rng.choice(hosts) if roll < 0.6 else popular.pick(rng)
        quotes = posts[rng.randrange(len(posts))].index if posts and rng.random() < 0.15 else None
        reply_to = rng.choice(hosts) if rng.random() < 0.1 else None
        posts.append(SharedPost(
            index=post_offset + k, created=t, author=author,
            template=rng.randrange(1_000_000), quotes=quotes,
            reply_to_user=reply_to if reply_to != author else None,
            has_media=rng.random() < 0.2, has_poll=rng.random() < 0.05,
            has_place=rng.random() < 0.05,
        ))

    changes = {created, started, ended}
    if edited is not None:
        changes.add(edited)
    for turn in speakers:
        changes.add(turn.joined)
        if turn.left <= ended:
            changes.add(turn.left)
    wobble = (rng.uniform(2.0, 6.0), rng.uniform(0, 2 * math.pi), rng.uniform(0.05, 0.2))
    return SpaceTimeline(
        hosts=hosts, speakers=speakers, invited=invited, topics=topics,
        reminders=reminders, buyer_times=buyer_times, buyer_users=buyer_users,
        posts=posts, wobble=wobble, change_times=sorted(changes),
        post_times=[p.created for p in posts],
    )


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
