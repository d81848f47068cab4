"""Full API objects of the world (Space, User, Post, Topic, Media, Poll, Place) in the
production 2.167 names, with every public field the world has for them.

Fields that only arrive through expansions (`creator_id`, `host_ids`, ..., a post's
`author_id`, a user's `pinned_post_id`) are part of the full object; the renderer drops
what a request did not ask for.
"""

from __future__ import annotations

import hashlib
import random
from typing import TYPE_CHECKING

import numpy as np

from emulator import text
from emulator.clock import iso
from emulator.ids import BASE62
from emulator.timeline import SharedPost

if TYPE_CHECKING:
    from emulator.world import World



def space(world: World, i: int, t: float) -> dict:
    state = world.status(i, t)
    timeline = world.timeline(i)
    obj: dict = {"created_at": iso(world.created[i]), "creator_id": world.user_ids.id(int(world.creator[i]))}
    if state == "ended":
        obj["ended_at"] = iso(world.ended[i])
    obj["host_ids"] = [world.user_ids.id(u) for u in timeline.hosts]
    obj["id"] = world.space_ids.id(i)
    obj["invited_user_ids"] = [world.user_ids.id(u) for u in timeline.invited]
    obj["is_ticketed"] = bool(world.ticketed[i])
    obj["lang"] = text.LANGS[int(world.lang[i])]
    obj["participant_count"] = world.participants(i, t)
    if not np.isnan(world.scheduled[i]):
        obj["scheduled_start"] = iso(world.scheduled[i])
    speaking_at = t if state == "live" else float(world.ended[i]) - 1.0
    obj["speaker_ids"] = (
        [world.user_ids.id(u) for u in timeline.speakers_at(speaking_at)] if state != "scheduled" else []
    )
    if state in ("live", "ended"):
        obj["started_at"] = iso(world.started[i])
    obj["state"] = state
    obj["subscriber_count"] = timeline.subscribers_at(t)
    obj["title"] = world.title_at(i, t)
    obj["topic_ids"] = [world.topic_ids.id(k) for k in timeline.topics]
    obj["updated_at"] = iso(timeline.last_change(t) or world.created[i])
    return obj


def _rng(world: World, kind: str, index: int) -> random.Random:
    digest = hashlib.blake2b(f"{world.seed}:{kind}:{index}".encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def _tco(rng: random.Random) -> str:
    value = rng.getrandbits(60)
    chars = []
    for _ in range(10):
        value, rem = divmod(value, 62)
        chars.append(BASE62[rem])
    return "https://t.co/" + "".join(chars)


def _shared_post(world: World, post_index: int) -> tuple[int, SharedPost] | None:
    if post_index >= world.total_space_posts:
        return None
    i = int(np.searchsorted(world.post_offset, post_index, side="right") - 1)
    while world.n_posts[i] == 0:  # offsets repeat for Spaces with no posts
        i -= 1
    k = post_index - int(world.post_offset[i])
    return i, world.shared_posts(i).posts[k]


def post(world: World, p: int) -> dict:
    """Post p: shared in a Space, or a user's pinned or most recent post."""
    found = _shared_post(world, p)
    rng = _rng(world, "post", p)
    post_id = world.post_ids.id(p)
    url = _tco(rng)
    obj: dict = {}
    if found is None:
        own = p - world.total_space_posts
        author = own % world.n_users
        created = world.start - (30 if own < world.n_users else 2) * 86400.0 + own % 86400
        body = f"{'Pinned' if own < world.n_users else 'Latest'}: notes from my Spaces {url}"
        topics: list[int] = []
        quotes = reply_to = None
        media = poll = place = False
    else:
        i, shared = found
        author, created = shared.author, shared.created
        topic_ids = world.timeline(i).topics
        topics = topic_ids
        topic = text.TOPICS[topic_ids[0]][0] if topic_ids else "this"
        template = text.POST_TEMPLATES[shared.template % len(text.POST_TEMPLATES)]
        body = template.format(title=world.titles[i], url=url, topic=topic.lower())
        quotes, reply_to = shared.quotes, shared.reply_to_user
        media, poll, place = shared.has_media, shared.has_poll, shared.has_place
        obj_space_url = f"https://x.com/i/spaces/{world.space_ids.id(i)}"
    if media or poll:
        obj["attachments"] = {}
        if media:
            obj["attachments"]["media_keys"] = [f"3_{post_id}"]
        if poll:
            obj["attachments"]["poll_ids"] = [_poll_id(post_id)]
    obj["author_id"] = world.user_ids.id(author)
    if topics:
        obj["context_annotations"] = [{
            "domain": {"id": "131", "name": "Unified Twitter Taxonomy",
                       "description": "A taxonomy of user interests."},
            "entity": {"id": world.topic_ids.id(k), "name": text.TOPICS[k][0]},
        } for k in topics]
    obj["conversation_id"] = post_id
    obj["created_at"] = iso(created)
    obj["display_text_range"] = [0, len(body)]
    obj["edit_controls"] = {
        "editable_until": iso(created + 3600), "edits_remaining": 5, "is_edit_eligible": True,
    }
    obj["edit_history_post_ids"] = [post_id]
    start = body.index(url)
    expanded = obj_space_url if found is not None else f"https://x.com/{world.user_ids.id(author)}"
    obj["entities"] = {"urls": [{
        "start": start, "end": start + len(url), "url": url, "expanded_url": expanded,
        "display_url": expanded.removeprefix("https://")[:26] + "…",
    }]}
    if place:
        obj["geo"] = {"place_id": _place_id(world, p)}
    obj["id"] = post_id
    if reply_to is not None:
        obj["in_reply_to_user_id"] = world.user_ids.id(reply_to)
    obj["lang"] = "en"
    obj["possibly_sensitive"] = False
    impressions = rng.randint(50, 200_000)
    obj["public_metrics"] = {
        "bookmark_count": impressions // rng.randint(200, 2000),
        "impression_count": impressions,
        "like_count": impressions // rng.randint(20, 200),
        "quote_count": impressions // rng.randint(500, 5000),
        "reply_count": impressions // rng.randint(100, 1000),
        "repost_count": impressions // rng.randint(50, 500),
    }
    if quotes is not None:
        obj["referenced_posts"] = [{"type": "quoted", "id": world.post_ids.id(quotes)}]
    obj["reply_settings"] = "everyone"
    obj["text"] = body
    return obj


def private_metrics(world: World, p: int) -> dict:
    """non_public_metrics / organic_metrics / promoted_metrics, for the author only."""
    rng = _rng(world, "private", p)
    return {
        "non_public_metrics": {"impression_count": rng.randint(50, 200_000),
                               "url_link_clicks": rng.randint(0, 500),
                               "user_profile_clicks": rng.randint(0, 500)},
        "organic_metrics": {"impression_count": rng.randint(50, 200_000),
                            "like_count": rng.randint(0, 900), "reply_count": rng.randint(0, 90),
                            "retweet_count": rng.randint(0, 90), "url_link_clicks": rng.randint(0, 500),
                            "user_profile_clicks": rng.randint(0, 500)},
        "promoted_metrics": {"impression_count": 0, "like_count": 0, "reply_count": 0,
                             "retweet_count": 0, "url_link_clicks": 0, "user_profile_clicks": 0},
    }


def _poll_id(post_id: str) -> str:
    return str(int(post_id) % 10**18 + 10**18 // 2)


def _place_id(world: World, p: int) -> str:
    return hashlib.blake2b(f"{world.seed}:place:{p % 7}".encode(), digest_size=8).hexdigest()


def media(world: World, p: int) -> dict:
    rng = _rng(world, "media", p)
    post_id = world.post_ids.id(p)
    width, height = rng.choice([(1200, 675), (1080, 1080), (1080, 1350)])
    return {
        "alt_text": "A slide shown during the Space",
        "height": height,
        "media_key": f"3_{post_id}",
        "type": "photo",
        "url": f"https://pbs.twimg.com/media/{rng.randrange(16**12):012x}.jpg",
        "width": width,
    }


def poll(world: World, p: int) -> dict:
    rng = _rng(world, "poll", p)
    found = _shared_post(world, p)
    created = found[1].created if found else world.start
    labels = rng.sample(["Yes", "No", "Maybe", "Next week", "Tonight", "Tomorrow"], k=rng.randint(2, 4))
    return {
        "duration_minutes": 1440,
        "end_datetime": iso(created + 86400),
        "id": _poll_id(world.post_ids.id(p)),
        "options": [{"label": label, "position": n + 1, "votes": rng.randint(0, 500)}
                    for n, label in enumerate(labels)],
        "voting_status": "closed",
    }


_PLACES = [
    ("Lagos, Nigeria", "Lagos", "Nigeria", "NG", [3.09, 6.37, 3.70, 6.70]),
    ("Berlin, Germany", "Berlin", "Germany", "DE", [13.09, 52.34, 13.76, 52.68]),
    ("San Francisco, CA", "San Francisco", "United States", "US", [-122.51, 37.71, -122.36, 37.81]),
    ("Tokyo, Japan", "Tokyo", "Japan", "JP", [139.56, 35.53, 139.92, 35.82]),
    ("London, England", "London", "United Kingdom", "GB", [-0.51, 51.28, 0.33, 51.69]),
    ("São Paulo, Brazil", "São Paulo", "Brazil", "BR", [-46.83, -24.0, -46.36, -23.36]),
    ("Seoul, Korea", "Seoul", "Korea", "KR", [126.76, 37.41, 127.18, 37.70]),
]


def place(world: World, p: int) -> dict:
    full_name, name, country, code, bbox = _PLACES[p % 7]
    return {
        "country": country, "country_code": code, "full_name": full_name,
        "geo": {"bbox": bbox, "properties": {}, "type": "Feature"},
        "id": _place_id(world, p), "name": name, "place_type": "city",
    }
