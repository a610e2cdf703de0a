"""How much coaching each rep gets, how often, and whether it goes where it helps.

Research on sales coaching points to about
:data:`~coachkit.model.plans.RESEARCH_HOURS_PER_MONTH` hours of coaching per rep per
month. :func:`coverage` sets each rep's hours beside that and
beside their own plan; :func:`missed_followups` lists the follow-ups that did not
happen; :func:`balance_sentence` says whether a coach spends most of their time on
the reps at the top or at the bottom on results, in plain words. Top, middle and
bottom are the one standing of :mod:`coachkit.model.standing` (each rep's own quota
attainment against fixed thresholds), the same on every screen and report.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.model.formats import hours, percent
from coachkit.model.periods import Period
from coachkit.model.plans import RESEARCH_HOURS_PER_MONTH
from coachkit.model.standing import MEANINGS, STANDINGS, standings, window
from coachkit.store import access
from coachkit.store import schema as s

if TYPE_CHECKING:  # altair costs a kernel 1 s; it is imported when a chart is drawn
    import altair as alt

#: A session's length when the plan does not say.
DEFAULT_MINUTES = 30
#: Days in an average month.
DAYS_PER_MONTH = 30.44
#: A session this many days after the plan's cadence still counts as on time.
SLACK_DAYS = 7
#: When the reps at the top or at the bottom get this many times the hours per rep
#: of the rest of the team, :func:`balance_sentence` names them; below that, the
#: hours count as balanced.
BALANCE_RATIO = 1.5

COVERAGE_COLUMNS = [
    "rep_id",
    "rep",
    "coach_id",
    "coach",
    "sessions",
    "hours",
    "hours_per_month",
    "sessions_per_month",
    "planned_hours_per_month",
    "research_hours_per_month",
    "gap_to_plan",
    "gap_to_research",
    "last_session_on",
    "cadence_days",
    "days_since",
    "overdue",
    "quota_attainment",
    "standing",
]
MONTHLY_COLUMNS = ["month", "rep_id", "rep", "sessions", "hours"]
FOLLOWUP_COLUMNS = ["rep_id", "rep", "session_on", "next_session_on", "days_late"]
STANDING_COLUMNS = ["standing", "reps", "hours", "share_of_hours", "share_of_reps"]


@access.checks("coach_id")
def coverage(
    conn: Connection, coach_id: int | None, period: Period, today: dt.date
) -> pd.DataFrame:
    """One row per active rep: coaching hours against the plan and the research.

    Parameters
    ----------
    conn
        An open connection.
    coach_id
        The coach whose reps to read; None for every coach.
    period
        The days whose sessions count.
    today
        The day ``days_since`` counts to.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COVERAGE_COLUMNS`: rep_id, rep, coach_id, coach, sessions
        (done, in the period), hours, hours_per_month, sessions_per_month,
        planned_hours_per_month (from the active plan: (30.44 / cadence_days) x
        minutes_per_session / 60, 30 minutes when the plan does not say; NaN with no
        plan), research_hours_per_month (:data:`RESEARCH_HOURS_PER_MONTH`),
        gap_to_plan and gap_to_research (hours a month still missing; negative when
        above), last_session_on (date of the last done session up to today, or
        None), cadence_days (NaN with no plan), days_since (NaN when never
        coached), overdue (an active plan and more days since the last session than
        it sets plus :data:`SLACK_DAYS`, or never coached), quota_attainment (mean
        over the 12 complete weeks up to the period's last day, the same numbers
        the Prioritize workbook stands reps on) and standing (top, middle or
        bottom by that quota attainment,
        :func:`coachkit.model.standing.standing_of`; "unknown" without it).
        Sorted by coach and rep.
    """
    se, p = s.sessions, s.plans
    team = _team(conn, coach_id)
    inside = se.c.held_on.between(period.start, period.end)
    done = _read(
        conn,
        sa.select(
            se.c.rep_id,
            sa.func.sum(sa.case((inside, 1), else_=0)),
            sa.func.sum(sa.case((inside, se.c.duration_minutes), else_=0)),
            sa.func.max(se.c.held_on),
        )
        .where(se.c.status == "done", se.c.held_on <= today, _in(se.c.rep_id, coach_id))
        .group_by(se.c.rep_id),
        ["rep_id", "sessions", "minutes", "last_session_on"],
    ).set_index("rep_id")
    plans = (
        _read(
            conn,
            sa.select(p.c.rep_id, p.c.cadence_days, p.c.minutes_per_session)
            .where(p.c.status == "active", _in(p.c.rep_id, coach_id))
            .order_by(p.c.started_on),
            ["rep_id", "cadence_days", "plan_minutes"],
        )
        .drop_duplicates("rep_id", keep="last")
        .set_index("rep_id")
    )
    frame = team.join(done).join(plans)
    frame["sessions"] = frame["sessions"].fillna(0).astype(int)
    frame["hours"] = frame["minutes"].fillna(0).astype(float) / 60.0
    frame["hours_per_month"] = frame["hours"] / period.months
    frame["sessions_per_month"] = frame["sessions"] / period.months
    cadence = frame["cadence_days"].astype(float)
    minutes = frame["plan_minutes"].fillna(DEFAULT_MINUTES)
    minutes = minutes.where(cadence.notna()).astype(float)
    frame["cadence_days"] = cadence
    frame["planned_hours_per_month"] = DAYS_PER_MONTH / cadence * minutes / 60.0
    frame["research_hours_per_month"] = RESEARCH_HOURS_PER_MONTH
    frame["gap_to_plan"] = frame["planned_hours_per_month"] - frame["hours_per_month"]
    frame["gap_to_research"] = RESEARCH_HOURS_PER_MONTH - frame["hours_per_month"]
    last = pd.to_datetime(frame["last_session_on"])
    frame["last_session_on"] = [None if pd.isna(d) else d.date() for d in last]
    frame["days_since"] = (pd.Timestamp(today) - last).dt.days.astype(float)
    late = frame["days_since"] > cadence + SLACK_DAYS
    frame["overdue"] = (last.isna() | late).astype(bool)
    frame = frame.join(_quota(conn, coach_id, period).astype(float))
    frame["standing"] = standings(frame["quota_attainment"])
    return frame.reset_index()[COVERAGE_COLUMNS]


@access.checks("coach_id")
def monthly_hours(
    conn: Connection, coach_id: int | None, period: Period
) -> pd.DataFrame:
    """Done sessions and hours per active rep per month of the period.

    Returns
    -------
    pandas.DataFrame
        Columns month (datetime.date, the month's first day), rep_id, rep, sessions,
        hours; one row per rep and month with a session, oldest month first.
    """
    r, se = s.reps, s.sessions
    raw = _read(
        conn,
        sa.select(se.c.rep_id, r.c.name, se.c.held_on, se.c.duration_minutes)
        .join(r, se.c.rep_id == r.c.id)
        .where(
            se.c.status == "done",
            se.c.held_on.between(period.start, period.end),
            _in(se.c.rep_id, coach_id),
        ),
        ["rep_id", "rep", "held_on", "minutes"],
    )
    raw["month"] = [d.replace(day=1) for d in raw["held_on"]]
    out = raw.groupby(["month", "rep_id", "rep"], as_index=False).agg(
        sessions=("held_on", "size"), hours=("minutes", "sum")
    )
    out["hours"] = out["hours"].astype(float) / 60.0
    out["sessions"] = out["sessions"].astype(int)
    return out.sort_values(["month", "rep"], kind="stable").reset_index(drop=True)[
        MONTHLY_COLUMNS
    ]


@access.checks("coach_id")
def missed_followups(
    conn: Connection, coach_id: int | None, today: dt.date
) -> pd.DataFrame:
    """Follow-up sessions that were set and did not happen.

    A rep's latest done session (up to today) counts when its ``next_session_on``
    is before today: no done session came after it.

    Returns
    -------
    pandas.DataFrame
        Columns rep_id, rep, session_on, next_session_on (datetime.date),
        days_late (int, days from the follow-up day to today). Longest overdue
        first.
    """
    r, se = s.reps, s.sessions
    latest = (
        sa.select(se.c.rep_id, sa.func.max(se.c.held_on).label("held_on"))
        .where(se.c.status == "done", se.c.held_on <= today, _in(se.c.rep_id, coach_id))
        .group_by(se.c.rep_id)
        .subquery()
    )
    query = (
        sa.select(r.c.id, r.c.name, se.c.held_on, sa.func.max(se.c.next_session_on))
        .join(
            latest,
            sa.and_(se.c.rep_id == latest.c.rep_id, se.c.held_on == latest.c.held_on),
        )
        .join(r, se.c.rep_id == r.c.id)
        .where(se.c.status == "done")
        .group_by(r.c.id, r.c.name, se.c.held_on)
    )
    cols = ["rep_id", "rep", "session_on", "next_session_on"]
    frame = _read(conn, query, cols).dropna(subset=["next_session_on"])
    frame = frame[frame["next_session_on"] < today].copy()
    frame["days_late"] = [(today - d).days for d in frame["next_session_on"]]
    frame["days_late"] = frame["days_late"].astype(int)
    frame = frame.sort_values(["days_late", "rep"], ascending=[False, True])
    return frame.reset_index(drop=True)[FOLLOWUP_COLUMNS]


def coverage_by_standing(frame: pd.DataFrame) -> pd.DataFrame:
    """Hours and reps per standing (top, middle, bottom, unknown).

    ``frame`` has the columns of :func:`coverage`. Returns the columns standing,
    reps, hours, share_of_hours (NaN when there were no hours), share_of_reps;
    top, middle and bottom always, "unknown" only when some reps have no standing.
    """
    grouped = frame.groupby("standing")
    out = pd.DataFrame(
        {"reps": grouped.size(), "hours": grouped["hours"].sum().astype(float)}
    ).reindex(list(STANDINGS))
    out = out.fillna({"reps": 0, "hours": 0.0}).astype({"reps": int})
    if out.at["unknown", "reps"] == 0:
        out = out.drop(index="unknown")
    total_hours, total_reps = out["hours"].sum(), out["reps"].sum()
    out["share_of_hours"] = out["hours"] / total_hours if total_hours else np.nan
    out["share_of_reps"] = out["reps"] / total_reps if total_reps else np.nan
    return out.rename_axis("standing").reset_index()[STANDING_COLUMNS]


def balance_sentence(frame: pd.DataFrame) -> str:
    """Say in plain words where a coach's hours went: the top, the bottom, or evenly.

    ``frame`` has the columns of :func:`coverage`, or is the table
    :func:`coverage_by_standing` makes of them. The reps at the top (or at the
    bottom) are named when they got at least :data:`BALANCE_RATIO` times the hours
    per rep of the rest of the reps with quota numbers; otherwise the sentence says
    the hours are spread fairly evenly.
    """
    if "share_of_reps" not in frame.columns:
        frame = coverage_by_standing(frame)
    table = frame.set_index("standing")
    known = table.drop(index="unknown", errors="ignore")
    if table["hours"].sum() == 0:
        return "No coaching hours were logged in this period."
    if known["reps"].sum() == 0:
        return (
            "There are no quota numbers for this period, so we cannot tell whether "
            "your coaching went to the reps at the top or at the bottom."
        )
    for who in ("bottom", "top"):
        reps = int(known.at[who, "reps"])
        rest_reps = int(known["reps"].sum()) - reps
        if reps == 0 or rest_reps == 0:
            continue
        mine = known.at[who, "hours"] / reps
        rest = (known["hours"].sum() - known.at[who, "hours"]) / rest_reps
        if mine > 0 and mine >= BALANCE_RATIO * rest:
            hours_share = percent(known.at[who, "share_of_hours"])
            reps_share = percent(known.at[who, "share_of_reps"])
            return (
                f"{hours_share} of your coaching hours went to the reps at the "
                f"{who} ({MEANINGS[who]}), who are {reps_share} of your reps."
            )
    groups = [k for k in known.index if known.at[k, "reps"] > 0]
    return (
        "Your coaching hours are spread fairly evenly across your team: "
        + ", ".join(
            f"the {k} got {percent(known.at[k, 'share_of_hours'])}" for k in groups
        )
        + "."
    )


def coverage_by_coach(frame: pd.DataFrame) -> pd.DataFrame:
    """Each coach's average per rep, from a :func:`coverage` frame (the lead's view).

    Returns
    -------
    pandas.DataFrame
        Columns coach_id, coach, reps, hours_per_month and planned_hours_per_month
        (means over the coach's reps; planned over reps with a plan), overdue (how
        many reps are overdue). Fewest hours first.
    """
    columns = [
        "coach_id",
        "coach",
        "reps",
        "hours_per_month",
        "planned_hours_per_month",
        "overdue",
    ]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    grouped = frame.groupby(["coach_id", "coach"], as_index=False).agg(
        reps=("rep_id", "size"),
        hours_per_month=("hours_per_month", "mean"),
        planned_hours_per_month=("planned_hours_per_month", "mean"),
        overdue=("overdue", "sum"),
    )
    return grouped.sort_values("hours_per_month")[columns].reset_index(drop=True)


def coverage_chart(frame: pd.DataFrame, label: str = "rep") -> alt.LayerChart:
    """Coaching hours per month for each rep, against the research and the plan.

    ``frame`` has the columns of :func:`coverage` (one bar per rep), or of
    :func:`coverage_by_coach` with ``label="coach"`` (one bar per coach: the
    average rep). Bars show hours per month; a dashed red line marks
    :data:`RESEARCH_HOURS_PER_MONTH`; a black tick marks the hours the plan sets
    (no tick without a plan).
    """
    import altair as alt

    who = "rep" if label == "rep" else "coach's average rep"
    data = frame[[label, "hours_per_month", "planned_hours_per_month"]].copy()
    order = list(data.sort_values("hours_per_month", ascending=False)[label])
    y = alt.Y(f"{label}:N", sort=order, title=None, axis=alt.Axis(labelLimit=0))
    bars = (
        alt.Chart(data)
        .mark_bar(color="#4c78a8")
        .encode(
            x=alt.X("hours_per_month:Q", title="Hours of coaching per month"),
            y=y,
            tooltip=[
                alt.Tooltip(f"{label}:N", title=label.capitalize()),
                alt.Tooltip("hours_per_month:Q", title="Hours a month", format=".1f"),
                alt.Tooltip("planned_hours_per_month:Q", title="Planned", format=".1f"),
            ],
        )
    )
    ticks = (
        alt.Chart(data.dropna(subset=["planned_hours_per_month"]))
        .mark_tick(color="black", thickness=2)
        .encode(x="planned_hours_per_month:Q", y=y)
    )
    rule = (
        alt.Chart(pd.DataFrame({"hours": [RESEARCH_HOURS_PER_MONTH]}))
        .mark_rule(color="#d62728", strokeDash=[6, 4])
        .encode(x="hours:Q")
    )
    return (bars + ticks + rule).properties(
        width=480,
        height=max(18 * len(data), 60),
        title=alt.Title(
            f"Coaching hours per month, per {who}",
            subtitle=(
                f"Red line: about {hours(RESEARCH_HOURS_PER_MONTH)} a month, what "
                "research suggests. Black tick: what the plan sets."
            ),
        ),
    )


def _read(conn: Connection, query: sa.Select, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(row) for row in conn.execute(query)], columns=columns)


def _in(column: sa.Column, coach_id: int | None) -> sa.ColumnElement[bool]:
    team = sa.select(s.reps.c.id).where(s.reps.c.active.is_(True))
    if coach_id is not None:
        team = team.where(s.reps.c.coach_id == coach_id)
    return column.in_(team)


def _team(conn: Connection, coach_id: int | None) -> pd.DataFrame:
    r, c = s.reps, s.coaches
    query = (
        sa.select(r.c.id, r.c.name, r.c.coach_id, c.c.name)
        .join(c, r.c.coach_id == c.c.id)
        .where(r.c.active.is_(True))
        .order_by(c.c.name, r.c.name, r.c.id)
    )
    if coach_id is not None:
        query = query.where(r.c.coach_id == coach_id)
    cols = ["rep_id", "rep", "coach_id", "coach"]
    return _read(conn, query, cols).set_index("rep_id")


def _quota(conn: Connection, coach_id: int | None, period: Period) -> pd.DataFrame:
    """Each rep's mean quota attainment in the standing's weeks up to the period's
    end (:func:`coachkit.model.standing.window`)."""
    mv, m = s.metric_values, s.metrics
    start, end = window(period.end)
    key = sa.select(m.c.id).where(m.c.key == "quota_attainment").scalar_subquery()
    query = (
        sa.select(mv.c.rep_id, sa.func.avg(mv.c.value))
        .where(
            mv.c.metric_id == key,
            mv.c.observed_on >= start,
            mv.c.observed_on < end,
            _in(mv.c.rep_id, coach_id),
        )
        .group_by(mv.c.rep_id)
    )
    return _read(conn, query, ["rep_id", "quota_attainment"]).set_index("rep_id")
