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

from coachkit import access
from coachkit import schema as s
from coachkit.periods import Period
from coachkit.styles import HIGH, choose_style

HISTORY_COLUMNS = ["rep_id", "rep", "style", "sessions", "first_on", "last_on"]
OUTCOME_COLUMNS = ["rep_id", "rep", "style", "sessions", "skill_before"]
OUTCOME_COLUMNS += ["skill_after", "skill_change", "will_before", "will_after"]
OUTCOME_COLUMNS += ["will_change"]
SUGGESTION_COLUMNS = ["rep_id", "rep", "behaviour_id", "behaviour", "current_style"]
SUGGESTION_COLUMNS += ["skill", "will", "suggested_style", "change", "reason"]

#: What each style asks of the coach, to end a reason.
_DO = {
    "direct": "so show them exactly what to do: direct.",
    "guide": "so guide them step by step: guide.",
    "excite": "so find what matters to them and spark their interest: excite.",
    "delegate": "so hand them the lead: delegate.",
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
        return _empty(HISTORY_COLUMNS)
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
        return _empty(OUTCOME_COLUMNS)
    focus = _focus(conn, coach_id, period)
    pairs = raw.merge(focus, on="session_id")[["rep_id", "style", "behaviour_id"]]
    pairs = pairs.drop_duplicates().merge(
        history[["rep_id", "style", "first_on"]], on=["rep_id", "style"]
    )
    ratings = _ratings(conn, coach_id, period.end)
    pairs = _rating_at(pairs, ratings, "first_on", "before")
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
    (:func:`coachkit.styles.choose_style`). When it differs from the plan's style,
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
    focus = _frame(conn, query, [*cols, "since", "position"])
    if focus.empty:
        return _empty(SUGGESTION_COLUMNS)
    ratings = _ratings(conn, coach_id, today)
    frame = _rating_at(focus, ratings, "since", "then")
    latest = ratings.groupby(["rep_id", "behaviour_id"], as_index=False).last()
    first = ratings.groupby(["rep_id", "behaviour_id"])["skill"].first()
    frame = frame.merge(latest, on=["rep_id", "behaviour_id"], how="left")
    fallback = frame.set_index(["rep_id", "behaviour_id"]).index.map(first)
    frame["skill_then"] = frame["skill_then"].fillna(pd.Series(fallback, frame.index))
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
        return f"{name} is {level}" if level else f"{name} is {still}{now:.0f}"
    verb = "rose" if now > then else "fell"
    return f"{name} {verb} from {then:.0f} to {now:.0f}"


def _sessions(conn: Connection, coach_id: int | None, period: Period) -> pd.DataFrame:
    se, r = s.sessions, s.reps
    query = (
        sa.select(se.c.id, se.c.rep_id, r.c.name, se.c.held_on, se.c.style)
        .join(r, se.c.rep_id == r.c.id)
        .where(*_done_in(period), se.c.style.is_not(None), r.c.active.is_(True))
    )
    if coach_id is not None:
        query = query.where(se.c.coach_id == coach_id)
    return _frame(conn, query, ["session_id", "rep_id", "rep", "held_on", "style"])


def _focus(conn: Connection, coach_id: int | None, period: Period) -> pd.DataFrame:
    se, sf = s.sessions, s.session_focus
    query = (
        sa.select(sf.c.session_id, sf.c.behaviour_id)
        .join(se, sf.c.session_id == se.c.id)
        .where(*_done_in(period))
    )
    if coach_id is not None:
        query = query.where(se.c.coach_id == coach_id)
    return _frame(conn, query, ["session_id", "behaviour_id"])


def _done_in(period: Period) -> list[sa.ColumnElement[bool]]:
    se = s.sessions
    return [
        se.c.status == "done",
        se.c.held_on >= period.start,
        se.c.held_on <= period.end,
    ]


def _ratings(conn: Connection, coach_id: int | None, until: dt.date) -> pd.DataFrame:
    """The coach's ratings of active reps up to ``until``, oldest first."""
    a, r = s.assessments, s.reps
    team = sa.select(r.c.id).where(r.c.active.is_(True))
    if coach_id is not None:
        team = team.where(r.c.coach_id == coach_id)
    query = (
        sa.select(a.c.rep_id, a.c.behaviour_id, a.c.assessed_on, a.c.skill, a.c.will)
        .where(a.c.source == "coach", a.c.assessed_on <= until, a.c.rep_id.in_(team))
        .order_by(a.c.assessed_on, a.c.id)
    )
    cols = ["rep_id", "behaviour_id", "rated_on", "skill", "will"]
    frame = _frame(conn, query, cols)
    frame["rated_on"] = pd.to_datetime(frame["rated_on"])
    return frame.astype(
        {"rep_id": "int64", "behaviour_id": "int64", "skill": float, "will": float}
    )


def _rating_at(
    frame: pd.DataFrame, ratings: pd.DataFrame, day: str, suffix: str
) -> pd.DataFrame:
    """Add ``skill_<suffix>``, ``will_<suffix>``: the latest rating on or before."""
    left = frame.assign(_day=pd.to_datetime(frame[day]), _row=range(len(frame)))
    left = left.astype({"rep_id": "int64", "behaviour_id": "int64"})
    right = ratings.rename(
        columns={
            "rated_on": "_day",
            "skill": f"skill_{suffix}",
            "will": f"will_{suffix}",
        }
    )
    out = pd.merge_asof(
        left.sort_values("_day"),
        right.sort_values("_day", kind="stable"),
        on="_day",
        by=["rep_id", "behaviour_id"],
    )
    return out.sort_values("_row").drop(columns=["_day", "_row"]).set_axis(frame.index)


def _frame(conn: Connection, query: sa.Select, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(row) for row in conn.execute(query)], columns=columns)


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
