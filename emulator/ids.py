"""Identifiers and tokens of the simulated world, derived from the seed.

Every id is a bijection of an entity's index, so a world of any size needs no table to
map ids back to entities, and the same seed always gives the same ids. Tokens carry a
MAC, so the server can tell a real one from a made-up one without storing any.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import string

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_SPACE_DIGITS = 12  # "1" + 12 base62 digits: 13 characters, like 1DXxyRYNejbKM
_SPACE_MODULUS = 62**_SPACE_DIGITS


def _mix(seed: int, salt: str) -> int:
    digest = hashlib.blake2b(f"{seed}:{salt}".encode(), digest_size=16).digest()
    return int.from_bytes(digest, "big")


class AffineCodec:
    """index <-> value through value = (index * a + b) mod m, a invertible mod m."""

    def __init__(self, seed: int, salt: str, modulus: int) -> None:
        a = _mix(seed, salt + ":a") % modulus
        while _gcd(a, modulus) != 1 or a < 2:
            a += 1
        self.a = a
        self.b = _mix(seed, salt + ":b") % modulus
        self.m = modulus
        self.a_inv = pow(a, -1, modulus)

    def encode(self, index: int) -> int:
        return (index * self.a + self.b) % self.m

    def decode(self, value: int) -> int:
        return ((value - self.b) * self.a_inv) % self.m


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


class SpaceIds:
    """Space ids: 13 characters of [0-9A-Za-z] starting with "1"."""

    def __init__(self, seed: int, count: int) -> None:
        self.codec = AffineCodec(seed, "space", _SPACE_MODULUS)
        self.count = count

    def id(self, index: int) -> str:
        value = self.codec.encode(index)
        digits = []
        for _ in range(_SPACE_DIGITS):
            value, rem = divmod(value, 62)
            digits.append(BASE62[rem])
        return "1" + "".join(reversed(digits))

    def index(self, space_id: str) -> int | None:
        if len(space_id) != _SPACE_DIGITS + 1 or space_id[0] != "1":
            return None
        value = 0
        for ch in space_id[1:]:
            pos = BASE62.find(ch)
            if pos < 0:
                return None
            value = value * 62 + pos
        index = self.codec.decode(value)
        return index if index < self.count else None


class NumericIds:
    """Numeric string ids (users, posts, topics) in a fixed digit range."""

    def __init__(self, seed: int, salt: str, count: int, low: int, high: int) -> None:
        self.low = low
        self.codec = AffineCodec(seed, salt, high - low)
        self.count = count

    def id(self, index: int) -> str:
        return str(self.low + self.codec.encode(index))

    def index(self, value: str) -> int | None:
        if not value.isdigit():
            return None
        number = int(value) - self.low
        if number < 0 or number >= self.codec.m:
            return None
        index = self.codec.decode(number)
        return index if index < self.count else None


class Tokens:
    """App and user tokens. The app token is fixed by the seed unless given."""

    def __init__(self, seed: int, app_token: str | None = None) -> None:
        self._key = hashlib.blake2b(f"x-spaces-emulator:{seed}".encode(), digest_size=32).digest()
        self.app = app_token or "AAAAAAAAAAAAAAAAAAAAA" + self._mac(b"app", 24)

    def _mac(self, message: bytes, length: int) -> str:
        raw = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")[:length]

    def user(self, user_index: int) -> str:
        payload = user_index.to_bytes(6, "big")
        prefix = base64.urlsafe_b64encode(payload).decode()
        return prefix + self._mac(b"user:" + payload, 38)

    def user_index(self, token: str) -> int | None:
        """The user a token belongs to, or None when it is not one of ours."""
        if len(token) != 46:
            return None
        try:
            payload = base64.urlsafe_b64decode(token[:8])
        except ValueError:
            return None
        if len(payload) != 6 or not hmac.compare_digest(
            self._mac(b"user:" + payload, 38), token[8:]
        ):
            return None
        return int.from_bytes(payload, "big")
