"""What a trainer changes one seat at a time: add a seat, free one, reset one.

A latecomer gets a new seat with the same practice team as everyone else
(:func:`add_seat`); a seat someone left is freed for another person
(:func:`free_seat`); one participant's team goes back to the start while the others
keep theirs (:func:`reset_seat`). Each is one transaction, and each gives the seat a
new reset stamp, so a page still open on the old team stops saving
(:mod:`coachkit.web.workshop_meta`).
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from coachkit.errors import ValidationError
from coachkit.store import access
from coachkit.store import schema as s
from coachkit.store.database import Store
from coachkit.web import workshop as ws
from coachkit.web import workshop_meta as wm
from coachkit.web.practice_teams import (
    Recipe,
    Template,
    delete_teams,
    free_slot,
    insert_teams,
    make_template,
)


@access.lead_only
def add_seat(store: Store) -> ws.Seat:
    """Add one free seat, with its own copy of the practice team; return it.

    Raises
    ------
    ValidationError
        The workshop has :data:`~coachkit.web.workshop.MAX_SEATS` seats already.
    CoachkitError
        The store holds no workshop.
    """
    template, made = _template(store)
    with store.write() as conn:
        seats = ws.list_seats(conn)
        if len(seats) >= ws.MAX_SEATS:
            raise ValidationError(
                "Seat", f"a workshop has at most {ws.MAX_SEATS} seats"
            )
        number = len(seats) + 1
        coach = conn.execute(
            s.coaches.insert().returning(s.coaches.c.id),
            {"name": _free_name(conn, number), "role": "coach"},
        ).scalar_one()
        conn.execute(
            s.seats.insert(), {"coach_id": coach, "token": secrets.token_urlsafe(16)}
        )
        slot = max(len(seats), free_slot(conn, template))
        wm.set_slot(conn, coach, slot)
        insert_teams(conn, template, [coach], made.made_at, [slot])
        return ws.list_seats(conn)[-1]


@access.lead_only
def reset_seat(store: Store, number: int) -> ws.Seat:
    """Put one seat's team back to the start; its claim and link stay.

    Raises
    ------
    ValidationError
        There is no seat ``number``.
    """
    return _back_to_start(store, number, free=False)


@access.lead_only
def free_seat(store: Store, number: int) -> ws.Seat:
    """Free one seat for someone else: its team goes back to the start, its old
    link stops working and its coach is "Seat N" again. Returns the freed seat.

    Raises
    ------
    ValidationError
        There is no seat ``number``.
    """
    return _back_to_start(store, number, free=True)


def _back_to_start(store: Store, number: int, *, free: bool) -> ws.Seat:
    template, made = _template(store)
    with store.write() as conn:
        seat = _seat(conn, number)
        coaches = [seat.coach_id]
        slot = wm.slots(conn, [other.coach_id for other in ws.list_seats(conn)])[
            number - 1
        ]
        delete_teams(conn, coaches)
        wm.mark_reset(conn, coaches)
        insert_teams(conn, template, coaches, made.made_at, [slot])
        if free:
            ws.release_seats(conn, [seat])
        return _seat(conn, number)


def _template(store: Store) -> tuple[Template, Recipe]:
    with store.read() as conn:
        made = ws.recipe(conn)
        return make_template(conn, made), made


def _seat(conn: sa.Connection, number: int) -> ws.Seat:
    seats = ws.list_seats(conn)
    if not 1 <= number <= len(seats):
        raise ValidationError(
            "Seat", f"there is no seat {number}; use a number from 1 to {len(seats)}"
        )
    return seats[number - 1]


def _free_name(conn: sa.Connection, number: int) -> str:
    """ "Seat N", or "Seat N (2)" in the rare case a freed seat holds that name."""
    taken = set(conn.execute(sa.select(s.coaches.c.name)).scalars())
    name, extra = ws.SEAT_NAME.format(number), 2
    while name in taken:
        name, extra = f"{ws.SEAT_NAME.format(number)} ({extra})", extra + 1
    return name
