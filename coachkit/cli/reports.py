"""The ``coachkit report`` commands over :mod:`coachkit.exchange.reports.documents`.

Each writes one report (HTML by default; Markdown with its chart pictures beside
it) into ``--out`` and prints the path of the file written. A report replaces its own
earlier copy, never a file coachkit did not make unless ``--force``
(:mod:`coachkit.exchange.marks`); a store that is not there is never created.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from sqlalchemy.engine import Connection

from coachkit.cli.options import (
    coach_option,
    db_option,
    force_option,
    format_option,
    out_option,
)
from coachkit.exchange.reports import documents as reports
from coachkit.exchange.reports.lookup import find_coach, find_rep
from coachkit.model.periods import Period
from coachkit.store.database import open_for_reading


def _options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--format``, ``--out``, ``--force`` and ``--db``, in that order."""
    return format_option(out_option()(force_option()(db_option(fn))))


def _write(
    db: str | None, out: Path, force: bool, build: Callable[[Connection], Any]
) -> None:
    store = open_for_reading(db)
    try:
        with store.read() as conn:
            report = build(conn)
    finally:
        store.dispose()
    click.echo(str(report.save(out, force=force)))


@click.group()
def report() -> None:
    """Write a report to print or share: a plan, a session, or a team."""


@report.command()
@click.option("--rep", required=True, help="The rep's name.")
@coach_option("The rep's coach, when two teams have that name.")
@_options
def plan(
    rep: str, coach: str | None, fmt: str, out: Path, force: bool, db: str | None
) -> None:
    """A rep's coaching plan, with their goals and skills so far."""

    def build(conn: Connection) -> reports.Report:
        rep_id, _name = find_rep(conn, rep, coach)
        return reports.plan_report(conn, rep_id, dt.date.today(), fmt)

    _write(db, out, force, build)


@report.command()
@click.option("--id", "session_id", required=True, type=int, help="The session's id.")
@_options
def session(session_id: int, fmt: str, out: Path, force: bool, db: str | None) -> None:
    """The summary of one coaching session, as the rep reads it."""
    _write(db, out, force, lambda conn: reports.session_report(conn, session_id, fmt))


@report.command()
@coach_option("The coach (name or id). Default: every team.")
@click.option(
    "--months",
    default=3,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many months to look back over, up to today.",
)
@_options
def team(
    coach: str | None, months: int, fmt: str, out: Path, force: bool, db: str | None
) -> None:
    """A team's coaching over the last months: numbers, charts, checklist."""
    today = dt.date.today()

    def build(conn: Connection) -> reports.Report:
        coach_id = None if coach is None else find_coach(conn, coach)[0]
        period = Period.last_months(today, months)
        return reports.team_report(conn, coach_id, period, today, fmt)

    _write(db, out, force, build)


@report.command()
@click.option(
    "--workbook",
    required=True,
    type=click.Choice(["prioritize", "facilitate", "improve"]),
    help="The workbook to run for each coach.",
)
@click.option(
    "--months",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Improve: how many months to look back over, up to today.",
)
@out_option(help="The folder to write the pages into.")
@force_option("Replace pages of the same names even if coachkit did not make them.")
@db_option
def batch(workbook: str, months: int, out: Path, force: bool, db: str | None) -> None:
    """Run a workbook for each coach in turn; one HTML page per coach."""
    from coachkit.apps.batch import batch_reports
    from coachkit.store.database import resolve_url

    url = resolve_url(db).render_as_string(hide_password=False)
    open_for_reading(db).dispose()  # a clear message now if there is no store
    times = []
    pages = batch_reports(workbook, url, out, months=months, force=force)
    for path, seconds in pages:
        click.echo(str(path))
        times.append(seconds)
    click.echo(
        f"{len(times)} pages in {sum(times):.0f} s "
        f"({sum(times) / len(times):.1f} s each).",
        err=True,
    )


#: The commands this module adds to ``coachkit``.
COMMANDS: list[click.Command] = [report]
