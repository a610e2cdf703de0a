"""Reports to print or share: a rep's coaching plan, a session, a team's period.

Each function returns a :class:`~coachkit.exchange.reports.page.Report` in HTML (one
self-contained, printable file; charts as inline SVG) or Markdown (charts as PNG
files saved next to it); ``report.save(folder)`` writes it. The words come from the
modules the workbooks use: :mod:`coachkit.prioritize.planning` writes the plan,
:mod:`coachkit.facilitate.summary` the session summary, and
:mod:`coachkit.exchange.reports.team` puts
the Improve workbook's views together for a team. Example::

    from coachkit.exchange.reports.documents import plan_report
    from coachkit.store.database import open_existing
    with open_existing("coachkit.db").read() as conn:
        plan_report(conn, rep_id=3, today=date.today()).save("reports")

``save`` replaces its own earlier copy of the report and refuses a file of the same
name that coachkit did not make, unless ``force=True``
(:mod:`coachkit.exchange.marks`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import CoachkitError
from coachkit.exchange.reports.lookup import check_session
from coachkit.exchange.reports.page import FORMATS, Report, ReportPage, slug
from coachkit.exchange.reports.team import team_numbers, team_report
from coachkit.facilitate.observations import tally
from coachkit.facilitate.progress import goal_progress, skill_history
from coachkit.facilitate.summary import (
    session_summary,
    summary_body_html,
    summary_markdown,
)
from coachkit.improve.cadence import DEFAULT_MINUTES
from coachkit.model import charts
from coachkit.model.formats import day
from coachkit.model.plans import current_plan
from coachkit.model.templates import SessionGuides, load_session_guides
from coachkit.prioritize.planning import CoachingTime, plan_html, plan_markdown
from coachkit.store import access
from coachkit.store import schema as s

if TYPE_CHECKING:  # altair costs a kernel 1 s; it is imported when a chart is drawn
    import altair as alt

__all__ = [
    "FORMATS",
    "Report",
    "plan_report",
    "session_report",
    "tally_chart",
    "team_numbers",
    "team_report",
]

_OUTCOME_WORDS = {"seen": "done well", "partly": "partly done", "missed": "missed"}
_OUTCOME_COLOURS = ["#54a24b", "#f2a93b", "#e45756"]


@access.checks("rep_id")
def plan_report(
    conn: Connection,
    rep_id: int,
    today: dt.date,
    fmt: str = "html",
    guides: SessionGuides | None = None,
) -> Report:
    """The rep's current coaching plan, with how far the goals and skills have come.

    Parameters
    ----------
    conn
        An open connection.
    rep_id
        The rep.
    today
        The day the goals' current levels are read at.
    fmt
        ``html`` or ``markdown``.
    guides
        The session guides that explain styles and stages; the shipped ones if None.

    Raises
    ------
    CoachkitError
        There is no such rep, or the rep has no active plan.
    """
    plan = current_plan(conn, rep_id)
    if plan is None:
        raise CoachkitError(
            f"{_rep_name(conn, rep_id)} has no coaching plan yet. "
            "Make one in the Prioritize workbook."
        )
    guides = guides or load_session_guides()
    title = f"Coaching plan for {plan.rep}"
    page = ReportPage(title, fmt, slug("coaching-plan", plan.rep), h1=False)
    page.raw(plan_html(plan, guides), plan_markdown(plan, guides))
    page.heading("Time for coaching")
    minutes = plan.minutes_per_session or DEFAULT_MINUTES
    page.para(CoachingTime.of(plan.sessions_per_month, minutes).note())
    page.heading("Progress so far")
    goals = goal_progress(conn, plan.rep_id, today)
    goals = goals[goals["goal_id"].isin([g.id for g in plan.goals])]
    page.items(
        f"{str(g.goal).rstrip('.')}: {g.current_text} now, target {g.target_text} by "
        f"{day(g.due_on)}."
        for g in goals.itertuples(index=False)
        if g.metric is not None
    )
    if goals["progress"].notna().any():
        page.chart(
            "goals",
            charts.goal_chart(goals, title="How far each goal has come"),
            "Bars: the share of the way to each goal's target.",
        )
    skills = skill_history(conn, plan.rep_id, plan.focus_ids)
    if (skills["source"] == "coach").any():
        page.chart(
            "skills",
            charts.skill_chart(skills, title="Skill on the focus behaviours"),
            "Lines: the coach's skill ratings over time.",
        )
    else:
        page.para("No skill ratings on the focus behaviours yet.", note=True)
    page.para(f"Written on {day(today)}.", note=True)
    return page.report()


@access.checks("session_id")
def session_report(
    conn: Connection,
    session_id: int,
    fmt: str = "html",
    guides: SessionGuides | None = None,
) -> Report:
    """The summary of one session as the rep reads it, with a chart of what was seen.

    Raises
    ------
    CoachkitError
        There is no such session.
    """
    check_session(conn, session_id)
    summary = session_summary(conn, session_id, guides or load_session_guides())
    title = f"Coaching session with {summary.rep}, {day(summary.held_on)}"
    stem = slug("session", summary.held_on.isoformat(), summary.rep)
    page = ReportPage(title, fmt, stem, h1=False)
    page.raw(summary_body_html(summary), summary_markdown(summary))
    counts = tally(conn, session_id)
    if int(counts["total"].sum()):
        page.heading("What I saw, in a picture")
        page.chart(
            "seen",
            tally_chart(counts),
            "Bars: how often each behaviour was done well, partly done or missed.",
        )
    return page.report()


def tally_chart(counts: pd.DataFrame) -> alt.Chart:
    """Times each behaviour was done well, partly done or missed, stacked.

    ``counts`` has the columns of :func:`coachkit.facilitate.observations.tally`.
    """
    import altair as alt

    long = counts.melt(
        id_vars=["behaviour"],
        value_vars=list(_OUTCOME_WORDS),
        var_name="outcome",
        value_name="times",
    )
    long["outcome"] = long["outcome"].map(_OUTCOME_WORDS)
    long["order"] = long["outcome"].map(
        {w: i for i, w in enumerate(_OUTCOME_WORDS.values())}
    )
    long = long[long["times"] > 0]
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("times:Q", title="Times", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y(
                "behaviour:N",
                sort=list(counts["behaviour"]),
                title=None,
                axis=alt.Axis(labelLimit=0),
            ),
            color=alt.Color(
                "outcome:N",
                title=None,
                scale=alt.Scale(
                    domain=list(_OUTCOME_WORDS.values()), range=_OUTCOME_COLOURS
                ),
            ),
            order=alt.Order("order:Q"),
        )
        .properties(width=420, height=max(26 * len(counts), 40))
    )


def _rep_name(conn: Connection, rep_id: int) -> str:
    name = conn.execute(sa.select(s.reps.c.name).where(s.reps.c.id == int(rep_id)))
    found = name.scalar_one_or_none()
    if found is None:
        raise CoachkitError(f"there is no rep with id {rep_id}.")
    return str(found)
