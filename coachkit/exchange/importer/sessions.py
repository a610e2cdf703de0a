"""Importing coaching sessions: the record of each one, without focus or actions.

A session is matched on rep, date and session type (conflict copies are left
alone); a stored one gets every value the file gives. New sessions are saved as
done unless the ``status`` column says draft.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.exchange.importer.cells import Cells, choice, day, text, whole
from coachkit.exchange.importer.lookup import coach_ids, rep_ids
from coachkit.exchange.importer.upsert import upsert
from coachkit.facilitate.session_form import (
    DURATION_MINUTES,
    SCORE_FIELDS,
    TEXT_FIELDS,
    TEXT_MAX,
)
from coachkit.model.templates import SESSION_TYPE_KEYS, STYLE_KEYS
from coachkit.store import schema as s

_DATE = "a date like 2026-03-31"
#: File column -> sessions column, for the columns whose names differ.
_STORED_AS = {
    "date": "held_on",
    "type": "session_type",
    "minutes": "duration_minutes",
    "next_session": "next_session_on",
}
_VALUES = (
    "duration_minutes",
    "style",
    "status",
    *TEXT_FIELDS,
    "next_session_on",
    *SCORE_FIELDS,
)


def check(conn: Connection, cells: Cells, coach: str | None) -> pd.DataFrame:
    """Check every row; return the clean values (meaningful only with no problems)."""
    coaches = coach_ids(conn, cells, coach)
    reps = rep_ids(conn, cells, coaches)
    low, high = DURATION_MINUTES
    parsers: dict[str, tuple[Any, str, bool]] = {
        "date": (day, _DATE, True),
        "type": (choice(SESSION_TYPE_KEYS), "a session type", True),
        "minutes": (whole(low, high), f"a whole number from {low} to {high}", False),
        "style": (choice(STYLE_KEYS), "a style", False),
        "status": (choice(("done", "draft")), "done or draft", False),
        **{
            name: (text(TEXT_MAX, one_line=False), "text", False)
            for name in TEXT_FIELDS
        },
        "next_session": (day, _DATE, False),
        **{name: (whole(1, 5), "a score", False) for name in SCORE_FIELDS},
    }
    frame = pd.DataFrame({"coach_id": coaches, "rep_id": reps})
    for name, (parse, expected, required) in parsers.items():
        values, _ = cells.parse(name, parse, expected, required=required)
        frame[_STORED_AS.get(name, name)] = values
    usable = ~(pd.isna(reps) | frame["held_on"].isna() | frame["session_type"].isna())
    cells.repeats(
        [reps, frame["held_on"].to_numpy(), frame["session_type"].to_numpy()],
        usable.to_numpy(),
        "rep, date and session type",
    )
    return frame


def write(conn: Connection, frame: pd.DataFrame, *, dry_run: bool) -> tuple[int, ...]:
    """Save the sessions; return (added, updated, unchanged)."""
    t = s.sessions
    rows: list[dict[str, Any]] = frame.astype(object).to_dict("records")
    return upsert(
        conn,
        t,
        rows,
        key=lambda row: (int(row["rep_id"]), row["held_on"], row["session_type"]),
        stored=sa.select(
            t.c.id,
            t.c.rep_id,
            t.c.held_on,
            t.c.session_type,
            *(t.c[c] for c in _VALUES),
        ).where(
            t.c.conflict_of.is_(None),
            t.c.rep_id.in_({int(row["rep_id"]) for row in rows}),
        ),
        values=_VALUES,
        insert_defaults={"status": "done"},
        dry_run=dry_run,
    )
