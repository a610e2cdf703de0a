"""The trainer's page: the room's address, every seat's progress, and one-click fixes.

Opened with the trainer's key (``?trainer=...``, printed by ``coachkit workshop
serve``) on any workbook's address. It shows the address participants type,
the seat list with what each participant saved in each workbook, and buttons to
give a seat's link again, put one team back, free a seat, add a seat for a
latecomer, put every team back, and download a printable sheet of seat links
with QR codes. Everything it does is a function of :mod:`coachkit.web`, which
``coachkit workshop`` also runs.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w
import traitlets as t

from coachkit.apps.downloads import data_link
from coachkit.apps.shell import _CSS, READY_CLASS, AppState, guarded, text
from coachkit.apps.workshop_page import WorkshopPage, status_html
from coachkit.errors import ValidationError
from coachkit.model.pillars import PILLARS
from coachkit.store.database import Store
from coachkit.web import seat_changes, trainer
from coachkit.web import workshop as ws
from coachkit.web.room import reaches_others, room_addresses, with_key
from coachkit.web.workshop_meta import Room, room


class TrainerState(AppState):
    """The trainer's page: which seat is picked (its number; 0 for none)."""

    seat = t.Int(0)


class TrainerView(WorkshopPage):
    """The trainer's page over the whole store.

    Parameters
    ----------
    store
        The whole store (the trainer changes every seat).
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.state = TrainerState()
        with store.read() as conn:
            self.room = room(conn) or Room("", "")
        self.address = room_addresses(
            self.room.host, self.room.port, self.room.base_url
        )[0]
        header = w.HTML(
            _CSS
            + "<h1>Trainer's page</h1>"
            + "<p class='ck-purpose'>Your workshop at a glance: who has a seat, what "
            "each person has done, and fixes for the usual hiccups.</p>"
        )
        self.where = w.HTML(self._where_html())
        self.where.add_class("ck-room")
        self.table = w.HTML()
        self.table.add_class("ck-seat-table")
        self.picker = w.Dropdown(
            options=[("Pick a seat", 0)],
            value=0,
            description="Seat",
            layout=w.Layout(width="420px", max_width="100%"),
        )
        self.picker.add_class("ck-seat-pick")
        w.link((self.picker, "value"), (self.state, "seat"))
        self.buttons = {
            "resend": w.Button(description="Show its link again"),
            "reset": w.Button(description="Put its team back"),
            "free": w.Button(description="Free this seat", button_style="warning"),
            "add": w.Button(description="Add a seat", button_style="primary"),
            "refresh": w.Button(description="Refresh the list"),
            "sheet": w.Button(description="Make the printable seat sheet"),
            "reset_all": w.Button(
                description="Put every team back", button_style="danger"
            ),
        }
        for name, button in self.buttons.items():
            button.add_class(f"ck-trainer-{name.replace('_', '-')}")
            button.layout.width = "auto"  # the whole label, on a phone too
            button.layout.min_width = "140px"
        self.sure = w.Checkbox(
            description="Yes, every team goes back to the start",
            indent=False,
            layout=w.Layout(width="auto"),
        )
        self.sure.add_class("ck-trainer-sure")
        self.status = w.HTML()
        self.status.add_class("ck-status-line")
        self.shown = w.HTML()
        self.shown.add_class("ck-trainer-shown")
        b = self.buttons
        self.root = w.VBox(
            [
                header,
                self.where,
                self.table,
                w.HBox([b["refresh"], b["add"], b["sheet"]]),
                w.HBox([self.picker, b["resend"], b["reset"], b["free"]]),
                w.HBox([b["reset_all"], self.sure]),
                self.status,
                self.shown,
            ]
        )
        self.root.add_class("coachkit-app")
        self.root.add_class("coachkit-trainer")
        self.state.observe(self._show_status, names=["message", "level"])
        actions = {
            "resend": (self.resend, "showing the seat's link"),
            "reset": (self.reset_seat, "putting the team back"),
            "free": (self.free_seat, "freeing the seat"),
            "add": (self.add_seat, "adding a seat"),
            "refresh": (self.refresh, "reading the seats"),
            "sheet": (self.sheet, "making the seat sheet"),
            "reset_all": (self.reset_all, "putting every team back"),
        }
        for name, (action, doing) in actions.items():
            b[name].on_click(guarded(self.state, doing)(_ignore_widget(action)))
        self.refresh()
        self.state.say("Pick a seat above to give its link again or fix it.", "info")
        self.root.add_class(READY_CLASS)

    # -- what the buttons do --------------------------------------------------------
    def refresh(self) -> None:
        """Read the seats again and show them."""
        with self.store.read() as conn:
            self.progress = trainer.seat_progress(conn)
        self.table.value = _table_html(self.progress)
        self.picker.options = [("Pick a seat", 0)] + [
            (f"Seat {p.seat.number}: {p.seat.claimed_by or 'free'}", p.seat.number)
            for p in self.progress
        ]
        if self.state.seat > len(self.progress):
            self.state.seat = 0

    def resend(self) -> None:
        """Show the picked seat's link and QR code, to give it again."""
        seat = self._picked().seat
        url = trainer.seat_url(self.address, seat, self.room.server)
        whose = f"{text(seat.claimed_by)}'s link" if seat.claimed_by else "Free seat"
        self.shown.value = (
            f"<p><b>{whose}</b> (seat {seat.number}): ask them to open it, or to "
            f"scan the code.</p><p><a class='ck-resend-link' href='{text(url)}' "
            f"target='_blank'>{text(url)}</a></p>{trainer.qr_svg(url)}"
        )
        self.state.say(f"Seat {seat.number}'s link is shown below.", "ok")

    def reset_seat(self) -> None:
        """Put the picked seat's team back to the start; its person keeps the seat."""
        seat = seat_changes.reset_seat(self.store, self._picked().seat.number)
        self.refresh()
        self.state.say(
            f"Seat {seat.number}'s team is back to the start. An open page of that "
            "seat now asks its person to reload.",
            "ok",
        )

    def free_seat(self) -> None:
        """Free the picked seat for someone else."""
        number = self._picked().seat.number
        seat_changes.free_seat(self.store, number)
        self.refresh()
        self.state.say(f"Seat {number} is free for someone else.", "ok")

    def add_seat(self) -> None:
        """Add a free seat for a latecomer."""
        seat = seat_changes.add_seat(self.store)
        self.refresh()
        self.state.seat = seat.number
        self.state.say(
            f"Added seat {seat.number}. The latecomer opens {self.address} and types "
            "their name.",
            "ok",
        )

    def reset_all(self) -> None:
        """Put every team back to the start (after the box is ticked)."""
        if not self.sure.value:
            self.state.fail(
                "Put every team back: tick the box beside the button first."
            )
            return
        count = ws.reset_workshop(self.store)
        self.sure.value = False
        self.refresh()
        self.state.say(
            f"All {count} teams are back to the start, dated up to today. Open pages "
            "ask their people to reload.",
            "ok",
        )

    def sheet(self) -> None:
        """Offer the printable sheet of seat links with QR codes as a download."""
        page = trainer.seat_sheet(
            [p.seat for p in self.progress], self.address, self.room.server
        )
        self.shown.value = (
            "<p>Open the file, then print it from your browser: "
            + data_link("workshop-seats.html", "text/html", page.encode(), "ck-sheet")
            + "</p>"
        )
        self.state.say("The seat sheet is ready below.", "ok")

    def _picked(self) -> trainer.Progress:
        number = self.state.seat
        if not 1 <= number <= len(self.progress):
            raise ValidationError("Seat", "pick a seat in the list first")
        return self.progress[number - 1]

    # -- what the page shows -----------------------------------------------------------
    def _where_html(self) -> str:
        start = with_key(self.address, self.room.server)
        if not reaches_others(self.room.host):
            return (
                "<p class='ck-room-warning'><b>Only this computer can open the "
                "workshop.</b> Stop the server and start it with <code>coachkit "
                "workshop serve</code>, which lets the room in.</p>"
            )
        others = room_addresses(self.room.host, self.room.port, self.room.base_url)
        more = "".join(
            f"<li>{text(with_key(a, self.room.server))}</li>" for a in others[1:]
        )
        return (
            f"<p>Participants open <b class='ck-room-address'>{text(start)}</b> "
            "and type their name.</p>"
            + (f"<p>If that does not open, try:</p><ul>{more}</ul>" if more else "")
        )

    def _show_status(self, _change: object = None) -> None:
        self.status.value = status_html(self.state.message, self.state.level)


def _ignore_widget(action: Any) -> Any:
    def run(_widget: Any = None) -> Any:
        return action()

    return run


def _table_html(progress: list[trainer.Progress]) -> str:
    heads = "".join(f"<th>{p.number}. {text(p.title)}</th>" for p in PILLARS)
    rows = []
    for item in progress:
        seat = item.seat
        who = text(seat.claimed_by) if seat.claimed_by else "<i>free</i>"
        when = f"{seat.claimed_at:%H:%M}" if seat.claimed_at else ""
        done = "".join(f"<td>{_saved(item.saved[p.key])}</td>" for p in PILLARS)
        rows.append(
            f"<tr><td>{seat.number}</td><td>{who}</td><td>{when}</td>{done}</tr>"
        )
    claimed = sum(1 for item in progress if item.seat.claimed_by)
    return (
        f"<p>{claimed} of {len(progress)} seats taken. The numbers count what each "
        "person saved in each workbook.</p>"
        "<table class='ck-table'><thead><tr><th>Seat</th><th>Who</th>"
        f"<th>Since</th>{heads}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _saved(count: int) -> str:
    if count == 0:
        return "nothing yet"
    return html.escape(f"{count} saved")
