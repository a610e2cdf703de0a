"""The coach's "Share with the rep" panel (Facilitate, 6. Progress, the open rep).

The coach makes the rep's own link (``?me=SECRET`` on the rep's page), copies it
and sends it; the panel then says when it was made and last opened, and "Stop this
link" makes it open nothing. The secret is shown once, right after it is made:
the store keeps only its hash, so a link lost is replaced, not shown again. On a
workshop seat the same panel is how a participant sees the practice rep's side:
"See this rep's own page" makes a link and opens it.
"""

from __future__ import annotations

from importlib import resources
from typing import Any
from urllib.parse import quote

import ipywidgets as w

from coachkit.apps.shell import guarded, text
from coachkit.apps.tabs import field
from coachkit.model.formats import day
from coachkit.model.pillars import site_path
from coachkit.rep_side.links import LINK_PARAM, REP_PAGE

#: The panel's style, in ``share.css`` beside this module (the coach's page loads
#: no other style of the rep's page).
_CSS = (
    "<style>"
    + resources.files("coachkit.apps.my_coaching")
    .joinpath("share.css")
    .read_text(encoding="utf-8")
    + "</style>"
)


def rep_page_link(secret: str) -> str:
    """The rep page's address for a link's secret, under the server's base URL."""
    return f"{site_path(REP_PAGE)}?{LINK_PARAM}={quote(secret, safe='')}"


class SharePanel:
    """Make, show, copy and stop the open rep's link.

    Parameters
    ----------
    app
        The Facilitate workbook (its ``store``, ``state.rep_id`` and visitor).
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seat = getattr(getattr(app, "visitor", None), "source", "") == "seat"
        self.heading = field(w.HTML(), "ck-share-heading")
        self.make = field(
            w.Button(
                description=(
                    "See this rep's own page" if self.seat else "Make the rep's link"
                ),
                button_style="primary",
                layout=w.Layout(width="auto"),
            ),
            "ck-make-rep-link",
        )
        self.stop = field(
            w.Button(description="Stop this link", layout=w.Layout(width="auto")),
            "ck-stop-rep-link",
        )
        self.link = field(w.HTML(), "ck-rep-link-shown")
        self.make.on_click(guarded(app.state, "making the rep's link")(self._make))
        self.stop.on_click(guarded(app.state, "stopping the rep's link")(self._stop))
        self.box = field(
            w.VBox(
                [
                    self.heading,
                    w.HBox(
                        [self.make, self.stop],
                        layout=w.Layout(flex_flow="row wrap"),
                    ),
                    self.link,
                ]
            ),
            "ck-share-panel",
        )

    # -- drawing ---------------------------------------------------------------------
    def show(self, secret: str = "") -> None:
        """Say where the open rep's link stands; show ``secret``'s link if given."""
        from coachkit.rep_side import rep_link_state

        rep = self.app.state.rep_id
        if rep is None:
            self.box.layout.display = "none"
            return
        self.box.layout.display = None
        with self.app.store.read() as conn:
            state = rep_link_state(conn, rep)
        name = _rep_name(self.app)
        lines = [
            _CSS,
            "<h2>Share with the rep</h2>",
            f"<p class='ck-note'>{text(name)}'s own page shows their plan, goals "
            "and actions, and lets them tick actions off, rate each session and say "
            "how they see themselves. Your own notes stay yours.</p>",
        ]
        if state is None:
            lines.append(f"<p>{text(name)} has no link yet.</p>")
        else:
            made = day(state.created_at.date())
            used = (
                f"last opened {day(state.last_used_at.date())}"
                if state.last_used_at
                else "not opened yet"
            )
            lines.append(
                f"<p class='ck-rep-link-state'>A link made {text(made)} works; "
                f"{text(used)}.</p>"
            )
        self.heading.value = "".join(lines)
        self.stop.layout.display = None if state is not None else "none"
        again = state is not None and not self.seat
        self.make.description = (
            "See this rep's own page"
            if self.seat
            else ("Make a new link" if again else "Make the rep's link")
        )
        self.link.value = _link_html(secret, self.seat) if secret else ""

    # -- doing -----------------------------------------------------------------------
    def _make(self, _button: Any = None) -> None:
        from coachkit.rep_side import make_rep_link

        rep = self.app.state.rep_id
        with self.app.store.write() as conn:
            secret = make_rep_link(conn, _acting_coach(self.app), rep)
        self.show(secret)
        self.app.state.say(
            "The link is ready. Copy it and send it to the rep: it is shown only "
            "now. Any older link has stopped working.",
            "ok",
        )

    def _stop(self, _button: Any = None) -> None:
        from coachkit.rep_side import revoke_rep_link

        rep = self.app.state.rep_id
        with self.app.store.write() as conn:
            stopped = revoke_rep_link(conn, _acting_coach(self.app), rep)
        self.show()
        self.app.state.say(
            "The link is stopped: it opens nothing now."
            if stopped
            else "There was no link to stop.",
            "ok",
        )


def _link_html(secret: str, seat: bool) -> str:
    """The link, a Copy button (coachkit.js copies it) and where its words go."""
    href = text(rep_page_link(secret))
    # coachkit.js writes the whole address (with the server's name) in its place.
    label, whole = (href, " data-ck-whole")
    if seat:
        label, whole = "Open this rep's own page", ""
    return (
        "<div class='ck-rep-link-box'>"
        f"<p><a class='ck-rep-link' href='{href}' target='_blank' rel='noopener'"
        f"{whole}>{label}</a></p>"
        "<button type='button' class='ck-copy-rep-link'>Copy the link</button> "
        "<span class='ck-copy-done' role='status' aria-live='polite'></span>"
        "<p class='ck-note'>Send it to the rep only: whoever has it sees their "
        "page.</p></div>"
    )


def _acting_coach(app: Any) -> int:
    """Who makes or stops the link: the signed-in coach or lead, else the picked."""
    viewer = getattr(app.store, "viewer", None)
    if viewer is not None:
        return int(viewer.coach_id)
    return int(app.state.coach_id)


def _rep_name(app: Any) -> str:
    name = getattr(app, "rep_name", None)
    return str(name()) if callable(name) else "The rep"
