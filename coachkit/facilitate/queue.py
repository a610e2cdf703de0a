"""Today's queue: who to coach now, and why, one row per active rep.

:func:`todays_queue` gathers the reasons in a few grouped SQL queries (fast for
1,000 reps), puts each rep in one of three places and says why in one phrase.

The order
---------
1. **Due or late** (``place`` ``"due"``): reps coached before whose next session is
   due today or late, the most days late first.
2. **New plan** (``"new"``): reps with a plan who were never coached, the plan
   that started longest ago first.
3. **Everyone else** (``"later"``), by the attention score below, highest first.

Ties keep the order by name. ``reason`` says in one phrase why a rep is where they
are: "7 days late", "new plan, not coached yet", "due today", "next due 12 June
2026", with overdue actions or a waiting draft added after a comma.

When the next session is due
----------------------------
On the day the latest finished session planned, else one cadence after it, else
(never coached) on the day the plan started, else today. Reps with no plan use a
cadence of :data:`DEFAULT_CADENCE_DAYS`. Actions kept, missed or dropped are never
overdue; only an open one past its due day is.

The attention score
-------------------
The sum of four parts, each kept as a column:

- **Late session**: ``days_overdue / cadence_days``, kept between -1 and 3, times
  :data:`LATE_POINTS`. A session one whole cadence late adds 10; a rep whose next
  session is a whole cadence away loses 10.
- **Overdue actions**: :data:`ACTION_POINTS` per agreed action still open after its
  due day (at most :data:`MAX_COUNTED_ACTIONS` count).
- **Plan priority**: :data:`GAP_POINTS` per rubric level of the largest gap on the
  plan's focus behaviours (target level minus the coach's latest skill rating).
  The priority ranking of the Prioritize workbook is not stored, so this gap stands
  in for it: the focus behaviours were picked for their gaps. 0 without a plan or
  without ratings.
- **Draft**: :data:`DRAFT_POINTS` when an unfinished draft session is waiting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.model.formats import day
from coachkit.store import access
from coachkit.store import schema as s

LATE_POINTS = 10.0
ACTION_POINTS = 4.0
MAX_COUNTED_ACTIONS = 5
GAP_POINTS = 3.0
DRAFT_POINTS = 5.0
DEFAULT_CADENCE_DAYS = 14

#: The three places in the queue, in order (see the module notes).
PLACES = ("due", "new", "later")

QUEUE_COLUMNS = [
    "rep_id",
    "rep",
    "place",
    "reason",
    "attention",
    "plan_priority",
    "days_since",
    "cadence_days",
    "days_overdue",
    "due_on",
    "overdue_actions",
    "draft",
    "has_plan",
    "last_session",
    "next_session_on",
]


@access.checks("coach_id")
def todays_queue(
    conn: Connection, coach_id: int | None, today: dt.date
) -> pd.DataFrame:
    """The coach's active reps in the order to coach them (see the module notes).

    Parameters
    ----------
    conn
        An open connection.
    coach_id
        The coach whose reps to list; None for every coach (a lead's view).
    today
        The day to count from.

    Returns
    -------
    pandas.DataFrame
        Columns rep_id, rep, place (``"due"``, ``"new"`` or ``"later"``), reason
        (one phrase: "7 days late, 2 actions overdue"), attention (the score),
        plan_priority (int), days_since (Int64, <NA> when never coached),
        cadence_days (Int64, <NA> without a plan), days_overdue (int; negative
        when the next session is still ahead), due_on (the day the next session
        is due, datetime.date), overdue_actions (int), draft (bool), has_plan
        (bool), last_session and next_session_on (datetime.date or None).
    """
    frame = _reasons(conn, coach_id, today)
    last = pd.to_datetime(frame["last_session"])
    now = pd.Timestamp(today)
    frame["days_since"] = (now - last).dt.days.astype("Int64")
    cadence = frame["cadence_days"].astype("Int64")
    frame["cadence_days"] = cadence
    every = pd.to_timedelta(cadence.fillna(DEFAULT_CADENCE_DAYS), unit="D")
    due = pd.to_datetime(frame["next_session_on"])
    due = due.fillna(last + every).fillna(pd.to_datetime(frame["plan_start"]))
    due = due.fillna(now)
    frame["days_overdue"] = (now - due).dt.days.astype(int)
    frame["due_on"] = [d.date() for d in due]
    frame["overdue_actions"] = frame["overdue_actions"].fillna(0).astype(int)
    frame["draft"] = frame["drafts"].fillna(0).astype(int) > 0
    frame["has_plan"] = frame["plan_start"].notna()
    gap = pd.to_numeric(frame["plan_priority"], errors="coerce").fillna(0)
    frame["plan_priority"] = gap.clip(lower=0).astype(int)
    frame["attention"] = attention_score(frame)
    coached = frame["days_since"].notna()
    frame["place"] = np.select(
        [coached & (frame["days_overdue"] >= 0), ~coached & frame["has_plan"]],
        ["due", "new"],
        "later",
    )
    frame["reason"] = [
        reason(*args)
        for args in zip(
            frame["place"],
            frame["days_overdue"],
            frame["due_on"],
            frame["overdue_actions"],
            frame["draft"],
            coached,
            strict=True,
        )
    ]
    order = frame["place"].map({p: i for i, p in enumerate(PLACES)})
    lateness = frame["days_overdue"].where(frame["place"] != "later", 0)
    frame = frame.assign(_order=order, _late=-lateness, _score=-frame["attention"])
    frame = frame.sort_values(["_order", "_late", "_score"], kind="stable")
    return frame[QUEUE_COLUMNS].reset_index(drop=True)


def attention_score(frame: pd.DataFrame) -> pd.Series:
    """The attention score per row (see the module notes), one decimal.

    Parameters
    ----------
    frame
        Columns days_overdue, cadence_days (<NA> means the default),
        overdue_actions, plan_priority and draft.
    """
    cadence = pd.to_numeric(frame["cadence_days"], errors="coerce")
    cadence = cadence.fillna(DEFAULT_CADENCE_DAYS).clip(lower=1).astype(float)
    late = (frame["days_overdue"].astype(float) / cadence).clip(-1, 3) * LATE_POINTS
    actions = frame["overdue_actions"].clip(upper=MAX_COUNTED_ACTIONS) * ACTION_POINTS
    gap = frame["plan_priority"].astype(float) * GAP_POINTS
    draft = np.where(frame["draft"].astype(bool), DRAFT_POINTS, 0.0)
    return (late + actions + gap + draft).astype(float).round(1)


def reason(
    place: str,
    days_overdue: int,
    due_on: dt.date,
    overdue_actions: int = 0,
    draft: bool = False,
    coached: bool = True,
) -> str:
    """Say in one phrase why a rep is at their place in the queue.

    Examples: ``7 days late, 2 actions overdue``, ``due today``, ``new plan, not
    coached yet``, ``next due 12 June 2026, a draft is waiting``, ``not coached
    yet, no plan yet``.
    """
    if place == "due":
        parts = ["due today" if days_overdue <= 0 else f"{_days(days_overdue)} late"]
    elif place == "new":
        parts = ["new plan, not coached yet"]
    elif not coached:  # no plan either: a rep with a plan is "new"
        parts = ["not coached yet, no plan yet"]
    else:
        parts = [f"next due {day(due_on)}"]
    if overdue_actions:
        noun = "action" if overdue_actions == 1 else "actions"
        parts.append(f"{overdue_actions} {noun} overdue")
    if draft:
        parts.append("a draft is waiting")
    return ", ".join(parts)


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _reasons(conn: Connection, coach_id: int | None, today: dt.date) -> pd.DataFrame:
    """One row per active rep with the raw reasons, by name; a few grouped queries."""
    r, se, ac, p = s.reps, s.sessions, s.actions, s.plans
    team = sa.select(r.c.id).where(r.c.active.is_(True))
    if coach_id is not None:
        team = team.where(r.c.coach_id == int(coach_id))
    done = _per_rep(
        se.c.rep_id,
        team,
        se.c.status == "done",
        sa.func.max(se.c.held_on).label("last_session"),
        sa.func.max(se.c.next_session_on).label("next_session_on"),
    )
    drafts = _per_rep(
        se.c.rep_id, team, se.c.status == "draft", sa.func.count().label("drafts")
    )
    agreed = sa.or_(ac.c.session_id.is_(None), se.c.status == "done")
    late = _per_rep(
        ac.c.rep_id,
        team,
        sa.and_(ac.c.status == "open", ac.c.due_on < today, agreed),
        sa.func.count().label("overdue"),
        source=ac.outerjoin(se, ac.c.session_id == se.c.id),
    )
    plan = _per_rep(
        p.c.rep_id,
        team,
        p.c.status == "active",
        sa.func.min(p.c.cadence_days).label("cadence"),
        sa.func.max(p.c.started_on).label("started"),
    )
    gap = _focus_gaps(team)
    query = (
        sa.select(
            r.c.id,
            r.c.name,
            done.c.last_session,
            done.c.next_session_on,
            plan.c.cadence,
            plan.c.started,
            late.c.overdue,
            drafts.c.drafts,
            gap.c.gap,
        )
        .select_from(
            r.outerjoin(done, done.c.rep_id == r.c.id)
            .outerjoin(drafts, drafts.c.rep_id == r.c.id)
            .outerjoin(late, late.c.rep_id == r.c.id)
            .outerjoin(plan, plan.c.rep_id == r.c.id)
            .outerjoin(gap, gap.c.rep_id == r.c.id)
        )
        .where(r.c.id.in_(team))
        .order_by(r.c.name, r.c.id)
    )
    columns = [
        "rep_id",
        "rep",
        "last_session",
        "next_session_on",
        "cadence_days",
        "plan_start",
        "overdue_actions",
        "drafts",
        "plan_priority",
    ]
    return pd.DataFrame([tuple(x) for x in conn.execute(query)], columns=columns)


def _per_rep(
    rep_id: sa.Column[int],
    team: sa.Select[Any],
    keep: sa.ColumnElement[bool],
    *columns: sa.ColumnElement[Any],
    source: sa.FromClause | None = None,
) -> sa.Subquery:
    """One row per rep of ``team``: ``columns`` over the rows ``keep`` picks."""
    query = sa.select(rep_id, *columns).where(keep, rep_id.in_(team)).group_by(rep_id)
    if source is not None:
        query = query.select_from(source)
    return query.subquery()


def _focus_gaps(team: sa.Select) -> sa.Subquery:
    """Per rep: the largest gap (target - latest coach skill) on active plan focus."""
    a, p, pf, b = s.assessments, s.plans, s.plan_focus, s.behaviours
    newest = sa.func.row_number().over(
        partition_by=(a.c.rep_id, a.c.behaviour_id),
        order_by=(a.c.assessed_on.desc(), a.c.id.desc()),
    )
    ranked = (
        sa.select(
            a.c.rep_id,
            (b.c.target_level - a.c.skill).label("gap"),
            newest.label("newest"),
        )
        .select_from(
            a.join(p, (p.c.rep_id == a.c.rep_id) & (p.c.status == "active"))
            .join(
                pf, (pf.c.plan_id == p.c.id) & (pf.c.behaviour_id == a.c.behaviour_id)
            )
            .join(b, b.c.id == a.c.behaviour_id)
        )
        .where(a.c.source == "coach", a.c.rep_id.in_(team))
        .subquery()
    )
    return (
        sa.select(ranked.c.rep_id, sa.func.max(ranked.c.gap).label("gap"))
        .where(ranked.c.newest == 1)
        .group_by(ranked.c.rep_id)
        .subquery()
    )
