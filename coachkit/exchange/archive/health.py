"""Back up a live store, and check that a store is healthy.

:func:`backup_store` uses SQLite's online backup, so the workbooks can keep saving
while it runs. :func:`check_store` runs SQLite's own integrity and foreign-key checks
and counts the rows, and says the result in one line.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import CoachkitError, StoreError, file_problem
from coachkit.store import access, schema
from coachkit.store.database import Store
from coachkit.store.faults import explain_fault, first_line

#: What the one-line summary counts, in words.
_COUNTED = (
    ("coaches", "coaches"),
    ("reps", "reps"),
    ("sessions", "sessions"),
    ("metric_values", "numbers"),
)


@access.lead_only
def backup_store(
    store: Store, target: str | os.PathLike[str], force: bool = False
) -> Path:
    """Copy a SQLite store into the new file ``target`` while it stays in use.

    The copy is one consistent moment of the store, even while others write. It is
    a plain single file (not in WAL mode) that :func:`coachkit.open_store` opens. A
    backup is kept: a file already at ``target``, even an earlier backup, is
    replaced only with ``force``, and never when it is the store itself or a store
    in use (its ``-wal`` file is beside it).

    Raises
    ------
    CoachkitError
        ``target`` already exists (not ``force``), or the store is on PostgreSQL
        (use ``pg_dump``).
    """
    path = Path(target).expanduser().resolve()
    if not store.is_sqlite:
        raise CoachkitError(
            f"coachkit backs up SQLite files only; the store at {store.location} is on "
            "PostgreSQL, so back it up with pg_dump (for example: pg_dump -Fc -f "
            "coachkit.dump <database>)."
        )
    if path.exists() and not force:
        raise CoachkitError(
            f"{path} already exists; coachkit will not overwrite it. "
            "Pick a new file name, or pass --force to replace it."
        )
    if path.is_dir():
        raise CoachkitError(f"{path} is a folder; back up into a file.")
    in_use = path.with_name(path.name + "-wal")
    if path == Path(str(store.url.database)).resolve() or in_use.exists():
        raise CoachkitError(
            f"{path} is a store in use; coachkit will not replace it, even with "
            "--force. Pick a new file name."
        )
    # A new name of its own, made here ("x": never a file that is already there),
    # so no file of anyone's is touched before the rename.
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.open("xb").close()
    except OSError as exc:
        raise file_problem(exc) from exc
    raw = store.engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
        partial.replace(path)
    except BaseException as exc:
        partial.unlink(missing_ok=True)
        for side in ("-journal", "-wal", "-shm"):  # SQLite's, beside our copy
            partial.with_name(partial.name + side).unlink(missing_ok=True)
        if isinstance(exc, sqlite3.Error):
            fault = explain_fault(exc, str(path))
            problem = fault or CoachkitError(f"could not back up to {path}: {exc}.")
            raise problem from exc
        if isinstance(exc, OSError):
            raise file_problem(exc, path) from exc
        raise
    finally:
        raw.close()
    return path


@dataclass(frozen=True)
class Health:
    """What :func:`check_store` found; ``text`` says it in one line."""

    location: str
    schema_version: int | None
    counts: Mapping[str, int] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    integrity_checked: bool = False

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    @property
    def text(self) -> str:
        """One line: ``ok: ...`` or ``problem: ...``."""
        if self.problems:
            return "problem: " + "; ".join(self.problems)
        counted = ", ".join(
            f"{self.counts.get(table, 0):,} {words}" for table, words in _COUNTED
        )
        checked = (
            "integrity check passed."
            if self.integrity_checked
            else "the database server checks its own pages."
        )
        return f"ok: coachkit data version {self.schema_version}, {counted}; {checked}"


@access.lead_only
def check_store(store: Store) -> Health:
    """Check ``store``: integrity, links between rows, data version, row counts.

    Never raises for a damaged store; the damage is reported in ``problems``.
    """
    problems: list[str] = []
    version: int | None = None
    counts: dict[str, int] = {}
    try:
        with store.read() as conn:
            if store.is_sqlite:
                problems += _sqlite_checks(conn)
            version = _version(conn)
            if version != schema.SCHEMA_VERSION:
                problems.append(
                    f"the data version is {version}, this coachkit expects "
                    f"{schema.SCHEMA_VERSION}"
                )
            for table in schema.metadata.sorted_tables:
                count = conn.execute(sa.select(sa.func.count()).select_from(table))
                counts[table.name] = count.scalar_one()
    except sa.exc.DBAPIError as exc:
        problems.append(f"the database cannot be read ({first_line(exc.orig)})")
    except StoreError as exc:  # the disk or the file failed (Store.read says which)
        problems.append(str(exc).rstrip("."))
    if problems:
        problems.append("restore from a backup or an export")
    return Health(
        location=store.location,
        schema_version=version,
        counts=counts,
        problems=tuple(problems),
        integrity_checked=store.is_sqlite,
    )


def _sqlite_checks(conn: Connection) -> list[str]:
    report = conn.exec_driver_sql("PRAGMA integrity_check").scalars().all()
    if report != ["ok"]:
        lines = [line for text in report for line in str(text).splitlines()]
        faults = [line for line in lines if not line.startswith("***")] or lines
        many = f"{len(faults)}" if len(faults) < 100 else "100 or more"  # its cap
        return [f"the integrity check found {many} fault(s), first: {faults[0]}"]
    dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    if dangling:
        table, rowid, parent = dangling[0][:3]
        return [
            f"{len(dangling)} row(s) point to rows that do not exist (first: "
            f"{table} row {rowid} points into {parent})"
        ]
    return []


def _version(conn: Connection) -> int | None:
    value = conn.execute(
        sa.select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
    ).scalar_one_or_none()
    return None if value is None else int(value)
