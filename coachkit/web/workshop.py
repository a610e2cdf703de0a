"""Workshop mode: one store, one demo team per participant, claimed through a seat.

A trainer runs ``coachkit workshop --participants 20``; each participant opens a
workbook, types their name to claim a free seat, and from then on works through
their seat's secret link, seeing only their own team.

Every seat's coach gets a copy of the same practice team
(:mod:`coachkit.web.practice_teams`); the recipe is kept in the ``meta`` table, so
:func:`reset_workshop` can put every team back exactly as it started.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, replace
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs, quote

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import CoachkitError, ValidationError
from coachkit.model.text import name_key
from coachkit.store import access
from coachkit.store import schema as s
from coachkit.store.access import Viewer
from coachkit.store.database import Store
from coachkit.web import workshop_meta as wm
from coachkit.web.identity import NotSignedIn
from coachkit.web.practice_teams import (
    MONTHS,
    SEED,
    Recipe,
    delete_teams,
    insert_teams,
    make_template,
)

#: The most seats one store takes; each participant's open workbook is a kernel.
MAX_SEATS = 200
#: The longest name a participant may type.
NAME_MAX = 60
#: What an unclaimed seat's coach is called.
SEAT_NAME = "Seat {}"
#: ``meta`` key holding the recipe of the start state, as JSON.
META_KEY = "workshop"

#: The cookie that keeps a participant's seat in their browser (set by the page
#: script, static/coachkit.js), and the browser's own random mark.
SEAT_COOKIE = "coachkit_seat"
BROWSER_COOKIE = "coachkit_browser"

_SEAT_LIKE = re.compile(r"seat\s*\d+", re.IGNORECASE)
_TRIES = 20  # conditional claims tried before giving up (only under heavy racing)


class SeatNeeded(NotSignedIn):
    """A workshop page was opened without a seat link: the participant claims one."""


class TrainerHere(SeatNeeded):
    """A workshop page was opened with the trainer's key: the trainer's page shows."""


@dataclass(frozen=True)
class Seat:
    """One participant's place: their coach row, secret link and who claimed it."""

    number: int
    coach_id: int
    coach: str
    token: str
    claimed_by: str | None
    claimed_at: dt.datetime | None

    @property
    def link(self) -> str:
        """The seat's address on the coachkit server (first workbook)."""
        return seat_link(self.token)


@dataclass(frozen=True)
class WorkshopSummary:
    """What :func:`create_workshop` made."""

    seats: int
    reps_per_seat: int
    rows: int
    first_day: dt.date
    last_day: dt.date


# -- finding seats --------------------------------------------------------------------
def has_seats(conn: Connection) -> bool:
    """True when the store was set up for a workshop."""
    return (
        conn.execute(sa.select(sa.func.count()).select_from(s.seats)).scalar_one() > 0
    )


def seat_in(query: str) -> str:
    """The seat token in a page address's query string (``seat=...``), or ""."""
    return parse_qs(query).get("seat", [""])[0]


def seat_link(
    token: str, path: str = "/voila/render/1_prioritize.ipynb", key: str = ""
) -> str:
    """The address of a workbook (``path``) opened in the seat ``token``.

    With the server's ``key``, the link also opens the door after a restart.
    """
    link = f"{path}?seat={quote(token, safe='')}"
    return link + (f"&token={quote(key, safe='')}" if key else "")


def cookie_value(cookie_header: str, name: str) -> str:
    """The value of cookie ``name`` in a ``Cookie`` request header, or ""."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header or "")
    except CookieError:
        return ""
    morsel = jar.get(name)
    return morsel.value if morsel is not None else ""


def workshop_visitor(conn: Connection, query: str, cookie_header: str = "") -> Viewer:
    """The participant behind a workshop page: by the seat link, else the cookie.

    A seat link (``?seat=``) that does not work is refused; a seat cookie that
    does not work (the seat was freed, or the cookie is another workshop's) is
    passed over, and the participant claims a seat again.

    Raises
    ------
    TrainerHere
        The address holds the trainer's key (``?trainer=``).
    SeatNeeded
        Neither the address nor the cookie names a claimed seat.
    NotSignedIn
        The address names no seat, a seat nobody has claimed, or a wrong trainer
        key.
    """
    words = parse_qs(query)
    trainer = words.get("trainer", [""])[0]
    if trainer:
        if wm.is_trainer(conn, trainer):
            raise TrainerHere("The trainer's page.")
        raise NotSignedIn(
            "This trainer link does not work. Copy the trainer link again from the "
            "window where coachkit workshop serve runs."
        )
    seat = words.get("seat", [""])[0]
    if seat:
        return seat_viewer(conn, seat)
    kept = cookie_value(cookie_header, SEAT_COOKIE)
    if kept:
        try:
            return seat_viewer(conn, kept)
        except NotSignedIn:
            pass
    return seat_viewer(conn, "")


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


@access.lead_only
def list_seats(conn: Connection) -> list[Seat]:
    """Every seat in order, with its coach, who claimed it and its secret link.

    For the trainer (the whole store): a signed-in participant is refused.
    """
    rows = conn.execute(
        sa.select(
            s.seats.c.coach_id,
            s.coaches.c.name,
            s.seats.c.token,
            s.seats.c.claimed_by,
            s.seats.c.claimed_at,
        )
        .join(s.coaches, s.coaches.c.id == s.seats.c.coach_id)
        .order_by(s.seats.c.id)
    )
    return [
        Seat(n, int(r.coach_id), str(r.name), str(r.token), r.claimed_by, r.claimed_at)
        for n, r in enumerate(rows, start=1)
    ]


@access.lead_only
def recipe(conn: Connection) -> Recipe:
    """How this store's practice teams were made.

    Raises
    ------
    CoachkitError
        The store holds no workshop.
    """
    text = conn.execute(
        sa.select(s.meta.c.value).where(s.meta.c.key == META_KEY)
    ).scalar()
    if text is None or not has_seats(conn):
        raise CoachkitError(
            "this store holds no workshop; make one with: "
            "coachkit workshop --participants 20 --db <new file>"
        )
    return Recipe.from_json(str(text))


# -- claiming ------------------------------------------------------------------------
def clean_name(name: str) -> str:
    """A participant's name with extra spaces removed, or a plain refusal.

    Raises
    ------
    ValidationError
        The name is empty, too long, has characters that are not text, or looks
        like a seat's own name.
    """
    cleaned = " ".join(str(name).split())
    if not cleaned:
        raise ValidationError("Your name", "type your name first")
    if len(cleaned) > NAME_MAX:
        raise ValidationError(
            "Your name",
            f"keep it to {NAME_MAX} characters or fewer (this one has {len(cleaned)})",
        )
    if not cleaned.isprintable():
        raise ValidationError("Your name", "use letters, digits and punctuation only")
    if _SEAT_LIKE.fullmatch(cleaned):
        raise ValidationError(
            "Your name", f"{cleaned!r} is what the seats are called; type your own name"
        )
    return cleaned


@access.lead_only
def claim_seat(
    conn: Connection, name: str, now: dt.datetime | None = None, browser: str = ""
) -> str:
    """Give the first free seat to ``name``; return its new secret token.

    ``browser`` is the browser's own random mark (its ``coachkit_browser``
    cookie). Typed again on the browser that claimed it, a name gets its seat
    back (the same token) instead of a refusal.

    It runs on the whole store, as nobody has signed in yet (a signed-in
    participant's connection is refused). Call it first thing in a write
    transaction (``with store.write() as conn``): the seat is taken with one
    conditional ``UPDATE`` (only while nobody has it), so two people claiming at
    the same moment never get the same seat. When it raises, the caller's
    transaction rolls back and nothing is claimed.

    The seat's coach takes the participant's name, so the workbooks greet them.

    Raises
    ------
    ValidationError
        The name is refused (see :func:`clean_name`), someone in the workshop has
        it already, or every seat is taken.
    """
    cleaned = clean_name(name)
    back = _own_seat(conn, cleaned, browser)
    if back:
        return back
    now = now or dt.datetime.now().replace(microsecond=0)
    token = secrets.token_urlsafe(16)
    seats = s.seats
    first_free = (
        sa.select(sa.func.min(seats.c.id))
        .where(seats.c.claimed_by.is_(None))
        .scalar_subquery()
    )
    take = (
        sa.update(seats)
        .where(seats.c.id == first_free, seats.c.claimed_by.is_(None))
        .values(
            claimed_by=cleaned,
            claimed_at=now,
            token=token,
            updated_at=now,
            row_version=seats.c.row_version + 1,
        )
    )
    for _ in range(_TRIES):
        if conn.execute(take).rowcount == 1:
            break
        _refuse_when_full(conn)
    else:
        raise ValidationError(
            "Seat", "many people are claiming seats right now; click again"
        )
    coach_id = conn.execute(
        sa.select(seats.c.coach_id).where(seats.c.token == token)
    ).scalar_one()
    _refuse_taken_name(conn, cleaned, coach_id)
    try:
        conn.execute(
            sa.update(s.coaches)
            .where(s.coaches.c.id == coach_id)
            .values(name=cleaned, updated_at=now)
        )
    except sa.exc.IntegrityError as exc:  # someone took it at this very moment
        raise ValidationError("Your name", _taken(cleaned)) from exc
    wm.mark_browser(conn, coach_id, browser)
    return token


def _own_seat(conn: Connection, name: str, browser: str) -> str:
    """The token of the seat ``name`` claimed on this same browser, or ""."""
    if not browser:
        return ""
    wanted = name_key(name)
    rows = conn.execute(
        sa.select(s.seats.c.coach_id, s.seats.c.token, s.seats.c.claimed_by).where(
            s.seats.c.claimed_by.is_not(None)
        )
    )
    for row in rows:
        if name_key(str(row.claimed_by)) == wanted and wm.claimed_from(
            conn, int(row.coach_id), browser
        ):
            return str(row.token)
    return ""


def _refuse_when_full(conn: Connection) -> None:
    total, free = conn.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(s.seats.c.claimed_by.is_(None)),
        ).select_from(s.seats)
    ).one()
    if total == 0:
        raise ValidationError(
            "Seat", "this store is not set up for a workshop, so there are no seats"
        )
    if free == 0:
        raise ValidationError(
            "Seat", f"all {total} seats are taken. Ask your trainer for help"
        )


def _refuse_taken_name(conn: Connection, name: str, own_coach: int) -> None:
    wanted = name_key(name)
    names = conn.execute(
        sa.select(s.coaches.c.name).where(s.coaches.c.id != own_coach)
    ).scalars()
    if any(name_key(other) == wanted for other in names):
        raise ValidationError("Your name", _taken(name))


def _taken(name: str) -> str:
    return (
        f"someone in this workshop is already called {name}; add your last name "
        "or an initial"
    )


# -- making and resetting the practice teams ------------------------------------------
def check_size(participants: int, reps: int) -> None:
    """Refuse a number of seats or reps a workshop cannot have.

    Called before a store is opened, so a wrong number creates no file.

    Raises
    ------
    ValidationError
        ``participants`` is not 1 to :data:`MAX_SEATS`, or ``reps`` not 1 to 50.
    """
    if not 1 <= participants <= MAX_SEATS:
        raise ValidationError("Participants", f"use 1 to {MAX_SEATS} seats")
    if not 1 <= reps <= 50:
        raise ValidationError("Reps", "use 1 to 50 reps per team")


@access.lead_only
def create_workshop(
    store: Store,
    participants: int,
    *,
    today: dt.date | None = None,
    reps: int = 5,
) -> WorkshopSummary:
    """Make ``participants`` seats, each a coach with their own copy of a demo team.

    The seats' coaches are called "Seat 1" to "Seat N" until someone claims them.
    Everything is written in one transaction.

    Parameters
    ----------
    store
        A store with no coaches yet (a framework is fine; the default one is
        installed when there is none).
    participants
        How many seats, 1 to :data:`MAX_SEATS`.
    today
        The last day of each team's history; defaults to the real today.
    reps
        Reps on each team.

    Raises
    ------
    CoachkitError
        The store already has coaches or team data, or a number is out of range.
    """
    from coachkit.model.framework import has_framework, install_framework
    from coachkit.model.templates import load_framework

    check_size(participants, reps)
    made = Recipe(
        today=today or dt.date.today(),
        reps=reps,
        months=MONTHS,
        seed=SEED,
        made_at=dt.datetime.now().replace(microsecond=0),
    )
    with store.write() as conn:
        _refuse_used_store(conn)
        if not has_framework(conn):
            install_framework(conn, load_framework())
    with store.read() as conn:
        template = make_template(conn, made)
    with store.write() as conn:
        _refuse_used_store(conn)
        coach_ids = _insert_ids(
            conn,
            s.coaches,
            [
                {"name": SEAT_NAME.format(n), "role": "coach"}
                for n in range(1, participants + 1)
            ],
        )
        conn.execute(
            s.seats.insert(),
            [{"coach_id": c, "token": secrets.token_urlsafe(16)} for c in coach_ids],
        )
        conn.execute(s.meta.insert(), {"key": META_KEY, "value": made.to_json()})
        rows = insert_teams(conn, template, coach_ids, made.made_at)
    return WorkshopSummary(participants, reps, rows, template.first_day, made.today)


@access.lead_only
def reset_workshop(
    store: Store, *, free_seats: bool = False, today: dt.date | None = None
) -> int:
    """Put every seat's team back as it was when the workshop was made.

    Everything participants added, changed or deleted is undone: the same reps with
    the same history and the same row ids, dated up to ``today`` (default: the
    real today), so the practice team's last week is this week. Claimed seats stay
    claimed, so their links keep working, unless ``free_seats`` (then every seat
    is free again, its coach is "Seat N" again and the old links stop working).
    Pages open on the old teams stop saving and ask for a reload.

    Returns the number of seats. One transaction: all of it, or none.

    Raises
    ------
    CoachkitError
        The store holds no workshop.
    """
    with store.read() as conn:
        made = redated(recipe(conn), today)
        template = make_template(conn, made)
    with store.write() as conn:
        recipe(conn)  # still a workshop
        seats = list_seats(conn)
        coach_ids = [seat.coach_id for seat in seats]
        delete_teams(conn, coach_ids)
        if free_seats:
            release_seats(conn, seats)
        conn.execute(
            sa.update(s.meta)
            .where(s.meta.c.key == META_KEY)
            .values(value=made.to_json())
        )
        wm.mark_reset(conn, coach_ids)
        try:
            insert_teams(
                conn, template, coach_ids, made.made_at, wm.slots(conn, coach_ids)
            )
        except sa.exc.IntegrityError as exc:
            raise CoachkitError(
                "the start state cannot be put back: rows added outside the seats "
                "use the same ids. Make a new workshop with --db <new file>."
            ) from exc
    return len(seats)


def redated(made: Recipe, today: dt.date | None = None) -> Recipe:
    """The same recipe, with its history ending ``today`` (default: the real today)."""
    return replace(
        made,
        today=today or dt.date.today(),
        made_at=dt.datetime.now().replace(microsecond=0),
    )


@access.lead_only
def release_seats(conn: Connection, seats: list[Seat]) -> None:
    """Free these seats: each coach is "Seat N" again and the old links stop."""
    now = dt.datetime.now().replace(microsecond=0)
    # Two steps, so a participant called "Ann" never collides on the way back.
    for seat in seats:
        conn.execute(
            sa.update(s.coaches)
            .where(s.coaches.c.id == seat.coach_id)
            .values(name=f"~seat {seat.coach_id} {secrets.token_hex(4)}")
        )
    for seat in seats:
        conn.execute(
            sa.update(s.coaches)
            .where(s.coaches.c.id == seat.coach_id)
            .values(name=SEAT_NAME.format(seat.number), updated_at=now)
        )
        wm.mark_browser(conn, seat.coach_id, "")
        conn.execute(
            sa.update(s.seats)
            .where(s.seats.c.coach_id == seat.coach_id)
            .values(
                claimed_by=None,
                claimed_at=None,
                token=secrets.token_urlsafe(16),
                updated_at=now,
            )
        )


def _refuse_used_store(conn: Connection) -> None:
    if has_seats(conn):
        raise CoachkitError(
            "this store already holds a workshop. Put its teams back with "
            "coachkit workshop --reset, or make a new one with --db <new file>."
        )
    coaches = conn.execute(sa.select(sa.func.count()).select_from(s.coaches))
    if coaches.scalar_one():
        raise CoachkitError(
            "this store already has coaches and their data, and a workshop needs a "
            "store of its own. Use a new file: coachkit workshop --participants N "
            "--db workshop.db"
        )


def _insert_ids(
    conn: Connection, table: sa.Table, rows: list[dict[str, Any]]
) -> list[int]:
    query = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    return list(conn.execute(query, rows).scalars())
