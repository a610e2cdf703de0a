"""Importing reps: add new ones, update the role, segment and start date of others.

A rep is matched on coach and name (case and extra spaces do not count), so the
name itself is never changed by an import.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.exchange.importer.cells import Cells, past_day, text
from coachkit.exchange.importer.lookup import coach_ids, rep_names
from coachkit.exchange.importer.upsert import upsert
from coachkit.model.names import alike_problem, look_alike_key
from coachkit.model.team import ROLE_MAX, SEGMENT_MAX
from coachkit.model.text import name_key
from coachkit.store import schema as s


def check(conn: Connection, cells: Cells, coach: str | None) -> pd.DataFrame:
    """Check every row; return the clean values (meaningful only with no problems)."""
    coaches = coach_ids(conn, cells, coach)
    names = rep_names(cells, "name")
    roles, _ = cells.parse(
        "role", text(ROLE_MAX), "a role like Account Executive", required=False
    )
    segments, _ = cells.parse("segment", text(SEGMENT_MAX), "text", required=False)
    starts, _ = cells.parse(
        "start_date",
        past_day(dt.date.today()),
        "a date like 2026-03-31",
        required=False,
    )
    compared = np.array(
        [None if n is None else name_key(n) for n in names.tolist()], dtype=object
    )
    usable = ~(pd.isna(coaches) | pd.isna(names))
    cells.repeats([coaches, compared], usable, "coach and rep name")
    _look_alikes(conn, cells, coaches, names, usable)
    return pd.DataFrame(
        {
            "coach_id": coaches,
            "name": names,
            "role": roles,
            "segment": segments,
            "start_date": starts,
        }
    )


def _look_alikes(
    conn: Connection,
    cells: Cells,
    coaches: np.ndarray,
    names: np.ndarray,
    usable: np.ndarray,
) -> None:
    """Refuse a name that only looks like another rep's on the same team.

    The other rep is in the store or on an earlier row of the file; "Ana" and "ana"
    are one name (the stored rep is updated), "Ana" and "Aná" are refused.
    """
    r = s.reps
    seen: dict[tuple[int, str], tuple[str, str]] = {}
    stored = set()
    for cid, name in conn.execute(sa.select(r.c.coach_id, r.c.name)):
        seen.setdefault((int(cid), look_alike_key(name)), (name, "on this team"))
        stored.add((int(cid), name_key(name)))
    why: dict[int, str] = {}
    for i in np.flatnonzero(usable).tolist():
        name = str(names[i])
        if (int(coaches[i]), name_key(name)) in stored:
            continue  # a rep already in the store: updated, never renamed
        key = (int(coaches[i]), look_alike_key(name))
        other = seen.setdefault(key, (name, f"on row {cells.line(i)}"))
        if name_key(other[0]) != name_key(name):
            why[i] = alike_problem(name, *other)
    bad = np.zeros(cells.rows, dtype=bool)
    bad[list(why)] = True
    cells.report("name", bad, lambda i: why[i])


def write(conn: Connection, frame: pd.DataFrame, *, dry_run: bool) -> tuple[int, ...]:
    """Save the reps; return (added, updated, unchanged)."""
    r = s.reps
    rows: list[dict[str, Any]] = frame.to_dict("records")
    for row in rows:
        row["coach_id"] = int(row["coach_id"])
    return upsert(
        conn,
        r,
        rows,
        key=lambda row: (int(row["coach_id"]), name_key(row["name"])),
        stored=sa.select(
            r.c.id, r.c.coach_id, r.c.name, r.c.role, r.c.segment, r.c.start_date
        ).where(r.c.coach_id.in_({row["coach_id"] for row in rows})),
        values=("role", "segment", "start_date"),
        insert_defaults={"active": True},
        dry_run=dry_run,
    )
