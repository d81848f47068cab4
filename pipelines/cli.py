"""The `x-spaces` command line: emulator, load, watch, models, purge.

Every command turns a user's mistake into one line on stderr and a non-zero exit
(click's UsageError / ClickException), never a traceback.
"""

from __future__ import annotations

import click

from pipelines.emulator_cmd import emulator
from pipelines.load_cmd import load, watch
from pipelines.models_cmd import models
from pipelines.purge_cmd import purge_command


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="x-spaces")
def main() -> None:
    """Load X API v2 Spaces into DuckDB, model them, and emulate the API locally."""


main.add_command(load)
main.add_command(watch)
main.add_command(purge_command)
main.add_command(emulator)
main.add_command(models)
