"""Progress per rep: goals toward target, actions kept, skill ratings over time.

Each function takes a connection and returns a tidy DataFrame, ready for a table or
an Altair chart. :func:`progress_share` is the pure sum behind the goal progress.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.model.goals import (
    STATUS_WORDS,
    baseline_for,
    format_value,
    judgement,
    value_when_judged,
)
from coachkit.store import access
from coachkit.store import schema as s

#: Progress past the target shows up to 120%, so overshooting is visible but a
#: wild value does not stretch a chart.
PROGRESS_CAP = 1.2

GOAL_COLUMNS = [
    "goal_id",
    "goal",
    "behaviour",
    "metric",
    "kind",
    "unit",
    "baseline",
    "target",
    "current",
    "progress",
    "due_on",
    "days_left",
    "status",
    "baseline_text",
    "target_text",
    "current_text",
    "judged_value",
    "closed_on",
    "note",
    "row_version",
    "status_text",
    "outcome",
]
ACTION_COLUMNS = ["month", "kept", "missed", "dropped", "open", "kept_share"]
SKILL_COLUMNS = ["date", "behaviour_id", "behaviour", "skill", "source"]


def progress_share(
    baseline: pd.Series | float, target: pd.Series | float, current: pd.Series | float
) -> pd.Series:
    """Share of the way from baseline to target, 0 to :data:`PROGRESS_CAP`.

    Works both ways: for a number where lower is better the target sits below the
    baseline, and moving down is progress. NaN when any value is missing or the
    target equals the baseline.
    """
    base = pd.Series(baseline, dtype=float)
    goal = pd.Series(target, dtype=float)
    now = pd.Series(current, dtype=float)
    span = (goal - base).replace(0.0, np.nan)
    return ((now - base) / span).clip(0.0, PROGRESS_CAP)


@access.checks("rep_id")
def goal_progress(
    conn: Connection, rep_id: int, today: dt.date, *, include_dropped: bool = False
) -> pd.DataFrame:
    """The rep's goals (all but dropped ones, unless asked), with how far each came.

    ``current`` is the rep's level over the recent weeks, counted as a goal's
    baseline is (:func:`coachkit.model.goals.baseline_for` at ``today``). A goal
    judged met or missed is measured on the day it was judged (``judged_value``:
    the value kept then, or read for that day, or its due date), so its progress
    and its verdict never disagree; an open goal is measured now.

    Returns
    -------
    pandas.DataFrame
        Columns goal_id, goal (its description), behaviour, metric (None for a goal
        without one), kind, unit, baseline, target, current (floats, NaN when not
        known), progress (see :func:`progress_share`, from ``judged_value``),
        due_on (datetime.date), days_left (negative once past due), status,
        baseline_text, target_text, current_text written for people,
        judged_value (the value the line rests on: when judged, or now while
        open), closed_on (the day judged, or None), note, row_version,
        status_text (``Met``, ``Open`` ...) and outcome (one line:
        :func:`coachkit.model.goals.judgement`). Sorted by due day.
    """
    g, b, m = s.goals, s.behaviours, s.metrics
    query = (
        sa.select(
            g.c.id,
            g.c.description,
            b.c.name,
            m.c.name.label("metric"),
            m.c.kind,
            m.c.unit,
            m.c.higher_is_better,
            g.c.baseline,
            g.c.target,
            g.c.metric_id,
            g.c.due_on,
            g.c.status,
            g.c.closed_on,
            g.c.closed_value,
            g.c.note,
            g.c.row_version,
        )
        .join(b, g.c.behaviour_id == b.c.id)
        .outerjoin(m, g.c.metric_id == m.c.id)
        .where(g.c.rep_id == int(rep_id))
        .order_by(g.c.due_on, g.c.id)
    )
    if not include_dropped:
        query = query.where(g.c.status != "dropped")
    records = []
    for r in conn.execute(query).all():
        current = None
        if r.metric_id is not None:
            current = baseline_for(conn, int(rep_id), int(r.metric_id), today)
        judged = current
        if r.status != "open":
            judged = value_when_judged(
                conn,
                int(rep_id),
                r.metric_id,
                r.status,
                r.closed_value,
                r.closed_on,
                r.due_on,
                today,
            )
        higher = True if r.higher_is_better is None else bool(r.higher_is_better)
        records.append(
            {
                "goal_id": r[0],
                "goal": r[1],
                "behaviour": r[2],
                "metric": r.metric,
                "kind": r.kind,
                "unit": r.unit,
                "baseline": r.baseline,
                "target": r.target,
                "current": current,
                "due_on": r.due_on,
                "days_left": (r.due_on - today).days,
                "status": r.status,
                "judged_value": judged,
                "closed_on": r.closed_on,
                "note": r.note or "",
                "row_version": int(r.row_version),
                "status_text": STATUS_WORDS.get(r.status, str(r.status).capitalize()),
                "outcome": judgement(
                    r.status,
                    value=judged,
                    target=r.target,
                    kind=r.kind,
                    unit=r.unit,
                    higher_is_better=higher,
                    due_on=r.due_on,
                    closed_on=r.closed_on,
                    today=today,
                ),
            }
        )
    plain = [c for c in GOAL_COLUMNS if "_text" not in c or c == "status_text"]
    frame = pd.DataFrame(records, columns=plain)
    for col in ("baseline", "target", "current", "judged_value"):
        frame[col] = frame[col].astype(float)
    frame["progress"] = progress_share(
        frame["baseline"], frame["target"], frame["judged_value"]
    ).to_numpy()
    for col in ("baseline", "target", "current"):
        frame[f"{col}_text"] = [
            format_value(v, k, u)
            for v, k, u in zip(frame[col], frame["kind"], frame["unit"], strict=True)
        ]
    return frame[GOAL_COLUMNS]


@access.checks("rep_id")
def action_record(conn: Connection, rep_id: int) -> pd.DataFrame:
    """The rep's agreed actions per month they were due: kept, missed, dropped, open.

    Actions still on an unfinished draft are not agreed yet and do not count. A
    dropped action counts neither as kept nor as missed.

    Returns
    -------
    pandas.DataFrame
        Columns month (datetime64, the month's first day), kept, missed, dropped,
        open (ints), kept_share (kept / (kept + missed), NaN when none were
        settled). Oldest month first.
    """
    a, se = s.actions, s.sessions
    query = (
        sa.select(a.c.due_on, a.c.status)
        .select_from(a.outerjoin(se, a.c.session_id == se.c.id))
        .where(
            a.c.rep_id == int(rep_id),
            sa.or_(a.c.session_id.is_(None), se.c.status == "done"),
        )
    )
    raw = pd.DataFrame([tuple(r) for r in conn.execute(query)], columns=["due", "st"])
    if raw.empty:
        return pd.DataFrame(
            {
                c: pd.Series(dtype=float if c == "kept_share" else int)
                for c in ACTION_COLUMNS
            }
        ).astype({"month": "datetime64[ns]"})
    raw["month"] = pd.to_datetime(raw["due"]).dt.to_period("M").dt.to_timestamp()
    counts = pd.crosstab(raw["month"], raw["st"])
    out = counts.reindex(columns=["kept", "missed", "dropped", "open"], fill_value=0)
    out = out.astype(int).reset_index().rename_axis(None, axis=1)
    settled = (out["kept"] + out["missed"]).replace(0, np.nan)
    out["kept_share"] = out["kept"] / settled
    return (
        out[ACTION_COLUMNS].sort_values("month", kind="stable").reset_index(drop=True)
    )


@access.checks("rep_id")
def skill_history(
    conn: Connection, rep_id: int, behaviour_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """The rep's skill ratings over time, for a line per behaviour and source.

    Parameters
    ----------
    conn
        An open connection.
    rep_id
        The rep.
    behaviour_ids
        Only these behaviours (such as the plan's focus); None for all.

    Returns
    -------
    pandas.DataFrame
        Columns date (datetime64), behaviour_id, behaviour, skill (1-5), source
        (``coach`` or ``self``). Oldest first.
    """
    a, b = s.assessments, s.behaviours
    query = (
        sa.select(a.c.assessed_on, a.c.behaviour_id, b.c.name, a.c.skill, a.c.source)
        .join(b, a.c.behaviour_id == b.c.id)
        .where(a.c.rep_id == int(rep_id))
        .order_by(a.c.assessed_on, b.c.position, b.c.id, a.c.source)
    )
    if behaviour_ids is not None:
        query = query.where(a.c.behaviour_id.in_([int(i) for i in behaviour_ids]))
    frame = pd.DataFrame([tuple(r) for r in conn.execute(query)], columns=SKILL_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"])
    frame["skill"] = frame["skill"].astype(int)
    return frame


#: How a session's status reads on screen.
_STATUS_WORDS = {"done": "Held", "draft": "Being written up"}


@access.checks("rep_id")
def recent_sessions(
    conn: Connection,
    rep_id: int,
    type_names: dict[str, str],
    limit: int = 10,
) -> pd.DataFrame:
    """The rep's latest sessions, newest first, in words a coach reads.

    ``type_names`` maps each session type's key to its name (the session guides'
    ``session_types``); a key it does not hold is shown with its underscores as
    spaces, never as stored.

    Returns
    -------
    pandas.DataFrame
        Columns Date (datetime.date), Type, Minutes, Status; at most ``limit`` rows.
    """
    se = s.sessions
    rows = conn.execute(
        sa.select(se.c.held_on, se.c.session_type, se.c.duration_minutes, se.c.status)
        .where(se.c.rep_id == int(rep_id))
        .order_by(se.c.held_on.desc(), se.c.id.desc())
        .limit(int(limit))
    ).all()
    return pd.DataFrame(
        [
            (
                held,
                type_names.get(str(kind), str(kind).replace("_", " ").capitalize()),
                minutes,
                _STATUS_WORDS.get(str(status), str(status).capitalize()),
            )
            for held, kind, minutes, status in rows
        ],
        columns=["Date", "Type", "Minutes", "Status"],
    )
