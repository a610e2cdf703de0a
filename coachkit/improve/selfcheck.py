"""Programme self-check: are all three pillars of coaching in place for a team?

:func:`programme_check` scores a short checklist from the data, one row per check,
each a share from 0 to 1 against a target. :func:`pillar_scores` averages the checks
of each pillar, :func:`weakest_pillar` names the lowest, and
:func:`summary_sentence` says what to work on in one line. :func:`checklist_by_coach`
gives every coach's pillar scores for an enablement lead.

All the counting is done in a handful of grouped queries (:func:`_tallies`), so the
check costs the same for one coach as for fifty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.improve.cadence import SLACK_DAYS
from coachkit.model.formats import percent
from coachkit.store import access
from coachkit.store import schema as s

#: The pillars in the order they are shown (the order of ``coachkit.model.pillars``);
#: ties go to the first.
PILLAR_NAMES = ("Prioritize", "Facilitate", "Improve")
#: How far back assessments, sessions and actions are counted (days, today included).
LOOKBACK_DAYS = 90
#: A coach should write a reflection at most this many days after the last.
REFLECTION_DAYS = 45
#: Days of slack on top of a plan's days between sessions.
CADENCE_SLACK = SLACK_DAYS
#: The share each check aims for.
TARGET = 0.8

CHECK_COLUMNS = ["pillar", "check", "score", "target", "passed", "detail"]
#: What a person reads above each column of the checklist.
CHECK_LABELS = {
    "pillar": "Pillar",
    "check": "Check",
    "score": "Score",
    "target": "Aim",
    "passed": "Passed",
    "detail": "Details",
}
PILLAR_COLUMNS = ["pillar", "score", "passed_checks", "checks"]
COACH_COLUMNS = ["coach_id", "coach", "pillar", "score", "passed_checks", "checks"]


@dataclass(frozen=True)
class _Check:
    """One line of the checklist: which tallies it divides and how to say it."""

    pillar: str
    name: str
    hits: str  # tally counted as done
    total: str  # tally it is a share of
    noun: str  # singular; the plural adds "s" ("es" after "ch")
    sentence: str  # "{part}" is "3 of 8 reps"; {was}/{has} agree with the count
    missing: str


CHECKS = (
    _Check(
        "Prioritize",
        "Assessments current",
        "assessed",
        "reps",
        "rep",
        "{part} {was} assessed in the last 90 days.",
        "No active reps yet, so there is no one to assess.",
    ),
    _Check(
        "Prioritize",
        "Plans with goals",
        "planned",
        "reps",
        "rep",
        "{part} {has} an active plan with a goal.",
        "No active reps yet, so there are no plans to check.",
    ),
    _Check(
        "Facilitate",
        "Sessions documented",
        "documented",
        "sessions",
        "session",
        "{part} in the last 90 days {has} notes on what went well or what to change.",
        "No finished sessions in the last 90 days, so there are no notes to check.",
    ),
    _Check(
        "Facilitate",
        "Follow-ups kept",
        "kept",
        "settled",
        "action",
        "{part} due in the last 90 days {was} kept (open and dropped ones are not "
        "counted).",
        "No actions were settled in the last 90 days, so there is nothing to count.",
    ),
    _Check(
        "Facilitate",
        "Coached on cadence",
        "on_cadence",
        "plan_reps",
        "rep",
        "{part} with a plan {was} coached on time (the plan's days between sessions, "
        "plus a week).",
        "No rep has an active plan yet, so there is no rhythm to keep.",
    ),
    _Check(
        "Improve",
        "Retrospectives done",
        "reflected",
        "coaches",
        "coach",
        "{part} wrote a reflection in the last 45 days.",
        "No coaches yet, so there are no reflections to count.",
    ),
    _Check(
        "Improve",
        "Session checks filled",
        "checked",
        "sessions",
        "session",
        "{part} in the last 90 days {has} all three coach checks scored.",
        "No finished sessions in the last 90 days, so there are no checks to count.",
    ),
)


#: Every count the checks divide.
_TALLY_COLUMNS = list(dict.fromkeys(x for c in CHECKS for x in (c.hits, c.total)))


def _for(query: sa.Select, column: Any, coach_id: int | None) -> sa.Select:
    return query if coach_id is None else query.where(column == int(coach_id))


def _rep_rows(conn: Connection, coach_id: int | None, today: dt.date) -> pd.DataFrame:
    """One row per active rep: assessed lately, has a live goal, plan cadence."""
    r, a, p, g, se = s.reps, s.assessments, s.plans, s.goals, s.sessions
    since = today - dt.timedelta(days=LOOKBACK_DAYS - 1)
    assessed = sa.exists().where(
        a.c.rep_id == r.c.id,
        a.c.source == "coach",
        a.c.assessed_on.between(since, today),
    )
    # The current plan's goals: those it set, or (older rows) the rep's goals
    # started since the plan did.
    planned = sa.exists().where(
        g.c.rep_id == r.c.id,
        g.c.status != "dropped",
        sa.or_(
            g.c.plan_id == p.c.id,
            sa.and_(g.c.plan_id.is_(None), g.c.start_on >= p.c.started_on),
        ),
    )
    other = p.alias("newest_plan")
    newest = (
        sa.select(other.c.id)
        .where(other.c.rep_id == r.c.id, other.c.status == "active")
        .order_by(other.c.started_on.desc(), other.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    last_session = (
        sa.select(sa.func.max(se.c.held_on))
        .where(se.c.rep_id == r.c.id, se.c.status == "done", se.c.held_on <= today)
        .scalar_subquery()
    )
    query = (
        sa.select(
            r.c.coach_id,
            sa.case((assessed, 1), else_=0),
            sa.case((planned, 1), else_=0),
            p.c.started_on,
            p.c.cadence_days,
            last_session,
        )
        .select_from(r.outerjoin(p, p.c.id == newest))
        .where(r.c.active.is_(True))
    )
    cols = ["coach_id", "assessed", "planned", "started_on", "cadence", "last"]
    rows = pd.DataFrame(
        conn.execute(_for(query, r.c.coach_id, coach_id)).all(), columns=cols
    )
    started = pd.to_datetime(rows["started_on"])
    last = pd.to_datetime(rows["last"])
    # Time runs from the last session, or from the plan's start if that is later.
    gap = (pd.Timestamp(today) - last.where(last > started, started)).dt.days
    rows["plan_reps"] = started.notna().astype(int)
    rows["on_cadence"] = (gap <= rows["cadence"] + CADENCE_SLACK).astype(int)
    rows["reps"] = 1
    return rows.groupby("coach_id")[
        ["reps", "assessed", "planned", "plan_reps", "on_cadence"]
    ].sum()


def _session_rows(
    conn: Connection, coach_id: int | None, today: dt.date
) -> pd.DataFrame:
    """Per coach: finished sessions lately, those with notes, those with checks."""
    se = s.sessions
    since = today - dt.timedelta(days=LOOKBACK_DAYS - 1)
    written = sa.or_(
        sa.func.trim(se.c.went_well) != "", sa.func.trim(se.c.to_change) != ""
    )
    scored = sa.and_(
        se.c.coach_relevant.is_not(None),
        se.c.coach_developmental.is_not(None),
        se.c.coach_motivational.is_not(None),
    )
    query = (
        sa.select(
            se.c.coach_id,
            sa.func.count(),
            sa.func.sum(sa.case((written, 1), else_=0)),
            sa.func.sum(sa.case((scored, 1), else_=0)),
        )
        .where(se.c.status == "done", se.c.held_on.between(since, today))
        .group_by(se.c.coach_id)
    )
    cols = ["coach_id", "sessions", "documented", "checked"]
    rows = conn.execute(_for(query, se.c.coach_id, coach_id)).all()
    return pd.DataFrame(rows, columns=cols).set_index("coach_id")


def _action_rows(
    conn: Connection, coach_id: int | None, today: dt.date
) -> pd.DataFrame:
    """Per coach: actions due lately and settled (kept or missed), and those kept.

    Actions on an unfinished draft are not agreed yet and do not count; neither
    do open ones, nor dropped ones (no longer worth doing: neither kept nor
    missed).
    """
    a, se = s.actions, s.sessions
    since = today - dt.timedelta(days=LOOKBACK_DAYS - 1)
    query = (
        sa.select(
            a.c.coach_id,
            sa.func.count(),
            sa.func.sum(sa.case((a.c.status == "kept", 1), else_=0)),
        )
        .select_from(a.outerjoin(se, a.c.session_id == se.c.id))
        .where(
            a.c.due_on.between(since, today),
            a.c.status.in_(("kept", "missed")),
            sa.or_(a.c.session_id.is_(None), se.c.status == "done"),
        )
        .group_by(a.c.coach_id)
    )
    rows = conn.execute(_for(query, a.c.coach_id, coach_id)).all()
    return pd.DataFrame(rows, columns=["coach_id", "settled", "kept"]).set_index(
        "coach_id"
    )


def _coach_rows(conn: Connection, coach_id: int | None, today: dt.date) -> pd.DataFrame:
    """Coaches (one, or every coach but leads) with their newest reflection day."""
    c, rf = s.coaches, s.reflections
    last = (
        sa.select(sa.func.max(rf.c.written_on))
        .where(rf.c.coach_id == c.c.id, rf.c.written_on <= today)
        .scalar_subquery()
    )
    query = sa.select(c.c.id, c.c.name, last).order_by(c.c.name)
    if coach_id is None:
        query = query.where(c.c.role == "coach")
    else:
        query = query.where(c.c.id == int(coach_id))
    rows = conn.execute(query).all()
    frame = pd.DataFrame(rows, columns=["coach_id", "coach", "last_reflection"])
    since = today - dt.timedelta(days=REFLECTION_DAYS)
    frame["coaches"] = 1
    frame["reflected"] = [
        int(d is not None and d >= since) for d in frame["last_reflection"]
    ]
    return frame.set_index("coach_id")


def _tallies(conn: Connection, coach_id: int | None, today: dt.date) -> pd.DataFrame:
    """Every count the checks need, one row per coach (five grouped queries).

    Columns coach (name), last_reflection (datetime.date or None) and the counts
    in ``_TALLY_COLUMNS``; indexed by coach_id. Coaches with no data get zeros.
    """
    coaches = _coach_rows(conn, coach_id, today)
    parts = [
        _rep_rows(conn, coach_id, today),
        _session_rows(conn, coach_id, today),
        _action_rows(conn, coach_id, today),
    ]
    counts = pd.concat(parts, axis=1).reindex(coaches.index)
    frame = coaches.join(counts.drop(columns=coaches.columns, errors="ignore"))
    for col in _TALLY_COLUMNS:
        frame[col] = frame[col].fillna(0).astype(int)
    return frame


def _part(hits: int, total: int, noun: str) -> str:
    """Say ``3 of 8 reps``, ``1 of 1 coach``, ``2 of 5 coaches``."""
    plural = "" if total == 1 else "es" if noun.endswith("ch") else "s"
    return f"{hits} of {total} {noun}{plural}"


def _reflection_detail(last: dt.date | None, today: dt.date) -> str:
    if last is None:
        return "No reflection written yet. Write down what you will change."
    days = (today - last).days
    ago = "today" if days == 0 else "1 day ago" if days == 1 else f"{days} days ago"
    if days <= REFLECTION_DAYS:
        return f"You wrote your last reflection {ago}."
    return (
        f"Your last reflection was {ago}; write one at least every "
        f"{REFLECTION_DAYS} days."
    )


def _check_rows(
    counts: Mapping[str, Any], today: dt.date, one_coach: bool
) -> pd.DataFrame:
    """The checklist from summed tallies (one coach's, or everyone's)."""
    rows = []
    for check in CHECKS:
        hits, total = int(counts[check.hits]), int(counts[check.total])
        score = hits / total if total else float("nan")
        if check.hits == "reflected" and one_coach and total:
            detail = _reflection_detail(counts["last_reflection"], today)
        elif total:
            detail = check.sentence.format(
                part=_part(hits, total, check.noun),
                was="was" if hits == 1 else "were",
                has="has" if hits == 1 else "have",
            )
        else:
            detail = check.missing
        rows.append(
            {
                "pillar": check.pillar,
                "check": check.name,
                "score": score,
                "target": TARGET,
                "passed": bool(total) and bool(round(score, 9) >= TARGET),
                "detail": detail,
            }
        )
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


@access.checks("coach_id")
def programme_check(
    conn: Connection, coach_id: int | None, today: dt.date
) -> pd.DataFrame:
    """Score the programme checklist for one coach's team, or for every coach.

    Parameters
    ----------
    conn
        An open connection.
    coach_id
        The coach whose team to check, or None for every coach (an enablement
        lead's view; "Retrospectives done" is then the share of coaches with a
        reflection in the last 45 days).
    today
        The day to count back from.

    Returns
    -------
    pandas.DataFrame
        One row per check, in :data:`CHECKS` order. Columns pillar ("Prioritize",
        "Facilitate" or "Improve"), check (its name), score (a share, 0 to 1),
        target (the share to reach), passed (score >= target), detail (a plain
        sentence with the counts). A check with nothing to count has no score
        (NaN), does not pass, and its detail says what is missing.

    Notes
    -----
    Reps count when active. "Coached on cadence" counts reps with an active plan
    whose last finished session (or the plan's start, if later) is at most the
    plan's days between sessions plus :data:`CADENCE_SLACK` days ago.
    """
    tallies = _tallies(conn, coach_id, today)
    if coach_id is not None and not tallies.empty:
        counts: Mapping[str, Any] = tallies.iloc[0].to_dict()
    else:
        counts = {col: int(tallies[col].sum()) for col in _TALLY_COLUMNS}
    return _check_rows(counts, today, one_coach=coach_id is not None)


def pillar_scores(check: pd.DataFrame) -> pd.DataFrame:
    """Average the check scores of each pillar.

    Parameters
    ----------
    check
        A frame from :func:`programme_check`.

    Returns
    -------
    pandas.DataFrame
        Columns pillar, score (mean of its checks' scores; a check with nothing to
        count adds 0, since a missing practice is a gap), passed_checks, checks
        (counts), one row per pillar present, in :data:`PILLAR_NAMES` order.
    """
    grouped = (
        check.assign(score=check["score"].fillna(0.0))
        .groupby("pillar", sort=False)
        .agg(
            score=("score", "mean"),
            passed_checks=("passed", "sum"),
            checks=("check", "size"),
        )
    )
    order = [p for p in PILLAR_NAMES if p in grouped.index]
    frame = grouped.reindex(order).reset_index()
    frame["passed_checks"] = frame["passed_checks"].astype(int)
    return frame[PILLAR_COLUMNS]


def weakest_pillar(check: pd.DataFrame) -> str:
    """Name the pillar with the lowest mean score; a tie goes to the earlier pillar.

    Raises
    ------
    ValueError
        When ``check`` has no rows.
    """
    scores = pillar_scores(check)
    if scores.empty:
        raise ValueError("there are no checks to compare.")
    rounded = scores["score"].round(9)
    return str(scores.loc[rounded.idxmin(), "pillar"])


def summary_sentence(check: pd.DataFrame) -> str:
    """Say in one plain sentence which pillar to work on, and which check in it.

    Example: ``Your weakest pillar is Facilitate: follow-ups kept is 40%, aim for
    80%.``
    """
    if check.empty:
        return "There is nothing to check yet."
    pillar = weakest_pillar(check)
    if bool(check["passed"].all()):
        return (
            f"All {len(check)} checks pass. Your lowest pillar is {pillar}; keep it up."
        )
    mine = check[check["pillar"] == pillar]
    failing = mine[~mine["passed"]]
    worst = (failing if not failing.empty else mine).sort_values(
        "score", kind="stable", na_position="first"
    )
    row = worst.iloc[0]
    if pd.isna(row["score"]):
        return (
            f"Your weakest pillar is {pillar}: {str(row['check']).lower()} has "
            f"nothing to count yet. {row['detail']}"
        )
    return (
        f"Your weakest pillar is {pillar}: {str(row['check']).lower()} is "
        f"{percent(row['score'])}, aim for {percent(row['target'])}."
    )


@access.lead_only
def checklist_by_coach(conn: Connection, today: dt.date) -> pd.DataFrame:
    """Every coach's pillar scores, for an enablement lead.

    Uses the same counts as :func:`programme_check`, worked out for all coaches
    at once.

    Returns
    -------
    pandas.DataFrame
        Columns coach_id, coach, pillar, score (mean of the pillar's check scores,
        0 to 1), passed_checks, checks. One row per coach (leads left out) and
        pillar, sorted by coach name, then pillar order.
    """
    tallies = _tallies(conn, None, today)
    rows = []
    for check in CHECKS:
        hits = tallies[check.hits].astype(float)
        total = tallies[check.total].astype(float)
        # A check with nothing to count adds 0 to its pillar, as in pillar_scores.
        score = (hits / total.where(total > 0)).fillna(0.0)
        rows.append(
            pd.DataFrame(
                {
                    "coach_id": tallies.index,
                    "coach": tallies["coach"].to_numpy(),
                    "pillar": check.pillar,
                    "score": score.to_numpy(),
                    "passed": (score.round(9) >= TARGET).to_numpy(),
                }
            )
        )
    long = pd.concat(rows, ignore_index=True)
    frame = long.groupby(["coach_id", "coach", "pillar"], as_index=False).agg(
        score=("score", "mean"),
        passed_checks=("passed", "sum"),
        checks=("score", "size"),
    )
    frame["pillar_order"] = frame["pillar"].map(PILLAR_NAMES.index)
    frame = frame.sort_values(["coach", "pillar_order"], kind="stable")
    frame["passed_checks"] = frame["passed_checks"].astype(int)
    return frame[COACH_COLUMNS].reset_index(drop=True)
