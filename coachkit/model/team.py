"""The roster: add, edit, deactivate and list a coach's reps.

Every function takes a :class:`~sqlalchemy.engine.Connection`; writes belong in the
caller's transaction, so a whole form is saved or none of it::

    with store.write() as conn:
        rep = add_rep(conn, coach_id, "Dana Reyes", segment="SMB")

Input is checked before anything is written, and bad input raises
:class:`~coachkit.errors.ValidationError` naming the field. An edit carries the
``row_version`` the screen showed; if someone saved the rep in between, the edit
raises :class:`~coachkit.store.versions.ConflictError` and changes nothing. Deactivating
a
rep hides them from the roster but keeps all their history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.model.names import alike_problem, clean_name, name_problem, too_alike
from coachkit.model.text import checked_text, name_key
from coachkit.store import access
from coachkit.store import schema as s
from coachkit.store.versions import update_versioned

#: Longest rep name, role and segment the store keeps (characters).
NAME_MAX = 120
ROLE_MAX = 80
SEGMENT_MAX = 80
DEFAULT_ROLE = "Account Executive"


@dataclass(frozen=True)
class Rep:
    """A seller on a coach's team. ``row_version`` goes back with every edit."""

    id: int
    coach_id: int
    name: str
    role: str
    segment: str
    start_date: dt.date | None
    active: bool
    row_version: int

    @classmethod
    def from_row(cls, row: Any) -> Rep:
        """Build a rep from a ``reps`` row (a SQLAlchemy Row or a mapping)."""
        m: Mapping[str, Any] = getattr(row, "_mapping", row)
        return cls(
            id=int(m["id"]),
            coach_id=int(m["coach_id"]),
            name=str(m["name"]),
            role=str(m["role"]),
            segment=str(m["segment"] or ""),
            start_date=m["start_date"],
            active=bool(m["active"]),
            row_version=int(m["row_version"]),
        )


@access.checks("coach_id")
def add_rep(
    conn: Connection,
    coach_id: int,
    name: str,
    role: str = DEFAULT_ROLE,
    segment: str = "",
    start_date: dt.date | None = None,
    *,
    today: dt.date | None = None,
) -> Rep:
    """Add a rep to ``coach_id``'s team and return them.

    Parameters
    ----------
    conn
        A connection inside the caller's transaction.
    coach_id
        The coach the rep reports to.
    name
        The rep's name; spaces around it are dropped. HTML-looking text is kept as
        typed (screens show it as text).
    role, segment
        Free text, such as "Account Executive" and "SMB". Segment may be empty.
    start_date
        The day the rep joined, or None when unknown; not after ``today``.
    today
        The day to compare ``start_date`` with; defaults to the real today.

    Raises
    ------
    ValidationError
        Empty, too long or duplicate name (case and outer spaces do not count),
        a name with a character nobody can see, a name that only looks like one
        already on the team (an accent or a look-alike letter apart, see
        :mod:`coachkit.model.names`), empty or too long role, too long segment, a
        start date in the future, or an unknown coach. Nothing is written.
    """
    coach_id = int(coach_id)  # numpy ids from a DataFrame bind as blobs in SQLite
    values = _checked(conn, coach_id, None, name, role, segment, start_date, today)
    coach = sa.select(s.coaches.c.id).where(s.coaches.c.id == coach_id)
    if conn.execute(coach).first() is None:
        raise ValidationError("Coach", f"there is no coach with id {coach_id}")
    rep_id = conn.execute(
        s.reps.insert()
        .values(coach_id=coach_id, active=True, **values)
        .returning(s.reps.c.id)
    ).scalar_one()
    return get_rep(conn, rep_id)


@access.checks("rep_id")
def update_rep(
    conn: Connection,
    rep_id: int,
    *,
    expected_version: int,
    name: str,
    role: str,
    segment: str,
    start_date: dt.date | None,
    today: dt.date | None = None,
) -> Rep:
    """Change a rep's name, role, segment and start date; return the saved rep.

    When nothing differs from the store, nothing is written (the rep keeps its
    ``row_version``).

    Parameters
    ----------
    expected_version
        The ``row_version`` of the rep the screen showed.
    name, role, segment, start_date, today
        As for :func:`add_rep`.

    Raises
    ------
    ValidationError
        As for :func:`add_rep`, or an unknown rep.
    ConflictError
        Someone saved this rep since the screen loaded it. Nothing is changed.
    """
    rep = get_rep(conn, rep_id)
    rep_id = rep.id
    values = _checked(
        conn, rep.coach_id, rep.id, name, role, segment, start_date, today
    )
    stored = conn.execute(
        sa.select(*(s.reps.c[k] for k in values)).where(s.reps.c.id == rep_id)
    ).one()
    if dict(stored._mapping) == values and rep.row_version == expected_version:
        return rep  # nothing changed: nothing is written
    update_versioned(conn, s.reps, rep_id, expected_version, values, "rep")
    return get_rep(conn, rep_id)


@access.checks("rep_id")
def set_active(
    conn: Connection, rep_id: int, active: bool, *, expected_version: int
) -> Rep:
    """Deactivate (or bring back) a rep; their history is kept either way.

    An inactive rep leaves the roster, the heat map and the ranking, but their
    assessments, sessions and numbers stay in the store.

    Raises
    ------
    ValidationError
        An unknown rep.
    ConflictError
        Someone saved this rep since the screen loaded it. Nothing is changed.
    """
    rep_id = get_rep(conn, rep_id).id
    values = {"active": bool(active)}
    update_versioned(conn, s.reps, rep_id, expected_version, values, "rep")
    return get_rep(conn, rep_id)


@access.checks("rep_id")
def get_rep(conn: Connection, rep_id: int) -> Rep:
    """Return one rep, active or not.

    Raises
    ------
    ValidationError
        There is no rep with ``rep_id``.
    """
    row = conn.execute(sa.select(s.reps).where(s.reps.c.id == int(rep_id))).first()
    if row is None:
        raise ValidationError("Rep", f"there is no rep with id {rep_id}")
    return Rep.from_row(row)


@access.checks("coach_id")
def list_reps(
    conn: Connection, coach_id: int | None, include_inactive: bool = False
) -> list[Rep]:
    """Return a coach's reps (every coach's when ``coach_id`` is None), by name.

    Inactive reps are left out unless ``include_inactive`` is true.
    """
    query = sa.select(s.reps).order_by(sa.func.lower(s.reps.c.name), s.reps.c.id)
    if coach_id is not None:
        query = query.where(s.reps.c.coach_id == int(coach_id))
    if not include_inactive:
        query = query.where(s.reps.c.active.is_(True))
    return [Rep.from_row(row) for row in conn.execute(query)]


def _checked(
    conn: Connection,
    coach_id: int,
    rep_id: int | None,
    name: object,
    role: object,
    segment: object,
    start_date: object,
    today: dt.date | None,
) -> dict[str, Any]:
    """Check a rep form; return the clean column values or raise ValidationError."""
    typed = checked_text(
        "Name", name, NAME_MAX, empty="type the rep's name", one_line=True
    )
    if (problem := name_problem(typed)) is not None:
        raise ValidationError("Name", problem)
    the_name = clean_name(typed)
    clean_role = checked_text(
        "Role",
        role,
        ROLE_MAX,
        empty="type the rep's role, such as Account Executive",
        one_line=True,
    )
    clean_segment = checked_text("Segment", segment, SEGMENT_MAX, one_line=True)
    day = _start_date(start_date, today or dt.date.today())
    _check_unique(conn, coach_id, rep_id, the_name)
    return {
        "name": the_name,
        "role": clean_role,
        "segment": clean_segment,
        "start_date": day,
    }


def _start_date(value: object, today: dt.date) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise ValidationError("Start date", "pick a date from the calendar")
    if value > today:
        raise ValidationError(
            "Start date",
            f"{value.isoformat()} is in the future; pick the day the rep joined "
            f"(today, {today.isoformat()}, or earlier)",
        )
    return value


def _check_unique(
    conn: Connection, coach_id: int, rep_id: int | None, name: str
) -> None:
    r = s.reps
    query = sa.select(r.c.id, r.c.name, r.c.active).where(r.c.coach_id == coach_id)
    wanted = name_key(name)
    others = [row for row in conn.execute(query) if row.id != rep_id]
    alike = too_alike(name, (other_name for _, other_name, _ in others))
    if alike is not None:
        raise ValidationError("Name", alike_problem(name, alike, "on this team"))
    for _, other_name, active in others:
        if name_key(other_name) != wanted:
            continue
        if active:
            raise ValidationError("Name", f"{other_name} is already on your team")
        raise ValidationError(
            "Name",
            f"{other_name} was on your team before and is inactive; turn them back "
            "on instead of adding them again",
        )


@access.checks("coach_id", "rep_id")
def team_coach(conn: Connection, coach_id: int, rep_id: int) -> int:
    """Return the rep's coach, checking that ``coach_id`` may act for the rep.

    A coach acts for their own reps; an enablement lead for anyone's.

    Raises
    ------
    ValidationError
        An unknown coach or rep, or a rep on another coach's team.
    """
    role = conn.execute(
        sa.select(s.coaches.c.role).where(s.coaches.c.id == int(coach_id))
    ).scalar_one_or_none()
    if role is None:
        raise ValidationError("Coach", "pick who you are from the list of coaches")
    team = conn.execute(
        sa.select(s.reps.c.coach_id).where(s.reps.c.id == int(rep_id))
    ).scalar_one_or_none()
    if team is None:
        raise ValidationError("Rep", "pick a rep from the list")
    if team != int(coach_id) and role != "lead":
        raise ValidationError("Rep", "this rep is on another coach's team")
    return int(team)
