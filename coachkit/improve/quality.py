"""Session quality over time: how coach and rep score the coaching sessions.

Each finished session can carry three 1-to-5 checks from the coach
(``coach_relevant``, ``coach_developmental``, ``coach_motivational``) and the same
three from the rep (``rep_*``), when the rep gave them. The gap is the coach's score
minus the rep's, counted only on sessions both scored: a positive gap means the rep
thinks less of the sessions than the coach does.

Monthly quality covers all the coach's finished sessions (reps who left included:
it is about the coach's sessions); the gaps per rep cover active reps only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.improve.records import done_in, empty, read
from coachkit.model.formats import number
from coachkit.model.periods import Period
from coachkit.model.session_checks import CHECKS, SCORE_FIELDS
from coachkit.store import access
from coachkit.store import schema as s

if TYPE_CHECKING:  # altair costs a kernel 1 s; it is imported when a chart is drawn
    import altair as alt

#: Gaps smaller than this many points are "about the same".
MIN_GAP = 0.3

MONTH_COLUMNS = ["month", "check", "coach", "rep", "gap", "sessions", "rep_answers"]
GAP_COLUMNS = ["rep_id", "rep", "check", "coach", "rep_score", "gap", "sessions"]
GAP_COLUMNS += ["rep_answers"]


@access.checks("coach_id", "rep_id")
def quality_by_month(
    conn: Connection, coach_id: int | None, period: Period, rep_id: int | None = None
) -> pd.DataFrame:
    """Mean coach and rep scores per month and check, with the gap between them.

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
        Long form, columns month (datetime64, the month's first day), check
        (relevant, developmental or motivational), coach (mean coach score), rep
        (mean rep score, NaN when no rep gave one), gap (mean of coach minus rep
        on sessions both scored), sessions (finished sessions that month),
        rep_answers (sessions both scored). Oldest month first.
    """
    raw = _scores(conn, coach_id, period, rep_id, active_only=False)
    if raw.empty:
        return empty(MONTH_COLUMNS)
    raw["month"] = pd.to_datetime(raw["held_on"]).dt.to_period("M").dt.to_timestamp()
    out = _summarise(_long(raw, ["month"]), ["month"])
    out = out.sort_values(["month", "_order"]).rename(columns={"rep_score": "rep"})
    return out[MONTH_COLUMNS].reset_index(drop=True)


@access.checks("coach_id")
def quality_gaps(
    conn: Connection, coach_id: int | None, period: Period
) -> pd.DataFrame:
    """Per active rep and check: coach and rep scores, biggest gaps first.

    Returns
    -------
    pandas.DataFrame
        Columns rep_id, rep (name), check, coach (mean coach score), rep_score
        (mean rep score), gap (mean of coach minus rep on sessions both scored),
        sessions (finished sessions in the period), rep_answers (sessions both
        scored). Sorted by the size of the gap, largest first; rows without a gap
        last.
    """
    raw = _scores(conn, coach_id, period, None, active_only=True)
    if raw.empty:
        return empty(GAP_COLUMNS)
    out = _summarise(_long(raw, ["rep_id", "rep"]), ["rep_id", "rep"])
    out["_size"] = out["gap"].abs()
    out = out.sort_values(
        ["_size", "rep", "_order"], ascending=[False, True, True], na_position="last"
    )
    return out[GAP_COLUMNS].reset_index(drop=True)


def quality_sentence(frame: pd.DataFrame) -> str:
    """Say in plain words where reps see the sessions differently from the coach.

    ``frame`` has the columns of :func:`quality_by_month` or :func:`quality_gaps`
    (filtered to one rep, the sentence names them). The gap per check is averaged
    over every session both scored; the check with the largest gap is named.
    """
    both = frame[(frame["rep_answers"] > 0) & frame["gap"].notna()]
    who = "Reps rate"
    if "rep_id" in frame and frame["rep_id"].nunique() == 1 and len(frame):
        who = f"{frame['rep'].iloc[0]} rates"
    if both.empty:
        return (
            "No rep has scored a session in this period yet, so there is nothing "
            "to compare."
        )
    weighted = both.assign(w=both["gap"] * both["rep_answers"])
    sums = weighted.groupby("check")[["w", "rep_answers"]].sum()
    gaps = sums["w"] / sums["rep_answers"]
    check = str(gaps.abs().idxmax())
    gap = float(gaps[check])
    if abs(gap) < MIN_GAP:
        return f"{who} your sessions about the same as you do."
    side = "lower" if gap > 0 else "higher"
    points = number(abs(gap), 1)
    return f"{who} how {check} sessions are {points} points {side} than you do."


def quality_chart(monthly: pd.DataFrame) -> alt.FacetChart:
    """Coach and rep scores month by month, one small chart per check.

    ``monthly`` has the columns of :func:`quality_by_month`.
    """
    import altair as alt

    frame = monthly.melt(
        id_vars=["month", "check"],
        value_vars=["coach", "rep"],
        var_name="who",
        value_name="score",
    )
    frame["who"] = frame["who"].map({"coach": "Coach's score", "rep": "Rep's score"})
    chart = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(month):T", title="Month"),
            y=alt.Y(
                "score:Q",
                title="Average score (1 to 5)",
                scale=alt.Scale(domain=[1, 5]),
            ),
            color=alt.Color("who:N", title=None),
            strokeDash=alt.StrokeDash("who:N", title=None),
            tooltip=[
                alt.Tooltip("yearmonth(month):T", title="Month"),
                alt.Tooltip("who:N", title="Who"),
                alt.Tooltip("score:Q", format=".1f", title="Score"),
            ],
        )
        .properties(width=180, height=160)
    )
    return chart.facet(
        column=alt.Column("check:N", title=None, sort=list(CHECKS))
    ).properties(title="How relevant, developmental and motivational sessions were")


def _scores(
    conn: Connection,
    coach_id: int | None,
    period: Period,
    rep_id: int | None,
    *,
    active_only: bool,
) -> pd.DataFrame:
    se, r = s.sessions, s.reps
    scores = [se.c[name] for name in SCORE_FIELDS]
    query = (
        sa.select(se.c.rep_id, r.c.name, se.c.held_on, *scores)
        .join(r, se.c.rep_id == r.c.id)
        .where(*done_in(period, coach_id, rep_id))
    )
    if active_only:
        query = query.where(r.c.active.is_(True))
    return read(conn, query, ["rep_id", "rep", "held_on", *(c.name for c in scores)])


def _long(raw: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """One row per session and check: coach score, rep score, and their gap."""
    keys = raw[by]
    parts = []
    for order, check in enumerate(CHECKS):
        coach = raw[f"coach_{check}"].astype(float)
        rep = raw[f"rep_{check}"].astype(float)
        parts.append(
            keys.assign(
                check=check, _order=order, coach=coach, rep_score=rep, gap=coach - rep
            )
        )
    return pd.concat(parts, ignore_index=True)


def _summarise(long: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    return long.groupby([*by, "check", "_order"], as_index=False).agg(
        coach=("coach", "mean"),
        rep_score=("rep_score", "mean"),
        gap=("gap", "mean"),
        sessions=("check", "size"),
        rep_answers=("gap", "count"),
    )
