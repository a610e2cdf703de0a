"""The ``coachkit reps`` commands: a rep's own page, by a secret link or a sign-in.

``reps link NAME`` makes the rep's secret link and prints it (the store keeps only a
hash, so it is shown this once); ``--revoke`` stops it. ``reps login NAME LOGIN``
sets the name a sign-in service knows the rep by. See :mod:`coachkit.rep_side`.
"""

from __future__ import annotations

import click

from coachkit.cli.options import db_option
from coachkit.store.database import open_existing

_COACH_HELP = "The rep's coach, when two teams have a rep of that name."


@click.group()
def reps() -> None:
    """Give a rep their own page: a secret link, or a sign-in name."""


@reps.command()
@click.argument("name")
@click.option("--coach", help=_COACH_HELP)
@click.option(
    "--base",
    default="http://localhost:8866",
    show_default=True,
    help="The address your team opens coachkit at (as coachkit serve prints it).",
)
@click.option("--revoke", is_flag=True, help="Stop the rep's link instead.")
@db_option
def link(name: str, coach: str | None, base: str, revoke: bool, db: str | None) -> None:
    """Print a new secret link to NAME's own page (any older link stops)."""
    from coachkit.exchange.reports.lookup import find_rep
    from coachkit.rep_side import make_rep_link, rep_page_url, revoke_rep_link
    from coachkit.store import schema as s

    store = open_existing(db)
    try:
        with store.write() as conn:
            rep_id, rep = find_rep(conn, name, coach)
            coach_id = conn.execute(
                s.reps.select()
                .with_only_columns(s.reps.c.coach_id)
                .where(s.reps.c.id == rep_id)
            ).scalar_one()
            if revoke:
                stopped = revoke_rep_link(conn, coach_id, rep_id)
            else:
                secret = make_rep_link(conn, coach_id, rep_id)
    finally:
        store.dispose()
    if revoke:
        click.echo(
            f"{rep}'s link no longer works." if stopped else f"{rep} had no link."
        )
        return
    click.echo(f"{rep}'s own page (send it to {rep} only; it works until stopped):")
    click.echo(rep_page_url(base, secret))


@reps.command()
@click.argument("name")
@click.argument("login")
@click.option("--coach", help=_COACH_HELP)
@db_option
def login(name: str, login: str, coach: str | None, db: str | None) -> None:
    """Say that NAME signs in as LOGIN (JupyterHub or your sign-in proxy); "" removes
    it."""
    from coachkit.exchange.reports.lookup import find_rep
    from coachkit.rep_side import set_rep_login
    from coachkit.store import schema as s

    store = open_existing(db)
    try:
        with store.write() as conn:
            rep_id, rep = find_rep(conn, name, coach)
            coach_id = conn.execute(
                s.reps.select()
                .with_only_columns(s.reps.c.coach_id)
                .where(s.reps.c.id == rep_id)
            ).scalar_one()
            set_rep_login(conn, coach_id, rep_id, login)
    finally:
        store.dispose()
    if login.strip():
        click.echo(f"{rep} signs in as {login.strip()} and sees their own page.")
    else:
        click.echo(f"{rep} has no sign-in name.")


#: The commands this module adds to ``coachkit``.
COMMANDS: list[click.Command] = [reps]
