"""Agreed actions: what the rep or the coach will do after a session, and by when.

A coach types an :class:`ActionDraft`; :func:`check_action` reads it (text, owner,
due date as a date or text such as ``"2026-06-22"``) and :func:`add_action` saves it
on a draft session. Later the coach marks each action kept or missed with
:func:`set_action_status`. An action is *overdue* when it is still open after its
due day.

Actions belong to a session while it is a draft (the coach can still remove them);
once the session is finished they are the rep's commitments, and only their status
changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from coachkit.errors import ValidationError
from coachkit.store import access
from coachkit.store import schema as s
from coachkit.store.versions import update_versioned

#: Who does an action.
OWNERS = ("rep", "coach")
#: What became of an action.
ACTION_STATUSES = ("open", "kept", "missed")
#: Longest action text (characters).
ACTION_TEXT_MAX = 500


@dataclass(frozen=True)
class ActionDraft:
    """An action as the coach typed it, before it is checked.

    ``due_on`` may be a date or text in the form ``2026-06-22``.
    """

    text: str
    owner: str = "rep"
    due_on: str | dt.date | None = None


@dataclass(frozen=True)
class Action:
    """A saved action with what became of it."""

    id: int
    session_id: int | None
    rep_id: int
    text: str
    owner: str
    due_on: dt.date
    done_on: dt.date | None
    status: str
    row_version: int

    def is_overdue(self, today: dt.date) -> bool:
        """True when the action is still open after its due day."""
        return self.status == "open" and self.due_on < today

    def state(self, today: dt.date) -> str:
        """``kept``, ``missed``, ``open``, or ``overdue`` (open past its due day)."""
        return "overdue" if self.is_overdue(today) else self.status

    @classmethod
    def from_row(cls, row: Row) -> Action:
        """Build from an ``actions`` row."""
        return cls(
            id=int(row.id),
            session_id=None if row.session_id is None else int(row.session_id),
            rep_id=int(row.rep_id),
            text=row.text,
            owner=row.owner,
            due_on=row.due_on,
            done_on=row.done_on,
            status=row.status,
            row_version=int(row.row_version),
        )


def parse_day(raw: object, field: str, example: dt.date) -> dt.date | None:
    """Read a typed day: a date, a datetime, or text like ``2026-06-15``.

    Returns None for an empty value (None or blank text).

    Raises
    ------
    ValidationError
        On ``field``, when the value cannot be read as a day.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise ValidationError(field, f"use the form {example.isoformat()}")


def check_action(draft: ActionDraft, session_date: dt.date) -> ActionDraft:
    """Check an action as typed; return it with clean text and a real due date.

    Parameters
    ----------
    draft
        The action as typed.
    session_date
        The day of the session; the action cannot be due before it.

    Raises
    ------
    ValidationError
        For the first problem: ``Action`` (the text), ``Owner`` or ``Due date``.
    """
    text = " ".join(str(draft.text or "").split())
    if not text:
        raise ValidationError("Action", "say what will be done")
    if len(text) > ACTION_TEXT_MAX:
        raise ValidationError(
            "Action",
            f"keep it to {ACTION_TEXT_MAX} characters or fewer (now {len(text)})",
        )
    if draft.owner not in OWNERS:
        raise ValidationError("Owner", "pick who will do it: the rep or the coach")
    example = session_date + dt.timedelta(days=7)
    due = parse_day(draft.due_on, "Due date", example)
    if due is None:
        raise ValidationError("Due date", f"pick a day, like {example.isoformat()}")
    check_due(due, session_date)
    return ActionDraft(text=text, owner=draft.owner, due_on=due)


def check_due(due_on: dt.date, session_date: dt.date, field: str = "Due date") -> None:
    """Refuse a due day before the session.

    Raises
    ------
    ValidationError
        On ``field``: "pick a day on or after the session, 2026-06-15".
    """
    if due_on < session_date:
        raise ValidationError(
            field, f"pick a day on or after the session, {session_date.isoformat()}"
        )


def check_session_actions(actions: Sequence[Action], session_date: dt.date) -> None:
    """Check every action of a session against its (final) day.

    Raises
    ------
    ValidationError
        Naming the action by its place: ``Due date (action 2)``.
    """
    for i, action in enumerate(actions, start=1):
        which = f" (action {i})" if len(actions) > 1 else ""
        check_due(action.due_on, session_date, "Due date" + which)


@access.checks("session_id")
def add_action(
    conn: Connection,
    session_id: int,
    draft: ActionDraft,
    session_date: dt.date | None = None,
) -> int:
    """Check an action and add it to a draft session; return its id.

    Parameters
    ----------
    conn
        A connection inside the caller's transaction.
    session_id
        A session that is still a draft.
    draft
        The action as typed.
    session_date
        The session's day as the form shows it now; None uses the saved one.

    Raises
    ------
    ValidationError
        The action has a problem (see :func:`check_action`), or the session is
        gone or already finished.
    """
    session = _draft_session(conn, session_id)
    checked = check_action(draft, session_date or session.held_on)
    a = s.actions
    query = a.insert().values(
        coach_id=session.coach_id,
        rep_id=session.rep_id,
        session_id=session.id,
        text=checked.text,
        owner=checked.owner,
        due_on=checked.due_on,
        status="open",
    )
    return int(conn.execute(query.returning(a.c.id)).scalar_one())


@access.checks("action_id")
def remove_action(conn: Connection, action_id: int) -> None:
    """Remove an action from a draft session.

    Raises
    ------
    ValidationError
        The action is gone, or its session is finished (mark it kept or missed
        instead).
    """
    session_id = _stored_action(conn, action_id).session_id
    if session_id is not None:
        _draft_session(conn, session_id, finished="mark it kept or missed instead")
    a = s.actions
    conn.execute(a.delete().where(a.c.id == int(action_id)))


@access.checks("action_id")
def set_action_status(
    conn: Connection,
    action_id: int,
    status: str,
    today: dt.date,
    *,
    expected_version: int | None = None,
) -> int:
    """Mark an action kept, missed or open again; return its new version.

    ``kept`` records ``today`` as the day it was done; the others clear that day.

    Parameters
    ----------
    expected_version
        The ``row_version`` the screen showed; None skips the check.

    Raises
    ------
    ValidationError
        ``status`` is not open, kept or missed, or the action is gone.
    ConflictError
        Someone changed the action since ``expected_version``.
    """
    if status not in ACTION_STATUSES:
        raise ValidationError("Status", "pick kept, missed or open")
    row = _stored_action(conn, action_id)
    version = row.row_version if expected_version is None else expected_version
    values = {"status": status, "done_on": today if status == "kept" else None}
    return update_versioned(conn, s.actions, int(action_id), version, values, "action")


@access.checks("session_id")
def session_actions(conn: Connection, session_id: int) -> tuple[Action, ...]:
    """The actions agreed in a session, by due day and then in the order added."""
    a = s.actions
    rows = conn.execute(
        sa.select(a)
        .where(a.c.session_id == int(session_id))
        .order_by(a.c.due_on, a.c.id)
    ).all()
    return tuple(Action.from_row(r) for r in rows)


def _stored_action(conn: Connection, action_id: int) -> Row:
    """The action's session and version; a ValidationError when it is gone."""
    a = s.actions
    row = conn.execute(
        sa.select(a.c.session_id, a.c.row_version).where(a.c.id == int(action_id))
    ).first()
    if row is None:
        raise ValidationError("Action", "it is no longer there; reload to see the list")
    return row


def _draft_session(
    conn: Connection,
    session_id: int,
    finished: str = "start a new session to add to it",
) -> Row:
    se = s.sessions
    row = conn.execute(
        sa.select(se.c.id, se.c.coach_id, se.c.rep_id, se.c.held_on, se.c.status).where(
            se.c.id == int(session_id)
        )
    ).first()
    if row is None:
        raise ValidationError("Session", "it is no longer there; reload the page")
    if row.status != "draft":
        raise ValidationError("Session", f"it is already finished; {finished}")
    return row
