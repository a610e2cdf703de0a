"""Read the store into the frames a look back is built from.

:class:`Base` holds what :func:`coachkit.improve.retro.look_back.rep_retrospective` and
:func:`coachkit.improve.retro.look_back.team_retrospective` share, for one rep or many,
indexed by
rep_id: when coaching started, the sessions planned and held, the focus behaviours,
the coach's ratings and the goals and actions by status. :func:`goal_rows` reads one
rep's goals in a period. Each reader is one grouped query, whatever the team's size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.model.goals import GOAL_STATUSES
from coachkit.model.periods import Period
from coachkit.store import access
from coachkit.store import schema as s

#: Action counts by status. A dropped action (no longer worth doing) is left out:
#: it counts neither as kept nor as missed.
ACTION_STATUSES = ("kept", "missed", "open")
GOAL_ROW_COLUMNS = ["goal_id", "goal", "behaviour", "metric", "start_on", "due_on"]
GOAL_ROW_COLUMNS += ["status"]


@dataclass(frozen=True)
class Base:
    """What both look backs share, for one rep or many, indexed by rep_id."""

    period: Period
    started_on: pd.Series  # Timestamp or NaT
    planned: pd.Series
    sessions: pd.DataFrame  # held, minutes
    focus: pd.DataFrame  # rep_id, behaviour_id, order
    ratings: pd.DataFrame  # rep_id, behaviour_id, assessed_on, id, skill
    goals: pd.DataFrame  # one column per goal status
    actions: pd.DataFrame  # one column per action status

    @classmethod
    def read(
        cls,
        conn: Connection,
        coach_id: int | None,
        rep_id: int | None,
        period: Period,
        today: dt.date,
    ) -> Base:
        plans = _plans(conn, coach_id, rep_id)
        current = _current_plans(plans, period)
        sessions = _session_sums(conn, coach_id, rep_id, period)
        started = current["started_on"].combine_first(sessions["first_done"])
        return cls(
            period=period,
            started_on=started,
            planned=_planned_sessions(plans, period, today),
            sessions=sessions,
            focus=_focus(conn, coach_id, rep_id, current["plan_id"], period),
            ratings=_ratings(conn, coach_id, rep_id, period),
            goals=_goal_counts(conn, coach_id, rep_id, period),
            actions=_action_counts(conn, coach_id, rep_id, period),
        )

    def before_after(self) -> pd.DataFrame:
        """Columns rep_id, behaviour_id, before, after (NaN when not known)."""
        start = pd.Timestamp(self.period.start)
        started = self.started_on.where(self.started_on >= start)
        anchor = started.fillna(start - pd.Timedelta(days=1)).rename("anchor")
        rows = self.ratings.merge(
            anchor, left_on="rep_id", right_index=True, how="left"
        )
        rows["anchor"] = rows["anchor"].fillna(start - pd.Timedelta(days=1))
        rows = rows.sort_values(["assessed_on", "id"], kind="stable")
        keys = ["rep_id", "behaviour_id"]
        early = rows["assessed_on"] <= rows["anchor"]
        before = rows[early].groupby(keys)["skill"].last().rename("before")
        after = rows[~early].groupby(keys)["skill"].last().rename("after")
        out = pd.concat([before, after], axis=1).astype(float)
        out.index.names = keys
        return out.reset_index().reindex(columns=[*keys, "before", "after"])


def read(conn: Connection, query: sa.Select, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(row) for row in conn.execute(query)], columns=columns)


def _scope(
    column: sa.Column, coach_id: int | None, rep_id: int | None
) -> sa.ColumnElement[bool]:
    if rep_id is not None:
        return column == int(rep_id)
    team = sa.select(s.reps.c.id).where(s.reps.c.active.is_(True))
    if coach_id is not None:
        team = team.where(s.reps.c.coach_id == coach_id)
    return column.in_(team)


def _days(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for col in columns:
        frame[col] = pd.to_datetime(frame[col])
    return frame


def _plans(conn: Connection, coach_id: int | None, rep_id: int | None) -> pd.DataFrame:
    p = s.plans
    query = sa.select(
        p.c.id, p.c.rep_id, p.c.started_on, p.c.cadence_days, p.c.status, p.c.updated_at
    ).where(_scope(p.c.rep_id, coach_id, rep_id))
    cols = ["plan_id", "rep_id", "started_on", "cadence_days", "status", "closed_on"]
    plans = _days(read(conn, query, cols), "started_on", "closed_on")
    plans["closed_on"] = plans["closed_on"].dt.normalize()
    return plans


def _current_plans(plans: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Per rep: the active plan, else the latest that started by the period's end."""
    p = plans[plans["started_on"] <= pd.Timestamp(period.end)]
    p = p.assign(closed=p["status"] != "active").sort_values(
        ["rep_id", "closed", "started_on", "plan_id"],
        ascending=[True, True, False, False],
    )
    return p.drop_duplicates("rep_id").set_index("rep_id")


def _planned_sessions(plans: pd.DataFrame, period: Period, today: dt.date) -> pd.Series:
    """Per rep: the period's days under each plan over its cadence, summed."""
    if plans.empty:
        return pd.Series(dtype=float)
    last = pd.Timestamp(min(period.end, today))
    p = plans.sort_values(["rep_id", "started_on", "plan_id"])
    end = p["closed_on"].where(p["status"] != "active", last)
    upto = p.groupby("rep_id")["started_on"].shift(-1) - pd.Timedelta(days=1)
    end = end.where(upto.isna() | (end <= upto), upto).clip(upper=last)
    begin = p["started_on"].clip(lower=pd.Timestamp(period.start))
    days = ((end - begin).dt.days + 1).clip(lower=0)
    return (days / p["cadence_days"].clip(lower=1)).groupby(p["rep_id"]).sum()


def _session_sums(
    conn: Connection, coach_id: int | None, rep_id: int | None, period: Period
) -> pd.DataFrame:
    se = s.sessions
    inside = se.c.held_on.between(period.start, period.end)
    query = (
        sa.select(
            se.c.rep_id,
            sa.func.min(se.c.held_on),
            sa.func.sum(sa.case((inside, 1), else_=0)),
            sa.func.sum(sa.case((inside, se.c.duration_minutes), else_=0)),
        )
        .where(
            se.c.status == "done",
            se.c.held_on <= period.end,
            _scope(se.c.rep_id, coach_id, rep_id),
        )
        .group_by(se.c.rep_id)
    )
    cols = ["rep_id", "first_done", "held", "minutes"]
    return _days(read(conn, query, cols), "first_done").set_index("rep_id")


def _focus(
    conn: Connection,
    coach_id: int | None,
    rep_id: int | None,
    plan_ids: pd.Series,
    period: Period,
) -> pd.DataFrame:
    """Per rep: the current plan's focus behaviours, else those coached lately."""
    pf, p, se, sf = s.plan_focus, s.plans, s.sessions, s.session_focus
    query = (
        sa.select(p.c.rep_id, pf.c.plan_id, pf.c.behaviour_id, pf.c.position)
        .join(p, pf.c.plan_id == p.c.id)
        .where(_scope(p.c.rep_id, coach_id, rep_id))
    )
    cols = ["rep_id", "plan_id", "behaviour_id", "order"]
    planned = read(conn, query, cols)
    planned = planned[planned["plan_id"].isin(plan_ids)]
    coached = read(
        conn,
        sa.select(se.c.rep_id, sf.c.behaviour_id, sa.func.min(se.c.held_on))
        .join(sf, sf.c.session_id == se.c.id)
        .where(
            se.c.status == "done",
            se.c.held_on.between(period.start, period.end),
            _scope(se.c.rep_id, coach_id, rep_id),
        )
        .group_by(se.c.rep_id, sf.c.behaviour_id),
        ["rep_id", "behaviour_id", "first"],
    )
    coached = coached[~coached["rep_id"].isin(planned["rep_id"])]
    coached["order"] = coached.groupby("rep_id")["first"].rank(method="first")
    both = pd.concat([planned.drop(columns="plan_id"), coached.drop(columns="first")])
    both = both.sort_values(["rep_id", "order", "behaviour_id"], kind="stable")
    return both.drop_duplicates(["rep_id", "behaviour_id"]).reset_index(drop=True)


def _ratings(
    conn: Connection, coach_id: int | None, rep_id: int | None, period: Period
) -> pd.DataFrame:
    a = s.assessments
    query = sa.select(
        a.c.rep_id, a.c.behaviour_id, a.c.assessed_on, a.c.id, a.c.skill
    ).where(
        a.c.source == "coach",
        a.c.assessed_on <= period.end,
        _scope(a.c.rep_id, coach_id, rep_id),
    )
    cols = ["rep_id", "behaviour_id", "assessed_on", "id", "skill"]
    return _days(read(conn, query, cols), "assessed_on")


def _counts(
    conn: Connection, query: sa.Select, statuses: tuple[str, ...]
) -> pd.DataFrame:
    long = read(conn, query, ["rep_id", "status", "n"])
    wide = long.pivot_table(index="rep_id", columns="status", values="n", aggfunc="sum")
    return wide.reindex(columns=list(statuses)).fillna(0).astype(int)


def _goal_counts(
    conn: Connection, coach_id: int | None, rep_id: int | None, period: Period
) -> pd.DataFrame:
    g = s.goals
    query = (
        sa.select(g.c.rep_id, g.c.status, sa.func.count())
        .where(_goal_in(period), _scope(g.c.rep_id, coach_id, rep_id))
        .group_by(g.c.rep_id, g.c.status)
    )
    return _counts(conn, query, GOAL_STATUSES)


def _goal_in(period: Period) -> sa.ColumnElement[bool]:
    g = s.goals
    return sa.or_(
        g.c.due_on.between(period.start, period.end),
        g.c.start_on.between(period.start, period.end),
    )


def _action_counts(
    conn: Connection, coach_id: int | None, rep_id: int | None, period: Period
) -> pd.DataFrame:
    """Actions due in the period; those still on an unfinished draft do not count."""
    a, se = s.actions, s.sessions
    query = (
        sa.select(a.c.rep_id, a.c.status, sa.func.count())
        .select_from(a.outerjoin(se, a.c.session_id == se.c.id))
        .where(
            a.c.due_on.between(period.start, period.end),
            sa.or_(a.c.session_id.is_(None), se.c.status == "done"),
            _scope(a.c.rep_id, coach_id, rep_id),
        )
        .group_by(a.c.rep_id, a.c.status)
    )
    return _counts(conn, query, ACTION_STATUSES)


@access.checks("rep_id")
def goal_rows(conn: Connection, rep_id: int, period: Period) -> pd.DataFrame:
    g, b, m = s.goals, s.behaviours, s.metrics
    query = (
        sa.select(
            g.c.id,
            g.c.description,
            b.c.name,
            m.c.name,
            g.c.start_on,
            g.c.due_on,
            g.c.status,
        )
        .join(b, g.c.behaviour_id == b.c.id)
        .outerjoin(m, g.c.metric_id == m.c.id)
        .where(g.c.rep_id == rep_id, _goal_in(period))
        .order_by(g.c.due_on, g.c.id)
    )
    return read(conn, query, GOAL_ROW_COLUMNS)
