"""`x-spaces models`: build the SQL models (sql/staging, sql/marts) as views into the
pipeline's DuckDB file, in the order their SQL implies; with --test, run the data tests
(sql/tests) too.

A model that fails is named with DuckDB's reason on one line, and nothing is changed in
the file (the build is one transaction). Failing data tests are listed and the exit
status is non-zero.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
import duckdb

from pipelines.load_cmd import load
from pipelines.models import SQL_DIR, ModelError, Project, TestResult, build, run_tests

# The file `x-spaces load` writes by default.
DEFAULT_DUCKDB = next(p.default for p in load.params if p.name == "duckdb_path")


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _connect(path: Path, lock_timeout: float) -> duckdb.DuckDBPyConnection:
    from pipelines.spaces_pipeline import LoadFailed, wait_for_lock

    if not path.exists():
        raise click.ClickException(
            f"--duckdb {path}: no such file; load it first (x-spaces load --duckdb {path} ...)")
    if not os.access(path, os.W_OK):
        raise click.ClickException(f"--duckdb {path}: the file is not writable")
    try:
        wait_for_lock(str(path), lock_timeout)
        return duckdb.connect(str(path))
    except LoadFailed as exc:
        raise click.ClickException(str(exc)) from None
    except duckdb.Error as exc:
        raise click.ClickException(f"--duckdb {path}: {_one_line(exc)}") from None


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 160 else text[:157] + "..."


def _report_tests(results: list[TestResult], quiet: bool) -> list[TestResult]:
    failed = [r for r in results if not r.passed]
    for result in results:
        if result.passed:
            if not quiet:
                click.echo(f"PASS {result.test.name}")
        elif result.error is not None:
            click.echo(f"ERROR {result.test.name}: {result.error}")
        else:
            rows = "row" if result.count == 1 else "rows"
            click.echo(f"FAIL {result.test.name}: {result.count} offending {rows}, e.g. "
                       + "; ".join(_show(row) for row in result.sample[:3]))
    return failed


@click.command()
@click.option("--duckdb", "duckdb_path", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_DUCKDB, show_default=True, help="The pipeline's DuckDB file.")
@click.option("--test", "with_tests", is_flag=True, help="Also run the data tests in sql/tests.")
@click.option("--sql-dir", type=click.Path(file_okay=False, path_type=Path), default=SQL_DIR,
              show_default=True, help="Where the models are (staging/, marts/, tests/).")
@click.option("--lock-timeout", type=click.FloatRange(0), default=60.0, show_default=True,
              help="Seconds to wait for a DuckDB file locked by another process.")
@click.option("-q", "--quiet", is_flag=True, help="Only failures and the summary.")
def models(duckdb_path: Path, with_tests: bool, sql_dir: Path, lock_timeout: float, quiet: bool) -> None:
    """Build the SQL models as views (schemas staging and analytics) in DuckDB, in the
    dependency order their SQL implies; with --test, run the data tests."""
    try:
        project = Project.load(sql_dir, with_tests=with_tests)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from None
    con = _connect(duckdb_path, lock_timeout)
    try:
        try:
            built = build(con, project)
        except ModelError as exc:
            raise click.ClickException(str(exc)) from None
        except duckdb.Error as exc:
            raise click.ClickException(f"building the models failed: {_one_line(exc)}") from None
        if not quiet:
            for model in built:
                click.echo(f"view {model.relation}")
        schemas = {}
        for model in built:
            schemas[model.schema] = schemas.get(model.schema, 0) + 1
        click.echo("built " + ", ".join(f"{n} {s} views" for s, n in schemas.items())
                   + f" in {duckdb_path}")
        if not with_tests:
            return
        failed = _report_tests(run_tests(con, project), quiet)
        total = len(project.tests)
        if failed:
            raise click.ClickException(
                f"{len(failed)} of {total} data tests failed: " + ", ".join(r.test.name for r in failed))
        click.echo(f"all {total} data tests passed")
    finally:
        con.close()
