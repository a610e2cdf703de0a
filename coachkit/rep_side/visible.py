"""What a rep sees of what coachkit keeps about them: the VISIBLE rule.

:data:`VISIBLE` maps each table that holds rows about a rep to the fields the rep
may see. Everything else stays with the coach: the coach's private notes
(``observations.note``, ``actions.note``, ``goals.note``, ``plans.notes``), the
coach's quality ratings of a session (``sessions.coach_*``), the coaching style the
coach chose for a focus behaviour, the coach's evidence for their own ratings, and
call transcripts and tracker decisions. Drafts and conflict copies of sessions are
the coach's work in progress, and are left out too. ``docs/rep_page.md`` says the
same in plain words.

:func:`my_data_csv` is the rep's "Download my data": one CSV file per table, only
the rep's own rows, only the fields in :data:`VISIBLE`, with plain headings (a
behaviour or metric id is written as its name).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from types import MappingProxyType

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.model.calls.store import METRIC_COLUMNS
from coachkit.store import access
from coachkit.store import schema as s

#: table -> the fields a rep sees of their own rows in it.
VISIBLE: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "reps": frozenset({"name", "role", "segment", "start_date", "login"}),
        "plans": frozenset(
            {"started_on", "cadence_days", "minutes_per_session", "status"}
        ),
        "plan_focus": frozenset({"plan_id", "behaviour_id", "stage"}),
        "goals": frozenset(
            {
                "behaviour_id",
                "metric_id",
                "description",
                "baseline",
                "target",
                "start_on",
                "due_on",
                "status",
                "closed_on",
                "closed_value",
            }
        ),
        "sessions": frozenset(
            {
                "held_on",
                "session_type",
                "duration_minutes",
                "went_well",
                "to_change",
                "rep_view",
                "next_session_on",
                "rep_relevant",
                "rep_developmental",
                "rep_motivational",
                "rep_wish",
                "rep_rated_at",
            }
        ),
        "observations": frozenset({"behaviour_id", "observed_at", "outcome"}),
        "actions": frozenset(
            {
                "text",
                "owner",
                "due_on",
                "status",
                "done_on",
                "rep_note",
                "rep_marked_at",
            }
        ),
        # ``evidence`` only on the rep's own (source 'self') rows.
        "assessments": frozenset(
            {"behaviour_id", "assessed_on", "source", "skill", "will", "evidence"}
        ),
        "metric_values": frozenset({"metric_id", "observed_on", "value"}),
        "calls": frozenset({"held_on", "title", *METRIC_COLUMNS}),
        "rep_links": frozenset({"created_at", "revoked_at", "last_used_at"}),
    }
)

#: Plain column headings for the CSV files (a field not named here keeps its name).
HEADINGS: Mapping[str, str] = MappingProxyType(
    {
        "behaviour_id": "behaviour",
        "metric_id": "metric",
        "plan_id": "plan",
        "rep_view": "your view (as your coach wrote it)",
        "rep_relevant": "your rating: relevant",
        "rep_developmental": "your rating: developmental",
        "rep_motivational": "your rating: motivational",
        "rep_wish": "what would help more",
        "rep_rated_at": "when you rated it",
        "rep_note": "your note",
        "rep_marked_at": "when you marked it",
    }
)


def _rows_of(table: sa.Table, rep_id: int) -> sa.ColumnElement[bool]:
    """Which rows of ``table`` a rep sees: their own (sessions: only finished)."""
    if table is s.reps:
        return table.c.id == rep_id
    if table is s.plan_focus:
        return table.c.plan_id.in_(
            sa.select(s.plans.c.id).where(s.plans.c.rep_id == rep_id)
        )
    mine = table.c.rep_id == rep_id
    if table is s.sessions:
        return sa.and_(mine, table.c.status == "done", table.c.conflict_of.is_(None))
    if table is s.actions:
        done = sa.select(s.sessions.c.id).where(s.sessions.c.status == "done")
        return sa.and_(
            mine, sa.or_(table.c.session_id.is_(None), table.c.session_id.in_(done))
        )
    if table is s.observations:
        done = sa.select(s.sessions.c.id).where(s.sessions.c.status == "done")
        return sa.and_(
            mine, sa.or_(table.c.session_id.is_(None), table.c.session_id.in_(done))
        )
    return mine


@access.rep_checks("rep_id")
def my_data_csv(conn: Connection, rep_id: int) -> dict[str, bytes]:
    """Every table's rows about the rep that the rep may see, as CSV files.

    Returns
    -------
    dict
        File name (``sessions.csv``) -> UTF-8 CSV bytes with a heading row; one
        file per table in :data:`VISIBLE`, in the order of :data:`VISIBLE`, even
        when it holds no rows.
    """
    rep_id = int(rep_id)
    names = {
        "behaviour_id": dict(
            conn.execute(sa.select(s.behaviours.c.id, s.behaviours.c.name)).all()
        ),
        "metric_id": dict(
            conn.execute(sa.select(s.metrics.c.id, s.metrics.c.name)).all()
        ),
    }
    files: dict[str, bytes] = {}
    for name, fields in VISIBLE.items():
        table = s.metadata.tables[name]
        columns = [c for c in table.columns if c.name in fields]
        order = [table.c.id] if "id" in table.c else list(table.primary_key.columns)
        query = sa.select(*columns)
        if name == "assessments":
            query = query.add_columns(table.c.source.label("_source"))
        rows = conn.execute(query.where(_rows_of(table, rep_id)).order_by(*order))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [HEADINGS.get(c.name, c.name.replace("_", " ")) for c in columns]
        )
        for row in rows.mappings():
            cells = []
            for column in columns:
                value = row[column.name]
                if column.name in names and value is not None:
                    value = names[column.name].get(value, value)
                if column.name == "evidence" and row["_source"] != "self":
                    value = ""
                cells.append(_cell(value))
            writer.writerow(cells)
        files[f"{name}.csv"] = out.getvalue().encode("utf-8")
    return files


def _cell(value: object) -> str:
    """A value as CSV text; text a spreadsheet would run as a formula gets a quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
