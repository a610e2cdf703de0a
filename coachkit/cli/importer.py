"""The ``coachkit import`` and ``coachkit export-csv`` commands over
:mod:`coachkit.exchange.importer`."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path
from typing import Any

import click

from coachkit.cli.options import coach_option, db_option, force_option
from coachkit.errors import CoachkitError
from coachkit.exchange.importer import EXPORT_KINDS, KINDS, import_file
from coachkit.model.framework import prepare_store
from coachkit.store.database import open_for_reading, removed_if_failed


class _CsvOrCalls(click.Command):
    """``coachkit import KIND FILE``; ``coachkit import calls ...`` is its own
    command (:mod:`coachkit.cli.calls`), with its own options."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args[:1] == ["calls"]:
            from coachkit.cli.calls import import_calls

            ctx.meta["coachkit.calls"] = import_calls.make_context(
                "import calls", args[1:], parent=ctx
            )
            return []
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        calls = ctx.meta.pop("coachkit.calls", None)
        if calls is None:
            return super().invoke(ctx)
        with calls:
            return calls.command.invoke(calls)


@click.command("import", cls=_CsvOrCalls)
@click.argument("kind", type=click.Choice([*KINDS, "calls"]))
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@db_option
@coach_option("The coach of every row that has no coach column.")
@click.option(
    "--dry-run", is_flag=True, help="Check the file and say what would change only."
)
def import_command(
    kind: str, file: Path, db: str | None, coach: str | None, dry_run: bool
) -> None:
    """Import reps, metrics, assessments, sessions, actions or goals from a CSV file.

    The whole file is checked first; if anything is wrong, every problem is listed
    (row, column, what was expected) and nothing is written. Call transcripts:
    coachkit import calls --help.
    """
    with removed_if_failed(db):  # a refused file leaves no new store behind
        store = open_for_reading(db) if dry_run else prepare_store(db)
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


@click.command("export-csv")
@click.argument("kind", type=click.Choice(EXPORT_KINDS))
@db_option
@coach_option("Only this coach's team (a coach signed in sees only their own).")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The CSV file to write; without it the rows are printed.",
)
@force_option("Replace --out if a file is already there.")
def export_csv_command(
    kind: str, db: str | None, coach: str | None, out: Path | None, force: bool
) -> None:
    """Write actions or goals as CSV, in the columns coachkit import reads."""
    from coachkit.exchange.importer import export_file
    from coachkit.exchange.marks import write_files
    from coachkit.exchange.reports.lookup import find_coach

    store = open_for_reading(db)
    try:
        with store.read() as conn:
            coach_id = None if coach is None else find_coach(conn, coach)[0]
            data = export_file(conn, kind, coach_id)
    finally:
        store.dispose()
    text = data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    if out is None:
        click.echo(text, nl=False)
        return
    rows = sum(1 for _ in csv.reader(io.StringIO(text))) - 1
    if not force and (out.exists() or out.is_symlink()):
        # A CSV file carries no mark, so even one coachkit wrote is kept.
        raise CoachkitError(
            f"{out} is already there, so it is left as it is. Pass --force to "
            "replace it, or name another file with --out."
        )
    (written,) = write_files({out: data}, force=True)
    click.echo(f"Wrote {rows:,} {kind if rows != 1 else kind[:-1]} to {written}.")


#: The commands this module adds to ``coachkit``.
COMMANDS: list[click.Command] = [import_command, export_csv_command]
