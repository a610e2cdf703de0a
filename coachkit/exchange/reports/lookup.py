"""Find the coach, rep or session a report (or an analysis) is about.

People type names, so a name matches whatever its case and extra spaces; a coach
can also be given by id. When nothing matches, the error says so in one line and
suggests the closest names.
"""

from __future__ import annotations

import difflib

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import CoachkitError
from coachkit.model.text import name_key
from coachkit.store import access
from coachkit.store import schema as s


@access.not_for_reps
def find_coach(conn: Connection, coach: int | str) -> tuple[int, str]:
    """The ``(id, name)`` of a coach given by id or by name.

    Raises
    ------
    CoachkitError
        No coach has that id or name.
    """
    rows = conn.execute(sa.select(s.coaches.c.id, s.coaches.c.name)).all()
    wanted = name_key(str(coach))
    for row in rows:
        if wanted in (str(row.id), name_key(row.name)):
            return int(row.id), str(row.name)
    raise CoachkitError(
        f"there is no coach called '{coach}'.{_closest(coach, [r.name for r in rows])}"
    )


@access.not_for_reps
def find_rep(
    conn: Connection, rep: str, coach: int | str | None = None
) -> tuple[int, str]:
    """The ``(id, name)`` of a rep given by name, within one coach's team if given.

    Raises
    ------
    CoachkitError
        No rep has that name, or two teams have a rep with it and no coach was
        given.
    """
    r, c = s.reps, s.coaches
    query = sa.select(r.c.id, r.c.name, c.c.name.label("coach")).join(
        c, r.c.coach_id == c.c.id
    )
    where = ""
    if coach is not None:
        coach_id, coach_name = find_coach(conn, coach)
        query = query.where(r.c.coach_id == coach_id)
        where = f" in {coach_name}'s team"
    rows = conn.execute(query.order_by(c.c.name)).all()
    found = [row for row in rows if name_key(row.name) == name_key(rep)]
    if len(found) > 1:
        teams = " and ".join(row.coach for row in found)
        raise CoachkitError(
            f"{len(found)} reps are called '{rep}' (coached by {teams}); "
            "say which team with --coach."
        )
    if not found:
        names = [row.name for row in rows]
        raise CoachkitError(
            f"there is no rep called '{rep}'{where}.{_closest(rep, names)}"
        )
    return int(found[0].id), str(found[0].name)


@access.checks("session_id")
def check_session(conn: Connection, session_id: int) -> int:
    """Return ``session_id`` if that session exists; else a one-line error."""
    found = conn.execute(
        sa.select(s.sessions.c.id).where(s.sessions.c.id == int(session_id))
    ).first()
    if found is None:
        raise CoachkitError(f"there is no coaching session with id {session_id}.")
    return int(session_id)


def _closest(typed: object, names: list[str]) -> str:
    near = difflib.get_close_matches(str(typed), names, n=3, cutoff=0.6)
    return f" Did you mean {' or '.join(near)}?" if near else ""
