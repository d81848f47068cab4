"""Creators' user tokens fetched from the emulator's admin route, in memory only.

For the demo and tests: a real deployment puts tokens in .dlt/secrets.toml or the
environment. Nothing here is written anywhere.
"""

from __future__ import annotations

import threading

import httpx


class EmulatorTokens(dict):
    """A read-only mapping creator user id -> token, asked of the emulator on first use."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self._base_url = base_url.rstrip("/")
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()

    def get(self, user_id: str, default: str | None = None) -> str | None:  # type: ignore[override]
        with self._lock:
            if user_id not in self:
                if self._http is None:
                    self._http = httpx.Client(base_url=self._base_url, timeout=10)
                response = self._http.get(f"/_emulator/users/{user_id}/token")
                if response.status_code != 200:
                    return default
                self[user_id] = response.json()["access_token"]
            return super().get(user_id, default)

    def __repr__(self) -> str:
        return f"<EmulatorTokens {self._base_url}: {len(self)} fetched>"
