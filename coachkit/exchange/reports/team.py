"""The team report: how a coach's team (or every team) was coached over a period.

It puts together what the Improve workbook shows, in this order: the headline
numbers (:class:`TeamNumbers`), where the coaching time went
(:func:`coachkit.improve.cadence.coverage`), what worked
(:func:`coachkit.improve.effects.practice_effects`), the self-check
(:func:`coachkit.improve.selfcheck.programme_check`) and the look back per rep, or per
coach
for everyone (:func:`coachkit.improve.retro.look_back.team_retrospective`).

"What worked" counts all coaching up to today, not only the period's: a change
can only be measured some weeks after coaching starts, so a short period alone
would never have enough data.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy.engine import Connection

from coachkit.exchange.reports.lookup import find_coach
from coachkit.exchange.reports.page import Report, ReportPage, slug
from coachkit.improve import cadence, effects, selfcheck
from coachkit.improve.retro import look_back as retro
from coachkit.model.formats import day, hours, number, percent
from coachkit.model.periods import Period
from coachkit.model.plans import RESEARCH_HOURS_PER_MONTH
from coachkit.store import access

#: The coverage chart shows at most this many reps: those with the least coaching.
MAX_CHART_REPS = 40


@dataclass(frozen=True)
class TeamNumbers:
    """The headline numbers of a team report; build one with :meth:`of`."""

    reps: int
    sessions_held: int
    sessions_planned: float
    hours_per_rep_month: float
    goals_met: int
    goals_missed: int
    actions_kept: int
    actions_missed: int

    @classmethod
    def of(cls, team: pd.DataFrame, coverage: pd.DataFrame) -> TeamNumbers:
        """Sum a :func:`~coachkit.improve.retro.look_back.team_retrospective` and a
        coverage frame."""
        per_rep = coverage["hours_per_month"].mean() if len(coverage) else math.nan
        return cls(
            reps=len(team),
            sessions_held=int(team["sessions_held"].sum()),
            sessions_planned=float(team["sessions_planned"].sum()),
            hours_per_rep_month=float(per_rep),
            goals_met=int(team["goals_met"].sum()),
            goals_missed=int(team["goals_missed"].sum()),
            actions_kept=int(team["actions_kept"].sum()),
            actions_missed=int(team["actions_missed"].sum()),
        )

    @property
    def kept_share(self) -> float:
        """Share of the settled actions (kept or missed) that were kept; NaN if none."""
        settled = self.actions_kept + self.actions_missed
        return self.actions_kept / settled if settled else math.nan

    def sentences(self) -> list[str]:
        """The numbers in plain words, one sentence each."""
        held = _plural(self.sessions_held, "coaching session")
        if self.sessions_planned >= 1:
            share = self.sessions_held / self.sessions_planned
            held += (
                f" held, against about {number(self.sessions_planned, 0)} planned "
                f"({percent(share)})."
            )
        else:
            held += " held; no plan set how many to hold."
        coached = (
            "No reps, so no hours of coaching."
            if math.isnan(self.hours_per_rep_month)
            else f"{number(self.hours_per_rep_month, 1)} hours of coaching per "
            f"rep per month, against the {hours(RESEARCH_HOURS_PER_MONTH)} "
            "research points to."
        )
        settled = self.actions_kept + self.actions_missed
        actions = (
            f"Actions kept: {percent(self.kept_share)} ({self.actions_kept} of "
            f"{settled} "
            "that came due)."
            if settled
            else "No actions came due."
        )
        return [
            f"{_plural(self.reps, 'active rep')}.",
            held,
            coached,
            f"Goals: {self.goals_met} met, {self.goals_missed} missed.",
            actions,
        ]


@access.checks("coach_id")
def team_numbers(
    conn: Connection, coach_id: int | None, period: Period, today: dt.date
) -> TeamNumbers:
    """The headline numbers of the team report for a coach (None: everyone)."""
    team = retro.team_retrospective(conn, coach_id, period, today)
    return TeamNumbers.of(team, cadence.coverage(conn, coach_id, period, today))


@access.checks("coach_id")
def team_report(
    conn: Connection,
    coach_id: int | None,
    period: Period,
    today: dt.date,
    fmt: str = "html",
) -> Report:
    """How a coach's team (None: every team) was coached over ``period``.

    Parameters
    ----------
    conn
        An open connection.
    coach_id
        The coach, or None for everyone (one row and one bar per coach).
    period
        The days to look back over (:class:`~coachkit.model.periods.Period`).
    today
        The day the report is written; no plan days after it count.
    fmt
        ``html`` or ``markdown``.

    Raises
    ------
    CoachkitError
        There is no such coach.
    """
    name = None if coach_id is None else find_coach(conn, coach_id)[1]
    who = "every team" if name is None else f"{name}'s team"
    title = f"Coaching report for {who}"
    stem = slug("team-report", name or "everyone", period.start, "to", period.end)
    page = ReportPage(title, fmt, stem)
    page.para(
        f"{period.label}: {day(period.start)} to {day(period.end)}. "
        f"Written on {day(today)}.",
        note=True,
    )
    team = retro.team_retrospective(conn, coach_id, period, today)
    cover = cadence.coverage(conn, coach_id, period, today)
    page.heading("The numbers")
    page.items(TeamNumbers.of(team, cover).sentences())
    _coverage(page, cover, everyone=coach_id is None)
    _worked(page, effects.practice_effects(conn, coach_id, today))
    check = selfcheck.programme_check(conn, coach_id, today)
    page.heading("Self-check: are all three pillars in place?")
    page.para(selfcheck.summary_sentence(check))
    page.table(
        check,
        {**selfcheck.CHECK_LABELS, "detail": "Counts"},
        {"score": percent, "target": percent, "passed": _yes},
    )
    _look_back(page, team, everyone=coach_id is None)
    return page.report()


def _coverage(page: ReportPage, cover: pd.DataFrame, everyone: bool) -> None:
    page.heading("Where the coaching time went")
    page.para(cadence.balance_sentence(cadence.coverage_by_standing(cover)))
    if cover.empty:
        return
    alt_text = (
        "Bars: hours of coaching per month. "
        f"Red line: about {hours(RESEARCH_HOURS_PER_MONTH)}."
    )
    if everyone:
        by_coach = cadence.coverage_by_coach(cover)
        page.chart("coverage", cadence.coverage_chart(by_coach, "coach"), alt_text)
        return
    if len(cover) > MAX_CHART_REPS:
        cover = cover.nsmallest(MAX_CHART_REPS, "hours_per_month")
        page.para(
            f"The chart shows the {MAX_CHART_REPS} reps with the least coaching.",
            note=True,
        )
    page.chart("coverage", cadence.coverage_chart(cover), alt_text)


def _worked(page: ReportPage, found: pd.DataFrame) -> None:
    page.heading("What worked")
    page.para(effects.METHOD_TEXT)
    page.para(effects.PERIOD_NOTE, note=True)
    enough = found[found["enough"].astype(bool)] if len(found) else found
    if enough.empty:
        page.para("There is not enough data yet to say what worked.")
        return
    page.chart(
        "effects", effects.effect_chart(found), "Dots: the change with coaching."
    )
    page.table(
        enough,
        {
            "behaviour": "Coached on",
            "metric": "Number",
            "coached": "Reps coached",
            "comparison": "Reps to compare",
            "text": "What changed",
        },
    )


def _look_back(page: ReportPage, team: pd.DataFrame, everyone: bool) -> None:
    shown = {
        "sessions_held": "Sessions",
        "sessions_planned": "Planned",
        "hours": "Hours",
        "goals_met": "Goals met",
        "goals_missed": "Goals missed",
        "kept_share": "Actions kept",
        "skill_change": "Skill change",
    }
    formats = {
        "sessions_planned": lambda v: number(v, 0),
        "hours": number,
        "kept_share": percent,
        "skill_change": lambda v: number(v, 1, sign=True),
    }
    if everyone:
        page.heading("Coach by coach")
        by_coach = retro.team_by_coach(team)
        columns = {"coach": "Coach", "reps": "Reps", "coached": "Coached", **shown}
        page.table(by_coach, columns, formats, empty="No active reps.")
        return
    page.heading("Rep by rep")
    columns = {"rep": "Rep", **shown, "note": "Note"}
    page.table(team, columns, formats, empty="No active reps.")


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _yes(value: Any) -> str:
    return "yes" if bool(value) else "not yet"
