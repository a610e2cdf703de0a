"""Importing agreed actions: what a rep or coach will do, by when, and what became
of it (kept, missed or dropped), so follow-through can come from another tool.

A row is about the stored action with its ``id`` (which ``coachkit export-csv
actions`` writes), else the one with the same rep, text (case and spaces do not
count) and due date (:mod:`~coachkit.exchange.importer.matching`); a stored one gets
the file's owner, status, closed day and note (and, when matched by id, its text
and due date). An action of a
session still being written (a draft) cannot be marked: finish the session first,
as on the Facilitate screens. New actions belong to no session.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.exchange.importer.cells import Cells, choice, day, text
from coachkit.exchange.importer.lookup import coach_ids, rep_ids
from coachkit.exchange.importer.matching import match_key, stored_key, stored_matches
from coachkit.exchange.importer.outcomes import outcomes
from coachkit.exchange.importer.upsert import upsert
from coachkit.facilitate.actions import ACTION_STATUSES, ACTION_TEXT_MAX, OWNERS
from coachkit.model.text import name_key
from coachkit.store import schema as s

_DATE = "a date like 2026-03-31"
_VALUES = ("text", "owner", "due_on", "status", "done_on", "note")


def check(conn: Connection, cells: Cells, coach: str | None) -> pd.DataFrame:
    """Check every row; return the clean values (meaningful only with no problems)."""
    today = dt.date.today()
    coaches = coach_ids(conn, cells, coach)
    reps = rep_ids(conn, cells, coaches)
    texts, _ = cells.parse(
        "text", text(ACTION_TEXT_MAX), "what will be done", required=True
    )
    texts = np.array(
        [None if t is None else " ".join(t.split()) for t in texts.tolist()],
        dtype=object,
    )
    owners, _ = cells.parse("owner", choice(OWNERS), "rep or coach", required=False)
    due, _ = cells.parse("due_date", day, _DATE, required=True)
    done = outcomes(cells, ACTION_STATUSES, "action", today)
    keys = [
        None if pd.isna(r) or t is None or d is None else (int(r), name_key(t), d)
        for r, t, d in zip(reps.tolist(), texts.tolist(), due.tolist(), strict=True)
    ]
    match, by_id = stored_matches(
        cells, reps, keys, _stored(conn, reps), "action", "rep, text and due date"
    )
    # Found from what it says, a stored action keeps its text as written there.
    texts[~by_id & ~pd.isna(match)] = None
    _refuse_drafts(conn, cells, match, ~pd.isna(done.status))
    return pd.DataFrame(
        {
            "coach_id": coaches,
            "rep_id": reps,
            "text": texts,
            "owner": owners,
            "due_on": due,
            "status": done.status,
            "done_on": done.closed,
            "note": done.note,
            "match": match,
        }
    )


def _stored(conn: Connection, reps: np.ndarray) -> dict[int, tuple[int, Any]]:
    """The stored actions of the file's reps: id -> (rep id, what it says)."""
    a = s.actions
    wanted = {int(r) for r in reps.tolist() if r is not None}
    query = sa.select(a.c.id, a.c.rep_id, a.c.text, a.c.due_on).where(
        a.c.rep_id.in_(wanted)
    )
    return {
        int(i): (int(r), (int(r), name_key(t), d)) for i, r, t, d in conn.execute(query)
    }


def _refuse_drafts(
    conn: Connection, cells: Cells, match: np.ndarray, marked: np.ndarray
) -> None:
    """Refuse a status for an action of a draft session (not agreed yet)."""
    ids = {
        int(m) for m, k in zip(match.tolist(), marked.tolist(), strict=True) if k and m
    }
    if not ids:
        return
    a, t = s.actions, s.sessions
    query = (
        sa.select(a.c.id, t.c.held_on)
        .join(t, a.c.session_id == t.c.id)
        .where(t.c.status == "draft", a.c.id.in_(ids))
    )
    drafts = dict(conn.execute(query).all())
    held: list[dt.date | None] = [
        drafts.get(m) if k else None for m, k in zip(match, marked, strict=True)
    ]

    def why(i: int) -> str:
        return (
            f"this action is on the session of {held[i]}, which is still a draft; "
            "finish the session before marking its actions"
        )

    cells.report("status", np.array([h is not None for h in held], dtype=bool), why)


def write(conn: Connection, frame: pd.DataFrame, *, dry_run: bool) -> tuple[int, ...]:
    """Save the actions; return (added, updated, unchanged)."""
    a = s.actions
    rows: list[dict[str, Any]] = frame.astype(object).to_dict("records")
    for row in rows:
        row["coach_id"], row["rep_id"] = int(row["coach_id"]), int(row["rep_id"])
    return upsert(
        conn,
        a,
        rows,
        key=match_key,
        stored=sa.select(a.c.id, *(a.c[c] for c in _VALUES)).where(
            a.c.id.in_({int(row["match"]) for row in rows if row["match"]})
        ),
        values=_VALUES,
        insert_defaults={"owner": "rep", "status": "open"},
        dry_run=dry_run,
        stored_key=stored_key,
    )
