"""Rows written straight into a test store: sessions, plans and ratings by hand.

The Improve and Facilitate tests build small teams row by row, so that each number
they assert can be worked out on paper. These helpers write one row (and its focus
rows) with the values a test does not care about filled in, or find a row the demo
store is known to hold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.facilitate.sessions import SessionDraft, load_draft
from coachkit.store import schema as s

#: How a plan's focus behaviour is coached unless a test says otherwise.
GUIDE = {"style": "guide", "stage": "prompt"}


def add(conn: Connection, table: sa.Table, **values: object) -> int:
    """Insert one row into ``table``; return its id."""
    return int(conn.execute(table.insert().values(**values)).inserted_primary_key[0])


def add_session(
    conn: Connection,
    coach: int,
    rep: int,
    held: dt.date,
    minutes: int = 30,
    *,
    focus: Sequence[int] = (),
    next_on: dt.date | None = None,
    session_type: str = "one_on_one",
    status: str = "done",
    **values: object,
) -> int:
    """A session of ``minutes`` held on ``held``, with its ``focus`` behaviours."""
    values |= {"session_type": session_type, "status": status}
    values |= {"next_session_on": next_on}
    session = add(
        conn,
        s.sessions,
        coach_id=coach,
        rep_id=rep,
        held_on=held,
        duration_minutes=minutes,
        **values,
    )
    for b in focus:
        add(conn, s.session_focus, session_id=session, behaviour_id=b, coach_id=coach)
    return session


def add_plan(
    conn: Connection,
    coach: int,
    rep: int,
    started: dt.date,
    focus: Sequence[int] = (),
    **values: object,
) -> int:
    """A plan started on ``started`` with its ``focus`` behaviours, in order."""
    plan = add(conn, s.plans, coach_id=coach, rep_id=rep, started_on=started, **values)
    add_focus(conn, coach, plan, focus)
    return plan


def add_focus(conn: Connection, coach: int, plan: int, focus: Sequence[int]) -> None:
    """The plan's focus behaviours, in order, each coached by guiding."""
    for position, behaviour in enumerate(focus):
        row = {"behaviour_id": behaviour, "position": position}
        add(conn, s.plan_focus, coach_id=coach, plan_id=plan, **row, **GUIDE)


def add_rating(
    conn: Connection,
    coach: int,
    rep: int,
    behaviour: int,
    day: dt.date,
    skill: int,
    will: int = 3,
    source: str = "coach",
) -> None:
    """One assessment of ``behaviour``: by the coach unless ``source`` says self."""
    scores = {"source": source, "skill": skill, "will": will}
    row = {"coach_id": coach, "rep_id": rep, "behaviour_id": behaviour}
    add(conn, s.assessments, **row, assessed_on=day, **scores)


def add_values(
    conn: Connection,
    coach: int,
    rep: int,
    values: Iterable[tuple[str, dt.date, float]],
) -> None:
    """The rep's metric values, each given as (metric key, day, value)."""
    ids = dict(conn.execute(sa.select(s.metrics.c.key, s.metrics.c.id)).all())
    rows = [
        {
            "coach_id": coach,
            "rep_id": rep,
            "metric_id": ids[key],
            "observed_on": day,
            "value": float(value),
        }
        for key, day, value in values
    ]
    if rows:
        conn.execute(s.metric_values.insert(), rows)


def first_coach(conn: Connection) -> int:
    """The lowest id of a coach who has reps (on the demo store, the first coach)."""
    return int(conn.execute(sa.select(sa.func.min(s.reps.c.coach_id))).scalar_one())


def draft_rep(conn: Connection) -> int:
    """The rep whose session waits as a draft (the demo store has exactly one)."""
    se = s.sessions
    drafting = sa.select(se.c.rep_id).where(se.c.status == "draft")
    return int(conn.execute(drafting).scalar_one())


def demo_draft(conn: Connection) -> SessionDraft:
    """The demo store's one draft session, as the Facilitate workbook loads it."""
    draft = load_draft(conn, draft_rep(conn))
    assert draft is not None
    return draft
