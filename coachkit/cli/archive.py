"""The ``coachkit export | restore | backup | check`` commands."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coachkit.cli.options import db_option, force_option
from coachkit.errors import CoachkitError
from coachkit.store.database import (
    Store,
    open_for_reading,
    open_store,
    removed_if_failed,
)

if TYPE_CHECKING:  # the archive code loads when a command runs, not for --help
    from coachkit.exchange.archive.fileformat import Manifest


def _copy_rows(
    verb: str,
    copy: Callable[[Store, Path], Manifest],
    store: Store,
    folder: Path,
    where: str,
) -> None:
    """Run ``copy`` (an export or a restore); say how many rows moved, and how fast.

    Then warn about every file in the folder that the export did not write: it is
    not part of the export, and no checksum covers it.
    """
    started = time.perf_counter()
    manifest = copy(store, folder)
    seconds = time.perf_counter() - started
    click.echo(
        f"{verb} {manifest.total_rows:,} rows in {len(manifest.tables)} tables "
        f"{where} ({seconds:.1f} s)."
    )
    others = manifest.others(folder)
    if others:
        shown = ", ".join(others[:5]) + (
            f" and {len(others) - 5} more" if len(others) > 5 else ""
        )
        then = (
            "they were not restored"
            if verb == "Restored"
            else "they are not part of the export, and restore leaves them out"
        )
        click.echo(
            f"coachkit: warning: {folder} also holds {shown}, which the export did "
            f"not write; {then}.",
            err=True,
        )


_folder_argument = click.argument("folder", type=click.Path(path_type=Path))


@click.command()
@_folder_argument
@db_option
@force_option(
    "Write into a FOLDER that is not empty, replacing its files of the same names."
)
def export(folder: Path, db: str | None, force: bool) -> None:
    """Write every table to CSV files (plus manifest.json) in a new FOLDER."""
    from coachkit.exchange.archive.export import export_store

    store = open_for_reading(db)
    where = f"from {store.location} to {folder}"
    copy = partial(export_store, force=force)
    _copy_rows("Exported", copy, store, folder, where)


@click.command()
@_folder_argument
@db_option
def restore(folder: Path, db: str | None) -> None:
    """Fill an empty store with every row of an export FOLDER."""
    from coachkit.exchange.archive.export import restore_store

    with removed_if_failed(db):  # a refused restore leaves no new store behind
        store = open_store(db)
        where = f"from {folder} into {store.location}"
        try:
            _copy_rows("Restored", restore_store, store, folder, where)
        finally:
            store.dispose()


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@db_option
@force_option("Replace FILE if it is already there (never the store itself).")
def backup(file: Path, db: str | None, force: bool) -> None:
    """Copy the store into a new FILE while the workbooks keep running."""
    from coachkit.exchange.archive.export import backup_store, check_store

    store = open_for_reading(db)
    try:
        copy = backup_store(store, file, force=force)
    finally:
        store.dispose()
    backed_up = open_for_reading(copy)
    try:
        health = check_store(backed_up)
    finally:
        backed_up.dispose()
    size = copy.stat().st_size / 1e6
    click.echo(f"Backed up {store.location} to {copy} ({size:.1f} MB); {health.text}")
    if not health.ok:
        sys.exit(1)


@click.command()
@db_option
def check(db: str | None) -> None:
    """Check the store's integrity and say the result in one line."""
    from coachkit.exchange.archive.export import check_store

    try:
        store = open_for_reading(db)
    except CoachkitError as exc:
        click.echo(f"problem: {exc}")
        sys.exit(1)
    health = check_store(store)
    click.echo(health.text)
    if not health.ok:
        sys.exit(1)


#: The commands this module adds to ``coachkit``.
COMMANDS: list[click.Command] = [export, restore, backup, check]
