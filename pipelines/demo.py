"""`make demo`: the main job, end to end, on the embedded emulator."""

from __future__ import annotations

import httpx

from emulator.config import Settings
from emulator.server import EmulatorServer


def main() -> None:
    with EmulatorServer(Settings(clock_speed=0)) as server:
        world = server.emulator.world
        print(f"emulator on {server.url} (world clock frozen at {server.emulator.clock.now():.0f})")
        with httpx.Client(base_url=server.url,
                          headers={"Authorization": f"Bearer {world.app_token}"}) as http:
            found = http.get("/2/spaces/search", params={
                "query": "tech", "state": "live", "space.fields": "title,participant_count",
            }).json()
            for space in found.get("data", []):
                print(f"  live: {space['title']} ({space['participant_count']} listening)")
        print(http_stats(server.url))


def http_stats(url: str) -> str:
    return "requests: " + str(httpx.get(url + "/_emulator/stats").json()["requests"])


if __name__ == "__main__":
    main()
