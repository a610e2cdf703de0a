"""The ``coachkit export | restore | backup | check`` commands."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from coachkit.errors import CoachkitError
from coachkit.store import ENV_VAR, Store, open_store, resolve_url

_DB_HELP = (
    f"The store: a file path or a database URL. Default: ${ENV_VAR}, "
    "else coachkit.db in your data folder."
)


def _db_option(fn: Any) -> Any:
    return click.option("--db", "db", envvar=ENV_VAR, help=_DB_HELP)(fn)


def _open_existing(db: str | None) -> Store:
    """Open a store that must already exist (never create an empty one by mistake)."""
    url = resolve_url(db)
    if url.get_backend_name() == "sqlite" and not Path(str(url.database)).is_file():
        raise CoachkitError(f"there is no store at {url.database}; check --db.")
    return open_store(db)


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@_db_option
def export(folder: Path, db: str | None) -> None:
    """Write every table to CSV files (plus manifest.json) in a new FOLDER."""
    from coachkit.archive import export_store

    store = _open_existing(db)
    started = time.perf_counter()
    manifest = export_store(store, folder)
    click.echo(
        f"Exported {manifest.total_rows:,} rows in {len(manifest.tables)} tables "
        f"from {store.location} to {folder} ({time.perf_counter() - started:.1f} s)."
    )


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@_db_option
def restore(folder: Path, db: str | None) -> None:
    """Fill an empty store with every row of an export FOLDER."""
    from coachkit.archive import restore_store

    store = open_store(db)
    started = time.perf_counter()
    manifest = restore_store(store, folder)
    click.echo(
        f"Restored {manifest.total_rows:,} rows in {len(manifest.tables)} tables "
        f"from {folder} into {store.location} ({time.perf_counter() - started:.1f} s)."
    )


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@_db_option
def backup(file: Path, db: str | None) -> None:
    """Copy the store into a new FILE while the workbooks keep running."""
    from coachkit.archive import backup_store, check_store

    store = _open_existing(db)
    copy = backup_store(store, file)
    store.dispose()
    health = check_store(open_store(copy))
    size = copy.stat().st_size / 1e6
    click.echo(f"Backed up {store.location} to {copy} ({size:.1f} MB); {health.text}")
    if not health.ok:
        sys.exit(1)


@click.command()
@_db_option
def check(db: str | None) -> None:
    """Check the store's integrity and say the result in one line."""
    from coachkit.archive import check_store

    try:
        store = _open_existing(db)
    except CoachkitError as exc:
        click.echo(f"problem: {exc}")
        sys.exit(1)
    health = check_store(store)
    click.echo(health.text)
    if not health.ok:
        sys.exit(1)


#: The commands this module adds to ``coachkit``.
COMMANDS: list[click.Command] = [export, restore, backup, check]
