"""Shared fixtures: emulators on free loopback ports, and an isolated dlt environment."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

from emulator.config import Settings  # noqa: E402
from emulator.server import EmulatorServer  # noqa: E402


@pytest.fixture(autouse=True)
def _dlt_isolation(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own dlt data dir, so pipelines and state never leak between tests."""
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path_factory.mktemp("dlt-data")))
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorServer]:
    """The default world with a frozen clock, shared by read-only tests."""
    with EmulatorServer(Settings(clock_speed=0)) as server:
        yield server


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., EmulatorServer]]:
    """Start an emulator with custom settings (stopped after the test)."""
    servers: list[EmulatorServer] = []

    def start(**settings: object) -> EmulatorServer:
        settings.setdefault("clock_speed", 0)
        server = EmulatorServer(Settings(**settings)).start()  # type: ignore[arg-type]
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
