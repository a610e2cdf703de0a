"""Live observation: one tap per behaviour seen, partly seen or missed, during a call.

A coach watching a call or ride-along taps a behaviour several times a minute, so
:func:`log_observation` is one INSERT (it reads the session's coach and rep in the
same statement) and :func:`tally` one grouped query. :func:`undo_last` takes back
the latest tap.

Behaviours outside the session's focus
--------------------------------------
They are allowed: a coach who sees the rep do something else worth noting should
not have to stop and change the plan mid-call. The tally flags them
(``in_focus`` False) and lists them after the focus behaviours, so the view can
show them apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NoReturn

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.store import access
from coachkit.store import schema as s

#: What the coach saw, in the order the view shows the buttons.
OUTCOMES = ("seen", "partly", "missed")
#: Longest note per observation (characters).
NOTE_MAX = 500

TALLY_COLUMNS = [
    "behaviour_id",
    "behaviour",
    "in_focus",
    "seen",
    "partly",
    "missed",
    "total",
]
LOG_COLUMNS = ["id", "observed_at", "behaviour_id", "behaviour", "outcome", "note"]


@dataclass(frozen=True)
class Observation:
    """One tap: a behaviour seen, partly seen or missed, when, with a short note."""

    id: int
    behaviour_id: int
    behaviour: str
    outcome: str
    note: str
    observed_at: dt.datetime


def check_observation(outcome: str, note: str) -> str:
    """Check an outcome and a note; return the note, trimmed.

    Raises
    ------
    ValidationError
        ``Outcome`` is not seen, partly or missed; ``Note`` is over
        :data:`NOTE_MAX` characters.
    """
    if outcome not in OUTCOMES:
        raise ValidationError("Outcome", "pick seen, partly or missed")
    text = str(note or "").strip()
    if len(text) > NOTE_MAX:
        raise ValidationError(
            "Note", f"keep it to {NOTE_MAX} characters or fewer (now {len(text)})"
        )
    return text


@access.checks("session_id")
def log_observation(
    conn: Connection,
    *,
    session_id: int,
    behaviour_id: int,
    outcome: str,
    note: str = "",
    at: dt.datetime | None = None,
) -> int:
    """Record one observation on a draft session; return its id.

    Parameters
    ----------
    conn
        A connection inside the caller's transaction.
    session_id
        The session being observed; it must still be a draft.
    behaviour_id
        Any behaviour of the framework (see the module notes on focus).
    outcome
        ``seen``, ``partly`` or ``missed``.
    note
        Up to :data:`NOTE_MAX` characters, stored exactly as typed (trimmed).
    at
        When it was seen; defaults to now (local time, like every stored time).

    Raises
    ------
    ValidationError
        Bad outcome or note, an unknown behaviour, or a session that is gone or
        already finished. Nothing is written.
    """
    text = check_observation(outcome, note)
    se, b, o = s.sessions, s.behaviours, s.observations
    when = at if at is not None else dt.datetime.now()
    source = (
        sa.select(
            se.c.coach_id,
            se.c.rep_id,
            se.c.id,
            b.c.id,
            sa.literal(when, sa.DateTime),
            sa.literal(outcome, sa.String),
            sa.literal(text, sa.Text),
        )
        .select_from(se.join(b, sa.true()))
        .where(
            se.c.id == int(session_id),
            se.c.status == "draft",
            b.c.id == int(behaviour_id),
        )
    )
    columns = [
        "coach_id",
        "rep_id",
        "session_id",
        "behaviour_id",
        "observed_at",
        "outcome",
        "note",
    ]
    query = o.insert().from_select(columns, source).returning(o.c.id)
    new_id = conn.execute(query).scalar_one_or_none()
    if new_id is None:
        _explain_refusal(conn, int(session_id), int(behaviour_id))
    return int(new_id)


@access.checks("session_id")
def undo_last(conn: Connection, session_id: int) -> int | None:
    """Take back the latest observation of a draft session; return its id.

    Returns None when there was nothing to take back.

    Raises
    ------
    ValidationError
        The session is already finished.
    """
    o, se = s.observations, s.sessions
    status = conn.execute(
        sa.select(se.c.status).where(se.c.id == int(session_id))
    ).scalar_one_or_none()
    if status == "done":
        raise ValidationError("Session", "it is already finished; nothing was undone")
    last = conn.execute(
        sa.select(o.c.id)
        .where(o.c.session_id == int(session_id))
        .order_by(o.c.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if last is None:
        return None
    conn.execute(o.delete().where(o.c.id == last))
    return int(last)


@access.checks("session_id")
def observation_log(conn: Connection, session_id: int) -> pd.DataFrame:
    """Every observation of a session, oldest first.

    Columns: id, observed_at (datetime), behaviour_id, behaviour, outcome, note.
    """
    o, b = s.observations, s.behaviours
    query = (
        sa.select(
            o.c.id, o.c.observed_at, o.c.behaviour_id, b.c.name, o.c.outcome, o.c.note
        )
        .join(b, o.c.behaviour_id == b.c.id)
        .where(o.c.session_id == int(session_id))
        .order_by(o.c.observed_at, o.c.id)
    )
    rows = [tuple(r) for r in conn.execute(query)]
    return pd.DataFrame(rows, columns=LOG_COLUMNS)


@access.checks("session_id")
def session_observations(conn: Connection, session_id: int) -> tuple[Observation, ...]:
    """The observations of a session as values, oldest first."""
    frame = observation_log(conn, session_id)
    return tuple(
        Observation(
            id=int(r.id),
            behaviour_id=int(r.behaviour_id),
            behaviour=str(r.behaviour),
            outcome=str(r.outcome),
            note=str(r.note),
            observed_at=r.observed_at,
        )
        for r in frame.itertuples(index=False)
    )


@access.checks("session_id")
def tally(conn: Connection, session_id: int) -> pd.DataFrame:
    """Counts of seen, partly and missed per behaviour for one session.

    Every focus behaviour has a row, even before its first tap; other behaviours
    follow once observed.

    Returns
    -------
    pandas.DataFrame
        Columns behaviour_id, behaviour, in_focus, seen, partly, missed, total (see
        :func:`tally_from` for the order).
    """
    o, sf, b = s.observations, s.session_focus, s.behaviours
    sid = int(session_id)
    counts = conn.execute(
        sa.select(
            o.c.behaviour_id,
            b.c.name,
            o.c.outcome,
            sa.func.count(),
            sa.func.min(o.c.id),
        )
        .join(b, o.c.behaviour_id == b.c.id)
        .where(o.c.session_id == sid)
        .group_by(o.c.behaviour_id, b.c.name, o.c.outcome)
    ).all()
    focus = conn.execute(
        sa.select(sf.c.behaviour_id, b.c.name)
        .join(b, sf.c.behaviour_id == b.c.id)
        .where(sf.c.session_id == sid)
        .order_by(b.c.position, b.c.id)
    ).all()
    long = pd.DataFrame(
        [tuple(r) for r in counts],
        columns=["behaviour_id", "behaviour", "outcome", "count", "first_id"],
    )
    return tally_from(long, {int(r[0]): str(r[1]) for r in focus})


def tally_from(
    frame: pd.DataFrame, focus: Mapping[int, str] | None = None
) -> pd.DataFrame:
    """Count outcomes per behaviour: the pure part of :func:`tally`.

    Parameters
    ----------
    frame
        One row per observation (columns behaviour_id, behaviour, outcome), or
        already counted with a ``count`` column. A ``first_id`` or ``observed_at``
        column orders behaviours outside the focus by their first observation;
        without one, the frame's order does.
    focus
        The session's focus behaviours, id -> name, in the order to show them.

    Returns
    -------
    pandas.DataFrame
        Columns behaviour_id, behaviour, in_focus, seen, partly, missed, total:
        the focus behaviours first (in ``focus`` order, zeros included), then the
        others in the order they were first observed.

    Raises
    ------
    ValueError
        ``frame`` holds an outcome other than seen, partly or missed.
    """
    focus = dict(focus or {})
    unknown = set(frame["outcome"]) - set(OUTCOMES) if len(frame) else set()
    if unknown:
        raise ValueError(f"unknown outcomes in the frame: {sorted(unknown)}")
    data = frame.copy()
    if "count" not in data:
        data["count"] = 1
    order_by = next((c for c in ("first_id", "observed_at") if c in data), None)
    data["_order"] = data[order_by] if order_by else range(len(data))
    names = dict(focus)
    for bid, name in zip(data["behaviour_id"], data["behaviour"], strict=True):
        names.setdefault(int(bid), str(name))
    first = data.groupby("behaviour_id")["_order"].min().sort_values(kind="stable")
    others = [int(b) for b in first.index if int(b) not in focus]
    ids = list(focus) + others
    wide = (
        data.pivot_table(
            index="behaviour_id",
            columns="outcome",
            values="count",
            aggfunc="sum",
            fill_value=0,
        )
        .reindex(index=ids, columns=list(OUTCOMES), fill_value=0)
        .astype(int)
    )
    out = pd.DataFrame(
        {
            "behaviour_id": ids,
            "behaviour": [names[b] for b in ids],
            "in_focus": [b in focus for b in ids],
        }
    )
    for outcome in OUTCOMES:
        out[outcome] = wide[outcome].to_numpy() if ids else []
    out["total"] = out[list(OUTCOMES)].sum(axis=1).astype(int)
    return out[TALLY_COLUMNS]


def _explain_refusal(conn: Connection, session_id: int, behaviour_id: int) -> NoReturn:
    se, b = s.sessions, s.behaviours
    status = conn.execute(
        sa.select(se.c.status).where(se.c.id == session_id)
    ).scalar_one_or_none()
    if status is None:
        raise ValidationError("Session", "it is no longer there; reload the page")
    if status != "draft":
        raise ValidationError(
            "Session", "it is already finished; start a new session to log more"
        )
    known = conn.execute(sa.select(b.c.id).where(b.c.id == behaviour_id)).first()
    if known is None:
        raise ValidationError("Behaviour", "pick a behaviour from the framework")
    raise ValidationError("Session", "cannot log to it now; reload the page")
