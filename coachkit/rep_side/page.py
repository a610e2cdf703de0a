"""The rep's own page, as data: :func:`my_page` returns a frozen :class:`RepPage`.

It reads across the pillars (the plan and goals from ``model``, actions from
Facilitate, assessments from Prioritize, the numbers as Prep's trends count them)
and keeps only what :data:`coachkit.rep_side.visible.VISIBLE` lets a rep see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.facilitate.actions import agreed_actions
from coachkit.facilitate.prep import metric_trends
from coachkit.model import formats
from coachkit.model.framework import rubric
from coachkit.model.goals import judgement, value_when_judged
from coachkit.model.plans import current_plan
from coachkit.model.rates import MIN_TRIALS, wilson_interval
from coachkit.prioritize.performance import window
from coachkit.store import access
from coachkit.store import schema as s

#: How many finished sessions the page lists, latest first.
SESSIONS_SHOWN = 5
#: Weeks the numbers count over (as a goal's baseline does).
WEEKS = 8


@dataclass(frozen=True)
class FocusBehaviour:
    """A focus behaviour of the rep's plan: where they are and where they head.

    ``level_now`` is the latest coach rating of the skill, else the rep's own
    (``level_from`` says which: ``"coach"``, ``"self"`` or ``""`` with none);
    ``now_text`` is that level's rubric text ("" with no rating).
    """

    behaviour_id: int
    behaviour: str
    stage: str
    level_now: int | None
    level_from: str
    now_text: str
    target_level: int
    target_text: str


@dataclass(frozen=True)
class RepGoal:
    """A goal of the rep's plan and how it stands (one line, no coach's note)."""

    id: int
    behaviour: str
    description: str
    summary: str
    status: str
    due_on: dt.date
    progress: str


@dataclass(frozen=True)
class RepAction:
    """An agreed action: ``status`` is open, kept (done), missed (not done) or
    dropped; ``can_mark`` is True for the rep's own open actions."""

    id: int
    text: str
    owner: str
    due_on: dt.date
    status: str
    done_on: dt.date | None
    rep_note: str
    can_mark: bool

    @property
    def done(self) -> bool | None:
        """True when done, False when not done, None while open (or dropped)."""
        return {"kept": True, "missed": False}.get(self.status)


@dataclass(frozen=True)
class RepSession:
    """A finished session, with only the fields a rep sees (VISIBLE)."""

    id: int
    held_on: dt.date
    session_type: str
    went_well: str
    to_change: str
    rep_view: str
    next_session_on: dt.date | None
    rep_relevant: int | None
    rep_developmental: int | None
    rep_motivational: int | None
    rep_wish: str
    rep_rated_at: dt.datetime | None

    @property
    def rated(self) -> bool:
        """True once the rep has rated this session themselves (ratings the coach
        typed or imported for them do not count)."""
        return self.rep_rated_at is not None


@dataclass(frozen=True)
class RepNumber:
    """One of the rep's numbers (a focus metric): at the plan's start and now.

    ``low`` and ``high`` are the 95% range of a rate now (Wilson, as the coach's
    screens show it); None for a count or a percent, or without data. ``enough`` is
    False when a rate has fewer than ``MIN_TRIALS`` tries behind it.
    """

    behaviour: str
    metric: str
    at_start: float | None
    now: float | None
    at_start_text: str
    now_text: str
    better: bool | None
    low: float | None
    high: float | None
    range_text: str
    enough: bool


@dataclass(frozen=True)
class SelfRating:
    """The rep's latest own rating of a behaviour."""

    behaviour_id: int
    behaviour: str
    skill: int
    will: int
    evidence: str
    assessed_on: dt.date


@dataclass(frozen=True)
class RepPage:
    """Everything the rep's page shows, as the rep may see it."""

    rep_id: int
    rep: str
    coach: str
    plan_started_on: dt.date | None
    focus: tuple[FocusBehaviour, ...]
    goals: tuple[RepGoal, ...]
    actions: tuple[RepAction, ...]
    sessions: tuple[RepSession, ...]
    numbers: tuple[RepNumber, ...]
    self_ratings: tuple[SelfRating, ...]


@access.rep_checks("rep_id")
def my_page(conn: Connection, rep_id: int, today: dt.date) -> RepPage:
    """The rep's own page: plan, goals, actions, sessions, numbers, own ratings."""
    rep_id = int(rep_id)
    r, c = s.reps, s.coaches
    who = conn.execute(
        sa.select(r.c.name, c.c.name.label("coach"))
        .join(c, c.c.id == r.c.coach_id)
        .where(r.c.id == rep_id)
    ).one()
    plan = current_plan(conn, rep_id)
    return RepPage(
        rep_id=rep_id,
        rep=str(who.name),
        coach=str(who.coach),
        plan_started_on=None if plan is None else plan.started_on,
        focus=_focus(conn, rep_id, plan),
        goals=_goals(conn, rep_id, plan, today),
        actions=tuple(
            RepAction(
                id=a.id,
                text=a.text,
                owner=a.owner,
                due_on=a.due_on,
                status=a.status,
                done_on=a.done_on,
                rep_note=_rep_note(conn, a.id),
                can_mark=a.status == "open" and a.owner == "rep",
            )
            for a in agreed_actions(conn, rep_id, today)
        ),
        sessions=_sessions(conn, rep_id),
        numbers=_numbers(conn, rep_id, plan, today),
        self_ratings=_self_ratings(conn, rep_id),
    )


def _latest_levels(conn: Connection, rep_id: int) -> dict[tuple[int, str], int]:
    """(behaviour, source) -> the latest skill rating."""
    a = s.assessments
    rows = conn.execute(
        sa.select(a.c.behaviour_id, a.c.source, a.c.skill)
        .where(a.c.rep_id == rep_id)
        .order_by(a.c.assessed_on, a.c.id)
    ).all()
    return {(int(x.behaviour_id), str(x.source)): int(x.skill) for x in rows}


def _focus(conn: Connection, rep_id: int, plan: object) -> tuple[FocusBehaviour, ...]:
    if plan is None:
        return ()
    levels = _latest_levels(conn, rep_id)
    targets = dict(
        conn.execute(sa.select(s.behaviours.c.id, s.behaviours.c.target_level)).all()
    )
    found = []
    for bid, focus in zip(plan.focus_ids, plan.focus, strict=True):  # type: ignore[attr-defined]
        texts = rubric(conn, bid)
        source = next((x for x in ("coach", "self") if (bid, x) in levels), "")
        level = levels.get((bid, source)) if source else None
        target = int(targets.get(bid, 4))
        found.append(
            FocusBehaviour(
                behaviour_id=int(bid),
                behaviour=focus.behaviour,
                stage=focus.stage,
                level_now=level,
                level_from=source,
                now_text=texts[level - 1] if level else "",
                target_level=target,
                target_text=texts[target - 1],
            )
        )
    return tuple(found)


def _goals(
    conn: Connection, rep_id: int, plan: object, today: dt.date
) -> tuple[RepGoal, ...]:
    if plan is None:
        return ()
    found = []
    for g in plan.goals:  # type: ignore[attr-defined]
        value = value_when_judged(
            conn,
            rep_id,
            g.metric_id,
            g.status,
            g.closed_value,
            g.closed_on,
            g.due_on,
            today,
        )
        progress = judgement(
            g.status,
            value=value,
            target=g.target,
            kind=g.kind,
            unit=g.unit,
            higher_is_better=g.higher_is_better,
            due_on=g.due_on,
            closed_on=g.closed_on,
            today=today,
        )
        found.append(
            RepGoal(
                id=int(g.id),
                behaviour=g.behaviour,
                description=g.description,
                summary=g.summary(),
                status=g.status,
                due_on=g.due_on,
                progress=progress,
            )
        )
    return tuple(found)


def _rep_note(conn: Connection, action_id: int) -> str:
    note = conn.execute(
        sa.select(s.actions.c.rep_note).where(s.actions.c.id == action_id)
    ).scalar()
    return str(note or "")


def _sessions(conn: Connection, rep_id: int) -> tuple[RepSession, ...]:
    se = s.sessions
    rows = conn.execute(
        sa.select(
            se.c.id,
            se.c.held_on,
            se.c.session_type,
            se.c.went_well,
            se.c.to_change,
            se.c.rep_view,
            se.c.next_session_on,
            se.c.rep_relevant,
            se.c.rep_developmental,
            se.c.rep_motivational,
            se.c.rep_wish,
            se.c.rep_rated_at,
        )
        .where(se.c.rep_id == rep_id, se.c.status == "done", se.c.conflict_of.is_(None))
        .order_by(se.c.held_on.desc(), se.c.id.desc())
        .limit(SESSIONS_SHOWN)
    ).mappings()
    return tuple(
        RepSession(**{**row, "rep_wish": str(row["rep_wish"] or "")}) for row in rows
    )


def _numbers(
    conn: Connection, rep_id: int, plan: object, today: dt.date
) -> tuple[RepNumber, ...]:
    trends = metric_trends(conn, rep_id, plan, today)  # type: ignore[arg-type]
    found = []
    for t in trends.itertuples(index=False):
        low = high = None
        enough = True
        range_text = ""
        if t.kind == "rate":
            tries, wins = _rate_counts(conn, rep_id, int(t.metric_id), today)
            enough = tries >= MIN_TRIALS
            if tries > 0:
                low, high = wilson_interval(min(wins, tries), tries)
                range_text = (
                    f"likely between {formats.percent(low)} and {formats.percent(high)}"
                )
        found.append(
            RepNumber(
                behaviour=str(t.behaviour),
                metric=str(t.metric),
                at_start=_float(t.at_start),
                now=_float(t.now),
                at_start_text=str(t.at_start_text),
                now_text=str(t.now_text),
                better=None if t.better is None else bool(t.better),
                low=low,
                high=high,
                range_text=range_text,
                enough=enough,
            )
        )
    return tuple(found)


def _rate_counts(
    conn: Connection, rep_id: int, metric_id: int, today: dt.date
) -> tuple[int, int]:
    """(tries, wins) of a rate metric from ``WEEKS`` weeks back to ``today``."""
    m, mv = s.metrics, s.metric_values
    row = conn.execute(
        sa.select(m.c.numerator, m.c.denominator).where(m.c.id == metric_id)
    ).one()
    start = window(today, WEEKS)[0]

    def total(key: object) -> int:
        value = conn.execute(
            sa.select(sa.func.sum(mv.c.value))
            .join(m, m.c.id == mv.c.metric_id)
            .where(
                m.c.key == key,
                mv.c.rep_id == rep_id,
                mv.c.observed_on >= start,
                mv.c.observed_on <= today,
            )
        ).scalar()
        return round(float(value or 0))

    return total(row.denominator), total(row.numerator)


def _self_ratings(conn: Connection, rep_id: int) -> tuple[SelfRating, ...]:
    a, b = s.assessments, s.behaviours
    rows = conn.execute(
        sa.select(
            a.c.behaviour_id,
            b.c.name,
            a.c.skill,
            a.c.will,
            a.c.evidence,
            a.c.assessed_on,
        )
        .join(b, b.c.id == a.c.behaviour_id)
        .where(a.c.rep_id == rep_id, a.c.source == "self")
        .order_by(a.c.assessed_on, a.c.id)
    ).all()
    latest = {int(x.behaviour_id): x for x in rows}
    return tuple(
        SelfRating(
            int(x.behaviour_id),
            str(x.name),
            int(x.skill),
            int(x.will),
            str(x.evidence or ""),
            x.assessed_on,
        )
        for x in sorted(latest.values(), key=lambda x: str(x.name))
    )


def _float(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if number != number else number
