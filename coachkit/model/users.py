"""The people who use coachkit: coaches and enablement leads, with their sign-in names.

A coach sees and changes only their own reps; an enablement lead sees every coach's.
``login`` is the name a sign-in service knows them by (their JupyterHub user name, or
the user name a reverse proxy passes on); :mod:`coachkit.web.identity` looks them up by
it.

A sign-in name belongs to one person: no coach, lead or rep may take one that
another of them has (:func:`refuse_taken_login`; case does not count, as in
names). A rep may not list or look up the coaches: their page needs none of it
(:func:`coachkit.store.access.not_for_reps`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.model.names import alike_problem, clean_name, name_problem, too_alike
from coachkit.model.text import name_key
from coachkit.store import access
from coachkit.store import schema as s
from coachkit.store.access import USER_ROLES

NAME_MAX = 120
LOGIN_MAX = 120


@dataclass(frozen=True)
class User:
    """One coach or enablement lead."""

    id: int
    name: str
    role: str
    login: str | None

    @property
    def role_words(self) -> str:
        """The role as the screens say it."""
        return "enablement lead" if self.role == "lead" else "coach"

    @property
    def a_role(self) -> str:
        """The role with its article: "a coach", "an enablement lead"."""
        return "an enablement lead" if self.role == "lead" else "a coach"


@access.not_for_reps
def list_users(conn: Connection) -> list[User]:
    """Every coach and lead, leads first, then by name."""
    c = s.coaches
    rows = conn.execute(
        sa.select(c.c.id, c.c.name, c.c.role, c.c.login).order_by(
            c.c.role.desc(), c.c.name
        )
    )
    return [User(int(i), str(n), str(r), lg) for i, n, r, lg in rows]


@access.not_for_reps
def find_user(conn: Connection, who: str) -> User:
    """Find a user by name or sign-in name (case and extra spaces do not count).

    Raises
    ------
    ValidationError
        Nobody by that name.
    """
    wanted = name_key(who)
    for user in list_users(conn):
        if wanted in (name_key(user.name), name_key(user.login or "")):
            return user
    raise ValidationError("Name", f"there is nobody called {who!r} in this store")


@access.not_for_reps
def find_by_login(conn: Connection, login: str) -> User | None:
    """The user whose sign-in name is ``login`` (exact, as the service sends it)."""
    for user in list_users(conn):
        if user.login is not None and user.login == login:
            return user
    return None


@access.lead_only
def add_user(
    conn: Connection, name: str, role: str = "coach", login: str | None = None
) -> User:
    """Add a coach or an enablement lead.

    Raises
    ------
    ValidationError
        An empty or too long name or login, an unknown role, a name someone
        already has, a login a coach, lead or rep already has, a name with a
        character nobody can see, or a name that only looks like someone's (see
        :mod:`coachkit.model.names`).
    """
    clean = _checked_name(name)
    role = _checked_role(role)
    login = _checked_login(login)
    users = list_users(conn)
    alike = too_alike(clean, (other.name for other in users))
    if alike is not None:
        raise ValidationError("Name", alike_problem(clean, alike, "a user"))
    for other in users:
        if name_key(other.name) == name_key(clean):
            raise ValidationError("Name", f"{other.name} is already a user")
    if login is not None:
        refuse_taken_login(conn, login)
    new_id = conn.execute(
        sa.insert(s.coaches).values(name=clean, role=role, login=login)
    ).inserted_primary_key
    assert new_id is not None
    return User(int(new_id[0]), clean, role, login)


@access.lead_only
def change_user(
    conn: Connection,
    who: str,
    *,
    role: str | None = None,
    login: str | None = None,
) -> User:
    """Change someone's role or sign-in name; ``login=""`` removes the sign-in name.

    Raises
    ------
    ValidationError
        Nobody by that name, an unknown role, or a login that is not one word or
        that another coach, lead or rep already has.
    """
    user = find_user(conn, who)
    values: dict[str, object] = {}
    if role is not None:
        values["role"] = _checked_role(role)
    if login is not None:
        new_login = _checked_login(login)
        if new_login is not None:
            refuse_taken_login(conn, new_login, changing_coach=user.id)
        values["login"] = new_login
    if values:
        conn.execute(
            sa.update(s.coaches)
            .where(s.coaches.c.id == user.id)
            .values(**values, updated_at=sa.func.now())
        )
    return find_user(conn, user.name)


@access.lead_only
def refuse_taken_login(
    conn: Connection,
    login: str,
    *,
    changing_coach: int | None = None,
    changing_rep: int | None = None,
) -> None:
    """Refuse ``login`` when a coach, a lead or a rep already signs in by it.

    Sign-in names compare as names do (:func:`coachkit.model.text.name_key`): case
    and extra spaces do not count, so ``Val`` is taken when a rep signs in as
    ``val``. ``changing_coach`` or ``changing_rep`` is the id of the person whose
    sign-in name is being set, who may keep their own. Called by :func:`add_user`,
    :func:`change_user` and :func:`coachkit.rep_side.set_rep_login`.

    Raises
    ------
    ValidationError
        ``Login``: names the sign-in name and who already has it.
    """
    wanted = name_key(login)
    c, r = s.coaches, s.reps
    coaches = conn.execute(
        sa.select(c.c.id, c.c.name, c.c.role, c.c.login)
        .where(c.c.login.is_not(None))
        .order_by(c.c.id)
    ).all()
    for ident, name, role, taken in coaches:
        if ident != changing_coach and name_key(taken) == wanted:
            holder = User(int(ident), str(name), str(role), str(taken))
            _refuse_login(login, str(taken), f"{holder.name}, {holder.a_role}")
    reps = conn.execute(
        sa.select(r.c.id, r.c.name, r.c.login, c.c.name.label("coach"))
        .join(c, c.c.id == r.c.coach_id)
        .where(r.c.login.is_not(None))
        .order_by(r.c.id)
    ).all()
    for ident, name, taken, coach in reps:
        if ident != changing_rep and name_key(taken) == wanted:
            _refuse_login(login, str(taken), f"{name}, a rep on {coach}'s team")


def _refuse_login(login: str, taken: str, holder: str) -> NoReturn:
    if taken == login:
        raise ValidationError(
            "Login", f"{login} is already the sign-in name of {holder}"
        )
    raise ValidationError(
        "Login",
        f"{login} is the same as {taken}, the sign-in name of {holder}; capitals "
        "do not count",
    )


def _checked_name(name: str) -> str:
    clean = clean_name(name)
    if (problem := name_problem(clean)) is not None:
        raise ValidationError("Name", problem)
    if not clean:
        raise ValidationError("Name", "type the person's name")
    if len(clean) > NAME_MAX:
        raise ValidationError("Name", f"keep it to {NAME_MAX} characters")
    return clean


def _checked_role(role: str) -> str:
    if role not in USER_ROLES:
        raise ValidationError(
            "Role", f"use coach or lead (enablement lead), not {role!r}"
        )
    return role


def _checked_login(login: str | None) -> str | None:
    if login is None:
        return None
    clean = str(login).strip()
    if not clean:
        return None
    if len(clean) > LOGIN_MAX or any(ch.isspace() for ch in clean):
        raise ValidationError(
            "Login",
            f"use the sign-in name without spaces, up to {LOGIN_MAX} characters",
        )
    return clean
