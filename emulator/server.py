"""Running the emulator: in the foreground (`x-spaces emulator`) or in a background thread
(tests, the demo, benchmarks). Both bind loopback by default and pick a free port for 0.
"""

from __future__ import annotations

import socket
import sys
import threading
import time

import uvicorn

from emulator.app import Emulator
from emulator.config import Settings


def _config(emu: Emulator) -> uvicorn.Config:
    # timeout_graceful_shutdown: a request still running 1 s into a shutdown (a long world
    # dump, say) is cancelled rather than holding the exit.
    return uvicorn.Config(
        emu.app, log_level="warning", access_log=False, lifespan="off",
        date_header=False, server_header=False, timeout_keep_alive=30,
        timeout_graceful_shutdown=1,
    )


class _Server(uvicorn.Server):
    """uvicorn's server, releasing held responses (latency, slow faults) when it shuts
    down (SIGTERM, Ctrl-C or stop()), so that they answer at once and never delay the exit."""

    def __init__(self, emu: Emulator) -> None:
        super().__init__(_config(emu))
        self.emu = emu

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self.emu.faults.holds.arm()
        await super().startup(sockets)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.emu.faults.holds.release()
        await super().shutdown(sockets)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def base_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve until interrupted. The first line on stdout is the base URL."""
    emu = Emulator(settings)
    sock = _bind(host, port)
    print(base_url(host, sock.getsockname()[1]), flush=True)
    server = _Server(emu)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


class EmulatorServer:
    """An emulator on a free loopback port in a background thread:

        with EmulatorServer(Settings(clock_speed=0)) as server:
            httpx.get(server.url + "/2/spaces/search", ...)
            server.emulator.world  # the ground truth
    """

    def __init__(self, settings: Settings | None = None, host: str = "127.0.0.1", port: int = 0,
                 emulator: Emulator | None = None) -> None:
        self.emulator = emulator or Emulator(settings)
        self._sock = _bind(host, port)
        self.url = base_url(host, self._sock.getsockname()[1])
        self._server = _Server(self.emulator)
        self._thread = threading.Thread(target=self._run, name="x-spaces-emulator", daemon=True)

    def _run(self) -> None:
        self._server.run(sockets=[self._sock])

    def start(self) -> EmulatorServer:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":  # pragma: no cover - python -m emulator.server
    serve(Settings(), port=int(sys.argv[1]) if len(sys.argv) > 1 else 8000)
