"""Edits that never silently overwrite someone else's newer edit.

Every editable row carries ``row_version``. A screen remembers the version it showed;
saving sends it back as ``expected_version``. :func:`update_versioned` changes the row
only if nobody saved it in between, and bumps the version; otherwise it raises
:class:`ConflictError` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import CoachkitError


class ConflictError(CoachkitError):
    """Someone saved the same row after this screen loaded it; nothing was changed.

    ``what`` names the kind of row (such as "rep"), ``row_id`` its id.
    """

    def __init__(self, what: str, row_id: int, message: str) -> None:
        self.what = what
        self.row_id = row_id
        super().__init__(message)


def conflict_message(what: str) -> str:
    """Say, in plain words, that someone else saved ``what`` first."""
    return (
        f"Someone else changed this {what} since you opened it. "
        "Reload to see their change, then try again."
    )


def update_versioned(
    conn: Connection,
    table: sa.Table,
    row_id: int,
    expected_version: int,
    values: Mapping[str, Any],
    what: str,
) -> int:
    """Update one row if it still has ``expected_version``; return the new version.

    The update sets ``values``, adds 1 to ``row_version`` and stamps ``updated_at``,
    all in the caller's transaction.

    Parameters
    ----------
    conn
        A connection inside the caller's transaction (``with store.write() as conn``).
    table
        A table with ``id``, ``row_version`` and ``updated_at`` columns.
    row_id
        The row to change.
    expected_version
        The ``row_version`` the screen showed when the user opened the row.
    values
        Column name -> new value.
    what
        The kind of row in plain words, for the message ("rep", "plan").

    Raises
    ------
    ConflictError
        The row has another version now (someone saved it first), or it is gone.
        Nothing was changed.
    """
    row_id, expected_version = int(row_id), int(expected_version)
    query = (
        table.update()
        .where(table.c.id == row_id, table.c.row_version == expected_version)
        .values(
            **dict(values),
            row_version=table.c.row_version + 1,
            updated_at=sa.func.now(),
        )
    )
    if conn.execute(query).rowcount == 0:
        exists = conn.execute(sa.select(table.c.id).where(table.c.id == row_id)).first()
        if exists is None:
            message = f"This {what} no longer exists. Reload to see the current list."
        else:
            message = conflict_message(what)
        raise ConflictError(what, row_id, message)
    return expected_version + 1
