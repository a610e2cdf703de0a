"""Workbooks as plain HTML pages: what a workbook shows when it runs with ``static``.

Widgets do not survive a static export, so a workbook run by papermill with
``static = True`` shows :func:`static_view` instead: one HTML block with its charts
drawn as SVG, built from the same report functions as ``coachkit report``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import CoachkitError
from coachkit.exchange.reports.lookup import find_coach, find_rep
from coachkit.exchange.reports.page import ReportPage
from coachkit.model.formats import number
from coachkit.store import access
from coachkit.store import schema as s

#: The workbook notebook of each pillar.
WORKBOOKS = {
    "prioritize": "1_prioritize.ipynb",
    "facilitate": "2_facilitate.ipynb",
    "improve": "3_improve.ipynb",
}
#: The period Improve looks back over when ``months`` is not given.
DEFAULT_MONTHS = 6

#: The page's style, in ``static_pages.css`` beside this module.
_CSS = (
    resources.files("coachkit.apps")
    .joinpath("static_pages.css")
    .read_text(encoding="utf-8")
)


def kernel_store(db: str | os.PathLike[str] | None) -> Any:
    from coachkit.apps.base import store_for  # the kernel's one open store

    return store_for(db)


def as_day(today: dt.date | str | None) -> dt.date | None:
    """Turn a ``today`` parameter (a date or ``2026-06-15``) into a date."""
    if today is None or isinstance(today, dt.date):
        return today
    try:
        return dt.date.fromisoformat(str(today))
    except ValueError:
        raise CoachkitError(
            f"today: '{today}' is not a date; write it like 2026-06-15."
        ) from None


def static_view(
    pillar: str,
    db: str | os.PathLike[str] | None,
    coach: int | str | None,
    rep: int | str | None = None,
    months: int | None = None,
    today: dt.date | str | None = None,
) -> Any:
    """A workbook as one static HTML block, for a page with no widgets.

    Parameters
    ----------
    pillar
        ``improve``: the team report over the last ``months`` months.
        ``prioritize``: the rep's coaching plan, or without ``rep`` who to coach
        first and where the gaps are. ``facilitate``: the summary of the latest
        finished session (of ``rep`` if given).
    db, coach, rep
        The store; the coach and the rep by name or id. A lead (or no coach)
        sees every team.
    months, today
        The period and the day to treat as today (default: the real today).

    Returns
    -------
    IPython.display.HTML
        The page's body with its charts as inline SVG.
    """
    from IPython.display import HTML

    day = as_day(today) or dt.date.today()
    with kernel_store(db).read() as conn:
        scope = _scope(conn, coach)
        rep_id = None if rep is None else find_rep_id(conn, rep, scope)
        text = _report_text(conn, pillar, scope, rep_id, months, day)
    body = re.search(r"<body>(.*)</body>", text, re.DOTALL)
    inner = body.group(1) if body else text
    return HTML(f"<div class='coachkit-report'><style>\n{_CSS}</style>{inner}</div>")


def _scope(conn: Connection, coach: int | str | None) -> int | None:
    if coach is None or coach == "":
        return None
    coach_id, _name = find_coach(conn, coach)
    role = conn.execute(sa.select(s.coaches.c.role).where(s.coaches.c.id == coach_id))
    return None if role.scalar() == "lead" else coach_id


@access.checks(scope="coach_id")
def find_rep_id(conn: Connection, rep: int | str, scope: int | None) -> int:
    if isinstance(rep, int) or str(rep).isdigit():
        found = conn.execute(sa.select(s.reps.c.id).where(s.reps.c.id == int(rep)))
        if found.first() is None:
            raise CoachkitError(f"rep: there is no rep with id {rep}.")
        return int(rep)
    return find_rep(conn, str(rep), scope)[0]


def _report_text(
    conn: Connection,
    pillar: str,
    scope: int | None,
    rep_id: int | None,
    months: int | None,
    day: dt.date,
) -> str:
    from coachkit.exchange.reports import documents as reports
    from coachkit.model.periods import Period

    if pillar == "improve":
        period = Period.last_months(day, int(months or DEFAULT_MONTHS))
        return reports.team_report(conn, scope, period, day, "html").text
    if pillar == "facilitate":
        return _latest_session(conn, scope, rep_id)
    if pillar == "prioritize":
        if rep_id is not None:
            try:
                return reports.plan_report(conn, rep_id, day, "html").text
            except CoachkitError as exc:  # no plan yet: say so above the team view
                return _priorities(conn, scope, day, note=str(exc))
        return _priorities(conn, scope, day)
    return check_pillar(pillar)


def check_pillar(pillar: str) -> str:
    """Fail with the workbooks' names unless ``pillar`` is one."""
    if pillar not in WORKBOOKS:
        raise CoachkitError(
            f"'{pillar}' is not a workbook; use {', '.join(WORKBOOKS)}."
        )
    return pillar


def _latest_session(conn: Connection, scope: int | None, rep_id: int | None) -> str:
    from coachkit.exchange.reports.documents import session_report

    se = s.sessions
    query = sa.select(se.c.id).where(se.c.status == "done")
    if scope is not None:
        query = query.where(se.c.coach_id == scope)
    if rep_id is not None:
        query = query.where(se.c.rep_id == rep_id)
    latest = conn.execute(query.order_by(se.c.held_on.desc(), se.c.id.desc())).first()
    if latest is None:
        page = ReportPage("The latest coaching session", "html", "session")
        page.para("No coaching session has been written up yet.", note=True)
        return page.report().text
    return session_report(conn, int(latest.id), "html").text


def _priorities(
    conn: Connection, scope: int | None, day: dt.date, note: str = ""
) -> str:
    from coachkit.model import charts
    from coachkit.prioritize import tables as prioritize
    from coachkit.prioritize.ranking import Weights, rank, rep_summary
    from coachkit.store import queries

    gaps, perf, coached = prioritize.ranking_inputs(conn, scope, day)
    summary = rep_summary(rank(gaps, perf, coached, Weights(), day), gaps, perf)
    page = ReportPage("Who to coach first", "html", "priorities")
    if note:
        page.para(note, note=True)
    page.table(
        summary,
        {"rep": "Rep", "top_score": "Score", "focus": "Focus", "note": "Note"},
        {"top_score": lambda v: number(v, 0)},
    )
    if len(gaps):
        team = queries.roster(conn, scope).set_index("rep_id")["coach"]
        cells = prioritize.heatmap_cells(gaps, coach_of=team)
        page.heading("Where the gaps are")
        page.chart("gaps", charts.heatmap_chart(cells), "Reps by behaviours.")
    return page.report().text
