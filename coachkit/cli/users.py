"""The ``coachkit users`` commands: who may use coachkit, and what they may see.

A coach sees and changes only their own reps; an enablement lead sees everyone's.
``--login`` is the user name a sign-in service passes on (JupyterHub, or the header
a reverse proxy sets); see :mod:`coachkit.web.identity`.
"""

from __future__ import annotations

import click

from coachkit.cli.options import db_option
from coachkit.store.access import USER_ROLES
from coachkit.store.database import (
    open_existing,
    open_for_reading,
    open_store,
    removed_if_failed,
)

_ROLE = click.Choice(USER_ROLES)
_ROLE_HELP = "coach: their own reps only. lead: an enablement lead, sees every coach."


@click.group()
def users() -> None:
    """Add coaches and enablement leads, and say how each one signs in."""


@users.command("list")
@db_option
def list_command(db: str | None) -> None:
    """List everyone, with their role and sign-in name."""
    from coachkit.model.users import list_users

    store = open_for_reading(db)
    try:
        with store.read() as conn:
            people = list_users(conn)
    finally:
        store.dispose()
    if not people:
        click.echo("Nobody yet. Add someone with: coachkit users add NAME")
    for user in people:
        login = f"signs in as {user.login}" if user.login else "no sign-in name"
        click.echo(f"{user.name}: {user.role_words}, {login}")


@users.command()
@click.argument("name")
@click.option("--role", type=_ROLE, default="coach", show_default=True, help=_ROLE_HELP)
@click.option("--login", help="Their user name at JupyterHub or your sign-in proxy.")
@db_option
def add(name: str, role: str, login: str | None, db: str | None) -> None:
    """Add a coach (or an enablement lead) called NAME."""
    from coachkit.model.users import add_user

    with removed_if_failed(db):  # a refused name leaves no new store behind
        store = open_store(db)
        try:
            with store.write() as conn:
                user = add_user(conn, name, role, login)
        finally:
            store.dispose()
    how = f" They sign in as {user.login}." if user.login else ""
    click.echo(f"Added {user.name} as {user.a_role}.{how}")


@users.command()
@click.argument("name")
@click.option("--role", type=_ROLE, help=_ROLE_HELP)
@click.option("--login", help='Their new sign-in name; "" removes it.')
@db_option
def change(name: str, role: str | None, login: str | None, db: str | None) -> None:
    """Change the role or sign-in name of NAME (a name or a sign-in name)."""
    from coachkit.model.users import change_user

    store = open_existing(db)
    try:
        with store.write() as conn:
            user = change_user(conn, name, role=role, login=login)
    finally:
        store.dispose()
    login_words = f"signs in as {user.login}" if user.login else "has no sign-in name"
    click.echo(f"{user.name} is {user.a_role} and {login_words}.")


#: The commands this module adds to ``coachkit``.
COMMANDS: list[click.Command] = [users]
