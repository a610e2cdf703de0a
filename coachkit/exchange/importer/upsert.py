"""Writing checked rows: update the stored row with the same key, or add one.

Used by the smaller kinds of import (reps, assessments, sessions, actions, goals),
which have no unique constraint to lean on, so the stored rows are read and matched
here, inside the import's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

Key = Callable[[Mapping[Any, Any]], tuple[Any, ...]]


class _Cleared:
    """A value that empties a stored column (None means "not given")."""

    def __repr__(self) -> str:
        return "CLEARED"


#: Put in a row to empty the column: an action opened again loses its closed day.
CLEARED: Any = _Cleared()


def upsert(
    conn: Connection,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    *,
    key: Key,
    stored: sa.Select,
    values: Sequence[str],
    insert_defaults: Mapping[str, Any] | None = None,
    dry_run: bool = False,
    stored_key: Key | None = None,
) -> tuple[int, int, int]:
    """Match ``rows`` to ``stored`` rows by ``key``; return (added, updated, unchanged).

    A value of None means "not given": a new row gets ``insert_defaults`` or the
    column's default, a stored row keeps its value; :data:`CLEARED` stores NULL.
    Only ``values`` columns are updated; stored rows that change get a new
    ``row_version`` when the table has one. ``stored_key`` makes a stored row's key
    when it is not made as a file row's. Keys of a row that are not columns of
    ``table`` (what matched it) are not written.
    """
    found: dict[tuple[Any, ...], Mapping[Any, Any]] = {}
    for stored_row in conn.execute(stored.order_by(table.c.id)).mappings():
        found.setdefault((stored_key or key)(stored_row), stored_row)
    inserts: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    updates: list[dict[str, Any]] = []
    unchanged = 0
    defaults = dict(insert_defaults or {})
    for row in rows:
        old = found.get(key(row))
        if old is None:
            given = {**defaults, **_given(row)}
            new = {k: _stored(v) for k, v in given.items() if k in table.c}
            inserts.setdefault(tuple(sorted(new)), []).append(new)
            continue
        merged = {
            c: old[c] if _missing(row.get(c)) else _stored(row[c]) for c in values
        }
        if all(merged[c] == old[c] for c in values):
            unchanged += 1
        else:
            updates.append({"b_id": old["id"], **{f"v_{c}": merged[c] for c in values}})
    added = sum(len(group) for group in inserts.values())
    if not dry_run:
        for group in inserts.values():
            conn.execute(table.insert(), group)
        if updates:
            sets: dict[str, Any] = {c: sa.bindparam(f"v_{c}") for c in values}
            if "row_version" in table.c:
                sets["row_version"] = table.c.row_version + 1
                sets["updated_at"] = sa.func.now()
            statement = table.update().where(table.c.id == sa.bindparam("b_id"))
            conn.execute(statement.values(sets), updates)
    return added, len(updates), unchanged


def _stored(value: Any) -> Any:
    return None if value is CLEARED else value


def _given(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not _missing(v)}


def _missing(value: Any) -> bool:
    """None, or the NaN/NaT pandas puts in an empty cell of a frame."""
    return (
        value is None
        or value is pd.NaT
        or (isinstance(value, float) and pd.isna(value))
    )
