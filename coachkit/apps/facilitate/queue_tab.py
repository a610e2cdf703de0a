"""The Queue tab: who needs a session today, and why; one click opens a rep.

One list, in the queue's order (:mod:`coachkit.facilitate.queue`): the reps due or
late, then new plans not coached yet, then everyone else. Each part has a heading
whose count is the number of reps listed under it, and each rep one phrase saying
why they are there.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from coachkit.apps.shell import text
from coachkit.apps.tabs import Tab, field

#: At most this many reps get a row (a lead may see 1,000); the rest are in the
#: Rep picker, and the page says so.
ROWS = 60

#: Each place's heading, before the count of reps listed under it.
_HEADINGS = {
    "due": "Due or late today",
    "new": "New plans, not coached yet",
    "later": "Everyone else, most in need first",
}


def heading(place: str, listed: int, total: int | None = None) -> str:
    """The heading over one part of the queue: ``Due or late today: 3 reps``.

    ``total`` is the part's size when fewer than all of it are ``listed``.
    """
    reps = "1 rep" if listed == 1 else f"{listed} reps"
    if total is not None and total > listed:
        reps = f"the first {listed} of {total} reps"
    return f"{_HEADINGS[place]}: {reps}"


class QueueTab(Tab):
    """Today's queue, in the order to coach."""

    title = "1. Queue"

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.intro = w.HTML(
            "<h2>Today's queue</h2><p class='ck-note'>Late sessions come first, the "
            "most late at the top; then new plans; then everyone else. Click a name "
            "to open that rep.</p>"
        )
        self.rows = field(w.VBox(), "ck-queue")
        self.more = w.HTML()
        self.box.children = [self.intro, self.rows, self.more]

    def draw(self, changed: frozenset[str]) -> None:
        queue = self.state.queue
        if queue.empty:
            self.rows.children = [
                w.HTML("<p class='ck-note'>No reps to coach yet.</p>")
            ]
            self.more.value = ""
            return
        shown = queue.head(ROWS)
        children: list[w.Widget] = []
        for place, part in shown.groupby("place", sort=False):
            total = int((queue["place"] == place).sum())
            title = heading(str(place), len(part), total)
            children.append(
                field(w.HTML(f"<h3>{text(title)}</h3>"), f"ck-queue-{place}")
            )
            children += [self._row(r) for r in part.itertuples()]
        self.rows.children = children
        left = len(queue) - len(shown)
        self.more.value = (
            ""
            if left <= 0
            else f"<p class='ck-note'>The first {len(shown)} of {len(queue)} reps "
            f"are listed here. Pick any of the other {left} in the Rep list at the "
            "top.</p>"
        )

    def _row(self, r: Any) -> w.HBox:
        button = field(
            w.Button(description=str(r.rep), layout=w.Layout(width="220px")),
            "ck-open-rep",
        )
        button.on_click(self._opener(int(r.rep_id)))
        why = field(w.Label(_sentence(str(r.reason))), "ck-queue-reason")
        return field(w.HBox([button, why]), "ck-queue-row")

    def _opener(self, rep_id: int) -> Any:
        def open_rep(_button: Any = None) -> None:
            self.app.open_rep(rep_id)

        return self.action("opening this rep", open_rep)


def _sentence(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]
