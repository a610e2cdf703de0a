"""Writing checked rows: update the stored row with the same key, or add one.

Used by the smaller kinds of import (reps, assessments, sessions), which have no
unique constraint to lean on, so the stored rows are read and matched here, inside
the import's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

Key = Callable[[Mapping[Any, Any]], tuple[Any, ...]]


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
) -> tuple[int, int, int]:
    """Match ``rows`` to ``stored`` rows by ``key``; return (added, updated, unchanged).

    A value of None means "not given": a new row gets ``insert_defaults`` or the
    column's default, a stored row keeps its value. Only ``values`` columns are
    updated; stored rows that change get a new ``row_version`` when the table has one.
    """
    found: dict[tuple[Any, ...], Mapping[Any, Any]] = {}
    for stored_row in conn.execute(stored.order_by(table.c.id)).mappings():
        found.setdefault(key(stored_row), stored_row)
    inserts: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    updates: list[dict[str, Any]] = []
    unchanged = 0
    defaults = dict(insert_defaults or {})
    for row in rows:
        old = found.get(key(row))
        if old is None:
            new = {**defaults, **_given(row)}
            inserts.setdefault(tuple(sorted(new)), []).append(new)
            continue
        merged = {c: old[c] if _missing(row.get(c)) else row[c] for c in values}
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


def _given(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not _missing(v)}


def _missing(value: Any) -> bool:
    """None, or the NaN/NaT pandas puts in an empty cell of a frame."""
    return (
        value is None
        or value is pd.NaT
        or (isinstance(value, float) and pd.isna(value))
    )
