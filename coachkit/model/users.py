"""The people who use coachkit: coaches and enablement leads, with their sign-in names.

A coach sees and changes only their own reps; an enablement lead sees every coach's.
``login`` is the name a sign-in service knows them by (their JupyterHub user name, or
the user name a reverse proxy passes on); :mod:`coachkit.web.identity` looks them up by
it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.model.names import alike_problem, clean_name, name_problem, too_alike
from coachkit.model.text import name_key
from coachkit.store import access
from coachkit.store import schema as s
from coachkit.store.access import ROLES

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


def list_users(conn: Connection) -> list[User]:
    """Every coach and lead, leads first, then by name."""
    c = s.coaches
    rows = conn.execute(
        sa.select(c.c.id, c.c.name, c.c.role, c.c.login).order_by(
            c.c.role.desc(), c.c.name
        )
    )
    return [User(int(i), str(n), str(r), lg) for i, n, r, lg in rows]


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
        An empty or too long name or login, an unknown role, a name or login
        someone already has, a name with a character nobody can see, or a name
        that only looks like someone's (see :mod:`coachkit.model.names`).
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
        if login is not None and other.login == login:
            raise ValidationError("Login", f"{other.name} already signs in as {login}")
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
    """Change someone's role or sign-in name; ``login=""`` removes the sign-in name."""
    user = find_user(conn, who)
    values: dict[str, object] = {}
    if role is not None:
        values["role"] = _checked_role(role)
    if login is not None:
        values["login"] = _checked_login(login)
        for other in list_users(conn):
            taken = other.id != user.id and other.login == values["login"]
            if taken and values["login"] is not None:
                raise ValidationError(
                    "Login", f"{other.name} already signs in as {login}"
                )
    if values:
        conn.execute(
            sa.update(s.coaches)
            .where(s.coaches.c.id == user.id)
            .values(**values, updated_at=sa.func.now())
        )
    return find_user(conn, user.name)


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
    if role not in ROLES:
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
