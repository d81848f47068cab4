"""Options of the emulator, with their defaults (the README lists the same)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from emulator.clock import DEFAULT_START

FAULT_KINDS = ("429", "5xx", "close", "slow", "truncate")


@dataclass
class Faults:
    """Per-request probabilities of injected failures under /2/ (all off by default)."""

    p429: float = 0.0
    p5xx: float = 0.0
    close: float = 0.0
    slow: float = 0.0
    truncate: float = 0.0
    latency_ms: float = 0.0
    slow_seconds: float = 30.0  # how long a "slow" response is held: past a client's timeout

    def update(self, values: dict[str, float]) -> None:
        known = {f.name for f in fields(self)}
        for name, value in values.items():
            if name not in known:
                raise ValueError(f"unknown fault setting {name!r}; known: {', '.join(sorted(known))}")
            value = float(value)
            if value < 0 or (name not in ("latency_ms", "slow_seconds") and value > 1):
                raise ValueError(f"{name} must be a probability between 0 and 1")
            setattr(self, name, value)

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


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
