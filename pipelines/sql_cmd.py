"""`x-spaces sql`: one query on a loaded DuckDB file, read-only, printed as a table or CSV.

For a quick look without the DuckDB CLI (which the Python package does not install):

    x-spaces sql "from analytics.live_now order by live_rank limit 5"
"""

from __future__ import annotations

import shutil
import sys

import click
import duckdb
import polars as pl

from pipelines.dashboard import queries
from pipelines.models_cmd import DEFAULT_DUCKDB


@click.command("sql")
@click.argument("query")
@click.option("--duckdb", "duckdb_path", type=click.Path(dir_okay=False), default=DEFAULT_DUCKDB,
              show_default=True, help="DuckDB file to query (opened read-only).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
@click.option("--max-rows", type=click.IntRange(1), default=50, show_default=True,
              help="Rows to show in a table (CSV prints them all).")
@click.option("--busy-timeout", type=click.FloatRange(0), default=queries.BUSY_TIMEOUT, show_default=True,
              help="Seconds to wait while a load holds the file.")
def sql_command(query: str, duckdb_path: str, as_csv: bool, max_rows: int, busy_timeout: float) -> None:
    """Run QUERY (DuckDB SQL) on the file, read-only: the marts are in schema analytics,
    the raw tables in x_spaces."""
    try:
        with queries.connect(duckdb_path, busy_timeout) as con:
            relation = con.sql(query)
            if relation is None:  # a statement with no result, e.g. `set ...`
                raise click.ClickException("the query returned no result: give a select")
            frame = relation.pl()
    except queries.DashboardError as exc:
        raise click.ClickException(str(exc)) from None
    except duckdb.Error as exc:
        raise click.ClickException(f"the query failed: {' '.join(str(exc).split())}") from None
    if as_csv:
        frame.write_csv(sys.stdout)
        return
    with pl.Config(tbl_rows=max_rows, tbl_cols=-1, fmt_str_lengths=60, tbl_hide_dataframe_shape=True,
                   tbl_hide_column_data_types=True, tbl_width_chars=shutil.get_terminal_size((160, 24)).columns):
        click.echo(frame)
    if frame.height > max_rows:
        click.echo(f"({frame.height:,} rows; --max-rows or --csv for more)")
