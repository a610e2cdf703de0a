"""Which coaching styles each rep was coached with, what followed, and what fits now.

Styles come from finished sessions (``sessions.style``); skill and will from the
coach's own ratings (``assessments`` with source ``coach``). Only active reps count.
A rating dated on the day of a session counts as "before" it: it is the rating the
coach had in hand when picking the style.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.improve.records import (
    coach_ratings,
    done_in,
    empty,
    rating_at,
    read,
    then_and_now,
)
from coachkit.model.formats import number
from coachkit.model.periods import Period
from coachkit.model.styles import HIGH, choose_style
from coachkit.store import access
from coachkit.store import schema as s

HISTORY_COLUMNS = ["rep_id", "rep", "style", "sessions", "first_on", "last_on"]
OUTCOME_COLUMNS = ["rep_id", "rep", "style", "sessions", "skill_before"]
OUTCOME_COLUMNS += ["skill_after", "skill_change", "will_before", "will_after"]
OUTCOME_COLUMNS += ["will_change"]
SUGGESTION_COLUMNS = ["rep_id", "rep", "behaviour_id", "behaviour", "current_style"]
SUGGESTION_COLUMNS += ["skill", "will", "suggested_style", "change", "reason"]

#: What each style asks of the coach, to end a reason.
_DO = {
    "direct": "so show them exactly what to do (the Direct style).",
    "guide": "so guide them step by step (the Guide style).",
    "excite": "so find what matters to them and spark their interest (the Excite "
    "style).",
    "delegate": "so hand them the lead (the Delegate style).",
}
NOT_RATED = "Not rated yet: rate skill and will on this behaviour to pick a style."


@access.checks("coach_id")
def style_history(
    conn: Connection, coach_id: int | None, period: Period
) -> pd.DataFrame:
    """How many finished sessions each rep had in each style during the period.

    Returns
    -------
    pandas.DataFrame
        Columns rep_id, rep, style, sessions, first_on, last_on (datetime.date).
        Sorted by rep name, then the style's first session.
    """
    return _history(_sessions(conn, coach_id, period))


def _history(raw: pd.DataFrame) -> pd.DataFrame:
    if raw.empty:
        return empty(HISTORY_COLUMNS)
    raw = raw.assign(held_on=pd.to_datetime(raw["held_on"]))
    out = raw.groupby(["rep_id", "rep", "style"], as_index=False).agg(
        sessions=("session_id", "size"),
        first_on=("held_on", "min"),
        last_on=("held_on", "max"),
    )
    for col in ("first_on", "last_on"):
        out[col] = out[col].dt.date
    out = out.sort_values(["rep", "rep_id", "first_on", "style"], kind="stable")
    return out[HISTORY_COLUMNS].reset_index(drop=True)


@access.checks("coach_id")
def style_outcomes(
    conn: Connection, coach_id: int | None, period: Period
) -> pd.DataFrame:
    """Skill and will on the sessions' focus behaviours, before and after each style.

    For each rep and style, "before" is the coach's latest rating on or before the
    first session in that style; "after" is their latest rating later in the period.
    Both are averaged over the focus behaviours of that style's sessions; a change
    is averaged over the behaviours rated both before and after.

    Returns
    -------
    pandas.DataFrame
        Columns rep_id, rep, style, sessions, skill_before, skill_after,
        skill_change, will_before, will_after, will_change (floats, NaN when not
        rated). Sorted as :func:`style_history`.
    """
    raw = _sessions(conn, coach_id, period)
    history = _history(raw)
    if history.empty:
        return empty(OUTCOME_COLUMNS)
    focus = _focus(conn, coach_id, period)
    pairs = raw.merge(focus, on="session_id")[["rep_id", "style", "behaviour_id"]]
    pairs = pairs.drop_duplicates().merge(
        history[["rep_id", "style", "first_on"]], on=["rep_id", "style"]
    )
    ratings = coach_ratings(conn, coach_id, period.end)
    pairs = rating_at(pairs, ratings, "first_on", "before")
    latest = ratings.groupby(["rep_id", "behaviour_id"], as_index=False).last()
    pairs = pairs.merge(latest, on=["rep_id", "behaviour_id"], how="left")
    later = pd.to_datetime(pairs["rated_on"]) > pd.to_datetime(pairs["first_on"])
    for what in ("skill", "will"):
        pairs[f"{what}_after"] = pairs[what].where(later)
        pairs[f"{what}_change"] = pairs[f"{what}_after"] - pairs[f"{what}_before"]
    means = pairs.groupby(["rep_id", "style"])[
        [f"{w}_{when}" for w in ("skill", "will") for when in ("before", "after")]
        + ["skill_change", "will_change"]
    ].mean()
    out = history.join(means, on=["rep_id", "style"])
    return out[OUTCOME_COLUMNS].reset_index(drop=True)


@access.checks("coach_id")
def style_suggestions(
    conn: Connection, coach_id: int | None, today: dt.date
) -> pd.DataFrame:
    """For each focus behaviour of an active plan: does its style still fit?

    The coach's latest skill and will on the behaviour pick a style
    (:func:`coachkit.model.styles.choose_style`). When it differs from the plan's style,
    ``change`` says so (``"guide → delegate"``); when it fits, ``change`` is "".

    Returns
    -------
    pandas.DataFrame
        Columns rep_id, rep, behaviour_id, behaviour, current_style, skill, will
        (floats, NaN when not rated), suggested_style ("" when not rated), change,
        reason (one plain sentence). Rows needing a change first, then by rep name
        and the plan's order.
    """
    pf, p, r, b = s.plan_focus, s.plans, s.reps, s.behaviours
    query = (
        sa.select(
            p.c.rep_id,
            r.c.name,
            pf.c.behaviour_id,
            b.c.name,
            pf.c.style,
            p.c.started_on,
            pf.c.position,
        )
        .join(p, pf.c.plan_id == p.c.id)
        .join(r, p.c.rep_id == r.c.id)
        .join(b, pf.c.behaviour_id == b.c.id)
        .where(p.c.status == "active", r.c.active.is_(True))
        .order_by(r.c.name, r.c.id, pf.c.position, pf.c.id)
    )
    if coach_id is not None:
        query = query.where(p.c.coach_id == coach_id)
    cols = ["rep_id", "rep", "behaviour_id", "behaviour", "current_style"]
    focus = read(conn, query, [*cols, "since", "position"])
    if focus.empty:
        return empty(SUGGESTION_COLUMNS)
    frame = then_and_now(focus, coach_ratings(conn, coach_id, today), "since")
    rated = frame["skill"].notna() & frame["will"].notna()
    frame["suggested_style"] = ""
    frame.loc[rated, "suggested_style"] = [
        choose_style(int(sk), int(wl)).style
        for sk, wl in zip(
            frame.loc[rated, "skill"], frame.loc[rated, "will"], strict=True
        )
    ]
    differs = rated & (frame["suggested_style"] != frame["current_style"])
    frame["change"] = (frame["current_style"] + " → " + frame["suggested_style"]).where(
        differs, ""
    )
    parts = ["skill_then", "skill", "will_then", "will", "suggested_style"]
    frame["reason"] = [
        _reason(*row) if row[-1] else NOT_RATED
        for row in frame[parts].itertuples(index=False)
    ]
    frame["_order"] = ~differs
    frame = frame.sort_values("_order", kind="stable")
    return frame[SUGGESTION_COLUMNS].reset_index(drop=True)


def _reason(
    skill_then: float, skill: float, will_then: float, will: float, style: str
) -> str:
    keen = "high" if will >= HIGH else "low"
    parts = _moved("Skill", skill_then, skill), _moved("will", will_then, will, keen)
    return f"{parts[0]} and {parts[1]}, {_DO[style]}"


def _moved(name: str, then: float, now: float, level: str = "") -> str:
    """``"Skill rose from 3 to 4"``, ``"will is high"``, ``"Skill is still 3"``."""
    if pd.isna(then) or then == now:
        still = "still " if then == now else ""
        return f"{name} is {level}" if level else f"{name} is {still}{number(now, 0)}"
    verb = "rose" if now > then else "fell"
    return f"{name} {verb} from {number(then, 0)} to {number(now, 0)}"


def _sessions(conn: Connection, coach_id: int | None, period: Period) -> pd.DataFrame:
    se, r = s.sessions, s.reps
    query = (
        sa.select(se.c.id, se.c.rep_id, r.c.name, se.c.held_on, se.c.style)
        .join(r, se.c.rep_id == r.c.id)
        .where(*done_in(period, coach_id), se.c.style.is_not(None))
        .where(r.c.active.is_(True))
    )
    return read(conn, query, ["session_id", "rep_id", "rep", "held_on", "style"])


def _focus(conn: Connection, coach_id: int | None, period: Period) -> pd.DataFrame:
    se, sf = s.sessions, s.session_focus
    query = (
        sa.select(sf.c.session_id, sf.c.behaviour_id)
        .join(se, sf.c.session_id == se.c.id)
        .where(*done_in(period, coach_id))
    )
    return read(conn, query, ["session_id", "behaviour_id"])
