"""Writing actions and goals out as CSV, in the columns an import reads.

An exported file imports again unchanged: each row carries its ``id``, so it matches
the one it came from even when two say the same thing, and follow-through can go to
a spreadsheet or another tool and come back. Files are
UTF-8 with a byte-order mark (what Excel writes as "CSV UTF-8", so it shows accents
right); a text that starts with ``=``, ``+``, ``-`` or ``@`` gets a leading ``'`` so
no spreadsheet runs it as a formula, and the import takes that ``'`` off again.
Values are as the store keeps them: a share as a fraction (0.35 is 35%).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import CoachkitError
from coachkit.exchange.importer.cells import FORMULA_START
from coachkit.exchange.importer.columns import COLUMNS
from coachkit.store import access
from coachkit.store import schema as s

#: The kinds of file :func:`export_file` writes.
EXPORT_KINDS = ("actions", "goals")


@access.checks("coach_id")
def export_file(conn: Connection, kind: str, coach_id: int | None = None) -> bytes:
    """Every action or goal of a coach's team (everyone's when None) as CSV.

    A coach signed in may export only their own team (None, every team, is for an
    enablement lead).

    Parameters
    ----------
    conn
        A connection to read from.
    kind
        ``actions`` or ``goals``.
    coach_id
        The coach whose team to write; None for every team the viewer sees.

    Returns
    -------
    bytes
        The file: a header of the import's column names, then a row per action or
        goal, by coach, rep and date.

    Raises
    ------
    CoachkitError
        ``kind`` is not one of :data:`EXPORT_KINDS`.
    """
    if kind not in EXPORT_KINDS:
        raise CoachkitError(
            f"cannot export '{kind}' as CSV; choose {' or '.join(EXPORT_KINDS)}."
        )
    query = _actions_query() if kind == "actions" else _goals_query()
    if coach_id is not None:
        query = query.where(s.coaches.c.id == int(coach_id))
    rows = conn.execute(query).all()
    return _csv([c.name for c in COLUMNS[kind]], rows)


def _actions_query() -> sa.Select[Any]:
    a, r, c = s.actions, s.reps, s.coaches
    return (
        sa.select(
            c.c.name,
            r.c.name,
            a.c.text,
            a.c.owner,
            a.c.due_on,
            a.c.status,
            a.c.done_on,
            a.c.note,
            a.c.id,
        )
        .join(r, a.c.rep_id == r.c.id)
        .join(c, r.c.coach_id == c.c.id)
        .order_by(sa.func.lower(c.c.name), sa.func.lower(r.c.name), a.c.due_on, a.c.id)
    )


def _goals_query() -> sa.Select[Any]:
    g, r, c, b, m = s.goals, s.reps, s.coaches, s.behaviours, s.metrics
    return (
        sa.select(
            c.c.name,
            r.c.name,
            b.c.key,
            m.c.key,
            g.c.description,
            g.c.baseline,
            g.c.target,
            g.c.start_on,
            g.c.due_on,
            g.c.status,
            g.c.closed_on,
            g.c.note,
            g.c.id,
        )
        .join(r, g.c.rep_id == r.c.id)
        .join(c, r.c.coach_id == c.c.id)
        .join(b, g.c.behaviour_id == b.c.id)
        .outerjoin(m, g.c.metric_id == m.c.id)  # older goals have no metric
        .order_by(
            sa.func.lower(c.c.name), sa.func.lower(r.c.name), g.c.start_on, g.c.id
        )
    )


def _csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
