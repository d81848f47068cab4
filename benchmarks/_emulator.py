"""Start `x-spaces emulator` in its own process (so it does not share the benchmark's GIL)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

CLI = str(Path(sys.executable).parent / "x-spaces")


class EmulatorProcess:
    def __init__(self, *args: str) -> None:
        self.args = ["emulator", "--port", "0", "--clock-speed", "0", "--rate-limit", "1000000000", *args]
        self.process: subprocess.Popen | None = None
        self.url = ""
        self.start_seconds = 0.0

    def __enter__(self) -> EmulatorProcess:
        started = time.perf_counter()
        self.process = subprocess.Popen([CLI, *self.args], stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        httpx.get(self.url + "/_emulator/clock").raise_for_status()
        self.start_seconds = time.perf_counter() - started
        return self

    def rss_mb(self) -> float:
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stats(self) -> dict:
        return httpx.get(self.url + "/_emulator/stats").json()

    def reset(self) -> None:
        httpx.post(self.url + "/_emulator/reset").raise_for_status()

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
