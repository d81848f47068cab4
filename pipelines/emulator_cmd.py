"""`x-spaces emulator`: the local X API v2 Spaces server."""

from __future__ import annotations

import click

from emulator.clock import DEFAULT_START, parse_instant
from emulator.config import MAX_LATENCY_MS, MAX_SLOW_SECONDS, Faults, Settings

PROBABILITY = click.FloatRange(0.0, 1.0)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port; 0 picks a free one. The first line on stdout is the base URL.")
@click.option("--seed", default=42, show_default=True, help="World seed: same seed, same world and tokens.")
@click.option("--bearer-token", envvar="X_SPACES_EMULATOR_BEARER_TOKEN", default=None,
              help="App bearer token to accept instead of the one derived from the seed.")
@click.option("--spaces", default=2000, show_default=True, type=click.IntRange(4), help="Spaces in the world.")
@click.option("--users", default=5000, show_default=True, type=click.IntRange(20), help="Users in the world.")
@click.option("--start", default=DEFAULT_START, show_default=True, help="World clock start (ISO 8601).")
@click.option("--clock-speed", default=1.0, show_default=True, type=click.FloatRange(0.0),
              help="World seconds per wall second; 0 freezes the clock.")
@click.option("--rate-limit", default=300, show_default=True, type=click.IntRange(1),
              help="Requests per window, per endpoint and token.")
@click.option("--rate-window", default=900.0, show_default=True, type=click.FloatRange(0.001),
              help="Rate-limit window in wall-clock seconds.")
@click.option("--ended-retention", default=86400.0, show_default=True, type=click.FloatRange(0.0),
              help="World seconds an ended Space stays visible before lookups answer resource-not-found.")
@click.option("--usage-cap", default=None, type=click.IntRange(0),
              help="Requests per app before every call answers 429 usage-capped (off by default).")
@click.option("--legacy-names", is_flag=True, help="Speak the older generation of names (tweet_count, includes.tweets, ...).")
@click.option("--fault-429", default=0.0, type=PROBABILITY, help="Probability of a transient 429.")
@click.option("--fault-5xx", default=0.0, type=PROBABILITY, help="Probability of a 500/502/503.")
@click.option("--fault-close", default=0.0, type=PROBABILITY, help="Probability of a connection closed after the headers or mid-body.")
@click.option("--fault-slow", default=0.0, type=PROBABILITY, help="Probability of a response held past a client's timeout.")
@click.option("--fault-truncate", default=0.0, type=PROBABILITY, help="Probability of a body cut short.")
@click.option("--fault-slow-seconds", default=30.0, show_default=True, type=click.FloatRange(0.0, MAX_SLOW_SECONDS),
              help="How long a slow response is held.")
@click.option("--fault-seed", default=None, type=int, help="Seed of the fault draws (default: --seed).")
@click.option("--latency-ms", default=0.0, type=click.FloatRange(0.0, MAX_LATENCY_MS),
              help="Delay added to every /2/ response.")
def emulator(host: str, port: int, seed: int, bearer_token: str | None, spaces: int, users: int,
             start: str, clock_speed: float, rate_limit: int, rate_window: float,
             ended_retention: float, usage_cap: int | None, legacy_names: bool, fault_429: float,
             fault_5xx: float, fault_close: float, fault_slow: float, fault_truncate: float,
             fault_slow_seconds: float, fault_seed: int | None, latency_ms: float) -> None:
    """Serve a simulated X API v2 Spaces world on HOST:PORT until interrupted."""
    from emulator.server import serve

    try:
        parse_instant(start)
    except ValueError:
        raise click.BadParameter(f"{start!r} is not an ISO 8601 instant", param_hint="--start") from None
    if fault_429 + fault_5xx + fault_close + fault_slow + fault_truncate > 1:
        raise click.UsageError("the --fault-* probabilities add up to more than 1")
    faults = Faults(p429=fault_429, p5xx=fault_5xx, close=fault_close, slow=fault_slow,
                    truncate=fault_truncate, latency_ms=latency_ms, slow_seconds=fault_slow_seconds)
    settings = Settings(seed=seed, spaces=spaces, users=users, start=start, clock_speed=clock_speed,
                        rate_limit=rate_limit, rate_window=rate_window, ended_retention=ended_retention,
                        bearer_token=bearer_token, usage_cap=usage_cap, legacy_names=legacy_names,
                        fault_seed=fault_seed, faults=faults)
    try:
        serve(settings, host=host, port=port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    except KeyboardInterrupt:
        pass
