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

from coachkit.improve.retro.data import ACTION_STATUSES as ACTION_STATUSES
from coachkit.improve.retro.data import GOAL_ROW_COLUMNS as GOAL_ROW_COLUMNS
from coachkit.improve.retro.data import Base, goal_rows, read
from coachkit.improve.retro.numbers import METRIC_COLUMNS as METRIC_COLUMNS
from coachkit.improve.retro.numbers import SKILL_COLUMNS as SKILL_COLUMNS
from coachkit.improve.retro.numbers import WINDOW_WEEKS as WINDOW_WEEKS
from coachkit.improve.retro.numbers import metric_table, skill_table
from coachkit.model.formats import number
from coachkit.model.goals import GOAL_STATUSES
from coachkit.model.periods import Period
from coachkit.store import access
from coachkit.store import schema as s

#: The per-rep counts that :func:`team_by_coach` adds up for each coach.
_COUNTS = [
    "sessions_held",
    "sessions_planned",
    "hours",
    "goals_met",
    "goals_missed",
    "goals_open",
    "actions_kept",
    "actions_missed",
]
TEAM_COLUMNS = ["rep_id", "rep", "coach", "started_on", *_COUNTS]
TEAM_COLUMNS += ["kept_share", "skill_change", "skill_vs_others", "note"]

#: Focus skills "went up" (or down) only when they moved this many levels more than
#: skills that were not the focus and had the same rating before.
SKILL_MARGIN = 0.5


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
            planned = f", though about {number(self.sessions_planned, 0)} were planned"
            return (
                f"{self.rep} had no coaching sessions in this period"
                f"{planned if self.sessions_planned >= 1 else ''}."
            )
        held = _plural(self.sessions_held, "coaching session")
        if self.sessions_planned >= 1:
            about = number(self.sessions_planned, 0)
            held = f"{self.sessions_held} of about {about} planned"
            held += " coaching sessions"
        parts = [f"{self.rep} had {held} ({number(self.hours, 1)} hours)"]
        focus = self.skills[self.skills["focus"]]["change"].dropna()
        if len(focus):
            step = float(focus.mean())
            moved = (
                "stayed the same"
                if abs(step) < 0.05
                else (
                    f"went {'up' if step > 0 else 'down'} {number(abs(step), 1)} "
                    f"level{'' if abs(step) == 1 else 's'} on average"
                )
            )
            parts.append(f"focus skills {moved} in the coach's own ratings")
        settled = self.goal_counts["met"] + self.goal_counts["missed"]
        if settled:
            met = self.goal_counts["met"]
            parts.append(
                f"{met} of {settled} goals {'was' if met == 1 else 'were'} met"
            )
        return "; ".join(parts) + "."


@access.checks("rep_id")
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
    base = Base.read(conn, None, rep_id, period, today)
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
        skills=skill_table(conn, base),
        metrics=metric_table(
            conn, rep_id, base.focus["behaviour_id"], started_on, period
        ),
        goal_counts={k: int(counts.iloc[0][k]) for k in GOAL_STATUSES},
        goal_rows=goal_rows(conn, rep_id, period),
        actions={k: int(acts.iloc[0][k]) for k in ACTION_STATUSES},
        sessions_held=int(np.nan_to_num(sums["held"].iloc[0])),
        sessions_planned=float(base.planned.get(rep_id, 0.0)),
        hours=float(np.nan_to_num(sums["minutes"].iloc[0])) / 60.0,
    )


@access.checks("coach_id")
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
        focus behaviours' coach ratings, NaN when not known), skill_vs_others
        (how much more than skills rated the same before; see
        :func:`skill_vs_others`) and a plain ``note``.
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
    frame = read(conn, query, ["rep_id", "rep", "coach"]).set_index("rep_id")
    base = Base.read(conn, coach_id, None, period, today)
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
    both = base.before_after()
    ratings = both.merge(base.focus, on=["rep_id", "behaviour_id"])
    change = (ratings["after"] - ratings["before"]).groupby(ratings["rep_id"]).mean()
    frame["skill_change"] = change.reindex(frame.index).astype(float)
    focus = set(zip(base.focus["rep_id"], base.focus["behaviour_id"], strict=True))
    marked = both.assign(
        focus=[
            (r, b) in focus
            for r, b in zip(both["rep_id"], both["behaviour_id"], strict=True)
        ]
    )
    relative = skill_vs_others(marked)
    frame["skill_vs_others"] = relative.reindex(frame.index).astype(float)
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
    columns = ["coach", "reps", "coached", *_COUNTS, "kept_share", "skill_change"]
    if team.empty:
        return pd.DataFrame(columns=columns)
    sums = (
        team.assign(coached=team["sessions_held"] > 0)
        .groupby("coach")
        .agg(
            reps=("rep_id", "size"),
            coached=("coached", "sum"),
            **{count: (count, "sum") for count in _COUNTS},
            skill_change=("skill_change", "mean"),
        )
    )
    settled = (sums["actions_kept"] + sums["actions_missed"]).replace(0, np.nan)
    sums["kept_share"] = sums["actions_kept"] / settled
    held = sums["sessions_held"] / sums["sessions_planned"].replace(0, np.nan)
    order = held.fillna(np.inf).sort_values(kind="stable").index
    return sums.loc[order].reset_index()[columns]


def skill_vs_others(ratings: pd.DataFrame) -> pd.Series:
    """How much more each rep's focus skills moved than skills that were not the
    focus and had the same rating before, in the coach's ratings.

    A coach picks the focus behaviours because they were rated lowest, and a low
    rating is partly a bad day: rated again, it tends to come out higher even if
    nothing changed. Behaviours rated the same before, but not coached, show how
    much of that happens by itself. ``ratings`` has rep_id, behaviour_id, focus,
    before and after (the last two NaN when not known); the comparison pools every
    rep's non-focus behaviours at each level before.

    Returns
    -------
    pandas.Series
        By rep_id: the mean over focus behaviours of (change - the mean change of
        non-focus behaviours with the same rating before). Reps with no focus
        behaviour that can be compared are left out.
    """
    known = ratings.dropna(subset=["before", "after"])
    change = known["after"] - known["before"]
    others = change[~known["focus"].astype(bool)].groupby(known["before"]).mean()
    mine = known[known["focus"].astype(bool)]
    expected = mine["before"].map(others)
    gap = (mine["after"] - mine["before"] - expected).dropna()
    return gap.groupby(mine.loc[gap.index, "rep_id"]).mean()


def _notes(frame: pd.DataFrame) -> np.ndarray:
    held, planned = frame["sessions_held"], frame["sessions_planned"]
    return np.select(
        [
            (held == 0) & (planned < 1),
            held == 0,
            (planned >= 1) & (held < planned / 2),
            frame["skill_vs_others"] >= SKILL_MARGIN,
            frame["skill_vs_others"] <= -SKILL_MARGIN,
        ],
        [
            "No coaching in this period",
            "Has a plan, but no sessions in this period",
            "Fewer than half the planned sessions",
            "Focus skills rose more than others rated the same (coach's ratings)",
            "Focus skills fell behind others rated the same (coach's ratings)",
        ],
        default="",
    )


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
