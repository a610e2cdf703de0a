"""Long-term development: where coaching time goes, and focus that is not moving.

Coaching time is the duration of finished sessions, split evenly over each
session's focus behaviours and so over the objectives those behaviours serve.
Sessions without a focus behaviour cannot be placed and are left out. Leadership
sets each objective's weight; the gap is the share of time an objective got minus
its share of the weights (positive: more time than its weight asks for).

A focus behaviour is stale when an active plan has held it for longer than a
quarter and the coach's skill rating has not gone up since the plan started (or the
coach has not rated it at all).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.improve.records import coach_ratings, done_in, empty, read, then_and_now
from coachkit.model.periods import Period
from coachkit.store import access
from coachkit.store import schema as s

if TYPE_CHECKING:  # altair costs a kernel 1 s; it is imported when a chart is drawn
    import altair as alt

#: A focus held this many days (about a quarter) without movement is stale.
STALE_DAYS = 91

TIME_COLUMNS = ["objective_id", "objective", "weight", "weight_share", "minutes"]
TIME_COLUMNS += ["time_share", "gap"]
STALE_COLUMNS = ["rep_id", "rep", "behaviour_id", "behaviour", "since"]
STALE_COLUMNS += ["days_in_focus", "skill_then", "skill_now", "flag"]

_TRY = (
    "try a different approach (another style, a different kind of session or a new "
    "goal)."
)


@access.checks("coach_id", "rep_id")
def time_by_objective(
    conn: Connection, coach_id: int | None, period: Period, rep_id: int | None = None
) -> pd.DataFrame:
    """Share of coaching time per objective next to the weight leadership gave it.

    Parameters
    ----------
    conn
        An open connection.
    coach_id
        The coach whose sessions to read; None for every coach.
    period
        The days to read.
    rep_id
        Only this rep's sessions, when given.

    Returns
    -------
    pandas.DataFrame
        Columns objective_id, objective (its name), weight, weight_share (weight /
        sum of weights), minutes, time_share (minutes / all placed minutes; sums to
        1), gap (time_share - weight_share). Every objective, in the framework's
        order; empty when no coaching time falls in the period.
    """
    se, sf, b = s.sessions, s.session_focus, s.behaviours
    query = (
        sa.select(se.c.id, se.c.duration_minutes, b.c.objective_id)
        .join(sf, sf.c.session_id == se.c.id)
        .join(b, sf.c.behaviour_id == b.c.id)
        .where(*done_in(period, coach_id, rep_id))
    )
    raw = read(conn, query, ["session_id", "duration", "objective_id"])
    if raw.empty or raw["duration"].sum() <= 0:
        return empty(TIME_COLUMNS)
    parts = raw.groupby("session_id")["objective_id"].transform("size")
    raw["minutes"] = raw["duration"].astype(float) / parts
    minutes = raw.groupby("objective_id")["minutes"].sum()
    o = s.objectives
    objectives = read(
        conn,
        sa.select(o.c.id, o.c.name, o.c.weight).order_by(o.c.position, o.c.id),
        ["objective_id", "objective", "weight"],
    )
    out = objectives.assign(weight=objectives["weight"].astype(float))
    out["weight_share"] = out["weight"] / out["weight"].sum()
    out["minutes"] = out["objective_id"].map(minutes).fillna(0.0)
    out["time_share"] = out["minutes"] / out["minutes"].sum()
    out["gap"] = out["time_share"] - out["weight_share"]
    return out[TIME_COLUMNS]


@access.checks("coach_id")
def stale_focus(
    conn: Connection, coach_id: int | None, today: dt.date, days: int = STALE_DAYS
) -> pd.DataFrame:
    """Focus behaviours of active plans held longer than ``days`` with no movement.

    ``skill_then`` is the coach's latest skill rating on or before the plan started
    (or the first one after, when there was none); ``skill_now`` the latest up to
    ``today``. A focus is listed when ``skill_now <= skill_then``, or when it was
    never rated.

    Returns
    -------
    pandas.DataFrame
        Columns rep_id, rep, behaviour_id, behaviour, since (datetime.date, the
        plan's start), days_in_focus, skill_then, skill_now (floats, NaN when not
        rated), flag (a plain sentence). Active reps only; longest held first.
    """
    pf, p, r, b = s.plan_focus, s.plans, s.reps, s.behaviours
    query = (
        sa.select(p.c.rep_id, r.c.name, pf.c.behaviour_id, b.c.name, p.c.started_on)
        .join(p, pf.c.plan_id == p.c.id)
        .join(r, p.c.rep_id == r.c.id)
        .join(b, pf.c.behaviour_id == b.c.id)
        .where(
            p.c.status == "active",
            r.c.active.is_(True),
            p.c.started_on <= today - dt.timedelta(days=days),
        )
        .order_by(p.c.started_on, r.c.name, pf.c.position, pf.c.id)
    )
    if coach_id is not None:
        query = query.where(p.c.coach_id == coach_id)
    focus = read(conn, query, ["rep_id", "rep", "behaviour_id", "behaviour", "since"])
    if focus.empty:
        return empty(STALE_COLUMNS)
    focus["days_in_focus"] = [(today - d).days for d in focus["since"]]
    ratings = coach_ratings(conn, coach_id, today)
    at_start = then_and_now(focus, ratings, "since").rename(
        columns={"skill": "skill_now"}
    )
    stuck = at_start["skill_now"] <= at_start["skill_then"]
    unrated = at_start["skill_now"].isna()
    out = at_start[stuck | unrated].copy()
    months = (out["days_in_focus"] / 30.4375).round().clip(lower=1).astype(int)
    spans = [f"{m} month" if m == 1 else f"{m} months" for m in months]
    out["flag"] = [
        f"Not rated in {span}: rate this skill to see whether it is moving, or {_TRY}"
        if pd.isna(now)
        else f"No movement in {span}: {_TRY}"
        for span, now in zip(spans, out["skill_now"], strict=True)
    ]
    out = out.sort_values("days_in_focus", ascending=False, kind="stable")
    return out[STALE_COLUMNS].reset_index(drop=True)


def objective_chart(frame: pd.DataFrame) -> alt.Chart:
    """Share of coaching time next to leadership's weight, one pair of bars each.

    ``frame`` has the columns of :func:`time_by_objective`.
    """
    import altair as alt

    names = {"time_share": "Share of coaching time", "weight_share": "Weight set"}
    long = frame.melt(
        id_vars=["objective"],
        value_vars=list(names),
        var_name="measure",
        value_name="share",
    )
    long["measure"] = long["measure"].map(names)
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("share:Q", title="Share", axis=alt.Axis(format="%")),
            y=alt.Y(
                "objective:N",
                sort=list(frame["objective"]),
                title=None,
                axis=alt.Axis(labelLimit=0),
            ),
            yOffset=alt.YOffset("measure:N", sort=list(names.values())),
            color=alt.Color(
                "measure:N",
                title=None,
                sort=list(names.values()),
                scale=alt.Scale(range=["#4c78a8", "#bab0ac"]),
            ),
            tooltip=[
                alt.Tooltip("objective:N", title="Objective"),
                alt.Tooltip("measure:N", title="What"),
                alt.Tooltip("share:Q", format=".0%", title="Share"),
            ],
        )
        .properties(
            width=420,
            height=max(44 * len(frame), 60),
            title="Coaching time compared with the weight leadership set",
        )
    )
