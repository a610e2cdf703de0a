"""The ``coachkit`` commands over :mod:`coachkit.importer`."""

from __future__ import annotations

from pathlib import Path

import click

from coachkit.importer import KINDS, import_file
from coachkit.store import ENV_VAR


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--db",
    "db",
    envvar=ENV_VAR,
    help=f"The store: a file path or a database URL. Default: ${ENV_VAR}.",
)
@click.option("--coach", help="The coach of every row that has no coach column.")
@click.option(
    "--dry-run", is_flag=True, help="Check the file and say what would change only."
)
def import_command(
    kind: str, file: Path, db: str | None, coach: str | None, dry_run: bool
) -> None:
    """Import reps, metrics, assessments or sessions from a CSV file.

    The whole file is checked first; if anything is wrong, every problem is listed
    (row, column, what was expected) and nothing is written.
    """
    from coachkit.cli import prepare_store

    store = prepare_store(db)
    try:
        result = import_file(
            store,
            kind,
            file,
            coach,
            dry_run=dry_run,
            progress=lambda line: click.echo(line, err=True),
        )
    finally:
        store.dispose()
    click.echo(result.summary())


#: The commands this module adds to ``coachkit``.
COMMANDS: list[click.Command] = [import_command]
