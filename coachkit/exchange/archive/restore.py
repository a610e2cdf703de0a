"""Restore an export folder into an empty store, keeping every id.

Everything is checked before the first write: the manifest (a coachkit export of this
data version), and each file's checksum, columns and row count. Then one transaction
clears the store (which may hold a framework, never team data) and loads every table
in foreign-key order, so a failure half-way leaves the store exactly as it was.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import CoachkitError
from coachkit.exchange.archive.fileformat import (
    MANIFEST,
    Manifest,
    TableFile,
    codec,
    decode_text,
    file_sha256,
)
from coachkit.store import access, schema
from coachkit.store.database import Store, continue_ids

_BATCH = 10_000


@access.lead_only
def restore_store(store: Store, folder: str | os.PathLike[str]) -> Manifest:
    """Fill an empty ``store`` with every row of the export in ``folder``.

    Every file is checked against the manifest (checksum, columns, row count) before
    anything is written; then all rows go in one transaction, keeping their ids. The
    store must hold no coaches and no team data; a framework installed there is
    replaced by the exported one.

    Raises
    ------
    CoachkitError
        The store is not empty, or the export is incomplete, changed, or from
        another data version. The store is left as it was.
    """
    source = Path(folder)
    manifest = Manifest.read(source)
    _check_manifest(manifest, source)
    with _large_fields():
        for name, entry in manifest.tables.items():
            _check_file(source, name, entry)
        with store.write() as conn:
            _require_empty(conn, store.location)
            for table in reversed(schema.metadata.sorted_tables):
                conn.execute(table.delete())
            for table in schema.metadata.sorted_tables:
                _restore_table(conn, table, source / manifest.tables[table.name].file)
            continue_ids(conn, schema.metadata.sorted_tables)
    return manifest


def _check_manifest(manifest: Manifest, folder: Path) -> None:
    if manifest.app != schema.APP_MARK:
        raise CoachkitError(f"{folder} is not a coachkit export.")
    have, known = manifest.schema_version, schema.SCHEMA_VERSION
    if have > known:
        raise CoachkitError(
            f"{folder} was exported by a newer coachkit (data version {have}; this "
            f"one knows {known}). Upgrade coachkit with pip install -U coachkit."
        )
    if have < known:
        raise CoachkitError(
            f"{folder} holds data version {have}, older than this coachkit's {known}. "
            "Restore it with the coachkit version that exported it; opening that "
            "store here then upgrades it."
        )
    wanted = [t.name for t in schema.metadata.sorted_tables]
    missing = [name for name in wanted if name not in manifest.tables]
    extra = [name for name in manifest.tables if name not in wanted]
    if missing or extra:
        what = (
            f"lacks the table {missing[0]}"
            if missing
            else f"has a table this coachkit does not know ({extra[0]})"
        )
        raise CoachkitError(
            f"{folder} {what}, so it does not match data version {known}."
        )


def _check_file(folder: Path, name: str, entry: TableFile) -> None:
    path = folder / entry.file
    if entry.file != f"{name}.csv":
        raise CoachkitError(f"{folder / MANIFEST} names {entry.file!r} for {name}.")
    if not path.is_file():
        raise CoachkitError(f"{path} is missing, so the export is incomplete.")
    if file_sha256(path) != entry.sha256:
        raise CoachkitError(
            f"{path} was changed after the export (it does not match the checksum "
            f"in {MANIFEST}). coachkit restores only unchanged exports."
        )
    columns = tuple(c.name for c in schema.metadata.tables[name].columns)
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = tuple(next(reader, ()))
            rows = sum(1 for _ in reader)
    except UnicodeDecodeError as exc:
        raise CoachkitError(
            f"{path} is not UTF-8 text, so a coachkit export did not write it as "
            "it is now; nothing was restored."
        ) from exc
    except csv.Error as exc:
        raise CoachkitError(
            f"{path} is not a CSV file coachkit can read ({exc}); nothing was restored."
        ) from exc
    if header != columns or entry.columns != columns:
        raise CoachkitError(
            f"{path} has the columns {', '.join(header)}; "
            f"expected {', '.join(columns)}."
        )
    if rows != entry.rows:
        raise CoachkitError(f"{path} has {rows} rows; {MANIFEST} says {entry.rows}.")


@contextmanager
def _large_fields() -> Iterator[None]:
    """Let the CSV reader take long notes while restoring (the limit is global)."""
    before = csv.field_size_limit()
    csv.field_size_limit(max(before, 1 << 30))
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _require_empty(conn: Connection, where: str) -> None:
    busy = []
    for table in (schema.coaches, *schema.TEAM_TABLES):
        count = conn.execute(sa.select(sa.func.count()).select_from(table))
        if n := count.scalar_one():
            busy.append(f"{n:,} {table.name}")
    if busy:
        raise CoachkitError(
            f"the store at {where} already holds data ({', '.join(busy[:3])}); "
            "restore only fills an empty store. Pass a new file with --db."
        )


def _restore_table(conn: Connection, table: sa.Table, path: Path) -> None:
    readers = [(c.name, *codec(c)[1:]) for c in table.columns]
    insert = _inserter(conn, table, path)
    batch: list[tuple[Any, ...]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        for line, cells in enumerate(reader, start=2):
            batch.append(_row(path, line, readers, cells))
            if len(batch) >= _BATCH:
                insert(batch)
                batch = []
    if batch:
        insert(batch)


def _row(
    path: Path, line: int, readers: Sequence[tuple[str, Any, str]], cells: list[str]
) -> tuple[Any, ...]:
    if len(cells) != len(readers):
        raise CoachkitError(
            f"{path} row {line} has {len(cells)} cells; expected {len(readers)}."
        )
    row: list[Any] = []
    for (name, read, expected), cell in zip(readers, cells, strict=True):
        if read is None:
            row.append(decode_text(cell))
            continue
        try:
            row.append(None if cell == "" else read(cell))
        except ValueError:
            raise CoachkitError(
                f"{path} row {line}, column {name}: {cell!r} is not {expected}."
            ) from None
    return tuple(row)


def _inserter(
    conn: Connection, table: sa.Table, path: Path
) -> Callable[[list[tuple[Any, ...]]], None]:
    """Return a function that inserts rows (tuples in column order) into ``table``.

    On SQLite the rows go straight to the driver's ``executemany`` after SQLAlchemy's
    own conversions (a third less time than a Core insert); elsewhere through Core.
    """
    names = [c.name for c in table.columns]
    if conn.dialect.name == "sqlite":
        dialect = conn.dialect
        sql = str(table.insert().compile(dialect=dialect))
        convert = [
            c.type.dialect_impl(dialect).bind_processor(dialect) for c in table.columns
        ]

        def run(rows: list[tuple[Any, ...]]) -> None:
            conn.exec_driver_sql(
                sql,
                [
                    tuple(
                        v if f is None or v is None else f(v)
                        for f, v in zip(convert, row, strict=True)
                    )
                    for row in rows
                ],
            )
    else:

        def run(rows: list[tuple[Any, ...]]) -> None:
            conn.execute(
                table.insert(), [dict(zip(names, r, strict=True)) for r in rows]
            )

    def insert(rows: list[tuple[Any, ...]]) -> None:
        try:
            run(rows)
        except (sa.exc.IntegrityError, sa.exc.DataError) as exc:
            problem = str(exc.orig).strip().splitlines()[0]
            raise CoachkitError(
                f"{path} cannot be restored: the database refused a row ({problem})."
            ) from exc

    return insert
