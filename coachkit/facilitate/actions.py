"""Agreed actions: what the rep or the coach will do after a session, and by when.

A coach types an :class:`ActionDraft`; :func:`check_action` reads it (text, owner,
due date as a date or text such as ``"2026-06-22"``) and :func:`add_action` saves it
on a draft session. Later the coach marks each action kept, missed or dropped
(no longer worth doing) with :func:`set_action_status`, on a day and with an
optional note, or sets it back to open. An action is *overdue* when it is still open
after its due day. A dropped action counts neither as kept nor as missed.

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
from coachkit.model import formats
from coachkit.model.typed import check_note
from coachkit.model.typed import parse_day as parse_day  # re-exported
from coachkit.store import access
from coachkit.store import schema as s
from coachkit.store.versions import update_versioned

#: Who does an action.
OWNERS = ("rep", "coach")
#: What became of an action.
ACTION_STATUSES = ("open", "kept", "missed", "dropped")
#: What an action can be marked, once agreed.
ACTION_OUTCOMES = ("kept", "missed", "dropped")
#: Each status in words, for a screen.
STATUS_WORDS = {
    "open": "Open",
    "overdue": "Overdue",
    "kept": "Kept",
    "missed": "Missed",
    "dropped": "Dropped",
}
#: Who does an action, in words.
OWNER_WORDS = {"rep": "The rep", "coach": "The coach"}
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
    note: str = ""

    def is_overdue(self, today: dt.date) -> bool:
        """True when the action is still open after its due day."""
        return self.status == "open" and self.due_on < today

    def state(self, today: dt.date) -> str:
        """``kept``, ``missed``, ``dropped``, ``open``, or ``overdue``."""
        return "overdue" if self.is_overdue(today) else self.status

    def outcome(self, today: dt.date) -> str:
        """What became of it, in words: ``Kept on 12 June 2026``, ``Overdue``."""
        return outcome_words(self.status, self.done_on, self.due_on, today)

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
            note=str(getattr(row, "note", "") or ""),
        )


def outcome_words(
    status: str, done_on: dt.date | None, due_on: dt.date, today: dt.date
) -> str:
    """An action's state in words, with the day it was marked.

    ``Kept on 12 June 2026``, ``Dropped on 3 June 2026``, ``Open, due 20 June
    2026``, ``Overdue since 10 June 2026``.
    """
    if status == "open":
        if due_on < today:
            return f"Overdue since {formats.day(due_on)}"
        return f"Open, due {formats.day(due_on)}"
    word = STATUS_WORDS.get(status, status.capitalize())
    return f"{word} on {formats.day(done_on)}" if done_on else word


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
        The action is gone, or its session is finished (mark it kept, missed or
        dropped instead).
    """
    session_id = _stored_action(conn, action_id).session_id
    if session_id is not None:
        _draft_session(
            conn, session_id, finished="mark it kept, missed or dropped instead"
        )
    a = s.actions
    conn.execute(a.delete().where(a.c.id == int(action_id)))


@access.checks("action_id")
def set_action_status(
    conn: Connection,
    action_id: int,
    status: str,
    today: dt.date,
    *,
    on: dt.date | str | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> int:
    """Mark an agreed action kept, missed or dropped, or open again; return its version.

    Parameters
    ----------
    conn
        A connection inside the caller's transaction.
    action_id
        An action of a finished session (a draft's actions are not agreed yet).
    status
        ``kept``, ``missed``, ``dropped`` (no longer worth doing; it counts neither
        as kept nor as missed), or ``open`` to take a mark back.
    today
        Today: the day of the mark when ``on`` is None, and the latest day allowed.
    on
        The day it was kept, missed or dropped; ``done_on`` keeps it. Ignored for
        ``open``, which clears the day and the note.
    note
        What happened, in a few words (optional).
    expected_version
        The ``row_version`` the screen showed; None skips the check.

    Raises
    ------
    ValidationError
        ``Status``, ``Date`` or ``Note`` has a problem, the action is gone, or its
        session is still a draft.
    ConflictError
        Someone changed the action since ``expected_version``.
    """
    if status not in ACTION_STATUSES:
        raise ValidationError("Status", "pick kept, missed, dropped or open")
    row = _stored_action(conn, action_id)
    if row.session_id is not None:
        _finished_session(conn, row.session_id)
    values: dict[str, object] = {"status": status, "done_on": None, "note": ""}
    if status != "open":
        day = _mark_day(on, today, row.session_day)
        values.update(done_on=day, note=check_note(note))
    version = row.row_version if expected_version is None else expected_version
    return update_versioned(conn, s.actions, int(action_id), version, values, "action")


def _mark_day(on: object, today: dt.date, earliest: dt.date | None) -> dt.date:
    day = parse_day(on, "Date", today) or today
    if day > today:
        raise ValidationError("Date", f"pick today or an earlier day, not {day}")
    if earliest is not None and day < earliest:
        raise ValidationError(
            "Date", f"pick a day on or after the session, {earliest.isoformat()}"
        )
    return day


@access.checks("rep_id")
def agreed_actions(
    conn: Connection, rep_id: int, today: dt.date, recent_days: int = 60
) -> tuple[Action, ...]:
    """The rep's agreed actions to follow up: all open ones, and those marked lately.

    Actions on an unfinished draft are not agreed yet and are left out. Open
    actions come first, the longest overdue first; then those marked in the last
    ``recent_days`` days, the latest first.
    """
    a, se = s.actions, s.sessions
    since = today - dt.timedelta(days=recent_days)
    rows = conn.execute(
        sa.select(a)
        .select_from(a.outerjoin(se, a.c.session_id == se.c.id))
        .where(
            a.c.rep_id == int(rep_id),
            sa.or_(a.c.session_id.is_(None), se.c.status == "done"),
            sa.or_(a.c.status == "open", a.c.done_on >= since),
        )
        .order_by(a.c.due_on, a.c.id)
    ).all()
    found = [Action.from_row(r) for r in rows]
    still_open = [x for x in found if x.status == "open"]
    marked = sorted(
        (x for x in found if x.status != "open"),
        key=lambda x: (x.done_on or x.due_on, x.id),
        reverse=True,
    )
    return (*still_open, *marked)


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
    """The action's session, its day, due day and version; refused when gone."""
    a, se = s.actions, s.sessions
    row = conn.execute(
        sa.select(
            a.c.session_id,
            a.c.row_version,
            a.c.due_on,
            se.c.held_on.label("session_day"),
        )
        .select_from(a.outerjoin(se, a.c.session_id == se.c.id))
        .where(a.c.id == int(action_id))
    ).first()
    if row is None:
        raise ValidationError("Action", "it is no longer there; reload to see the list")
    return row


def _finished_session(conn: Connection, session_id: int) -> None:
    se = s.sessions
    status = conn.execute(
        sa.select(se.c.status).where(se.c.id == int(session_id))
    ).scalar_one_or_none()
    if status == "draft":
        raise ValidationError(
            "Action", "it is not agreed yet; finish the session first"
        )


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
