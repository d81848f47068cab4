"""The world's users: every attribute drawn at once with numpy at start-up (a few bytes per
user), and a user's profile object assembled from them on demand.

User 0 is the most followed; followers fall off like Zipf, so the few popular users who
host most Spaces also have the audiences.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from emulator import text
from emulator.clock import iso
from emulator.ids import BASE62

if TYPE_CHECKING:
    from emulator.world import World

_EPOCH_2008 = 1199145600
_EPOCH_2024 = 1704067200
SUBSCRIPTIONS = ["None", "None", "None", "Basic", "Premium", "PremiumPlus"]


class UserTable:
    def __init__(self, seed: int, n: int) -> None:
        rng = np.random.default_rng([seed, 0x05E5])

        def pick(options: list) -> np.ndarray:
            return rng.integers(0, len(options), n, dtype=np.uint16)

        def chance(p: float) -> np.ndarray:
            return rng.random(n) < p

        rank = np.arange(n, dtype=np.float64)
        self.first, self.last = pick(text.FIRST_NAMES), pick(text.LAST_NAMES)
        self.handle_word, self.topic = pick(text.HANDLE_WORDS), pick(text.TOPICS)
        self.bio, self.location, self.subscription = pick(text.BIO_TEMPLATES), pick(text.LOCATIONS), pick(SUBSCRIPTIONS)
        self.followers = (5_000_000 / (rank + 3) ** 0.95 * rng.uniform(0.6, 1.4, n)
                          + rng.integers(0, 301, n)).astype(np.int64)
        self.verified = (rank < 50) | chance(0.08)
        self.identity = self.verified & chance(0.5)
        self.created = rng.integers(_EPOCH_2008, _EPOCH_2024, n, dtype=np.int64)
        self.affiliated, self.withheld, self.parody = chance(0.01), chance(0.002), chance(0.005)
        self.has_url, self.pinned, self.banner, self.protected = chance(0.4), chance(0.3), chance(0.6), chance(0.02)
        self.following = rng.integers(10, 3001, n, dtype=np.int32)
        self.likes = rng.integers(0, 200_001, n, dtype=np.int32)
        self.listed_div = rng.integers(50, 401, n, dtype=np.int16)
        self.media = rng.integers(0, 5001, n, dtype=np.int32)
        self.posts = rng.integers(50, 150_001, n, dtype=np.int32)
        self.verified_div = rng.integers(20, 201, n, dtype=np.int16)
        self.bits = rng.integers(0, 2**62, (n, 3), dtype=np.int64)  # t.co, image, banner ids


def _tco(value: int) -> str:
    chars = []
    for _ in range(10):
        value, rem = divmod(value, 62)
        chars.append(BASE62[rem])
    return "https://t.co/" + "".join(chars)


def user(world: World, u: int) -> dict:
    """User u's public profile object, in 2.167 names (expansion-only ids included)."""
    p = world.people
    first, last = text.FIRST_NAMES[p.first[u]], text.LAST_NAMES[p.last[u]]
    handle = f"{first}{last}"[:8].lower().replace("á", "a").replace("ó", "o")
    topic = text.TOPICS[p.topic[u]][0]
    tag = topic.replace(" ", "")
    bio = text.BIO_TEMPLATES[p.bio[u]].format(topic=topic, tag=tag)
    followers = int(p.followers[u])
    verified = bool(p.verified[u])
    tco_bits, image_bits, banner_bits = (int(x) for x in p.bits[u])
    user_id = world.user_ids.id(u)
    obj: dict = {}
    if p.affiliated[u]:
        obj["affiliation"] = {
            "badge_url": f"https://pbs.twimg.com/semantic_core_img/{banner_bits % 10**12}/badge.jpg",
            "description": "X Spaces Network", "url": "https://x.com/XSpaces",
            "user_id": [world.user_ids.id(0)],
        }
    obj["created_at"] = iso(float(p.created[u]))
    obj["description"] = bio
    url = _tco(tco_bits) if p.has_url[u] else None
    entities: dict = {}
    if url:
        entities["url"] = {"urls": [{
            "start": 0, "end": len(url), "url": url,
            "expanded_url": f"https://{handle}.example.com", "display_url": f"{handle}.example.com",
        }]}
    if f"#{tag}" in bio:
        start = bio.index(f"#{tag}")
        entities["description"] = {"hashtags": [{"start": start, "end": start + len(tag) + 1, "tag": tag}]}
    if entities:
        obj["entities"] = entities
    obj["id"] = user_id
    obj["is_identity_verified"] = bool(p.identity[u])
    location = text.LOCATIONS[p.location[u]]
    if location:
        obj["location"] = location
    obj["most_recent_post_id"] = world.post_ids.id(world.total_space_posts + world.n_users + u)
    obj["name"] = f"{first} {last}"
    obj["parody"] = bool(p.parody[u])
    if p.pinned[u]:
        obj["pinned_post_id"] = world.post_ids.id(world.total_space_posts + u)
    if p.banner[u]:
        obj["profile_banner_url"] = f"https://pbs.twimg.com/profile_banners/{user_id}/{banner_bits % 10**9}"
    obj["profile_image_url"] = (f"https://pbs.twimg.com/profile_images/{image_bits % 10**18}/"
                                f"{image_bits % 16**8:08x}_normal.jpg")
    obj["protected"] = bool(p.protected[u])
    obj["public_metrics"] = {
        "followers_count": followers,
        "following_count": int(p.following[u]),
        "like_count": int(p.likes[u]),
        "listed_count": followers // int(p.listed_div[u]),
        "media_count": int(p.media[u]),
        "post_count": int(p.posts[u]),
    }
    obj["subscription_type"] = SUBSCRIPTIONS[p.subscription[u]]
    if url:
        obj["url"] = url
    obj["username"] = f"{handle}_{text.HANDLE_WORDS[p.handle_word[u]]}{u:x}"[:15]
    obj["verified"] = verified
    obj["verified_followers_count"] = followers // int(p.verified_div[u])
    obj["verified_type"] = ("business" if u % 97 == 0 else "blue") if verified else "none"
    if p.withheld[u]:
        obj["withheld"] = {"country_codes": ["DE", "FR"]}
    return obj
