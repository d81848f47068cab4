"""Emulator throughput: requests per second for fully expanded 100-Space pages and for
buyer pages, with several concurrent clients; plus start time and memory of a world.

    .venv/bin/python -m benchmarks.emulator_throughput                 # default world
    .venv/bin/python -m benchmarks.emulator_throughput --spaces 100000 --users 500000
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from benchmarks._emulator import EmulatorProcess
from emulator.world import World

SPACE_FIELDS = ("created_at,ended_at,id,is_ticketed,lang,participant_count,scheduled_start,started_at,"
                "state,subscriber_count,title,updated_at")
USER_FIELDS = ("created_at,description,entities,id,is_identity_verified,location,name,parody,"
               "profile_banner_url,profile_image_url,protected,public_metrics,subscription_type,url,"
               "username,verified,verified_followers_count,verified_type,withheld")


def run(label: str, url: str, calls: list[tuple[str, dict, str]], clients: int) -> float:
    def one(call: tuple[str, dict, str]) -> int:
        path, params, token = call
        response = http.get(path, params=params, headers={"Authorization": f"Bearer {token}"})
        response.raise_for_status()
        return len(response.content)

    with httpx.Client(base_url=url, timeout=60, limits=httpx.Limits(max_connections=clients)) as http:
        one(calls[0])  # warm up
        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            sizes = list(pool.map(one, calls))
        seconds = time.perf_counter() - started
    rate = len(calls) / seconds
    print(f"{label}: {len(calls)} requests, {clients} clients: {rate:,.0f} requests/s "
          f"({sum(sizes) / len(sizes) / 1024:,.0f} KiB per body)")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spaces", type=int, default=2000)
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()

    world = World(spaces=args.spaces, users=args.users)  # the same world, for ids and tokens
    t = world.start
    visible = [world.space_ids.id(int(i)) for i in world.visible_indices(t)]
    pages = [visible[k:k + 100] for k in range(0, len(visible) - 99, 100)] or [visible]
    ticketed = max((i for i in range(min(world.n_spaces, 50_000)) if world.ticketed[i] and world.visible(i, t)),
                   key=lambda i: len(world.buyer_indices(i, t)))
    creator = world.user_ids.id(int(world.creator[ticketed]))
    buyer_count = len(world.buyer_indices(ticketed, t))

    with EmulatorProcess("--spaces", str(args.spaces), "--users", str(args.users)) as emu:
        print(f"world of {args.spaces:,} Spaces and {args.users:,} users "
              f"({int(world.n_buyers.sum()):,} buyers): up in {emu.start_seconds:.1f} s, "
              f"{emu.rss_mb():,.0f} MiB resident")
        expanded = {"space.fields": SPACE_FIELDS, "user.fields": USER_FIELDS, "topic.fields": "description,id,name",
                    "expansions": "creator_id,host_ids,invited_user_ids,speaker_ids,topic_ids"}
        calls = [("/2/spaces", {"ids": ",".join(pages[k % len(pages)]), **expanded}, world.app_token)
                 for k in range(args.requests)]
        emu.reset()
        run("100-Space pages, every field and expansion", emu.url, calls, args.clients)
        print(f"  emulator time per request: {emu.stats()['serve_seconds'] / args.requests * 1000:.1f} ms")

        # Buyer pages: first pages of the biggest ticketed Space, then walks through its pages.
        token = world.user_token(creator)
        first = httpx.get(f"{emu.url}/2/spaces/{world.space_ids.id(ticketed)}/buyers",
                          params={"max_results": 100}, headers={"Authorization": f"Bearer {token}"}).json()
        cursors = [None, first["meta"].get("next_token")]
        calls = [(f"/2/spaces/{world.space_ids.id(ticketed)}/buyers",
                  {"max_results": 100, "user.fields": USER_FIELDS,
                   **({"pagination_token": cursors[k % 2]} if cursors[k % 2] else {})}, token)
                 for k in range(args.requests)]
        emu.reset()
        run(f"buyer pages of 100 (Space with {buyer_count:,} buyers)", emu.url, calls, args.clients)
        print(f"  emulator time per request: {emu.stats()['serve_seconds'] / args.requests * 1000:.1f} ms")
        print(f"resident after the run: {emu.rss_mb():,.0f} MiB")


if __name__ == "__main__":
    main()
