"""Export every table to CSV files, and restore them into an empty store.

An export is a folder: one ``<table>.csv`` per table (every table, the framework and
``meta`` included), rows in primary-key order, plus ``manifest.json`` with the data
version, row counts, columns and a SHA-256 checksum per file. How each value is written
(and how formula-like text is neutralised) is in
:mod:`coachkit.exchange.archive.fileformat`.
Restoring an export (:mod:`coachkit.exchange.archive.restore`) and exporting again gives
the
same files, byte for byte. Backups and health checks of a live store are in
:mod:`coachkit.exchange.archive.health`; this module re-exports all of them.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.metadata
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import CoachkitError, file_problem
from coachkit.exchange.archive.fileformat import (
    MANIFEST,
    Manifest,
    TableFile,
    codec,
    file_sha256,
)
from coachkit.exchange.archive.health import Health, backup_store, check_store
from coachkit.exchange.archive.restore import restore_store
from coachkit.store import access, schema
from coachkit.store.database import Store

__all__ = [
    "Health",
    "Manifest",
    "backup_store",
    "check_store",
    "export_store",
    "restore_store",
]

_BATCH = 10_000


@access.lead_only
def export_store(
    store: Store, folder: str | os.PathLike[str], force: bool = False
) -> Manifest:
    """Write every table of ``store`` to CSV files in a new or empty ``folder``.

    All tables are read from one snapshot, so the export is consistent even while
    the workbooks keep saving. ``manifest.json`` is written last: a folder without
    it is an export that did not finish, and an export that fails removes the files
    (and the folder) it made. An export is kept, like a backup: a folder that holds
    files, even an earlier export, is refused unless ``force``, which writes into it
    and replaces the files of the same names (others are left as they are).

    Raises
    ------
    CoachkitError
        ``folder`` is a file, or a folder that already holds files (not ``force``).
    """
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise CoachkitError(f"{target} is a file; export into a new or empty folder.")
    held = sorted(target.iterdir()) if target.is_dir() else []
    if held and not force:
        raise CoachkitError(
            f"the folder {target} is not empty (it holds {held[0].name}); export "
            "into a new or empty folder, or pass --force to replace the files of "
            "the same names there."
        )
    new_folders = [p for p in (target, *target.parents) if not p.exists()]
    tables: dict[str, TableFile] = {}
    try:
        target.mkdir(parents=True, exist_ok=True)
        with _snapshot(store) as conn:
            version = conn.execute(
                sa.select(schema.meta.c.value).where(
                    schema.meta.c.key == "schema_version"
                )
            ).scalar_one()
            for table in schema.metadata.sorted_tables:
                tables[table.name] = _export_table(conn, table, target)
        manifest = Manifest(
            app=schema.APP_MARK,
            schema_version=int(version),
            exported_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            coachkit_version=importlib.metadata.version("coachkit"),
            tables=tables,
        )
        text = manifest.to_json()
        (target / MANIFEST).write_text(text, encoding="utf-8", newline="\n")
    except OSError as exc:  # a full disk, a read-only folder: one line, no files
        _remove_unfinished(target, held, new_folders)
        raise file_problem(exc, exc.filename or target / MANIFEST) from exc
    except BaseException:
        _remove_unfinished(target, held, new_folders)
        raise
    return manifest


def _remove_unfinished(target: Path, held: list[Path], new_folders: list[Path]) -> None:
    """Remove the files a failed export wrote (never one that was there before)."""
    names = [f"{table.name}.csv" for table in schema.metadata.sorted_tables]
    for name in (*names, MANIFEST):
        path = target / name
        if path not in held:
            path.unlink(missing_ok=True)
    for folder in new_folders:  # innermost first
        with suppress(OSError):
            folder.rmdir()


@contextmanager
def _snapshot(store: Store) -> Iterator[Connection]:
    """A connection that sees one unchanging snapshot until it closes."""
    with store.engine.connect() as conn:
        if store.is_sqlite:
            conn.exec_driver_sql("BEGIN")  # the driver would not start one for reads
            yield conn
        else:
            yield conn.execution_options(isolation_level="REPEATABLE READ")


def _export_table(conn: Connection, table: sa.Table, folder: Path) -> TableFile:
    columns = list(table.columns)
    path = folder / f"{table.name}.csv"
    try:
        rows = _write_rows(conn, table, path)
    except OSError as exc:  # the error of a full disk names no file
        exc.filename = exc.filename or str(path)
        raise
    return TableFile(
        file=path.name,
        rows=rows,
        columns=tuple(c.name for c in columns),
        sha256=file_sha256(path),
    )


def _write_rows(conn: Connection, table: sa.Table, path: Path) -> int:
    columns = list(table.columns)
    encoders = [codec(c)[0] for c in columns]
    texts = [i for i, c in enumerate(columns) if c.type.python_type is str]
    query = sa.select(table).order_by(*table.primary_key.columns)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        # The csv module quotes a lone carriage return only when the line ending
        # holds one, so rows with one are written with every cell quoted.
        quoted = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow([c.name for c in columns])
        result = conn.execution_options(yield_per=_BATCH).execute(query)
        for batch in result.partitions():
            lines = [
                [enc(v) for enc, v in zip(encoders, r, strict=True)] for r in batch
            ]
            if any("\r" in line[i] for line in lines for i in texts):
                for line in lines:
                    has_cr = any("\r" in line[i] for i in texts)
                    (quoted if has_cr else writer).writerow(line)
            else:
                writer.writerows(lines)
            rows += len(batch)
    return rows
