"""Coaching sessions, from a draft that is never lost to the final record.

A session is a ``sessions`` row. While the coach writes it, its status is
``draft``: :func:`start_draft` makes one (or returns the rep's open draft, so a rep
has one), :func:`save_draft` autosaves whatever the form holds, and
:func:`load_draft` brings it back after a closed tab or a restarted server.
:func:`finish_session` checks the whole record and marks it ``done`` in one
transaction.

Drafts take anything incomplete (an empty note, no scores yet) but refuse values of
the wrong kind (``"abc"`` for a duration), naming the field. :func:`check_draft`
splits a form into the values that can be saved and the problems, so a view can save
the good fields even while one is wrong.

Two people, one session
-----------------------
Every save sends back the ``row_version`` the screen loaded. If someone saved the
session in between, nothing of theirs is overwritten: their version stays in the
row, and the caller's values are saved as a *conflict copy*, a second draft row for
the same rep with ``conflict_of`` pointing at the original. Then
:class:`SessionConflict` (a :class:`~coachkit.store.versions.ConflictError`) is raised,
carrying the copy's id; the screen can switch to the copy and keep typing there
without further conflicts. Observations and actions are rows of their own, so
they are never part of a conflict. A stale save whose values equal the stored ones
loses nothing, so it is no conflict: it returns the current version.

That is why :func:`save_draft` and :func:`finish_session` take the
:class:`~coachkit.store.database.Store` and run their own transactions: the copy must be
committed even though the call ends in an error, which a caller's transaction
would roll back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from coachkit.errors import ValidationError
from coachkit.facilitate.actions import Action, session_actions
from coachkit.facilitate.observations import Observation, session_observations
from coachkit.facilitate.session_form import (  # noqa: F401 (re-exported for callers)
    DURATION_MINUTES,
    FIELDS,
    LABELS,
    SCORE_FIELDS,
    TEXT_FIELDS,
    TEXT_MAX,
    SessionProblems,
    check_draft,
    check_final,
    due_problem,
    field_name,
    final_problems,
)
from coachkit.model.plans import Plan, current_plan
from coachkit.model.team import team_coach
from coachkit.model.templates import SESSION_TYPE_KEYS
from coachkit.store import access
from coachkit.store import schema as s
from coachkit.store.database import Store
from coachkit.store.versions import ConflictError, update_versioned

CONFLICT_MESSAGE = (
    "Someone else saved this session since you opened it. Their version is kept; "
    "yours is saved as a copy beside it."
)
_GONE = (
    "This session is no longer there. Your text is still on the screen: "
    "copy it before you reload."
)
_ROW_FIELDS = tuple(f for f in FIELDS if f != "focus")


@dataclass(frozen=True)
class SessionDraft:
    """A session as stored, draft or done, with everything the form shows.

    ``focus_ids`` are the focus behaviours; ``conflict_of`` is the original's id
    when this row is a conflict copy; ``copies`` lists the ids of this session's
    conflict copies that are still drafts.
    """

    id: int
    coach_id: int
    rep_id: int
    rep: str
    plan_id: int | None
    status: str
    session_type: str
    held_on: dt.date
    duration_minutes: int
    style: str | None
    went_well: str
    to_change: str
    rep_view: str
    next_session_on: dt.date | None
    coach_relevant: int | None
    coach_developmental: int | None
    coach_motivational: int | None
    rep_relevant: int | None
    rep_developmental: int | None
    rep_motivational: int | None
    focus_ids: tuple[int, ...]
    observations: tuple[Observation, ...]
    actions: tuple[Action, ...]
    row_version: int
    updated_at: dt.datetime | None
    conflict_of: int | None = None
    copies: tuple[int, ...] = ()

    @property
    def is_copy(self) -> bool:
        """True for a conflict copy."""
        return self.conflict_of is not None

    def fields(self) -> dict[str, object]:
        """The form's values: field name -> value, ``focus`` as a list of ids."""
        values: dict[str, object] = {f: getattr(self, f) for f in _ROW_FIELDS}
        values["focus"] = list(self.focus_ids)
        return values


class SessionConflict(ConflictError):
    """Someone saved the session first; the caller's values became a copy.

    ``copy_id`` is the conflict copy (a draft at ``copy_version``).
    """

    def __init__(self, session_id: int, copy_id: int, copy_version: int = 1) -> None:
        super().__init__("session", session_id, CONFLICT_MESSAGE)
        self.copy_id = copy_id
        self.copy_version = copy_version


@access.checks("coach_id", "rep_id")
def start_draft(
    conn: Connection,
    *,
    coach_id: int,
    rep_id: int,
    today: dt.date,
    plan: Plan | None = None,
    session_type: str = "call_review",
) -> int:
    """Start a draft session for a rep, or return the rep's open draft.

    The new draft is dated ``today`` and filled from the rep's plan (looked up when
    ``plan`` is None): the first focus behaviour's style, the focus behaviours,
    the plan's minutes per session (else 30) and the next session one cadence on.

    Raises
    ------
    ValidationError
        ``Coach`` or ``Rep`` is unknown, or the rep is on another coach's team
        (a lead may start sessions for anyone).
    """
    existing = _open_draft(conn, int(rep_id))
    if existing is not None:
        return existing
    team = team_coach(conn, int(coach_id), int(rep_id))
    if session_type not in SESSION_TYPE_KEYS:
        raise ValidationError(LABELS["session_type"], "pick one")
    plan = plan if plan is not None else current_plan(conn, int(rep_id))
    values: dict[str, object] = {
        "coach_id": team,
        "rep_id": int(rep_id),
        "session_type": session_type,
        "held_on": today,
        "status": "draft",
    }
    focus: tuple[int, ...] = ()
    if plan is not None:
        values["plan_id"] = plan.id
        values["style"] = plan.focus[0].style if plan.focus else None
        values["duration_minutes"] = plan.minutes_per_session or 30
        values["next_session_on"] = today + dt.timedelta(days=plan.cadence_days)
        focus = plan.focus_ids
    se = s.sessions
    new_id = int(
        conn.execute(se.insert().values(**values).returning(se.c.id)).scalar_one()
    )
    _set_focus(conn, new_id, team, focus)
    return new_id


@access.checks("rep_id")
def load_draft(conn: Connection, rep_id: int) -> SessionDraft | None:
    """The rep's open draft, or None: the original first, else a conflict copy."""
    draft_id = _open_draft(conn, int(rep_id))
    return None if draft_id is None else load_session(conn, draft_id)


@access.checks("session_id")
def load_session(conn: Connection, session_id: int) -> SessionDraft:
    """Any session, draft or done, with its focus, observations and actions.

    Raises
    ------
    ValidationError
        There is no such session.
    """
    se, r = s.sessions, s.reps
    row = conn.execute(
        sa.select(se, r.c.name.label("rep_name"))
        .join(r, se.c.rep_id == r.c.id)
        .where(se.c.id == int(session_id))
    ).first()
    if row is None:
        raise ValidationError("Session", "it is no longer there; reload the page")
    copies = conn.execute(
        sa.select(se.c.id)
        .where(se.c.conflict_of == row.id, se.c.status == "draft")
        .order_by(se.c.id)
    ).scalars()
    values = {f: getattr(row, f) for f in _ROW_FIELDS}
    return SessionDraft(
        id=row.id,
        coach_id=row.coach_id,
        rep_id=row.rep_id,
        rep=row.rep_name,
        plan_id=row.plan_id,
        status=row.status,
        focus_ids=_focus(conn, row.id),
        observations=session_observations(conn, row.id),
        actions=session_actions(conn, row.id),
        row_version=row.row_version,
        updated_at=row.updated_at,
        conflict_of=row.conflict_of,
        copies=tuple(int(c) for c in copies),
        **values,
    )


@access.checks("session_id")
def save_draft(
    store: Store,
    session_id: int,
    fields: Mapping[str, object],
    *,
    expected_version: int,
) -> int:
    """Autosave some or all of a draft's fields; return the new ``row_version``.

    Parameters
    ----------
    store
        The store; the save runs in its own transaction (see the module notes).
    session_id
        A draft session.
    fields
        Field name -> value as the form holds it (any subset of :data:`FIELDS`).
    expected_version
        The ``row_version`` the screen last loaded or saved.

    Raises
    ------
    ValidationError
        A value of the wrong kind (nothing is saved; see :func:`check_draft`), an
        unknown focus behaviour, or a session that is already finished.
    SessionConflict
        Someone saved the session since ``expected_version``; these values are in
        the copy ``exc.copy_id``.
    ConflictError
        The session is gone (deleted); nothing could be saved.
    """
    clean, problems = check_draft(fields)
    if problems:
        raise problems[0]
    return _save(store, int(session_id), clean, int(expected_version), None)


@access.checks("session_id")
def finish_session(
    store: Store,
    session_id: int,
    fields: Mapping[str, object],
    *,
    expected_version: int,
    today: dt.date,
) -> int:
    """Check the whole session and save it as done, in one transaction.

    ``fields`` are the form's latest values (any subset; the rest comes from the
    saved draft). Every field is checked (:func:`check_final`), and every agreed
    action must be due on or after the session's day. Returns the new version.

    Raises
    ------
    SessionProblems
        Every problem at once, each naming its field ("Duration: type a number of
        minutes, like 30"; ``exc.problems`` by field name, an action's as
        ``"action <id>"``); nothing is saved.
    ValidationError
        The session is gone or already finished, or a focus behaviour is unknown.
    SessionConflict
        Someone saved the session first; these values are in the copy
        ``exc.copy_id`` (a draft).
    ConflictError
        The session is gone.
    """
    clean, problems = check_draft(fields, final=True)
    if problems:
        with store.read() as conn:
            row = _row(conn, int(session_id))
            raise SessionProblems(_problems(conn, row, clean, today, problems))
    return _save(store, int(session_id), clean, int(expected_version), today)


@access.checks("session_id")
def discard_draft(conn: Connection, session_id: int) -> None:
    """Delete a draft (such as a conflict copy) with its observations and actions.

    Raises
    ------
    ValidationError
        The session is finished; finished sessions are kept.
    """
    se = s.sessions
    status = conn.execute(
        sa.select(se.c.status).where(se.c.id == int(session_id))
    ).scalar_one_or_none()
    if status is None:
        return
    if status != "draft":
        raise ValidationError("Session", "it is finished; finished sessions are kept")
    for table in (s.observations, s.actions, s.session_focus):
        conn.execute(table.delete().where(table.c.session_id == int(session_id)))
    conn.execute(
        se.update().where(se.c.conflict_of == int(session_id)).values(conflict_of=None)
    )
    conn.execute(se.delete().where(se.c.id == int(session_id)))


# --- saving ---


class _Stale(Exception):
    """The row moved on since the screen loaded it."""


def _save(
    store: Store,
    session_id: int,
    clean: dict[str, object],
    expected: int,
    finish_today: dt.date | None,
) -> int:
    try:
        with store.write() as conn:
            return _apply(conn, session_id, clean, expected, finish_today)
    except (_Stale, ConflictError):
        pass
    with store.write() as conn:
        row = conn.execute(
            sa.select(s.sessions).where(s.sessions.c.id == session_id)
        ).first()
        if row is None:
            raise ConflictError("session", session_id, _GONE)
        if _same(conn, row, clean) and (finish_today is None or row.status == "done"):
            return int(row.row_version)  # a repeated save: nothing to keep apart
        copy_id = _copy(conn, row, clean)
    raise SessionConflict(session_id, copy_id)


def _apply(
    conn: Connection,
    session_id: int,
    clean: dict[str, object],
    expected: int,
    finish_today: dt.date | None,
) -> int:
    se = s.sessions
    row = conn.execute(sa.select(se).where(se.c.id == session_id)).first()
    if row is None:
        raise ConflictError("session", session_id, _GONE)
    if row.row_version != expected:
        raise _Stale
    if row.status != "draft":
        raise ValidationError(
            "Session", "it is already finished; start a new session to add more"
        )
    values = {k: v for k, v in clean.items() if k != "focus"}
    focus = clean.get("focus")
    if focus is not None:
        _check_behaviours(conn, focus)  # type: ignore[arg-type]
    if finish_today is not None:
        found = _problems(conn, row, clean, finish_today)
        if found:
            raise SessionProblems(found)
        values["status"] = "done"
    version = update_versioned(conn, se, session_id, expected, values, "session")
    if focus is not None:
        _set_focus(conn, session_id, row.coach_id, focus)  # type: ignore[arg-type]
    return version


def _problems(
    conn: Connection,
    row: Row,
    clean: Mapping[str, object],
    today: dt.date,
    typed: Sequence[ValidationError] = (),
) -> dict[str, ValidationError]:
    """Everything wrong with the session as it would be finished, by field name.

    ``typed`` are the values of the wrong kind (:func:`check_draft`); the saved
    draft stands in for those fields in the other checks. An action due before the
    session's day is ``"action <id>"``.
    """
    merged = {f: getattr(row, f) for f in _ROW_FIELDS}
    focus = clean.get("focus")
    merged["focus"] = _focus(conn, row.id) if focus is None else focus
    merged.update({k: v for k, v in clean.items() if k != "focus"})
    found = {field_name(p) or p.field: p for p in typed}
    for name, problem in final_problems(merged, today).items():
        found.setdefault(name, problem)
    held = merged.get("held_on")
    if held is not None and "held_on" not in found:
        actions = session_actions(conn, row.id)
        for i, action in enumerate(actions, start=1):
            which = f" (action {i})" if len(actions) > 1 else ""
            late = due_problem(action.due_on, held, "Due date" + which)
            if late is not None:
                found[f"action {action.id}"] = late
    order: dict[str, float] = {name: i for i, name in enumerate(FIELDS)}
    actions_at = order["next_session_on"] - 0.5  # the form lists them just above
    return dict(sorted(found.items(), key=lambda kv: order.get(kv[0], actions_at)))


def _row(conn: Connection, session_id: int) -> Row:
    row = conn.execute(
        sa.select(s.sessions).where(s.sessions.c.id == session_id)
    ).first()
    if row is None:
        raise ConflictError("session", session_id, _GONE)
    return row


def _same(conn: Connection, row: Row, clean: Mapping[str, object]) -> bool:
    for name, value in clean.items():
        if name == "focus":
            if set(value) != set(_focus(conn, row.id)):  # type: ignore[call-overload]
                return False
        elif getattr(row, name) != value:
            return False
    return True


def _copy(conn: Connection, row: Row, clean: Mapping[str, object]) -> int:
    se = s.sessions
    values = {f: getattr(row, f) for f in _ROW_FIELDS}
    values.update({k: v for k, v in clean.items() if k != "focus"})
    values.update(
        coach_id=row.coach_id,
        rep_id=row.rep_id,
        plan_id=row.plan_id,
        status="draft",
        conflict_of=row.conflict_of or row.id,
    )
    copy_id = int(
        conn.execute(se.insert().values(**values).returning(se.c.id)).scalar_one()
    )
    focus = clean.get("focus")
    ids = _focus(conn, row.id) if focus is None else focus
    _set_focus(conn, copy_id, row.coach_id, ids)  # type: ignore[arg-type]
    return copy_id


# --- rows ---


def _open_draft(conn: Connection, rep_id: int) -> int | None:
    se = s.sessions
    found = conn.execute(
        sa.select(se.c.id)
        .where(se.c.rep_id == rep_id, se.c.status == "draft")
        .order_by(se.c.conflict_of.is_not(None), se.c.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return None if found is None else int(found)


def _focus(conn: Connection, session_id: int) -> tuple[int, ...]:
    sf, b = s.session_focus, s.behaviours
    ids = conn.execute(
        sa.select(sf.c.behaviour_id)
        .join(b, sf.c.behaviour_id == b.c.id)
        .where(sf.c.session_id == session_id)
        .order_by(b.c.position, b.c.id)
    ).scalars()
    return tuple(int(i) for i in ids)


def _check_behaviours(conn: Connection, ids: Sequence[int]) -> None:
    b = s.behaviours
    known = set(conn.execute(sa.select(b.c.id).where(b.c.id.in_(list(ids)))).scalars())
    if set(ids) - known:
        raise ValidationError(LABELS["focus"], "pick behaviours from the framework")


def _set_focus(
    conn: Connection, session_id: int, coach_id: int, ids: Sequence[int]
) -> None:
    sf = s.session_focus
    conn.execute(sf.delete().where(sf.c.session_id == session_id))
    if ids:
        conn.execute(
            sf.insert(),
            [
                {"session_id": session_id, "behaviour_id": b, "coach_id": coach_id}
                for b in ids
            ],
        )
