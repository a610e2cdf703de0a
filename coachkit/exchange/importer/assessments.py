"""Importing assessments: one skill and will rating per row.

A rating is matched on rep, behaviour, date and source (coach or self); a stored
one gets the file's skill, will and evidence. New ratings keep the behaviour's
current rubric version, as ratings saved in the workbook do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.exchange.importer.cells import Cells, choice, past_day, text, whole
from coachkit.exchange.importer.lookup import behaviour_parser, coach_ids, rep_ids
from coachkit.exchange.importer.upsert import upsert
from coachkit.prioritize.assessing import EVIDENCE_MAX, SOURCES
from coachkit.store import schema as s

_SCORE = "a whole number from 1 to 5"


def check(conn: Connection, cells: Cells, coach: str | None) -> pd.DataFrame:
    """Check every row; return the clean values (meaningful only with no problems)."""
    coaches = coach_ids(conn, cells, coach)
    reps = rep_ids(conn, cells, coaches)
    parse_behaviour, versions = behaviour_parser(conn)
    behaviours, _ = cells.parse(
        "behaviour",
        parse_behaviour,
        "a behaviour key such as set_agenda",
        required=True,
    )
    days, _ = cells.parse(
        "date", past_day(dt.date.today()), "a date like 2026-03-31", required=True
    )
    skills, _ = cells.parse("skill", whole(1, 5), _SCORE, required=True)
    wills, _ = cells.parse("will", whole(1, 5), _SCORE, required=True)
    sources, _ = cells.parse("source", choice(SOURCES), "coach or self", required=False)
    sources[pd.isna(sources)] = "coach"
    evidence, _ = cells.parse(
        "evidence", text(EVIDENCE_MAX, one_line=False), "text", required=False
    )
    usable = ~(pd.isna(reps) | pd.isna(behaviours) | pd.isna(days))
    cells.repeats(
        [reps, behaviours, days, sources], usable, "rep, behaviour, date and source"
    )
    frame = pd.DataFrame(
        {
            "coach_id": coaches,
            "rep_id": reps,
            "behaviour_id": behaviours,
            "assessed_on": days,
            "source": sources,
            "skill": skills,
            "will": wills,
            "evidence": evidence,
        }
    )
    frame["rubric_version"] = [versions.get(b) for b in behaviours.tolist()]
    return frame


def write(conn: Connection, frame: pd.DataFrame, *, dry_run: bool) -> tuple[int, ...]:
    """Save the ratings; return (added, updated, unchanged)."""
    a = s.assessments
    rows: list[dict[str, Any]] = frame.to_dict("records")
    return upsert(
        conn,
        a,
        rows,
        key=lambda row: (
            int(row["rep_id"]),
            int(row["behaviour_id"]),
            row["assessed_on"],
            row["source"],
        ),
        stored=sa.select(
            a.c.id,
            a.c.rep_id,
            a.c.behaviour_id,
            a.c.assessed_on,
            a.c.source,
            a.c.skill,
            a.c.will,
            a.c.evidence,
        ).where(a.c.rep_id.in_({int(row["rep_id"]) for row in rows})),
        values=("skill", "will", "evidence"),
        dry_run=dry_run,
    )
