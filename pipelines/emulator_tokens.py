"""Creators' user tokens fetched from the emulator's admin route, in memory only.

For the demo and tests: a real deployment puts tokens in .dlt/secrets.toml or the
environment. Nothing here is written anywhere.
"""

from __future__ import annotations

import httpx


class EmulatorTokens(dict):
    """A read-only mapping creator user id -> token, asked of the emulator on first use."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self._base_url = base_url.rstrip("/")

    def get(self, user_id: str, default: str | None = None) -> str | None:  # type: ignore[override]
        if user_id not in self:
            response = httpx.get(f"{self._base_url}/_emulator/users/{user_id}/token", timeout=10)
            if response.status_code != 200:
                return default
            self[user_id] = response.json()["access_token"]
        return super().get(user_id, default)

    def __repr__(self) -> str:
        return f"<EmulatorTokens {self._base_url}: {len(self)} fetched>"
