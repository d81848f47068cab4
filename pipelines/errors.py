"""Turning a user's mistake or a failed load into one line that names what to fix."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import click
import dlt
import duckdb
from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.common.destination import Destination

from sources.x_spaces import _validation as check
from sources.x_spaces._errors import (
    AuthenticationError,
    ForbiddenError,
    InvalidRequestError,
    NetworkError,
    ServerError,
    UsageCapError,
    XSpacesError,
)
from sources.x_spaces.known import is_lock_error
from sources.x_spaces.settings import DATASET_NAME, DEFAULT_BASE_URL

TOKEN_HELP = "set SOURCES__X_SPACES__BEARER_TOKEN or bearer_token under [sources.x_spaces] in .dlt/secrets.toml"


class InvalidSetting(ValueError):
    """A setting the source refused when it was built (from the command line, config or env)."""


def configured_base_url(args: dict[str, Any]) -> str:
    return args.get("base_url") or dlt.config.get("sources.x_spaces.base_url", str) or DEFAULT_BASE_URL


def check_ids(args: dict[str, Any]) -> None:
    try:
        for space_id in args.get("space_ids") or ():
            check.space_id(space_id)
        for user_id in args.get("creator_ids") or ():
            check.user_id(user_id)
        for query in args.get("queries") or ():
            check.query(query)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def check_work(args: dict[str, Any]) -> None:
    def configured(name: str) -> bool:
        return bool(args.get(name) or dlt.config.get(f"sources.x_spaces.{name}", list))

    if not any(configured(name) for name in ("queries", "creator_ids", "space_ids")):
        raise click.UsageError("nothing to load: give --query, --creator-id or --space-id "
                               "(or set queries / creator_ids / space_ids under [sources.x_spaces])")


def check_destination(name: str) -> None:
    try:
        Destination.from_reference(name)
    except Exception:  # noqa: BLE001 - dlt raises several kinds for an unknown name
        raise click.UsageError(f"--destination {name}: not a dlt destination "
                               "(e.g. postgres, motherduck, bigquery)") from None


def check_writable(path: Path) -> None:
    if path.stem == DATASET_NAME:
        raise click.UsageError(f"--duckdb {path}: DuckDB names the file's catalog {path.stem!r}, like the "
                               "dataset, which makes table names ambiguous; choose another file name")
    folder = path.resolve().parent
    if path.exists() and not os.access(path, os.W_OK):
        raise click.UsageError(f"--duckdb {path}: the file is not writable")
    if not folder.is_dir():
        raise click.UsageError(f"--duckdb {path}: the folder {folder} does not exist")
    # os.access says yes to root and on read-only mounts: only creating a file tells.
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise click.UsageError(f"--duckdb {path}: cannot write in {folder} ({exc.strerror or exc})") from None


def root_cause(exc: BaseException) -> BaseException:
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, (XSpacesError, ConfigFieldMissingException)) or type(exc).__name__ == "LoadFailed":
            return exc
        nxt = exc.__cause__ if exc.__cause__ is not None else (
            None if exc.__suppress_context__ else exc.__context__)
        if nxt is None:
            return exc
        exc = nxt
    return exc


def is_transient(exc: BaseException) -> bool:
    """A failure the next load may not meet: the API unreachable or failing, a locked file."""
    cause = root_cause(exc)
    return isinstance(cause, (NetworkError, ServerError)) or is_lock_error(cause)


def explain(exc: BaseException) -> str:
    """One line for any failure of a load."""
    cause = root_cause(exc)
    if isinstance(cause, ConfigFieldMissingException):
        if "bearer_token" in cause.fields:
            return f"no bearer token configured: {TOKEN_HELP}"
        destination = getattr(cause.config, "destination_type", None)
        if destination:
            name = str(destination).rsplit(".", 1)[-1]
            return (f"destination {name}: missing or incomplete {', '.join(cause.fields)}: set "
                    f"DESTINATION__{name.upper()}__CREDENTIALS or [destination.{name}] credentials "
                    f"in .dlt/secrets.toml")
        return f"missing setting(s) {', '.join(cause.fields)} under [sources.x_spaces]"
    if isinstance(cause, AuthenticationError):
        return f"the API refused the bearer token ({cause.status_code} {cause.title or 'Unauthorized'}): {TOKEN_HELP}"
    if isinstance(cause, ForbiddenError):
        return f"the API refused access ({cause.status_code}): {cause.detail or cause.title}"
    if isinstance(cause, InvalidRequestError):
        return f"the API rejected a parameter: {cause.detail or cause}"
    if isinstance(cause, UsageCapError):
        return f"usage cap reached: {cause.detail or cause}"
    if isinstance(cause, NetworkError):
        return f"cannot reach the API: {cause}"
    if isinstance(cause, XSpacesError):
        return str(cause)
    if type(cause).__name__ == "LoadFailed":
        return str(cause)
    if is_lock_error(cause):
        return "the DuckDB file is locked by another process (a running load or dashboard?): " \
               "try again, or raise --lock-timeout"
    if isinstance(cause, duckdb.IOException):
        return f"cannot open or write the DuckDB file ({str(cause).strip().splitlines()[0]}): check --duckdb"
    if isinstance(cause, InvalidSetting):
        return f"invalid setting under [sources.x_spaces]: {cause}"
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    return f"{type(cause).__name__}: {text}"
