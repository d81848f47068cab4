"""Shutting the emulator down never waits for held responses (latency, slow faults):
they are released at once, in a background thread (stop()) and on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from emulator.config import Settings
from emulator.ids import Tokens
from emulator.server import EmulatorServer

ROOT = Path(__file__).resolve().parent.parent
HELD = 600.0  # far longer than any wait below: an exit that waited for it would fail


def _hold_one(url: str, token: str, space_path: str) -> threading.Thread:
    """A request in the background, held by the emulator; its outcome does not matter."""
    def call() -> None:
        try:
            httpx.get(url + space_path, headers={"Authorization": f"Bearer {token}"}, timeout=HELD + 60)
        except httpx.HTTPError:
            pass

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    return thread


def _until(condition, what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


@pytest.mark.parametrize("held_by", ["slow", "latency"])
def test_stop_releases_held_responses(held_by: str) -> None:
    server = EmulatorServer(Settings(clock_speed=0, spaces=200, users=500)).start()
    emu = server.emulator
    emu.faults.settings.update({"slow": 1.0, "slow_seconds": HELD} if held_by == "slow"
                               else {"latency_ms": 60_000})
    client = _hold_one(server.url, emu.world.app_token, f"/2/spaces/{emu.world.space_ids.id(0)}")
    _until(lambda: emu.stats.in_flight == 1, "the request never reached the emulator")
    server.stop()  # joins the server thread for at most 10 s
    assert not server._thread.is_alive(), "stop() waited for a held response"
    client.join(timeout=30)
    assert not client.is_alive(), "the held request was never answered or dropped"


def test_sigterm_exits_without_waiting_for_held_responses() -> None:
    process = subprocess.Popen([sys.executable, "-m", "emulator.server", "0"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        config = httpx.post(url + "/_emulator/config", json={"fault_slow": 1, "slow_seconds": HELD})
        assert config.status_code == 200
        _hold_one(url, Tokens(Settings().seed).app, "/2/spaces/search?query=tech")
        _until(lambda: httpx.get(url + "/_emulator/stats").json()["in_flight"] == 1,
               "the request never reached the emulator")
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)  # raises if the exit waits for the held response
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        _, stderr = process.communicate()
    assert "Traceback" not in stderr, stderr

