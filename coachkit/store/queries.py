"""Read queries: each takes a connection and returns a pandas DataFrame.

Pass ``coach_id=None`` to see every coach's data (an enablement lead's view).
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.store import access
from coachkit.store import schema as s


def _frame(conn: Connection, query: sa.Select, columns: list[str]) -> pd.DataFrame:
    rows = conn.execute(query).all()
    return pd.DataFrame(rows, columns=columns)


def _for_coach(query: sa.Select, column: sa.Column, coach_id: int | None) -> sa.Select:
    return query if coach_id is None else query.where(column == coach_id)


@access.not_for_reps
def coaches(conn: Connection) -> pd.DataFrame:
    """Every coach with their role and number of active reps."""
    c, r = s.coaches, s.reps
    active = (
        sa.select(sa.func.count())
        .where(r.c.coach_id == c.c.id, r.c.active.is_(True))
        .scalar_subquery()
    )
    query = sa.select(c.c.id, c.c.name, c.c.role, active).order_by(c.c.role, c.c.name)
    return _frame(conn, query, ["coach_id", "coach", "role", "active_reps"])


@access.checks("coach_id")
def roster(
    conn: Connection, coach_id: int | None, *, include_inactive: bool = False
) -> pd.DataFrame:
    """Reps with their coach, last assessment and last coaching session."""
    r, c, a, se = s.reps, s.coaches, s.assessments, s.sessions
    last_assessed = (
        sa.select(sa.func.max(a.c.assessed_on))
        .where(a.c.rep_id == r.c.id, a.c.source == "coach")
        .scalar_subquery()
    )
    last_session = (
        sa.select(sa.func.max(se.c.held_on))
        .where(se.c.rep_id == r.c.id, se.c.status == "done")
        .scalar_subquery()
    )
    query = (
        sa.select(
            r.c.id,
            r.c.name,
            r.c.role,
            r.c.segment,
            r.c.start_date,
            r.c.active,
            r.c.coach_id,
            c.c.name,
            last_assessed,
            last_session,
        )
        .join(c, r.c.coach_id == c.c.id)
        .order_by(c.c.name, r.c.name)
    )
    query = _for_coach(query, r.c.coach_id, coach_id)
    if not include_inactive:
        query = query.where(r.c.active.is_(True))
    return _frame(
        conn,
        query,
        [
            "rep_id",
            "rep",
            "role",
            "segment",
            "start_date",
            "active",
            "coach_id",
            "coach",
            "last_assessed",
            "last_session",
        ],
    )
