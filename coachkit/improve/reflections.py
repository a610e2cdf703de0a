"""Reflections: what a coach will change in their own coaching, and how they write.

A coach writes a short reflection (:func:`save_reflection`); the Improve workbook
lists them newest first (:func:`reflections`) and shows the last one the next time
(:func:`last_reflection`). :func:`writing_check` scores how easy the coach's plan
notes and session notes are to read, since reps read them.

Text is stored exactly as typed (only the outer spaces are cut); a view that shows
it as HTML must escape it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.model.goals import as_id
from coachkit.model.periods import Period
from coachkit.model.readability import grade_level
from coachkit.store import access
from coachkit.store import schema as s

#: The grade coachkit aims for: notes a 10th grader reads easily.
TARGET_GRADE = 10
#: Longest reflection (characters).
REFLECTION_MAX = 4000
#: How many of the most recent notes :func:`writing_check` grades unless told.
WRITING_LIMIT = 2000
#: How many characters of a note :func:`writing_check` shows.
EXCERPT_LENGTH = 80

REFLECTION_COLUMNS = [
    "reflection_id",
    "coach_id",
    "coach",
    "written_on",
    "text",
    "grade",
]
WRITING_COLUMNS = ["rep_id", "rep", "what", "written_on", "grade", "ok", "excerpt"]
#: What each kind of note is called in :func:`writing_check`.
NOTE_KINDS = {
    "notes": "Plan notes",
    "went_well": "Session: what went well",
    "to_change": "Session: what to change",
}


@dataclass(frozen=True)
class Reflection:
    """A saved reflection. ``grade`` is None when the text is too short to score."""

    id: int
    written_on: dt.date
    text: str
    grade: float | None


@access.checks("coach_id")
def save_reflection(conn: Connection, coach_id: int, text: str, today: dt.date) -> int:
    """Check a reflection and save it, dated ``today``.

    Parameters
    ----------
    conn
        A connection inside the caller's transaction (``store.write()``).
    coach_id
        The coach writing it.
    text
        What the coach will change; outer spaces are cut, the rest is kept as typed.
    today
        The day it is written.

    Returns
    -------
    int
        The new reflection's id.

    Raises
    ------
    ValidationError
        Empty or too long text (field "Reflection"), or an unknown coach ("Coach").
        Nothing is written.
    """
    clean = str(text or "").strip()
    if not clean:
        raise ValidationError("Reflection", "write what you will change first.")
    if len(clean) > REFLECTION_MAX:
        raise ValidationError(
            "Reflection",
            f"keep it to {REFLECTION_MAX:,} characters (it has {len(clean):,}).",
        )
    known = None
    coach = as_id(coach_id)
    if isinstance(coach, int):
        known = conn.execute(
            sa.select(s.coaches.c.id).where(s.coaches.c.id == coach)
        ).scalar_one_or_none()
    if known is None:
        raise ValidationError("Coach", "pick who you are from the list of coaches.")
    r = s.reflections
    new_id = conn.execute(
        r.insert()
        .values(coach_id=known, written_on=today, text=clean)
        .returning(r.c.id)
    ).scalar_one()
    return int(new_id)


def _grade(text: str) -> float:
    grade = grade_level(text)
    return np.nan if grade is None else round(grade, 1)


@access.checks("coach_id")
def reflections(
    conn: Connection, coach_id: int | None, limit: int = 20
) -> pd.DataFrame:
    """The latest reflections, newest first.

    Parameters
    ----------
    conn
        An open connection.
    coach_id
        One coach's reflections, or None for every coach's.
    limit
        At most this many rows.

    Returns
    -------
    pandas.DataFrame
        Columns reflection_id, coach_id, coach, written_on (datetime.date), text,
        grade (Flesch–Kincaid grade, one decimal; NaN when too short to score).
        Sorted by written_on, then id, newest first.
    """
    r, c = s.reflections, s.coaches
    query = (
        sa.select(r.c.id, r.c.coach_id, c.c.name, r.c.written_on, r.c.text)
        .join(c, r.c.coach_id == c.c.id)
        .order_by(r.c.written_on.desc(), r.c.id.desc())
        .limit(int(limit))
    )
    if coach_id is not None:
        query = query.where(r.c.coach_id == int(coach_id))
    rows = conn.execute(query).all()
    frame = pd.DataFrame(rows, columns=REFLECTION_COLUMNS[:-1])
    frame["grade"] = pd.Series([_grade(t) for t in frame["text"]], dtype=float)
    return frame


@access.checks("coach_id")
def last_reflection(conn: Connection, coach_id: int) -> Reflection | None:
    """The coach's newest reflection, or None if they have written none."""
    frame = reflections(conn, coach_id, limit=1)
    if frame.empty:
        return None
    row = frame.iloc[0]
    grade = float(row["grade"])
    return Reflection(
        id=int(row["reflection_id"]),
        written_on=row["written_on"],
        text=str(row["text"]),
        grade=None if math.isnan(grade) else grade,
    )


def _note_rows(
    conn: Connection, coach_id: int | None, period: Period, limit: int | None
) -> pd.DataFrame:
    """Non-empty plan and session notes, long form: rep_id, rep, what, day, text."""
    p, se, r = s.plans, s.sessions, s.reps
    plans = (
        sa.select(p.c.rep_id, r.c.name, p.c.started_on, p.c.notes)
        .join(r, p.c.rep_id == r.c.id)
        .where(
            p.c.notes != "",
            p.c.started_on <= period.end,
            sa.or_(p.c.status == "active", p.c.started_on >= period.start),
        )
        .order_by(p.c.started_on.desc(), p.c.id.desc())
    )
    held = (
        sa.select(se.c.rep_id, r.c.name, se.c.held_on, se.c.went_well, se.c.to_change)
        .join(r, se.c.rep_id == r.c.id)
        .where(
            se.c.status == "done",
            se.c.held_on.between(period.start, period.end),
            sa.or_(se.c.went_well != "", se.c.to_change != ""),
        )
        .order_by(se.c.held_on.desc(), se.c.id.desc())
    )
    if coach_id is not None:
        plans = plans.where(p.c.coach_id == int(coach_id))
        held = held.where(se.c.coach_id == int(coach_id))
    if limit is not None:
        plans, held = plans.limit(int(limit)), held.limit(int(limit))
    base = ["rep_id", "rep", "written_on"]
    plan_notes = pd.DataFrame(conn.execute(plans).all(), columns=[*base, "notes"])
    session_notes = pd.DataFrame(
        conn.execute(held).all(), columns=[*base, "went_well", "to_change"]
    )
    long = pd.concat(
        [
            plan_notes.melt(base, var_name="what", value_name="text"),
            session_notes.melt(base, var_name="what", value_name="text"),
        ],
        ignore_index=True,
    )
    long = long[long["text"].str.strip() != ""]
    if limit is not None:
        long = long.sort_values("written_on", ascending=False, kind="stable")
        long = long.head(int(limit))
    return long


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= EXCERPT_LENGTH:
        return flat
    return flat[: EXCERPT_LENGTH - 1] + "…"


@access.checks("coach_id")
def writing_check(
    conn: Connection,
    coach_id: int | None,
    period: Period,
    limit: int | None = WRITING_LIMIT,
) -> pd.DataFrame:
    """How easy the coach's plan notes and session notes are to read.

    Covers the notes of plans in force during the period (active ones, and any
    started in it) and the "what went well" / "what to change" notes of sessions
    finished in the period. Empty notes are skipped.

    Parameters
    ----------
    conn
        An open connection.
    coach_id
        One coach's notes, or None for every coach's.
    period
        The days to look at.
    limit
        Grade only the most recent ``limit`` notes; None grades all of them.
        Grading takes about 12 microseconds a note: the default 2,000 covers one
        coach's notes for years and keeps every coach's view under 0.1 s, where
        all the notes of 1,000 reps over a year take about 0.6 s.

    Returns
    -------
    pandas.DataFrame
        Columns rep_id, rep, what ("Plan notes", "Session: what went well",
        "Session: what to change"), written_on (the plan's start or the session's
        day, datetime.date), grade (Flesch–Kincaid, one decimal; NaN when the note is
        too short to score), ok (grade at or below :data:`TARGET_GRADE`; True for a
        note too short to score, as there is nothing to fix), excerpt (the note on
        one line, at most 80 characters, cut with "…"). Hardest to read first.
    """
    long = _note_rows(conn, coach_id, period, limit)
    texts = long["text"].astype(str)
    grades = {t: _grade(t) for t in texts.unique()}  # notes often repeat
    frame = pd.DataFrame(
        {
            "rep_id": long["rep_id"].astype(int),
            "rep": long["rep"],
            "what": long["what"].map(NOTE_KINDS),
            "written_on": long["written_on"],
            "grade": texts.map(grades).astype(float),
            "excerpt": texts.map(_excerpt),
        }
    )
    frame["ok"] = frame["grade"].isna() | (frame["grade"] <= TARGET_GRADE)
    frame = frame.sort_values(
        ["grade", "written_on"], ascending=[False, False], na_position="last"
    )
    return frame[WRITING_COLUMNS].reset_index(drop=True)


def writing_by_rep(writing: pd.DataFrame) -> pd.DataFrame:
    """One row per rep from :func:`writing_check`: how many notes, how many hard.

    Returns
    -------
    pandas.DataFrame
        Columns rep_id, rep, notes, hard (notes above :data:`TARGET_GRADE`),
        hardest (the highest grade; NaN when no note could be scored). Reps with
        the most hard notes first, then by name.
    """
    columns = ["rep_id", "rep", "notes", "hard", "hardest"]
    if writing.empty:
        return pd.DataFrame(columns=columns)
    frame = (
        writing.assign(hard=~writing["ok"].astype(bool))
        .groupby(["rep_id", "rep"], as_index=False)
        .agg(
            notes=("ok", "size"),
            hard=("hard", "sum"),
            hardest=("grade", "max"),
        )
    )
    frame["hard"] = frame["hard"].astype(int)
    frame = frame.sort_values(["hard", "rep"], ascending=[False, True])
    return frame[columns].reset_index(drop=True)


def writing_sentence(writing: pd.DataFrame) -> str:
    """One plain sentence on :func:`writing_check`'s notes: how many are hard."""
    total = len(writing)
    if total == 0:
        return "There are no plan or session notes in this period."
    hard = int((~writing["ok"].astype(bool)).sum())
    notes = "note" if total == 1 else "notes"
    if hard == 0:
        return (
            f"All {total:,} {notes} in this period are easy to read "
            f"(grade {TARGET_GRADE} or below)."
        )
    if hard == 1:
        return (
            f"1 of {total:,} {notes} in this period is hard to read. "
            "It is listed below."
        )
    return (
        f"{hard:,} of {total:,} {notes} in this period are hard to read. "
        "The hardest are listed below."
    )
