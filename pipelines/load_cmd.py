"""`x-spaces load` and `x-spaces watch`.

Options left out fall back to dlt's configuration ([sources.x_spaces] in
.dlt/config.toml, or SOURCES__X_SPACES__* variables). Tokens never come from the command
line: SOURCES__X_SPACES__BEARER_TOKEN / USER_TOKENS or .dlt/secrets.toml.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from pipelines import errors
from pipelines.report import LoadSummary, latest_load, print_summary
from pipelines.spaces_pipeline import DEFAULT_DUCKDB

log = logging.getLogger("pipelines")

EXIT_STOPPED_EARLY = 3  # rate-limited or usage-capped: loaded what it had


def load_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options `load` and `watch` share."""
    options = [
        click.option("--query", "queries", multiple=True, help="Search query (repeatable): live and scheduled Spaces whose title has every word."),
        click.option("--state", type=click.Choice(["live", "scheduled", "all"]), default=None,
                     help="Which Spaces searches return. [config; default: all]"),
        click.option("--creator-id", "creator_ids", multiple=True, help="Load the Spaces of this creator (user id; repeatable)."),
        click.option("--space-id", "space_ids", multiple=True, help="Load this Space (repeatable)."),
        click.option("--buyers/--no-buyers", default=None, help="Load ticket buyers (needs creators' user tokens). [config; default: on]"),
        click.option("--posts/--no-posts", default=None, help="Load posts shared in Spaces. [config; default: on]"),
        click.option("--max-requests", type=click.IntRange(0), default=None,
                     help="Requests one load may spend; 0 = no cap. The next load continues. [config; default: 0]"),
        click.option("--concurrency", type=click.IntRange(1, 64), default=None, help="Parallel requests. [config; default: 4]"),
        click.option("--max-wait", type=click.FloatRange(0), default=None,
                     help="Longest wait for a rate-limit window, seconds. [config; default: 900]"),
        click.option("--base-url", default=None, help="API base URL. [config; default: https://api.x.com]"),
        click.option("--duckdb", "duckdb_path", type=click.Path(dir_okay=False), default=DEFAULT_DUCKDB,
                     show_default=True, help="DuckDB file to load into."),
        click.option("--destination", default=None,
                     help="Another dlt destination: postgres (tested; pip install -e '.[postgres]') or any other by name; credentials from secrets."),
        click.option("--lock-timeout", type=click.FloatRange(0), default=60.0, show_default=True,
                     help="Seconds to wait for a DuckDB file locked by another process."),
        click.option("--emulator-tokens", is_flag=True,
                     help="Demo and tests only: fetch creators' user tokens from the emulator's admin route."),
        click.option("--pipelines-dir", default=None, help="Where dlt keeps pipeline state. [default: dlt's]"),
        click.option("--drop-pending", is_flag=True, help="Drop load packages left by an earlier run instead of loading them."),
        click.option("-q", "--quiet", is_flag=True, help="No progress lines; the summary only."),
        click.option("-v", "--verbose", is_flag=True, help="Also dlt's own log (warnings, failed jobs)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def source_args(queries: tuple[str, ...], state: str | None, creator_ids: tuple[str, ...],
                space_ids: tuple[str, ...], buyers: bool | None, posts: bool | None,
                max_requests: int | None, concurrency: int | None, max_wait: float | None,
                base_url: str | None, **_: Any) -> dict[str, Any]:
    """Only what the command line set: dlt resolves the rest from config and secrets."""
    given = {
        "queries": list(queries) or None, "state": state, "creator_ids": list(creator_ids) or None,
        "space_ids": list(space_ids) or None, "buyers": buyers, "posts": posts,
        "max_requests": max_requests, "concurrency": concurrency, "max_wait": max_wait, "base_url": base_url,
    }
    return {k: v for k, v in given.items() if v is not None}


def _setup_logging(quiet: bool, verbose: bool = False) -> None:
    # dlt logs failed jobs with tracebacks; the user gets one line unless they ask for more
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "WARNING" if verbose else "CRITICAL")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("x-spaces: %(message)s"))
    for name in ("sources.x_spaces", "pipelines"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.WARNING if quiet else logging.INFO)
        logger.propagate = False
    logging.getLogger("stamina").setLevel(logging.ERROR)  # the client logs its own retries


def _load_once(args: dict[str, Any], opts: dict[str, Any]) -> LoadSummary:
    from pipelines.spaces_pipeline import make_pipeline, run_load
    from sources.x_spaces import x_spaces

    source_kwargs = dict(args, lock_timeout=opts["lock_timeout"])
    if opts["emulator_tokens"]:
        from pipelines.emulator_tokens import EmulatorTokens

        source_kwargs["user_tokens"] = EmulatorTokens(errors.configured_base_url(args))
    pipeline = make_pipeline(opts["duckdb_path"], opts["destination"], opts["pipelines_dir"])
    if opts["drop_pending"] and pipeline.has_pending_data:
        pipeline.abort_packages()  # also rolls dlt state back to before those packages
        log.warning("dropped load packages left by an earlier run")
    started = time.monotonic()
    try:
        source = x_spaces(**source_kwargs)
    except ValueError as exc:
        raise errors.InvalidSetting(str(exc)) from None
    report = run_load(pipeline, source, lock_timeout=opts["lock_timeout"])
    return LoadSummary(report.rows, latest_load(pipeline), time.monotonic() - started)


def _checked(opts: dict[str, Any], args: dict[str, Any]) -> None:
    errors.check_ids(args)
    errors.check_work(args)
    if opts["destination"] in (None, "duckdb"):
        errors.check_writable(Path(opts["duckdb_path"]))
    else:
        errors.check_destination(opts["destination"])


def _run(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except click.ClickException:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line
        raise _click_error(exc) from None


def _click_error(exc: Exception) -> click.ClickException:
    if isinstance(exc, click.ClickException):
        return exc
    error = click.ClickException(errors.explain(exc))
    if isinstance(exc, errors.InvalidSetting):
        error.exit_code = 2  # a bad option, given in config or the environment
    return error


def _command(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(**kwargs: Any) -> Any:
        args = source_args(**kwargs)
        opts = {k: kwargs[k] for k in ("duckdb_path", "destination", "lock_timeout", "emulator_tokens",
                                       "pipelines_dir", "drop_pending", "quiet")}
        _setup_logging(kwargs["quiet"], kwargs["verbose"])
        _run(lambda: _checked(opts, args))
        return fn(args, opts, **{k: v for k, v in kwargs.items() if k in ("interval", "max_loads")})
    return wrapper


@click.command()
@load_options
@_command
def load(args: dict[str, Any], opts: dict[str, Any]) -> None:
    """Load Spaces, users, buyers, posts and audience snapshots into DuckDB, once."""
    summary = _run(lambda: _load_once(args, opts))
    print_summary(summary)
    if summary.status in ("rate_limited", "usage_capped"):
        sys.exit(EXIT_STOPPED_EARLY)


@click.command()
@load_options
@click.option("--interval", type=click.FloatRange(1), default=60.0, show_default=True,
              help="Seconds between the starts of two loads.")
@click.option("--max-loads", type=click.IntRange(1), default=None, help="Stop after this many loads.")
@_command
def watch(args: dict[str, Any], opts: dict[str, Any], interval: float, max_loads: int | None) -> None:
    """Load every INTERVAL seconds, never faster than the rate limits allow (the SDK
    docs' "monitoring live Spaces", as a service). Ctrl-C or SIGTERM finishes the
    current load and exits 0."""
    stop = threading.Event()
    # dlt would turn a signal during its steps into a failed load; here it only asks the
    # loop to stop after the current load.
    os.environ["RUNTIME__INTERCEPT_SIGNALS"] = "false"

    def on_signal(signum: int, frame: Any) -> None:
        if not stop.is_set():
            log.warning("stopping after the current load (signal %d)", signum)
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    done = 0
    failed: Exception | None = None
    while not stop.is_set():
        started = time.monotonic()
        try:
            summary = _load_once(args, opts)
            failed = None
        except Exception as exc:  # noqa: BLE001 - a service outlives an API or network blip
            if not errors.is_transient(exc):
                raise _click_error(exc) from None
            failed, summary = exc, None
            log.error("load failed (the next one will try again): %s", errors.explain(exc))
        if summary is not None:
            print_summary(summary, brief=True)
        done += 1
        if max_loads is not None and done >= max_loads:
            break
        pause = interval - (time.monotonic() - started)
        if summary is not None:
            pause = max(pause, summary.rate_limit_pause())
        if pause > interval:
            log.info("next load in %.0f s: waiting for a rate-limit window", pause)
        stop.wait(pause)
    if failed is not None:  # the last load failed: say so in the exit code
        raise _click_error(failed) from None
