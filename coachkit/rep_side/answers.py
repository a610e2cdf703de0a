"""What a rep writes on their own page: actions done or not, a session's rating,
and how they see themselves.

Each function checks everything before it writes, and writes on the caller's
connection (one ``store.write()`` per action), so an answer is saved whole or not
at all. The coach's words are never changed: the rep's note goes in
``actions.rep_note``, the coach's stays in ``actions.note``.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.model.typed import check_note
from coachkit.prioritize.assessing import Rating, save_assessment
from coachkit.store import access
from coachkit.store import schema as s

#: The three questions a rep answers about a session, by field.
RATING_FIELDS = {
    "relevant": "Relevant",
    "developmental": "Developmental",
    "motivational": "Motivational",
}
#: Longest "what would help more" answer (characters).
WISH_MAX = 1000


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


@access.rep_checks("rep_id", "action_id")
def mark_action(
    conn: Connection,
    rep_id: int,
    action_id: int,
    done: bool,
    note: str,
    today: dt.date,
) -> None:
    """Mark one of the rep's own open actions done (kept) or not done (missed).

    ``note`` is the rep's own words, required when not done ("say why not"). The
    coach's note is kept as it was.

    Raises
    ------
    ValidationError
        ``Action``: not this rep's, not theirs to do, not open, or its session is
        still a draft; ``Why not``: empty when not done, or too long.
    """
    a, se = s.actions, s.sessions
    row = conn.execute(
        sa.select(
            a.c.rep_id, a.c.owner, a.c.status, a.c.due_on, se.c.status.label("session")
        )
        .select_from(a.outerjoin(se, se.c.id == a.c.session_id))
        .where(a.c.id == int(action_id))
    ).first()
    if row is None or int(row.rep_id) != int(rep_id):
        raise ValidationError("Action", "this action is not on your list")
    if row.session not in (None, "done"):
        raise ValidationError("Action", "this action is not agreed yet")
    if row.owner != "rep":
        raise ValidationError("Action", "this action is your coach's to do")
    if row.status != "open":
        raise ValidationError("Action", "this action is already marked")
    if not isinstance(done, bool):
        raise ValidationError("Done", "pick Done or Not done")
    field = "Note" if done else "Why not"
    text = check_note(note, field)
    if not done and not text:
        raise ValidationError("Why not", "say why not, in a few words")
    conn.execute(
        a.update()
        .where(a.c.id == int(action_id))
        .values(
            status="kept" if done else "missed",
            done_on=today,
            rep_note=text,
            rep_marked_at=_now(),
            row_version=a.c.row_version + 1,
            updated_at=sa.func.now(),
        )
    )


@access.rep_checks("rep_id", "session_id")
def rate_session(
    conn: Connection,
    rep_id: int,
    session_id: int,
    relevant: int,
    developmental: int,
    motivational: int,
    wish: str,
) -> None:
    """Save the rep's rating of one of their finished sessions (1–5 each) and
    what would help more; rating again replaces the answer.

    Raises
    ------
    ValidationError
        ``Relevant``, ``Developmental`` or ``Motivational`` is not a whole number
        from 1 to 5; ``What would help more`` is too long; ``Session`` is not this
        rep's, or not finished.
    """
    scores = {
        name: _score(label, value)
        for (name, label), value in zip(
            RATING_FIELDS.items(), (relevant, developmental, motivational), strict=True
        )
    }
    text = str(wish or "").strip()
    if len(text) > WISH_MAX:
        raise ValidationError(
            "What would help more",
            f"keep it to {WISH_MAX} characters or fewer (now {len(text)})",
        )
    se = s.sessions
    row = conn.execute(
        sa.select(se.c.rep_id, se.c.status, se.c.conflict_of).where(
            se.c.id == int(session_id)
        )
    ).first()
    if row is None or int(row.rep_id) != int(rep_id) or row.conflict_of is not None:
        raise ValidationError("Session", "this session is not on your list")
    if row.status != "done":
        raise ValidationError("Session", "rate it once your coach has finished it")
    conn.execute(
        se.update()
        .where(se.c.id == int(session_id))
        .values(
            **{f"rep_{name}": score for name, score in scores.items()},
            rep_wish=text,
            rep_rated_at=_now(),
            row_version=se.c.row_version + 1,
            updated_at=sa.func.now(),
        )
    )


@access.rep_checks("rep_id")
def self_assess(
    conn: Connection,
    rep_id: int,
    behaviour_id: int,
    skill: int,
    will: int,
    evidence: str,
    today: dt.date,
) -> None:
    """Save the rep's own rating of one behaviour today (source 'self').

    A second rating the same day replaces the first; earlier days stay.

    Raises
    ------
    ValidationError
        A skill or will that is not a whole number from 1 to 5, an unknown
        behaviour, evidence over 2,000 characters (the field names the behaviour,
        such as "Set an agenda — skill"), or an inactive rep.
    """
    coach_id = conn.execute(
        sa.select(s.reps.c.coach_id).where(s.reps.c.id == int(rep_id))
    ).scalar_one()
    save_assessment(
        conn,
        coach_id=int(coach_id),
        rep_id=int(rep_id),
        assessed_on=today,
        source="self",
        ratings=[Rating(behaviour_id, skill, will, evidence)],
        today=today,
    )


def _score(label: str, value: object) -> int:
    """A 1–5 answer, or a one-line message naming the question."""
    if isinstance(value, bool):
        value = None
    try:
        score = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        score = 0
    if isinstance(value, float) and value != score:
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError(label, "pick a whole number from 1 to 5")
    return score
