"""Look back on coaching over a period: what was held, what changed, what was kept.

:func:`rep_retrospective` reads one rep's look back as a :class:`Retro`;
:func:`team_retrospective` reads one row per rep in a handful of grouped queries, so
it stays fast for 1,000 reps.

When coaching started
    The start day of the rep's plan (the active one, else the most recent one that
    started by the end of the period); with no plan, the first session held.
Skill before and after
    ``before`` is the coach's latest rating on or before the day coaching started,
    or, when coaching started before the period, the latest rating before the
    period. ``after`` is the latest rating after that day, up to the period's end.
Numbers before and after
    The level of each focus behaviour's metrics in the :data:`WINDOW_WEEKS` weeks
    before coaching started (before the period, when there is no start day) against
    the last :data:`WINDOW_WEEKS` weeks of the period (never before the start day).
    A rate is the sum of its top count over the sum of its bottom count; a count or
    a percent is the mean of the values stored in the window (per week for weekly
    counts, per month for monthly ones).
Sessions planned
    The days of the period a plan covered, divided by its days between sessions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit import schema as s
from coachkit.goals import GOAL_STATUSES, SHARE_KINDS, format_value
from coachkit.periods import Period

#: How many weeks the "before" and "after" levels of a number cover.
WINDOW_WEEKS = 8
ACTION_STATUSES = ("kept", "missed", "open")
SKILL_COLUMNS = ["behaviour_id", "behaviour", "focus", "before", "after", "change"]
METRIC_COLUMNS = [
    "metric_id",
    "metric",
    "kind",
    "unit",
    "higher_is_better",
    "before",
    "after",
    "change",
    "before_text",
    "after_text",
    "change_text",
    "better",
]
GOAL_ROW_COLUMNS = ["goal_id", "goal", "behaviour", "metric", "start_on", "due_on"]
GOAL_ROW_COLUMNS += ["status"]
TEAM_COLUMNS = [
    "rep_id",
    "rep",
    "coach",
    "started_on",
    "sessions_held",
    "sessions_planned",
    "hours",
    "goals_met",
    "goals_missed",
    "goals_open",
    "actions_kept",
    "actions_missed",
    "kept_share",
    "skill_change",
    "note",
]


@dataclass(frozen=True, eq=False)
class Retro:
    """One rep's coaching over a period, ready to show (see the module notes).

    ``skills`` has the columns :data:`SKILL_COLUMNS` (focus behaviours first),
    ``metrics`` :data:`METRIC_COLUMNS`, ``goal_rows`` :data:`GOAL_ROW_COLUMNS`
    (goals due or started in the period). ``goal_counts`` counts those goals by
    status (met, missed, open, dropped); ``actions`` counts the actions due in the
    period by status (kept, missed, open).
    """

    rep_id: int
    rep: str
    period: Period
    started_on: dt.date | None
    skills: pd.DataFrame
    metrics: pd.DataFrame
    goal_counts: dict[str, int]
    goal_rows: pd.DataFrame
    actions: dict[str, int]
    sessions_held: int
    sessions_planned: float
    hours: float

    def headline(self) -> str:
        """One plain sentence that sums up the period."""
        if self.sessions_held == 0:
            planned = f", though about {self.sessions_planned:.0f} were planned"
            return (
                f"{self.rep} had no coaching sessions in this period"
                f"{planned if self.sessions_planned >= 1 else ''}."
            )
        held = _plural(self.sessions_held, "coaching session")
        if self.sessions_planned >= 1:
            held = f"{self.sessions_held} of about {self.sessions_planned:.0f} planned"
            held += " coaching sessions"
        parts = [f"{self.rep} had {held} ({self.hours:.1f} hours)"]
        focus = self.skills[self.skills["focus"]]["change"].dropna()
        if len(focus):
            step = float(focus.mean())
            moved = (
                "stayed the same"
                if abs(step) < 0.05
                else (
                    f"went {'up' if step > 0 else 'down'} {abs(step):.1f} "
                    f"level{'' if abs(step) == 1 else 's'} on average"
                )
            )
            parts.append(f"focus skills {moved}")
        settled = self.goal_counts["met"] + self.goal_counts["missed"]
        if settled:
            met = self.goal_counts["met"]
            parts.append(
                f"{met} of {settled} goals {'was' if met == 1 else 'were'} met"
            )
        return "; ".join(parts) + "."


def rep_retrospective(
    conn: Connection, rep_id: int, period: Period, today: dt.date
) -> Retro:
    """Read one rep's look back over ``period`` (see the module notes).

    Parameters
    ----------
    conn
        An open connection.
    rep_id
        The rep.
    period
        The days to look back over.
    today
        No plan days after today count as planned.

    Returns
    -------
    Retro

    Raises
    ------
    LookupError
        There is no such rep.
    """
    rep_id = int(rep_id)
    name = conn.execute(sa.select(s.reps.c.name).where(s.reps.c.id == rep_id))
    rep = name.scalar_one_or_none()
    if rep is None:
        raise LookupError(f"there is no rep with id {rep_id}")
    base = _Base.read(conn, None, rep_id, period, today)
    started = base.started_on.get(rep_id)
    started_on = None if started is None or pd.isna(started) else started.date()
    counts = base.goals.reindex([rep_id]).fillna(0).astype(int)
    acts = base.actions.reindex([rep_id]).fillna(0).astype(int)
    sums = base.sessions.reindex([rep_id])
    return Retro(
        rep_id=rep_id,
        rep=str(rep),
        period=period,
        started_on=started_on,
        skills=_skill_table(conn, base),
        metrics=_metric_table(
            conn, rep_id, base.focus["behaviour_id"], started_on, period
        ),
        goal_counts={k: int(counts.iloc[0][k]) for k in GOAL_STATUSES},
        goal_rows=_goal_rows(conn, rep_id, period),
        actions={k: int(acts.iloc[0][k]) for k in ACTION_STATUSES},
        sessions_held=int(np.nan_to_num(sums["held"].iloc[0])),
        sessions_planned=float(base.planned.get(rep_id, 0.0)),
        hours=float(np.nan_to_num(sums["minutes"].iloc[0])) / 60.0,
    )


def team_retrospective(
    conn: Connection, coach_id: int | None, period: Period, today: dt.date
) -> pd.DataFrame:
    """One row per active rep: the period's coaching at a glance.

    Parameters
    ----------
    conn
        An open connection.
    coach_id
        The coach whose reps to read; None for every coach.
    period
        The days to look back over.
    today
        No plan days after today count as planned.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TEAM_COLUMNS`: rep_id, rep, coach, started_on (date or
        None), sessions_held, sessions_planned, hours, goals_met, goals_missed,
        goals_open, actions_kept, actions_missed (ints), kept_share (kept / (kept
        + missed), NaN when none were settled), skill_change (mean change of the
        focus behaviours' coach ratings, NaN when not known) and a plain ``note``.
        Sorted by coach and rep.
    """
    r, c = s.reps, s.coaches
    query = (
        sa.select(r.c.id, r.c.name, c.c.name)
        .join(c, r.c.coach_id == c.c.id)
        .where(r.c.active.is_(True))
        .order_by(c.c.name, r.c.name, r.c.id)
    )
    if coach_id is not None:
        query = query.where(r.c.coach_id == coach_id)
    frame = _read(conn, query, ["rep_id", "rep", "coach"]).set_index("rep_id")
    base = _Base.read(conn, coach_id, None, period, today)
    started = base.started_on.reindex(frame.index)
    frame["started_on"] = [None if pd.isna(d) else d.date() for d in started]
    sums = base.sessions.reindex(frame.index)
    frame["sessions_held"] = sums["held"].fillna(0).astype(int)
    frame["sessions_planned"] = base.planned.reindex(frame.index).fillna(0.0)
    frame["hours"] = sums["minutes"].fillna(0.0) / 60.0
    goals = base.goals.reindex(frame.index).fillna(0).astype(int)
    for k in ("met", "missed", "open"):
        frame[f"goals_{k}"] = goals[k]
    acts = base.actions.reindex(frame.index).fillna(0).astype(int)
    frame["actions_kept"], frame["actions_missed"] = acts["kept"], acts["missed"]
    settled = (acts["kept"] + acts["missed"]).replace(0, np.nan)
    frame["kept_share"] = acts["kept"] / settled
    ratings = base.before_after().merge(base.focus, on=["rep_id", "behaviour_id"])
    change = (ratings["after"] - ratings["before"]).groupby(ratings["rep_id"]).mean()
    frame["skill_change"] = change.reindex(frame.index).astype(float)
    frame["note"] = _notes(frame)
    return frame.reset_index()[TEAM_COLUMNS]


def team_by_coach(team: pd.DataFrame) -> pd.DataFrame:
    """Sum a :func:`team_retrospective` frame per coach (the enablement view).

    Returns
    -------
    pandas.DataFrame
        Columns coach, reps, coached (reps with a session in the period),
        sessions_held, sessions_planned, hours, goals_met, goals_missed, goals_open,
        actions_kept, actions_missed, kept_share and skill_change (the mean over
        the coach's reps who have one). Fewest sessions against plan first.
    """
    columns = [
        "coach",
        "reps",
        "coached",
        "sessions_held",
        "sessions_planned",
        "hours",
        "goals_met",
        "goals_missed",
        "goals_open",
        "actions_kept",
        "actions_missed",
        "kept_share",
        "skill_change",
    ]
    if team.empty:
        return pd.DataFrame(columns=columns)
    sums = (
        team.assign(coached=team["sessions_held"] > 0)
        .groupby("coach")
        .agg(
            reps=("rep_id", "size"),
            coached=("coached", "sum"),
            sessions_held=("sessions_held", "sum"),
            sessions_planned=("sessions_planned", "sum"),
            hours=("hours", "sum"),
            goals_met=("goals_met", "sum"),
            goals_missed=("goals_missed", "sum"),
            goals_open=("goals_open", "sum"),
            actions_kept=("actions_kept", "sum"),
            actions_missed=("actions_missed", "sum"),
            skill_change=("skill_change", "mean"),
        )
    )
    settled = (sums["actions_kept"] + sums["actions_missed"]).replace(0, np.nan)
    sums["kept_share"] = sums["actions_kept"] / settled
    held = sums["sessions_held"] / sums["sessions_planned"].replace(0, np.nan)
    order = held.fillna(np.inf).sort_values(kind="stable").index
    return sums.loc[order].reset_index()[columns]


def _notes(frame: pd.DataFrame) -> np.ndarray:
    held, planned = frame["sessions_held"], frame["sessions_planned"]
    return np.select(
        [
            (held == 0) & (planned < 1),
            held == 0,
            (planned >= 1) & (held < planned / 2),
            frame["skill_change"] > 0,
            frame["skill_change"] < 0,
        ],
        [
            "No coaching in this period",
            "Has a plan, but no sessions in this period",
            "Fewer than half the planned sessions",
            "Focus skills went up",
            "Focus skills went down",
        ],
        default="",
    )


@dataclass(frozen=True)
class _Base:
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
    ) -> _Base:
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


def _read(conn: Connection, query: sa.Select, columns: list[str]) -> pd.DataFrame:
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
    plans = _days(_read(conn, query, cols), "started_on", "closed_on")
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
    return _days(_read(conn, query, cols), "first_done").set_index("rep_id")


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
    planned = _read(conn, query, cols)
    planned = planned[planned["plan_id"].isin(plan_ids)]
    coached = _read(
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
    return _days(_read(conn, query, cols), "assessed_on")


def _counts(
    conn: Connection, query: sa.Select, statuses: tuple[str, ...]
) -> pd.DataFrame:
    long = _read(conn, query, ["rep_id", "status", "n"])
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


def _skill_table(conn: Connection, base: _Base) -> pd.DataFrame:
    b = s.behaviours
    names = _read(
        conn,
        sa.select(b.c.id, b.c.name, b.c.position),
        ["behaviour_id", "behaviour", "pos"],
    )
    levels = base.before_after().drop(columns="rep_id")
    focus = base.focus[["behaviour_id", "order"]]
    table = levels.merge(focus, on="behaviour_id", how="outer").merge(
        names, on="behaviour_id"
    )
    table["focus"] = table["order"].notna()
    table["change"] = table["after"] - table["before"]
    table = table.sort_values(["order", "pos", "behaviour_id"], na_position="last")
    return (
        table[SKILL_COLUMNS]
        .astype({"before": float, "after": float})
        .reset_index(drop=True)
    )


def _goal_rows(conn: Connection, rep_id: int, period: Period) -> pd.DataFrame:
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
    return _read(conn, query, GOAL_ROW_COLUMNS)


def _metric_table(
    conn: Connection,
    rep_id: int,
    behaviour_ids: pd.Series,
    started_on: dt.date | None,
    period: Period,
) -> pd.DataFrame:
    m, bm, mv = s.metrics, s.behaviour_metrics, s.metric_values
    weeks = dt.timedelta(weeks=WINDOW_WEEKS)
    pivot = started_on or period.start
    before = (pivot - weeks, pivot - dt.timedelta(days=1))
    after = (
        max(pivot, period.start, period.end - weeks + dt.timedelta(days=1)),
        period.end,
    )
    info = conn.execute(
        sa.select(
            *(
                m.c[k]
                for k in ("id", "key", "name", "kind", "unit", "higher_is_better")
            ),
            m.c.numerator.label("top"),
            m.c.denominator.label("bottom"),
        )
    )
    everything = pd.DataFrame(info.all(), columns=list(info.keys()))
    everything = everything.rename(columns={"id": "metric_id", "name": "metric"})
    links = _read(
        conn,
        sa.select(bm.c.behaviour_id, bm.c.metric_id).where(
            bm.c.behaviour_id.in_([int(i) for i in behaviour_ids])
        ),
        ["behaviour_id", "metric_id"],
    )
    order = {int(b): i for i, b in enumerate(behaviour_ids)}
    links["order"] = links["behaviour_id"].map(order)
    shown = links.merge(everything, on="metric_id")
    shown["rate_last"] = shown["kind"] != "rate"
    shown = shown.sort_values(["order", "rate_last", "metric_id"]).drop_duplicates(
        "metric_id"
    )
    ids = dict(zip(everything["key"], everything["metric_id"], strict=True))
    needed = set(shown["metric_id"]) | {
        ids[k] for k in pd.concat([shown["top"], shown["bottom"]]).dropna() if k in ids
    }

    def window(lo: dt.date, hi: dt.date) -> list[sa.ColumnElement[float]]:
        inside = mv.c.observed_on.between(lo, hi)
        return [
            sa.func.sum(sa.case((inside, mv.c.value))),
            sa.func.sum(sa.case((inside, 1))),
        ]

    sums = (
        _read(
            conn,
            sa.select(mv.c.metric_id, *window(*before), *window(*after))
            .where(
                mv.c.rep_id == rep_id,
                mv.c.metric_id.in_([int(i) for i in needed]),
                mv.c.observed_on.between(before[0], after[1]),
            )
            .group_by(mv.c.metric_id),
            ["metric_id", "before_sum", "before_n", "after_sum", "after_n"],
        )
        .set_index("metric_id")
        .astype(float)
    )
    records = shown.to_dict("records")
    for row in records:
        for side in ("before", "after"):
            row[side] = _level(row, sums, ids, side)
    table = pd.DataFrame(records, columns=[*shown.columns, "before", "after"])
    table[["before", "after"]] = table[["before", "after"]].astype(float)
    table["change"] = table["after"] - table["before"]
    table["higher_is_better"] = table["higher_is_better"].astype(bool)
    for col in ("before", "after"):
        table[f"{col}_text"] = [
            format_value(v, k, u)
            for v, k, u in zip(table[col], table["kind"], table["unit"], strict=True)
        ]
    table["change_text"] = [
        _change_text(v, k, u)
        for v, k, u in zip(table["change"], table["kind"], table["unit"], strict=True)
    ]
    up = table["change"] > 0
    good = up.where(table["higher_is_better"], table["change"] < 0)
    table["better"] = good.astype(object).where(table["change"].notna(), None)
    return table[METRIC_COLUMNS].reset_index(drop=True)


def _level(
    row: dict[str, object], sums: pd.DataFrame, ids: dict[str, int], side: str
) -> float:
    """A rate from its two counts' sums; a count or percent as its mean value."""

    def total(metric_id: object, what: str) -> float:
        if metric_id is None or metric_id not in sums.index:
            return np.nan
        return float(sums.at[metric_id, f"{side}_{what}"])

    if row["kind"] == "rate":
        top = total(ids.get(str(row["top"])), "sum")
        bottom = total(ids.get(str(row["bottom"])), "sum")
        return top / bottom if bottom > 0 else np.nan
    n = total(row["metric_id"], "n")
    return total(row["metric_id"], "sum") / n if n > 0 else np.nan


def _change_text(change: float, kind: str, unit: str) -> str:
    if pd.isna(change):
        return "not known"
    if kind in SHARE_KINDS:
        points = round(abs(change) * 100, 1)
        if points == 0:
            return "no change"
        size = f"{points:g} point{'' if points == 1 else 's'}"
    else:
        if round(abs(change), 1) == 0:
            return "no change"
        size = format_value(round(abs(change), 1), kind, unit)
    return f"{'up' if change > 0 else 'down'} {size}"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
