"""What went wrong with a SQLite store's file or disk, in one sentence.

SQLite's own words ("database or disk is full", "attempt to write a readonly
database") name no file and say nothing of what to do. :func:`explain_fault` turns
them into coachkit's errors, naming the store; every command and every workbook
says a fault through it, so a full disk reads the same everywhere.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import sqlalchemy as sa

from coachkit.errors import (
    NotACoachkitDatabase,
    StoreError,
    StoreFull,
    StoreReadOnly,
)


def explain_fault(
    exc: sa.exc.DBAPIError | sqlite3.Error, where: str, saving: bool = True
) -> StoreError | None:
    """Say in one sentence what went wrong with a SQLite store's file or disk.

    SQLite's own words ("database or disk is full") name no file; this names the
    store and what to do. Returns None for anything else (a server's error, a
    broken rule such as a duplicate name), which the caller raises as it is.

    Parameters
    ----------
    exc
        The error SQLAlchemy (or the sqlite3 module) raised.
    where
        The store, as :func:`describe` says it, or the file being written.
    saving
        True when the error came while saving, False while reading.
    """
    orig = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
    if not isinstance(orig, sqlite3.Error):
        return None
    text = str(orig).lower()
    if "disk i/o error" in text and _nearly_full(where):
        text = "disk is full"  # SQLite says I/O error when even -shm finds no room
    if "disk is full" in text:  # SQLITE_FULL: the disk, or the file's size limit
        return StoreFull(
            f"the disk is full: could not save to {where}. Nothing of this save was "
            "kept; free some space on the disk and try again."
        )
    if "readonly database" in text:  # SQLITE_READONLY
        return StoreReadOnly(
            f"{where} is read-only: coachkit could not save to it, so nothing was "
            "saved. Check the permissions of the file and its folder, or pass "
            "another store with --db."
        )
    if "unable to open database file" in text:  # SQLITE_CANTOPEN
        return StoreError(
            f"cannot open {where}: the file or its folder cannot be opened. Check "
            "that the path is right and that you may read and write there."
        )
    if "disk i/o error" in text:  # SQLITE_IOERR
        doing = "save to" if saving else "read"
        return StoreError(
            f"could not {doing} {where}: the disk reported an input/output error. "
            "Check the disk, then run coachkit check."
        )
    if "not a database" in text:  # SQLITE_NOTADB
        return NotACoachkitDatabase(
            f"{where} is not a coachkit database (not a readable SQLite file). "
            "coachkit will not touch it; pass another path with --db."
        )
    if "malformed" in text:  # SQLITE_CORRUPT
        return StoreError(
            f"{where} is damaged ({first_line(orig)}). Run coachkit check, and "
            "restore from a backup or an export."
        )
    return None


def _nearly_full(where: str) -> bool:
    """True when the disk that holds the file ``where`` has less than 1 MB free."""
    try:
        return shutil.disk_usage(Path(where).parent).free < 1 << 20
    except (OSError, ValueError):
        return False


def first_line(exc: object) -> str:
    """The first line of an error's words, or its kind when it has none."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
