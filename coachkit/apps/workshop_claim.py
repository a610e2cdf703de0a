"""What a workshop participant sees before they have a seat: type a name, get a team.

A workbook opened in a workshop store without a seat link shows this instead of the
workbook. Claiming a seat gives the participant links to the three workbooks in
their seat (``?seat=...``); a plain link is all a page can offer, as a widget cannot
send the browser elsewhere by itself.
"""

from __future__ import annotations

import html
import os
from importlib import resources
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import traitlets as t

from coachkit.apps.shell import _CSS, READY_CLASS, AppState, guarded, text
from coachkit.apps.workshop_page import WorkshopPage, status_html
from coachkit.apps.workshop_watch import KEEP_CLASS, browser_mark, keep_html
from coachkit.model.pillars import PILLARS, Pillar, site_path
from coachkit.store.database import Store
from coachkit.web.workshop import (
    NAME_MAX,
    SeatNeeded,
    TrainerHere,
    claim_seat,
    seat_link,
)
from coachkit.web.workshop_meta import room

if TYPE_CHECKING:
    from coachkit.apps.trainer import TrainerView

#: The seat links' style, in ``workshop_claim.css`` beside this module.
_LINKS_CSS = (
    "<style>\n"
    + resources.files("coachkit.apps")
    .joinpath("workshop_claim.css")
    .read_text(encoding="utf-8")
    + "</style>"
)


def seat_page(store: Store, pillar: Pillar, why: SeatNeeded) -> ClaimView | TrainerView:
    """The page a workshop shows instead of a workbook: the trainer's page for the
    trainer's key, else the form that claims a seat."""
    if isinstance(why, TrainerHere):
        from coachkit.apps.trainer import TrainerView

        return TrainerView(store)
    return ClaimView(store, pillar, str(why))


class ClaimState(AppState):
    """The claim form's state: the name typed, and the seat's token once claimed."""

    name = t.Unicode("")
    claimed_by = t.Unicode("")
    token = t.Unicode("")


class ClaimView(WorkshopPage):
    """ "Type your name to get your own practice team", then links to the seat.

    Parameters
    ----------
    store
        The whole store (nobody is signed in yet).
    pillar
        The workbook that was opened: its link comes first.
    message
        Why this page shows (the workshop's greeting).
    """

    def __init__(self, store: Store, pillar: Pillar, message: str) -> None:
        self.store = store
        self.pillar = pillar
        self.state = ClaimState()
        self.browser = browser_mark(os.environ)
        with store.read() as conn:
            kept = room(conn)
        self.key = kept.server if kept else ""
        header = w.HTML(
            _CSS
            + _LINKS_CSS
            + f"<h1>{pillar.number}. {text(pillar.title)}</h1>"
            + f"<p class='ck-purpose'>{text(pillar.purpose)}</p>"
            + "<h2>Workshop: a practice team of your own</h2>"
            + f"<p>{text(message)} Only you will see your team and what you change "
            "in it.</p>"
        )
        self.name = w.Text(
            description="Your name",
            placeholder="for example: Ana Lopez",
            layout=w.Layout(width="420px"),
        )
        self.name.add_class("ck-seat-name")
        self.button = w.Button(description="Get my team", button_style="primary")
        self.button.add_class("ck-claim")
        self.form = w.HBox([self.name, self.button])
        self.status = w.HTML()
        self.status.add_class("ck-status-line")
        self.links = w.HTML()
        self.links.add_class("ck-seat-links")
        # The browser's mark now (so a claim can be found again), the seat later.
        self.keep = w.HTML(keep_html("", self.browser), layout=w.Layout(display="none"))
        self.keep.add_class(KEEP_CLASS)
        self.root = w.VBox([header, self.form, self.status, self.links, self.keep])
        self.root.add_class("coachkit-app")
        self.root.add_class("coachkit-claim")
        w.link((self.name, "value"), (self.state, "name"))
        self.state.observe(self._show_status, names=["message", "level"])
        self.state.observe(self._show_links, names="token")
        self.button.on_click(guarded(self.state, "claiming a seat")(self.claim))
        self._show_status()
        self.root.add_class(READY_CLASS)

    def claim(self, _widget: Any = None) -> None:
        """Claim the first free seat for the name typed; show its links."""
        if self.state.token:
            return  # one seat per page
        with self.store.write() as conn:
            token = claim_seat(conn, self.state.name, browser=self.browser)
        self.keep.value = keep_html(token, self.browser)
        self.state.claimed_by = " ".join(self.state.name.split())
        self.state.token = token
        self.form.layout.display = "none"
        self.state.say(
            f"Welcome, {self.state.claimed_by}! Your practice team is ready.", "ok"
        )

    def _show_status(self, _change: object = None) -> None:
        message = self.state.message or (
            f"Up to {NAME_MAX} characters. Type the name others know you by."
        )
        level = self.state.level if self.state.message else "info"
        self.status.value = status_html(message, level)

    def _show_links(self, _change: object = None) -> None:
        others = [p for p in PILLARS if p.key != self.pillar.key]
        self.links.value = (
            "<p>"
            + _link(
                self.state.token,
                self.pillar,
                "ck-seat-link",
                "Open your team in ",
                self.key,
            )
            + "</p>"
            "<p><b>Bookmark the page this link opens</b> (or copy its address "
            "somewhere safe): it is your way back to your team. Anyone with it sees "
            "your team, so keep it to yourself. This browser remembers your seat "
            "too: Home and every link open your team, and typing your name here "
            "again gets you back in.</p>"
            "<p>The other workbooks, in your seat: "
            + " ".join(_link(self.state.token, p, key=self.key) for p in others)
            + "</p>"
        )


def _link(
    token: str, pillar: Pillar, css: str = "", words: str = "", key: str = ""
) -> str:
    href = html.escape(site_path(seat_link(token, pillar.path, key)), quote=True)
    return (
        f"<a class='{css}' href='{href}'>{text(words)}{pillar.number}. "
        f"{text(pillar.title)}</a>"
    )
