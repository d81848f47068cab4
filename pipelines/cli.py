"""The `x-spaces` command line: emulator, load, watch, models, purge, sql.

Every command turns a user's mistake into one line on stderr and a non-zero exit
(click's UsageError / ClickException), never a traceback.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from pipelines.emulator_cmd import emulator
from pipelines.load_cmd import load, watch
from pipelines.models_cmd import models
from pipelines.purge_cmd import purge_command
from pipelines.sql_cmd import sql_command


NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())  # click 8.2 and newer


class OneLineErrors(click.Group):
    """Any click error, a bad option value included, as one line on stderr with its exit
    code (2 for usage), without click's usage block: scheduled runs log just the reason."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.pop("standalone_mode", None)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except NO_ARGS_IS_HELP as exc:  # a bare `x-spaces`: the help, as click shows it
            click.echo(exc.format_message(), err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"Error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=OneLineErrors,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="x-spaces")
def main() -> None:
    """Load X API v2 Spaces into DuckDB, model them, and emulate the API locally."""


main.add_command(load)
main.add_command(watch)
main.add_command(purge_command)
main.add_command(emulator)
main.add_command(models)
main.add_command(sql_command)
