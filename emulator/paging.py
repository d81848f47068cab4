"""Opaque, deterministic pagination tokens for buyers and posts.

A token names a position in a Space's list and a direction, signed with the world's key
so that a made-up or foreign token is refused (400). Lists only ever grow at one end
(buyers at the back in purchase order, posts at the front, newest first), and a token
holds a position in that stable order, so paging while the world moves returns every
item exactly once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass


@dataclass(frozen=True)
class Cursor:
    position: int  # buyers: index of the next buyer; posts: timeline index bound (exclusive)
    forward: bool  # False for a previous_token


class Paging:
    def __init__(self, seed: int) -> None:
        self._key = hashlib.blake2b(f"paging:{seed}".encode(), digest_size=32).digest()

    def _mac(self, kind: str, space: int, body: bytes) -> bytes:
        message = f"{kind}:{space}:".encode() + body
        return hmac.new(self._key, message, hashlib.sha256).digest()[:7]

    def token(self, kind: str, space: int, cursor: Cursor) -> str:
        body = cursor.position.to_bytes(4, "big") + (b"\x01" if cursor.forward else b"\x00")
        raw = body + self._mac(kind, space, body)
        return base64.b32hexencode(raw).decode().rstrip("=").lower()

    def cursor(self, kind: str, space: int, token: str) -> Cursor | None:
        """The cursor a token encodes, or None when it is not a token of this list."""
        text = token.upper()
        try:
            raw = base64.b32hexdecode(text + "=" * (-len(text) % 8))
        except (ValueError, TypeError):
            return None
        if len(raw) != 12 or not hmac.compare_digest(raw[5:], self._mac(kind, space, raw[:5])):
            return None
        if base64.b32hexencode(raw).decode().rstrip("=").lower() != token:
            return None  # another spelling of a real token (case, unused trailing bits): never issued
        return Cursor(int.from_bytes(raw[:4], "big"), raw[4] == 1)


def page_forward(items_len: int, cursor: Cursor | None, size: int) -> tuple[int, int]:
    """[lo, hi) of an ascending list (buyers) for a cursor: positions are list indexes."""
    if cursor is None:
        return 0, min(size, items_len)
    if cursor.forward:
        lo = min(cursor.position, items_len)
        return lo, min(lo + size, items_len)
    hi = min(cursor.position, items_len)
    return max(0, hi - size), hi
