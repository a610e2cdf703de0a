"""Coaching plans: one or two focus behaviours, a style and stage each, goals, cadence.

:func:`save_plan` checks everything first and then, in the caller's transaction,
closes the rep's active plan and writes the new one with its focus and goals. To
edit a plan is to save a new one: the old one is kept, closed, as history
(:func:`earlier_plans`). A goal the new plan carries over (a
:class:`~coachkit.model.goals.GoalDraft` with the saved goal's ``goal_id``) moves to
the new plan with its start and baseline, changed only where the coach changed it;
the goals still open on the old plan that it does not carry over become
``dropped`` on that day. :func:`current_plan` reads the active plan back as a
:class:`Plan`; :mod:`coachkit.prioritize.planning` writes it as a page a rep can read
and print.

A rep has at most one active plan. Each save counts the rep's plan version up by
one (the new row starts at the old row's ``row_version`` + 1), so a screen that
showed an older plan gets a :class:`~coachkit.store.versions.ConflictError` instead of
silently replacing a plan saved meanwhile.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.model.goals import Goal, GoalDraft, as_id, validate_goal
from coachkit.model.team import team_coach
from coachkit.model.templates import STAGE_KEYS, STYLE_KEYS
from coachkit.store import access
from coachkit.store import schema as s
from coachkit.store.versions import ConflictError, conflict_message, update_versioned

#: More focus behaviours than this spreads coaching too thin.
MAX_FOCUS = 2
SESSIONS_PER_MONTH = (1, 8)
MINUTES_PER_SESSION = (10, 120)
#: Research on sales coaching points to about this many hours of coaching per rep
#: per month; plans and the Improve workbook set coaching time beside it.
RESEARCH_HOURS_PER_MONTH = 3.0

_NOW = sa.func.now()


@dataclass(frozen=True)
class FocusChoice:
    """A behaviour to coach, with the style and practice stage to coach it in."""

    behaviour_id: int
    style: str
    stage: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "behaviour_id", as_id(self.behaviour_id))


class Focus(NamedTuple):
    """A focus behaviour of a saved plan, by name."""

    behaviour: str
    style: str
    stage: str


@dataclass(frozen=True)
class Plan:
    """A saved coaching plan, as a rep and their coach read it.

    ``focus`` lists (behaviour name, style, stage) in order, ``focus_ids`` the
    behaviours' ids in the same order. ``minutes_per_session`` is None when the store
    does not keep it.
    """

    id: int
    rep_id: int
    rep: str
    coach_id: int
    coach: str
    started_on: dt.date
    cadence_days: int
    notes: str
    row_version: int
    focus: tuple[Focus, ...]
    focus_ids: tuple[int, ...]
    goals: tuple[Goal, ...]
    minutes_per_session: int | None = None

    @property
    def sessions_per_month(self) -> int:
        """Sessions per month implied by the cadence (30 days / cadence)."""
        return max(1, round(30 / max(self.cadence_days, 1)))


@dataclass(frozen=True)
class EarlierPlan:
    """A plan that a newer one replaced: what it set, and when it ran.

    ``ended_on`` is the day the next plan started (None when the store does not
    say).
    """

    id: int
    started_on: dt.date
    ended_on: dt.date | None
    cadence_days: int
    minutes_per_session: int | None
    focus: tuple[Focus, ...]
    goals: tuple[str, ...]
    notes: str


def cadence_days(sessions_per_month: int) -> int:
    """Days between sessions for ``sessions_per_month`` sessions: 30 / sessions."""
    return max(1, round(30 / sessions_per_month))


@access.checks("coach_id", "rep_id")
def save_plan(
    conn: Connection,
    *,
    coach_id: int,
    rep_id: int,
    focus: Sequence[FocusChoice],
    goals: Sequence[GoalDraft],
    sessions_per_month: int,
    minutes_per_session: int,
    notes: str,
    today: dt.date,
    expected_version: int | None = None,
) -> int:
    """Check a coaching plan and save it as the rep's active plan.

    Parameters
    ----------
    conn
        A connection inside the caller's transaction (``store.write()``): either
        all of the plan is saved, or none of it.
    coach_id
        The coach saving the plan: the rep's own coach, or a lead.
    rep_id
        The rep the plan is for.
    focus
        One or two behaviours with a style and stage each.
    goals
        Goals as typed; each must be for this rep and one of the focus behaviours.
    sessions_per_month
        1 to 8; the plan keeps the days between sessions (30 / sessions).
    minutes_per_session
        10 to 120. Compare the monthly total with
        :data:`RESEARCH_HOURS_PER_MONTH` using
        :class:`coachkit.prioritize.planning.CoachingTime`; any total is allowed.
    notes
        Free text for the rep.
    today
        The day the plan starts.
    expected_version
        The ``row_version`` of the active plan the coach was looking at (0: they
        saw no plan). If someone has saved a plan for this rep since, nothing is
        saved. None skips the check.

    Returns
    -------
    int
        The new plan's id.

    Raises
    ------
    ValidationError
        For the first problem, naming the field; nothing is written. A goal
        carried over (``goal_id`` set) must be one of the rep's open goals, for
        the same behaviour and number.
    ConflictError
        ``expected_version`` is not the active plan's version any more.
    """
    coach_id, rep_id = as_id(coach_id), as_id(rep_id)  # type: ignore[assignment]
    owner = team_coach(conn, coach_id, rep_id)
    _check_focus(conn, focus)
    _check_range("Sessions per month", sessions_per_month, SESSIONS_PER_MONTH)
    _check_range("Minutes per session", minutes_per_session, MINUTES_PER_SESSION)
    checked = _check_goals(conn, rep_id, focus, goals, today)

    p = s.plans
    active = conn.execute(
        sa.select(p.c.id, p.c.started_on, p.c.row_version)
        .where(p.c.rep_id == rep_id, p.c.status == "active")
        .order_by(p.c.started_on.desc(), p.c.id.desc())
    ).all()
    if expected_version is not None:
        if not active and expected_version != 0:
            raise ConflictError("plan", 0, conflict_message("plan"))
        if active:  # raises ConflictError if someone saved since
            closed = {"status": "closed"}
            update_versioned(conn, p, active[0].id, expected_version, closed, "plan")
    for row in active[0 if expected_version is None else 1 :]:
        conn.execute(
            sa.update(p)
            .where(p.c.id == row.id)
            .values(status="closed", row_version=p.c.row_version + 1, updated_at=_NOW)
        )
    carried = [g for g in checked if g.id is not None]
    if active:
        since = min(r.started_on for r in active)
        ids = [int(r.id) for r in active]
        _drop_open_goals(conn, rep_id, since, ids, [g.id for g in carried], today)

    values = {
        "coach_id": owner,
        "rep_id": rep_id,
        "started_on": today,
        "cadence_days": cadence_days(sessions_per_month),
        "status": "active",
        "notes": str(notes or "").strip(),
        # The rep's plan counts up one version per save, so a screen that showed
        # an older plan gets a conflict even though this is a new row.
        "row_version": active[0].row_version + 1 if active else 1,
        "minutes_per_session": int(minutes_per_session),
    }
    plan_id = int(
        conn.execute(p.insert().values(**values).returning(p.c.id)).scalar_one()
    )
    conn.execute(
        s.plan_focus.insert(),
        [
            {
                "coach_id": owner,
                "plan_id": plan_id,
                "behaviour_id": f.behaviour_id,
                "style": f.style,
                "stage": f.stage,
                "position": i,
            }
            for i, f in enumerate(focus)
        ],
    )
    new = [g for g in checked if g.id is None]
    if new:
        conn.execute(s.goals.insert(), [_goal_row(g, owner, plan_id) for g in new])
    g = s.goals
    for goal in carried:
        conn.execute(
            sa.update(g)
            .where(g.c.id == goal.id)
            .values(
                plan_id=plan_id,
                description=goal.description,
                target=goal.target,
                due_on=goal.due_on,
                row_version=g.c.row_version + 1,
                updated_at=_NOW,
            )
        )
    return plan_id


@access.checks("rep_id")
def plan_problems(
    conn: Connection,
    rep_id: int,
    focus: Sequence[FocusChoice],
    goals: Sequence[GoalDraft],
    *,
    sessions_per_month: int,
    minutes_per_session: int | None,
    today: dt.date,
) -> list[ValidationError]:
    """Every problem :func:`save_plan` would refuse the form for, not just the first.

    A form shows them all at once, each beside its field. Each goal is checked on
    its own (the field says which: ``Target (goal 2)``); :func:`save_plan` checks
    them together again when saving, so this list may miss only a goal given twice.
    """
    problems: list[ValidationError] = []
    checks = (
        lambda: _check_focus(conn, focus),
        lambda: _check_range(
            "Sessions per month", sessions_per_month, SESSIONS_PER_MONTH
        ),
        lambda: _check_range(
            "Minutes per session", minutes_per_session, MINUTES_PER_SESSION
        ),
    )
    for check in checks:
        try:
            check()
        except ValidationError as exc:
            problems.append(exc)
    for i, draft in enumerate(goals, start=1):
        try:
            _check_goals(conn, int(rep_id), focus, [draft], today)
        except ValidationError as exc:
            which = f" (goal {i})" if len(goals) > 1 else ""
            problems.append(ValidationError(exc.field + which, exc.problem))
    return problems


@access.checks("rep_id")
def earlier_plans(conn: Connection, rep_id: int) -> tuple[EarlierPlan, ...]:
    """The rep's closed plans, newest first, each with its focus and goals.

    A plan's goals are those it set that a later plan did not carry over.
    """
    p, f, b, g = s.plans, s.plan_focus, s.behaviours, s.goals
    rows = conn.execute(
        sa.select(
            p.c.id,
            p.c.started_on,
            p.c.status,
            p.c.cadence_days,
            p.c.minutes_per_session,
            p.c.notes,
        )
        .where(p.c.rep_id == int(rep_id))
        .order_by(p.c.started_on, p.c.id)
    ).all()
    if not rows:
        return ()
    ids = [r.id for r in rows]
    focus: dict[int, list[Focus]] = {i: [] for i in ids}
    for x in conn.execute(
        sa.select(f.c.plan_id, b.c.name, f.c.style, f.c.stage)
        .join(b, f.c.behaviour_id == b.c.id)
        .where(f.c.plan_id.in_(ids))
        .order_by(f.c.plan_id, f.c.position, f.c.id)
    ):
        focus[x.plan_id].append(Focus(x.name, x.style, x.stage))
    goals: dict[int, list[str]] = {i: [] for i in ids}
    for y in conn.execute(
        sa.select(g.c.plan_id, g.c.description)
        .where(g.c.plan_id.in_(ids))
        .order_by(g.c.due_on, g.c.id)
    ):
        goals[y.plan_id].append(y.description)
    out = []
    for i, r in enumerate(rows):
        if r.status == "active":
            continue
        after = rows[i + 1].started_on if i + 1 < len(rows) else None
        minutes = r.minutes_per_session
        out.append(
            EarlierPlan(
                id=int(r.id),
                started_on=r.started_on,
                ended_on=after,
                cadence_days=int(r.cadence_days),
                minutes_per_session=None if minutes is None else int(minutes),
                focus=tuple(focus[r.id]),
                goals=tuple(goals[r.id]),
                notes=r.notes,
            )
        )
    return tuple(reversed(out))


@access.checks("rep_id")
def current_plan(conn: Connection, rep_id: int) -> Plan | None:
    """The rep's active plan with its focus and goals, or None if they have none.

    The plan's goals are those it set; for plans saved before goals recorded their
    plan, the rep's goals started on or after the plan's start and not dropped.
    """
    p, r, c = s.plans, s.reps, s.coaches
    rep_id = int(rep_id)
    minutes = p.c.minutes_per_session
    row = conn.execute(
        sa.select(
            p.c.id,
            p.c.rep_id,
            r.c.name.label("rep"),
            p.c.coach_id,
            c.c.name.label("coach"),
            p.c.started_on,
            p.c.cadence_days,
            p.c.notes,
            p.c.row_version,
            minutes.label("minutes"),
        )
        .join(r, p.c.rep_id == r.c.id)
        .join(c, p.c.coach_id == c.c.id)
        .where(p.c.rep_id == rep_id, p.c.status == "active")
        .order_by(p.c.started_on.desc(), p.c.id.desc())
    ).first()
    if row is None:
        return None
    f, b = s.plan_focus, s.behaviours
    focus = conn.execute(
        sa.select(b.c.name, f.c.style, f.c.stage, f.c.behaviour_id)
        .join(b, f.c.behaviour_id == b.c.id)
        .where(f.c.plan_id == row.id)
        .order_by(f.c.position, f.c.id)
    ).all()
    return Plan(
        id=row.id,
        rep_id=row.rep_id,
        rep=row.rep,
        coach_id=row.coach_id,
        coach=row.coach,
        started_on=row.started_on,
        cadence_days=row.cadence_days,
        notes=row.notes,
        row_version=row.row_version,
        focus=tuple(Focus(x.name, x.style, x.stage) for x in focus),
        focus_ids=tuple(x.behaviour_id for x in focus),
        goals=_plan_goals(conn, row.id, rep_id, row.started_on),
        minutes_per_session=None if row.minutes is None else int(row.minutes),
    )


# --- checks ---


def _check_focus(conn: Connection, focus: Sequence[FocusChoice]) -> None:
    if not focus:
        raise ValidationError("Focus", "pick one or two behaviours to work on")
    if len(focus) > MAX_FOCUS:
        raise ValidationError(
            "Focus",
            "pick one or two behaviours; more than two spreads coaching too thin",
        )
    ids = [f.behaviour_id for f in focus]
    if len(set(ids)) < len(ids):
        raise ValidationError("Focus", "pick two different behaviours")
    known = set(
        conn.execute(
            sa.select(s.behaviours.c.id).where(s.behaviours.c.id.in_(ids))
        ).scalars()
    )
    for f in focus:
        if f.behaviour_id not in known:
            raise ValidationError("Focus", "pick behaviours from the framework")
        if f.style not in STYLE_KEYS:
            raise ValidationError(
                "Style", "pick one of direct, guide, excite or delegate"
            )
        if f.stage not in STAGE_KEYS:
            raise ValidationError("Stage", "pick one of demonstrate, prompt or release")


def _check_range(field: str, value: object, bounds: tuple[int, int]) -> None:
    low, high = bounds
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or not low <= int(value) <= high
    ):
        raise ValidationError(field, f"pick a whole number from {low} to {high}")


def _check_goals(
    conn: Connection,
    rep_id: int,
    focus: Sequence[FocusChoice],
    goals: Sequence[GoalDraft],
    today: dt.date,
) -> list[Goal]:
    focus_ids = {f.behaviour_id for f in focus}
    checked: list[Goal] = []
    seen: set[int] = set()
    for i, draft in enumerate(goals, start=1):
        which = f" (goal {i})" if len(goals) > 1 else ""
        try:
            if draft.rep_id != rep_id:
                raise ValidationError("Goal", "it is for another rep")
            if draft.behaviour_id not in focus_ids:
                raise ValidationError(
                    "Goal", "tie it to one of the plan's focus behaviours"
                )
            if draft.goal_id is None:
                checked.append(validate_goal(conn, draft, today))
                continue
            if draft.goal_id in seen:
                raise ValidationError("Goal", "it is in the plan twice")
            seen.add(int(draft.goal_id))  # type: ignore[arg-type]
            checked.append(_carried_goal(conn, rep_id, draft, today))
        except ValidationError as exc:
            raise ValidationError(exc.field + which, exc.problem) from None
    return checked


def _carried_goal(
    conn: Connection, rep_id: int, draft: GoalDraft, today: dt.date
) -> Goal:
    """Check a goal the new plan carries over; it keeps its start and baseline."""
    g = s.goals
    stored = conn.execute(
        sa.select(
            g.c.rep_id,
            g.c.behaviour_id,
            g.c.metric_id,
            g.c.baseline,
            g.c.start_on,
            g.c.due_on,
            g.c.status,
        ).where(g.c.id == draft.goal_id)
    ).first()
    if stored is None or int(stored.rep_id) != rep_id:
        raise ValidationError("Goal", "it is no longer there; reload the page")
    if stored.status != "open":
        raise ValidationError("Goal", "it was already judged; set a new goal instead")
    if (stored.behaviour_id, stored.metric_id) != (
        draft.behaviour_id,
        draft.metric_id,
    ):
        raise ValidationError(
            "Goal", "it was set for another number; clear it to set a new goal"
        )
    baseline = stored.baseline if draft.baseline is None else draft.baseline
    goal = validate_goal(
        conn, dataclasses.replace(draft, baseline=baseline), stored.start_on
    )
    if goal.due_on != stored.due_on and goal.due_on <= today:
        raise ValidationError("Due date", "pick a day after today")
    return dataclasses.replace(goal, id=int(draft.goal_id), start_on=stored.start_on)  # type: ignore[arg-type]


# --- rows ---


def _drop_open_goals(
    conn: Connection,
    rep_id: int,
    since: dt.date,
    plan_ids: Sequence[int],
    keep: Sequence[int | None],
    today: dt.date,
) -> None:
    """Drop the replaced plans' open goals that the new plan does not carry over."""
    g = s.goals
    theirs = sa.or_(
        g.c.plan_id.in_(plan_ids),
        sa.and_(g.c.plan_id.is_(None), g.c.start_on >= since),
    )
    query = sa.update(g).where(g.c.rep_id == rep_id, g.c.status == "open", theirs)
    kept = [int(i) for i in keep if i is not None]
    if kept:
        query = query.where(g.c.id.not_in(kept))
    conn.execute(
        query.values(
            status="dropped",
            closed_on=today,
            note="The plan changed.",
            row_version=g.c.row_version + 1,
            updated_at=_NOW,
        )
    )


def _goal_row(goal: Goal, coach_id: int, plan_id: int) -> dict[str, object]:
    row: dict[str, object] = {
        "coach_id": coach_id,
        "rep_id": goal.rep_id,
        "behaviour_id": goal.behaviour_id,
        "metric_id": goal.metric_id,
        "description": goal.description,
        "baseline": goal.baseline,
        "target": goal.target,
        "start_on": goal.start_on,
        "due_on": goal.due_on,
        "status": goal.status,
        "plan_id": plan_id,
    }
    return row


def _plan_goals(
    conn: Connection, plan_id: int, rep_id: int, started_on: dt.date
) -> tuple[Goal, ...]:
    g, b, m = s.goals, s.behaviours, s.metrics
    mine = sa.and_(g.c.start_on >= started_on, g.c.status != "dropped")
    mine = sa.or_(g.c.plan_id == plan_id, sa.and_(g.c.plan_id.is_(None), mine))
    rows = conn.execute(
        sa.select(
            g,
            b.c.name.label("behaviour"),
            m.c.name.label("metric"),
            m.c.kind,
            m.c.unit,
            m.c.higher_is_better,
        )
        .join(b, g.c.behaviour_id == b.c.id)
        .outerjoin(m, g.c.metric_id == m.c.id)
        .where(g.c.rep_id == rep_id, mine)
        .order_by(g.c.due_on, g.c.id)
    ).all()
    return tuple(
        Goal(
            rep_id=x.rep_id,
            behaviour_id=x.behaviour_id,
            behaviour=x.behaviour,
            metric_id=x.metric_id,
            metric=x.metric,
            kind=x.kind,
            unit=x.unit,
            higher_is_better=True if x.higher_is_better is None else x.higher_is_better,
            description=x.description,
            baseline=x.baseline,
            target=x.target,
            start_on=x.start_on,
            due_on=x.due_on,
            status=x.status,
            id=x.id,
            closed_on=x.closed_on,
            note=x.note or "",
            closed_value=x.closed_value,
            row_version=int(x.row_version),
        )
        for x in rows
    )
