"""The ``coachkit workshop`` command: practice teams for a training day.

A thin layer over :mod:`coachkit.web.workshop`: make the seats, list who claimed them
(with each seat's link, to send again to someone who lost theirs), and put every
team back to the start.
"""

from __future__ import annotations

import time

import click

from coachkit.cli.options import db_option
from coachkit.store.database import (
    Store,
    open_existing,
    open_for_reading,
    open_store,
    removed_if_failed,
)
from coachkit.web import workshop as ws


@click.command()
@click.option(
    "--participants",
    type=int,
    help="Make this many seats, each a coach with their own copy of a demo team.",
)
@click.option("--reps", default=5, show_default=True, help="Reps on each team.")
@click.option(
    "--reset",
    is_flag=True,
    help="Put every team back to the start. Claimed seats stay claimed, so "
    "participants' links keep working.",
)
@click.option(
    "--free-seats",
    is_flag=True,
    help="With --reset: also free every seat for a new group (old links stop working).",
)
@click.option(
    "--list", "show", is_flag=True, help="List the seats, who claimed each, and links."
)
@db_option
def workshop(
    participants: int | None,
    reps: int,
    reset: bool,
    free_seats: bool,
    show: bool,
    db: str | None,
) -> None:
    """Set up a workshop: one practice team per participant, all in one store.

    Use a new store file (--db) for each workshop.

    Start the workbooks with coachkit serve. Each participant opens any workbook,
    types their name to claim a seat, and bookmarks the link they get: it shows
    their own team only.
    """
    chosen = [participants is not None, reset, show]
    if sum(chosen) != 1:
        raise click.UsageError(
            "say what to do: --participants N (make the seats), --reset (put the "
            "teams back) or --list (show the seats); one of them."
        )
    if free_seats and not reset:
        raise click.UsageError("--free-seats goes with --reset.")
    if participants is not None:
        ws.check_size(participants, reps)
    # Only making the seats may create the store; a failure leaves no file behind.
    with removed_if_failed(db):
        if participants is not None:
            store = open_store(db)
        elif reset:
            store = open_existing(db)
        else:  # --list only reads
            store = open_for_reading(db)
        _make_reset_or_list(store, participants, reps, reset, free_seats)


def _make_reset_or_list(
    store: Store, participants: int | None, reps: int, reset: bool, free_seats: bool
) -> None:
    try:
        if participants is not None:
            started = time.perf_counter()
            made = ws.create_workshop(store, participants, reps=reps)
            click.echo(
                f"Made {made.seats} seats in {store.location}, each with "
                f"{made.reps_per_seat} reps and history from {made.first_day} to "
                f"{made.last_day} ({time.perf_counter() - started:.1f} s). Start "
                f"the workbooks with: coachkit serve --db {store.location}"
            )
        elif reset:
            count = ws.reset_workshop(store, free_seats=free_seats)
            kept = (
                "every seat is free again"
                if free_seats
                else "claimed seats and their links stay"
            )
            click.echo(
                f"Put all {count} teams back to the start; {kept}. Participants "
                "reload their pages to see it."
            )
        else:
            with store.read() as conn:
                ws.recipe(conn)  # a plain refusal when there is no workshop
                seats = ws.list_seats(conn)
            _print_seats(seats)
    finally:
        store.dispose()


def _print_seats(seats: list[ws.Seat]) -> None:
    claimed = sum(1 for seat in seats if seat.claimed_by)
    click.echo(
        f"{claimed} of {len(seats)} seats claimed. Links go after the server's "
        "address (and its --base-url path), such as http://127.0.0.1:8866"
    )
    for seat in seats:
        if seat.claimed_by:
            at = f" at {seat.claimed_at:%H:%M}" if seat.claimed_at else ""
            click.echo(
                f"Seat {seat.number}: {seat.claimed_by} (claimed{at}) {seat.link}"
            )
        else:
            click.echo(f"Seat {seat.number}: free")


#: The commands this module adds to ``coachkit``.
COMMANDS: list[click.Command] = [workshop]
