"""Options of the emulator, with their defaults (the README lists the same), and the
checks every fault setting passes before it is applied, at start-up or at run time."""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from emulator.clock import DEFAULT_START

FAULT_KINDS = ("429", "5xx", "close", "slow", "truncate")
PROBABILITIES = ("p429", "p5xx", "close", "slow", "truncate")  # in FAULT_KINDS order
SETTINGS = (*PROBABILITIES, "latency_ms", "slow_seconds")
# Upper bounds: far past any real round trip or client timeout, short of a hung emulator.
MAX_LATENCY_MS = 60_000.0
MAX_SLOW_SECONDS = 3_600.0


class ConfigError(ValueError):
    """A setting that cannot be applied; `key` names it as the caller spelled it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


def number(key: str, value: object) -> float:
    """A finite real number (JSON booleans and strings such as "inf" are refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(key, f"must be a number, not {value!r}")
    try:
        out = float(value)
    except OverflowError:
        raise ConfigError(key, "is out of range") from None
    if not math.isfinite(out):
        raise ConfigError(key, "must be a finite number")
    return out


def _checked(name: str, key: str, value: object) -> float:
    out = number(key, value)
    if name in PROBABILITIES and not 0.0 <= out <= 1.0:
        raise ConfigError(key, f"must be a probability between 0 and 1, not {out}")
    if name == "latency_ms" and not 0.0 <= out <= MAX_LATENCY_MS:
        raise ConfigError(key, f"must be between 0 and {MAX_LATENCY_MS:.0f} ms, not {out}")
    if name == "slow_seconds" and not 0.0 <= out <= MAX_SLOW_SECONDS:
        raise ConfigError(key, f"must be between 0 and {MAX_SLOW_SECONDS:.0f} s, not {out}")
    return out


@dataclass
class Faults:
    """Per-request probabilities of injected failures under /2/ (all off by default).

    The probabilities split [0, 1) between the kinds, so they add up to at most 1. Every
    change goes through `update`, which checks all values before applying any, under a
    lock that `snapshot` shares, so a request never sees half a change."""

    p429: float = 0.0
    p5xx: float = 0.0
    close: float = 0.0
    slow: float = 0.0
    truncate: float = 0.0
    latency_ms: float = 0.0
    slow_seconds: float = 30.0  # how long a "slow" response is held: past a client's timeout
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        values = {name: getattr(self, name) for name in SETTINGS}
        for name, value in values.items():
            setattr(self, name, _checked(name, name, value))
        self._check_sum(values, {})

    def update(self, values: Mapping[str, object], names: Mapping[str, str] | None = None) -> None:
        """Apply `values` (field name -> value) all or nothing. `names` maps field names to
        the keys the caller used, so an error names the key it was sent as."""
        names = names or {}
        checked: dict[str, float] = {}
        for name, value in values.items():
            key = names.get(name, name)
            if name not in SETTINGS:
                raise ConfigError(key, f"unknown fault setting; known: {', '.join(SETTINGS)}")
            checked[name] = _checked(name, key, value)
        with self._lock:
            self._check_sum({**self._values(), **checked}, {n: names.get(n, n) for n in checked})
            for name, value in checked.items():
                setattr(self, name, value)

    @staticmethod
    def _check_sum(values: Mapping[str, float], changed: Mapping[str, str]) -> None:
        total = sum(values[p] for p in PROBABILITIES)
        if total > 1.0 + 1e-12:
            keys = [changed[p] for p in PROBABILITIES if p in changed] or list(PROBABILITIES)
            raise ConfigError(",".join(keys),
                              f"the fault probabilities would add up to {total:g}, more than 1")

    def _values(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in SETTINGS}

    def snapshot(self) -> dict[str, float]:
        """Every setting at one instant."""
        with self._lock:
            return self._values()


@dataclass
class Settings:
    seed: int = 42
    spaces: int = 2000
    users: int = 5000
    start: str = DEFAULT_START
    clock_speed: float = 1.0
    rate_limit: int = 300
    rate_window: float = 900.0
    ended_retention: float = 86400.0
    bearer_token: str | None = None
    usage_cap: int | None = None  # requests per app before 429 usage-capped; None: no cap
    legacy_names: bool = False
    fault_seed: int | None = None  # defaults to the world seed
    faults: Faults = field(default_factory=Faults)
