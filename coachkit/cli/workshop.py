"""The ``coachkit workshop`` command: practice teams for a training day.

A thin layer over :mod:`coachkit.web.workshop` and :mod:`coachkit.web.seat_changes`:
make the seats, list who claimed them (with each seat's link), add or free or reset
one seat, put every team back, write a printable sheet of seat links, and
``coachkit workshop serve``: open the room (every address of this machine, a key,
and one screen that says what to tell the room).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import click

from coachkit.cli.options import db_option
from coachkit.errors import CoachkitError
from coachkit.store.database import (
    Store,
    open_existing,
    open_for_reading,
    open_store,
    removed_if_failed,
)
from coachkit.web import workshop as ws
from coachkit.web import workshop_meta as wm
from coachkit.web.front_door import FrontDoor
from coachkit.web.serve import POOL_SIZE

#: The port ``coachkit workshop serve`` uses unless told otherwise.
PORT = 8866


@click.group(invoke_without_command=True)
@click.option(
    "--participants",
    type=int,
    help="Make this many seats, each a coach with their own copy of a demo team.",
)
@click.option("--reps", default=5, show_default=True, help="Reps on each team.")
@click.option(
    "--reset",
    is_flag=True,
    help="Put every team back to the start, dated up to today. Claimed seats stay "
    "claimed, so participants' links keep working.",
)
@click.option(
    "--free-seats",
    is_flag=True,
    help="With --reset: also free every seat for a new group (old links stop working).",
)
@click.option(
    "--list", "show", is_flag=True, help="List the seats, who claimed each, and links."
)
@click.option("--add-seat", is_flag=True, help="Add one free seat for a latecomer.")
@click.option(
    "--free-seat",
    type=int,
    metavar="N",
    help="Free seat N for someone else (its team goes back, its old link stops).",
)
@click.option(
    "--reset-seat",
    type=int,
    metavar="N",
    help="Put seat N's team back to the start; its person keeps the seat.",
)
@click.option(
    "--sheet",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Write a page to print: every seat's link with a QR code to scan.",
)
@db_option
@click.pass_context
def workshop(
    ctx: click.Context,
    participants: int | None,
    reps: int,
    reset: bool,
    free_seats: bool,
    show: bool,
    add_seat: bool,
    free_seat: int | None,
    reset_seat: int | None,
    sheet: Path | None,
    db: str | None,
) -> None:
    """Set up and run a workshop: one practice team per participant, in one store.

    Use a new store file (--db) for each workshop, then open the room with
    coachkit workshop serve --db FILE. Each participant opens the address it
    prints and types their name to claim a seat.
    """
    tasks = {
        "--participants N": participants is not None,
        "--reset": reset,
        "--list": show,
        "--add-seat": add_seat,
        "--free-seat N": free_seat is not None,
        "--reset-seat N": reset_seat is not None,
        "--sheet FILE": sheet is not None,
    }
    chosen = [name for name, given in tasks.items() if given]
    if ctx.invoked_subcommand is not None:
        if chosen:
            raise click.UsageError(
                f"{chosen[0]} goes before nothing else: run it on its own, without "
                f"{ctx.invoked_subcommand}."
            )
        return
    if len(chosen) != 1:
        raise click.UsageError(
            "say what to do: " + ", ".join(tasks) + " (one of them); or open the "
            "room with: coachkit workshop serve --db FILE"
        )
    if free_seats and not reset:
        raise click.UsageError("--free-seats goes with --reset.")
    if participants is not None:
        ws.check_size(participants, reps)
    # Only making the seats may create the store; a failure leaves no file behind.
    with removed_if_failed(db):
        if participants is not None:
            store = open_store(db)
        elif show or sheet is not None:
            store = open_for_reading(db)
        else:
            store = open_existing(db)
        try:
            if participants is not None:
                _make(store, participants, reps)
            elif show:
                _print_seats(store)
            elif sheet is not None:
                _write_sheet(store, sheet)
            else:
                _change(store, reset, free_seats, add_seat, free_seat, reset_seat)
        finally:
            store.dispose()


def _make(store: Store, participants: int, reps: int) -> None:
    started = time.perf_counter()
    made = ws.create_workshop(store, participants, reps=reps)
    click.echo(
        f"Made {made.seats} seats in {store.location}, each with "
        f"{made.reps_per_seat} reps and history from {made.first_day} to "
        f"{made.last_day} ({time.perf_counter() - started:.1f} s). Open the room "
        f"with: coachkit workshop serve --db {store.location}"
    )


def _change(
    store: Store,
    reset: bool,
    free_seats: bool,
    add_seat: bool,
    free_seat: int | None,
    reset_seat: int | None,
) -> None:
    from coachkit.web import seat_changes

    if reset:
        count = ws.reset_workshop(store, free_seats=free_seats)
        kept = (
            "every seat is free again"
            if free_seats
            else "claimed seats and their links stay"
        )
        click.echo(
            f"Put all {count} teams back to the start, dated up to today; {kept}. "
            "Pages still open say to reload."
        )
    elif add_seat:
        seat = seat_changes.add_seat(store)
        click.echo(
            f"Added seat {seat.number}: the latecomer opens the workshop's address "
            "and types their name."
        )
    elif free_seat is not None:
        seat = seat_changes.free_seat(store, free_seat)
        click.echo(f"Seat {seat.number} is free for someone else; its old link stops.")
    elif reset_seat is not None:
        seat = seat_changes.reset_seat(store, reset_seat)
        who = seat.claimed_by or "nobody yet"
        click.echo(f"Put seat {seat.number}'s team back to the start ({who}).")


def _room(store: Store) -> tuple[list[ws.Seat], wm.Room | None]:
    with store.read() as conn:
        ws.recipe(conn)  # a plain refusal when there is no workshop
        return ws.list_seats(conn), wm.room(conn)


def _first_address(kept: wm.Room | None) -> str:
    from coachkit.web.room import room_addresses

    if kept is None:
        return f"http://127.0.0.1:{PORT}/"
    return room_addresses(kept.host, kept.port, kept.base_url)[0]


def _print_seats(store: Store) -> None:
    from coachkit.web.trainer import seat_url

    seats, kept = _room(store)
    address = _first_address(kept)
    key = kept.server if kept else ""
    claimed = sum(1 for seat in seats if seat.claimed_by)
    click.echo(f"{claimed} of {len(seats)} seats claimed.")
    if kept is None:
        click.echo(
            "The room has not been opened yet (coachkit workshop serve), so these "
            f"links assume {address} and no key."
        )
    for seat in seats:
        if seat.claimed_by:
            at = f" at {seat.claimed_at:%H:%M}" if seat.claimed_at else ""
            click.echo(
                f"Seat {seat.number}: {seat.claimed_by} (claimed{at}) "
                f"{seat_url(address, seat, key)}"
            )
        else:
            click.echo(f"Seat {seat.number}: free")
    if kept is not None:
        click.echo(f"Trainer's page: {_trainer_link(address, kept)}")


def _trainer_link(address: str, kept: wm.Room) -> str:
    from coachkit.web.room import with_key

    page = f"{address.rstrip('/')}/voila/render/1_prioritize.ipynb"
    return with_key(f"{page}?trainer={kept.trainer}", kept.server)


def _write_sheet(store: Store, path: Path) -> None:
    from coachkit.exchange.marks import write_files
    from coachkit.web.trainer import seat_sheet

    seats, kept = _room(store)
    page = seat_sheet(seats, _first_address(kept), kept.server if kept else "")
    (written,) = write_files({path: page})
    click.echo(f"Wrote {written}: open it in a browser and print it.")


@workshop.command("serve")
@db_option
@click.option("--port", default=PORT, show_default=True, help="Port to listen on.")
@click.option(
    "--host",
    default="0.0.0.0",
    show_default=True,
    help="Address to listen on: every address of this machine, so the room can "
    "reach it. 127.0.0.1 keeps it to this machine.",
)
@click.option(
    "--token",
    envvar="COACHKIT_TOKEN",
    metavar="KEY",
    help="The server's key. Default: $COACHKIT_TOKEN, else the key this workshop "
    "used before, else a new one.",
)
@click.option("--base-url", metavar="PATH", help="Serve every page under this path.")
@click.option(
    "--pool-size",
    default=POOL_SIZE,
    show_default=True,
    help="Kernels kept warm per workbook, so pages open faster.",
)
def serve_room(
    db: str | None,
    port: int,
    host: str,
    token: str | None,
    base_url: str | None,
    pool_size: int,
) -> None:
    """Open the room: serve the workshop to everyone on this network.

    Prints the address participants type (this machine's network address, with
    the key in it), the trainer's page, and what to tell the room.
    """
    from coachkit.web import serve as serving

    door = FrontDoor.from_options(os.environ, base_url=base_url, token=token)
    if not serving.port_is_free(host, port):
        raise CoachkitError(
            f"port {port} on {host} is already in use; pick another with --port."
        )
    store = open_existing(db)
    try:
        with store.read() as conn:
            made = ws.recipe(conn)
            claimed = any(seat.claimed_by for seat in ws.list_seats(conn))
        if made.today != dt.date.today() and not claimed:
            ws.reset_workshop(store)
            click.echo("Dated the practice teams up to today.")
        with store.write() as conn:
            kept = wm.keep_room(
                conn, server=door.token, host=host, port=port, base_url=door.base_url
            )
        url = store.url.render_as_string(hide_password=False)
    finally:
        store.dispose()
    door = replace(door, token=kept.server, seat_cookies=True)
    door.check(host, port)
    click.echo(room_screen(kept, made.today if claimed else dt.date.today()))
    sys.exit(serving.serve(url, host=host, port=port, pool_size=pool_size, door=door))


def room_screen(kept: wm.Room, dated: dt.date) -> str:
    """The one screen ``workshop serve`` prints: what to tell the room."""
    from coachkit.web.room import reaches_others, room_addresses, with_key

    addresses = room_addresses(kept.host, kept.port, kept.base_url)
    first = with_key(addresses[0], kept.server)
    lines = [
        "",
        "=" * 70,
        "Tell the room:",
        f"  1. Join this computer's network, then open  {first}",
        "  2. Type your name and press Get my team.",
        "  3. Bookmark the page you get: it is your way back to your team.",
        "",
    ]
    if len(addresses) > 1:
        lines.append("If that address does not open, try one of these:")
        lines += [f"  {with_key(a, kept.server)}" for a in addresses[1:]]
        lines.append("")
    if not reaches_others(kept.host):
        lines += [
            "Only this computer can open it (--host 127.0.0.1). Leave out --host to",
            "let the room in.",
            "",
        ]
    lines += [
        "Your trainer's page (keep it to yourself: seats, progress, resets):",
        f"  {_trainer_link(addresses[0], kept)}",
        "",
        f"The practice teams' history runs up to {dated:%A %d %B %Y}.",
        "Stop the server with Ctrl+C; start it again the same way and every",
        "bookmarked link still works (the key stays the same).",
        "=" * 70,
    ]
    return "\n".join(lines)


def with_seat_cookies(door: FrontDoor, store: Store) -> FrontDoor:
    """``door``, reading the seat cookie when ``store`` holds a workshop (so plain
    ``coachkit serve`` keeps participants in their seats too)."""
    with store.read() as conn:
        return replace(door, seat_cookies=True) if ws.has_seats(conn) else door


#: The commands this module adds to ``coachkit``.
COMMANDS: list[click.Command] = [workshop]
