"""Assessments: each rep's skill and will on each behaviour, by the coach and the rep.

A coach rates a rep on a behaviour for skill (1-5, against the behaviour's rubric) and
will (1-5), with evidence. The rep can rate themselves too (``source="self"``); the
gap between the two is worth a conversation. Every assessment is dated and kept:
saving again on the same day replaces that day's rating, earlier days stay as
history. Each rating remembers the rubric version it was made against, so the words
behind an old score never change (:func:`coachkit.model.framework.rubric`).

:func:`save_assessment` takes a connection inside the caller's transaction
(``with store.write() as conn``) and checks every rating before writing any. The
reads take a connection and return DataFrames; ``coach_id=None`` means every coach.

The assessment form starts from the latest ratings; :func:`ratings_to_save` keeps
only what the coach changed or gave evidence for (a rating left as it was is not
saved again, so "last assessed" and the history stay true), treats a behaviour left
"not rated" as skipped, and lists every problem of the form at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.model.framework import LEVEL_COLUMNS, as_level, framework_frame
from coachkit.store import access
from coachkit.store import schema as s

#: Who made a rating: the rep's coach, or the rep about themselves.
SOURCES = ("coach", "self")
#: Longest evidence text per rating (characters).
EVIDENCE_MAX = 2000

_LATEST = [
    "rep_id",
    "behaviour_id",
    "source",
    "skill",
    "will",
    "evidence",
    "assessed_on",
    "rubric_version",
]
_GAPS = [
    "rep_id",
    "rep",
    "behaviour_id",
    "behaviour_key",
    "behaviour",
    "objective_key",
    "objective",
    "objective_weight",
    "target_level",
    "skill",
    "will",
    "assessed_on",
    "self_skill",
    "self_will",
]
_HISTORY = [
    "assessed_on",
    "behaviour_id",
    "behaviour_key",
    "behaviour",
    "source",
    "skill",
    "will",
    "evidence",
    "rubric_version",
    "level_text",
]
_FORM_FRAMEWORK = [
    "behaviour_id",
    "behaviour_key",
    "behaviour",
    "description",
    "objective",
    "target_level",
    "rubric_version",
    *LEVEL_COLUMNS,
]


@dataclass(frozen=True)
class Rating:
    """One behaviour's scores in an assessment: skill and will 1-5, and evidence."""

    behaviour_id: int
    skill: int
    will: int
    evidence: str = ""


@dataclass(frozen=True)
class Entry:
    """What the form holds for one behaviour; None means "not rated"."""

    behaviour_id: int
    skill: int | None
    will: int | None
    evidence: str = ""


@dataclass(frozen=True)
class Problem:
    """One problem of the form, to show next to its field.

    ``part`` is "skill", "will" or "evidence"; ``field`` names the behaviour and
    the part ("Set an agenda — will"); ``message`` says what to do.
    """

    behaviour_id: int
    part: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def ratings_to_save(
    form: pd.DataFrame, source: str, entries: Sequence[Entry]
) -> tuple[list[Rating], list[Problem]]:
    """The ratings a form holds that are new, and every problem, in form order.

    A behaviour is saved when its skill or will differs from the latest rating by
    ``source`` (the values the form started from) or it has evidence. A behaviour
    with skill and will both "not rated" and no evidence is skipped, even if it
    was rated before (nothing is deleted). A behaviour to save needs both scores.

    Parameters
    ----------
    form
        :func:`assessment_form` for the rep: behaviour_id, behaviour and the
        latest ``{source}_skill`` and ``{source}_will``.
    source
        "coach" or "self": whose latest ratings the form started from.
    entries
        What the form holds, one per behaviour.

    Returns
    -------
    tuple
        The ratings to save and the problems (both empty when nothing changed).
    """
    if source not in SOURCES:
        raise ValidationError("Source", "choose coach or self")
    known = {
        int(r.behaviour_id): (
            str(r.behaviour),
            _level_or_none(getattr(r, f"{source}_skill")),
            _level_or_none(getattr(r, f"{source}_will")),
        )
        for r in form.itertuples(index=False)
    }
    ratings: list[Rating] = []
    problems: list[Problem] = []
    for entry in entries:
        bid = int(entry.behaviour_id)
        name, old_skill, old_will = known.get(bid, (f"Behaviour {bid}", None, None))
        evidence = entry.evidence.strip() if isinstance(entry.evidence, str) else ""
        skill, will = _level_or_none(entry.skill), _level_or_none(entry.will)
        if skill is None and will is None and not evidence:
            continue
        if (skill, will) == (old_skill, old_will) and not evidence:
            continue
        found = []
        missing = "pick a score from 1 to 5"
        if skill is None and will is None:
            missing += " to go with the evidence"
        if skill is None:
            found.append(("skill", missing))
        if will is None:
            found.append(("will", missing))
        if len(evidence) > EVIDENCE_MAX:
            found.append(
                (
                    "evidence",
                    f"keep it to {EVIDENCE_MAX:,} characters or fewer "
                    f"(this one has {len(evidence):,})",
                )
            )
        problems += [Problem(bid, part, f"{name} — {part}", m) for part, m in found]
        if not found and skill is not None and will is not None:
            ratings.append(Rating(bid, skill, will, evidence))
    return ratings, problems


def _level_or_none(value: object) -> int | None:
    if value is None or value is pd.NA:
        return None
    try:
        if pd.isna(value):  # type: ignore[call-overload]
            return None
    except (TypeError, ValueError):
        pass
    return as_level(value)


@access.checks("coach_id", "rep_id")
def save_assessment(
    conn: Connection,
    *,
    coach_id: int,
    rep_id: int,
    assessed_on: dt.date,
    source: str,
    ratings: Sequence[Rating],
    today: dt.date | None = None,
) -> int:
    """Save a dated assessment of one rep; return the number of ratings written.

    A rating for the same rep, behaviour and source on the same day replaces the
    one saved before; ratings from earlier days stay as history. Each row keeps the
    behaviour's current rubric version.

    Parameters
    ----------
    conn
        A connection inside the caller's transaction.
    coach_id
        The coach saving it; the rep must be on their team.
    rep_id
        The rep assessed; must be active.
    assessed_on
        The day of the assessment; not after ``today``.
    source
        "coach" (the coach's view) or "self" (the rep's own).
    ratings
        At least one, each behaviour at most once.
    today
        The day to compare ``assessed_on`` with; defaults to the real today.

    Raises
    ------
    ValidationError
        Every rating is checked before anything is written: an unknown source, a
        missing or future date, a rep not on the coach's team or inactive, no
        ratings, an unknown or repeated behaviour, a skill or will that is not a
        whole number from 1 to 5 (the field names the behaviour, such as
        "Set an agenda — skill"), or evidence over 2,000 characters.
    """
    coach_id, rep_id = int(coach_id), int(rep_id)
    if source not in SOURCES:
        raise ValidationError("Source", "choose coach or self")
    day = _day(assessed_on, today or dt.date.today())
    _check_rep(conn, coach_id, rep_id)
    if isinstance(ratings, Rating) or not ratings:
        raise ValidationError("Ratings", "rate at least one behaviour")
    b = s.behaviours
    known = {
        bid: (name, version)
        for bid, name, version in conn.execute(
            sa.select(b.c.id, b.c.name, b.c.rubric_version)
        )
    }
    rows: list[dict[str, object]] = []
    for rating in ratings:
        bid = _behaviour_id(rating.behaviour_id, known)
        name, version = known[bid]
        if any(row["behaviour_id"] == bid for row in rows):
            raise ValidationError(name, "it is rated twice; keep one rating")
        rows.append(
            {
                "coach_id": coach_id,
                "rep_id": rep_id,
                "behaviour_id": bid,
                "assessed_on": day,
                "source": source,
                "skill": _score(name, "skill", rating.skill),
                "will": _score(name, "will", rating.will),
                "evidence": _evidence(name, rating.evidence),
                "rubric_version": version,
            }
        )
    a = s.assessments
    conn.execute(
        a.delete().where(
            a.c.rep_id == rep_id,
            a.c.source == source,
            a.c.assessed_on == day,
            a.c.behaviour_id.in_([row["behaviour_id"] for row in rows]),
        )
    )
    conn.execute(a.insert(), rows)
    return len(rows)


@access.checks("coach_id", "rep_id")
def latest_assessments(
    conn: Connection, coach_id: int | None, rep_id: int | None = None
) -> pd.DataFrame:
    """The latest rating per rep × behaviour × source, active reps or not.

    Columns: rep_id, behaviour_id, source, skill, will, evidence, assessed_on
    (datetime.date), rubric_version.
    """
    latest = _latest(coach_id, rep_id=rep_id)
    query = sa.select(*(latest.c[name] for name in _LATEST)).order_by(
        latest.c.rep_id, latest.c.behaviour_id, latest.c.source
    )
    return _frame(conn, query, _LATEST)


@access.checks("coach_id")
def skill_gaps(conn: Connection, coach_id: int | None) -> pd.DataFrame:
    """One row per active rep × behaviour, assessed or not: the heat map's cells.

    Rows come rep by rep (by name), behaviours in framework order.

    Columns: rep_id, rep, behaviour_id, behaviour_key, behaviour, objective_key,
    objective, objective_weight, target_level, skill and will (the coach's latest,
    NaN when not assessed), assessed_on (datetime.date or None), self_skill and
    self_will (the rep's latest own rating, NaN when none), gap (target_level -
    skill; negative when above target, NaN when not assessed), self_gap
    (self_skill - skill; positive when the rep rates themselves higher).
    """
    r, b, o = s.reps, s.behaviours, s.objectives
    needed = ("rep_id", "behaviour_id", "skill", "will", "assessed_on")
    mine = _latest(coach_id, source="coach", columns=needed)
    own = _latest(coach_id, source="self", columns=needed)
    joined = (
        r.join(b, sa.true())
        .join(o, b.c.objective_id == o.c.id)
        .outerjoin(mine, (mine.c.rep_id == r.c.id) & (mine.c.behaviour_id == b.c.id))
        .outerjoin(own, (own.c.rep_id == r.c.id) & (own.c.behaviour_id == b.c.id))
    )
    query = (
        sa.select(
            r.c.id,
            r.c.name,
            b.c.id,
            b.c.key,
            b.c.name,
            o.c.key,
            o.c.name,
            o.c.weight,
            b.c.target_level,
            mine.c.skill,
            mine.c.will,
            mine.c.assessed_on,
            own.c.skill,
            own.c.will,
        )
        .select_from(joined)
        .where(r.c.active.is_(True))
        .order_by(r.c.name, r.c.id, o.c.position, o.c.id, b.c.position, b.c.id)
    )
    if coach_id is not None:
        query = query.where(r.c.coach_id == int(coach_id))
    frame = _frame(conn, query, _GAPS)
    for col in ("objective_weight", "skill", "will", "self_skill", "self_will"):
        frame[col] = frame[col].astype(float)
    frame["gap"] = frame["target_level"] - frame["skill"]
    frame["self_gap"] = frame["self_skill"] - frame["skill"]
    return frame


@access.checks("rep_id")
def assessment_history(conn: Connection, rep_id: int) -> pd.DataFrame:
    """Every rating of one rep, newest day first.

    Within a day, behaviours come in framework order and the coach's rating before
    the rep's own.

    Columns: assessed_on (datetime.date), behaviour_id, behaviour_key, behaviour,
    source, skill, will, evidence, rubric_version, level_text (what the skill score
    meant in the rubric version the rating used).
    """
    a, b, o, rl = s.assessments, s.behaviours, s.objectives, s.rubric_levels
    level_text = (
        sa.select(rl.c.text)
        .where(
            rl.c.behaviour_id == a.c.behaviour_id,
            rl.c.version == a.c.rubric_version,
            rl.c.level == a.c.skill,
        )
        .scalar_subquery()
    )
    query = (
        sa.select(
            a.c.assessed_on,
            a.c.behaviour_id,
            b.c.key,
            b.c.name,
            a.c.source,
            a.c.skill,
            a.c.will,
            a.c.evidence,
            a.c.rubric_version,
            level_text,
        )
        .join(b, a.c.behaviour_id == b.c.id)
        .join(o, b.c.objective_id == o.c.id)
        .where(a.c.rep_id == int(rep_id))
        .order_by(
            a.c.assessed_on.desc(), o.c.position, b.c.position, b.c.id, a.c.source
        )
    )
    frame = _frame(conn, query, _HISTORY)
    frame["level_text"] = frame["level_text"].fillna("")
    return frame


@access.checks("rep_id")
def assessment_form(conn: Connection, rep_id: int) -> pd.DataFrame:
    """What the assessment form needs for one rep: one row per behaviour.

    Behaviours come in framework order, with the current rubric and the latest
    ratings to start from.

    Columns: behaviour_id, behaviour_key, behaviour, description, objective,
    target_level, rubric_version, level_1 ... level_5 (the current rubric's texts),
    then for each source (``coach_`` and ``self_``): skill and will (nullable
    Int64, <NA> when never rated), evidence ("" when none) and assessed_on
    (datetime.date or None).
    """
    frame = framework_frame(conn)[_FORM_FRAMEWORK]
    latest = latest_assessments(conn, None, rep_id=rep_id)
    ids = [int(bid) for bid in frame["behaviour_id"]]
    for source in SOURCES:
        mine = latest[latest["source"] == source]
        found = {int(r.behaviour_id): r for r in mine.itertuples(index=False)}
        rows = [found.get(bid) for bid in ids]
        for col in ("skill", "will"):
            values = [None if r is None else getattr(r, col) for r in rows]
            frame[f"{source}_{col}"] = pd.array(values, dtype="Int64")
        frame[f"{source}_evidence"] = ["" if r is None else r.evidence for r in rows]
        frame[f"{source}_assessed_on"] = pd.Series(
            [None if r is None else r.assessed_on for r in rows], dtype=object
        )
    return frame


def _frame(conn: Connection, query: sa.Select, columns: list[str]) -> pd.DataFrame:
    # Plain tuples: pandas probes each SQLAlchemy Row for attributes, which is slow.
    rows = [tuple(row) for row in conn.execute(query)]
    return pd.DataFrame(rows, columns=columns)


def _latest(
    coach_id: int | None,
    *,
    rep_id: int | None = None,
    source: str | None = None,
    columns: Sequence[str] = _LATEST,
) -> sa.Subquery:
    """The latest rating per rep × behaviour × source, picked in SQL."""
    a = s.assessments
    newest_first = sa.func.row_number().over(
        partition_by=(a.c.rep_id, a.c.behaviour_id, a.c.source),
        order_by=(a.c.assessed_on.desc(), a.c.id.desc()),
    )
    ranked = sa.select(*(a.c[name] for name in columns), newest_first.label("newest"))
    if coach_id is not None:
        ranked = ranked.where(a.c.coach_id == int(coach_id))
    if rep_id is not None:
        ranked = ranked.where(a.c.rep_id == int(rep_id))
    if source is not None:
        ranked = ranked.where(a.c.source == source)
    inner = ranked.subquery("ranked")
    kept = sa.select(*(inner.c[name] for name in columns)).where(inner.c.newest == 1)
    return kept.subquery(f"latest_{source or 'any'}")


def _day(value: object, today: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise ValidationError("Date", "pick the day of the assessment")
    if value > today:
        raise ValidationError(
            "Date",
            f"{value.isoformat()} is in the future; pick today "
            f"({today.isoformat()}) or an earlier day",
        )
    return value


def _check_rep(conn: Connection, coach_id: int, rep_id: int) -> None:
    r = s.reps
    rep = conn.execute(
        sa.select(r.c.name, r.c.coach_id, r.c.active).where(r.c.id == rep_id)
    ).first()
    if rep is None or rep.coach_id != coach_id:
        raise ValidationError("Rep", "pick a rep from your own team")
    if not rep.active:
        raise ValidationError(
            "Rep", f"{rep.name} is inactive; turn them back on before assessing"
        )


def _behaviour_id(value: object, known: dict[int, tuple[str, int]]) -> int:
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        bid = int(value)
        if bid in known:
            return bid
    raise ValidationError("Ratings", f"there is no behaviour with id {value!r}")


def _score(behaviour: str, part: str, value: object) -> int:
    score = as_level(value)
    if score is None:
        raise ValidationError(f"{behaviour} — {part}", "pick a score from 1 to 5")
    return score


def _evidence(behaviour: str, value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"{behaviour} — evidence", "type it as text")
    text = value.strip()
    if len(text) > EVIDENCE_MAX:
        raise ValidationError(
            f"{behaviour} — evidence",
            f"keep it to {EVIDENCE_MAX:,} characters or fewer "
            f"(this one has {len(text):,})",
        )
    return text
