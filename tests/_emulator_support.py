"""What the emulator tests share: the spec's enums, and a World built apart from a server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import emulator as emulator_pkg
from emulator.server import EmulatorServer
from emulator.world import World

SPEC: dict[str, Any] = json.loads(
    (Path(emulator_pkg.__file__).parent / "spec" / "x-api-v2-spaces.openapi.json").read_text()
)


def enum(parameter: str) -> list[str]:
    return SPEC["components"]["parameters"][parameter]["schema"]["items"]["enum"]


SPACE_FIELDS = enum("SpaceFieldsParameter")
SPACE_EXPANSIONS = enum("SpaceExpansionsParameter")
USER_FIELDS = enum("UserFieldsParameter")
TOPIC_FIELDS = enum("TopicFieldsParameter")


def world_like(server: EmulatorServer) -> World:
    """Ground truth with the server's options, built apart from the server's own World,
    so a test never compares the emulator with itself."""
    s = server.emulator.settings
    return World(seed=s.seed, spaces=s.spaces, users=s.users, start=s.start,
                 ended_retention=s.ended_retention, app_token=s.bearer_token)
