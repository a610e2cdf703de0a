"""Workshop mode: one store, one demo team per participant, claimed through a seat.

A trainer runs ``coachkit workshop --participants 20``; each participant opens a
workbook, types their name to claim a free seat, and from then on works through
their seat's secret link, seeing only their own team.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit import schema as s
from coachkit.access import Viewer
from coachkit.identity import NotSignedIn


class SeatNeeded(NotSignedIn):
    """A workshop page was opened without a seat link: the participant claims one."""


def has_seats(conn: Connection) -> bool:
    """True when the store was set up for a workshop."""
    return (
        conn.execute(sa.select(sa.func.count()).select_from(s.seats)).scalar_one() > 0
    )


def seat_viewer(conn: Connection, token: str) -> Viewer:
    """The participant coach behind a seat link.

    Raises
    ------
    SeatNeeded
        No seat link was given: the page asks the participant to claim a seat.
    NotSignedIn
        The link names no seat, or a seat nobody has claimed.
    """
    if not token:
        raise SeatNeeded("This is a workshop. Type your name to get your own team.")
    row = conn.execute(
        sa.select(
            s.coaches.c.id, s.coaches.c.name, s.coaches.c.role, s.seats.c.claimed_by
        )
        .join(s.seats, s.seats.c.coach_id == s.coaches.c.id)
        .where(s.seats.c.token == token)
    ).first()
    if row is None or row.claimed_by is None:
        raise NotSignedIn(
            "This seat link does not work. Open the workshop's first page and claim "
            "a seat with your name."
        )
    return Viewer(int(row.id), str(row.name), str(row.role), "seat")
