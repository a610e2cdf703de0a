"""The ``coachkit`` commands over :mod:`coachkit.exchange.importer`."""

from __future__ import annotations

from pathlib import Path

import click

from coachkit.cli.options import coach_option, db_option
from coachkit.exchange.importer import KINDS, import_file
from coachkit.model.framework import prepare_store
from coachkit.store.database import open_existing, removed_if_failed


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@db_option
@coach_option("The coach of every row that has no coach column.")
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
    with removed_if_failed(db):  # a refused file leaves no new store behind
        store = open_existing(db) if dry_run else prepare_store(db)
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
