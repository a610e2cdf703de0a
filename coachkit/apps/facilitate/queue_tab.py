"""The Queue tab: who needs a session today, and why; one click opens a rep."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from coachkit.apps.shell import html_table
from coachkit.apps.tabs import Tab, field

#: Reps with an "Open" button; the rest are in the Rep picker.
BUTTONS = 12


class QueueTab(Tab):
    """Today's queue, most in need first."""

    title = "1. Queue"

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.heading = w.HTML()
        self.buttons = w.VBox()
        self.table = field(w.HTML(), "ck-queue")
        self.box.children = [self.heading, self.buttons, self.table]

    def draw(self, changed: frozenset[str]) -> None:
        queue = self.state.queue
        late = int((queue["days_overdue"] >= 0).sum()) if len(queue) else 0
        self.heading.value = (
            f"<h2>Today's queue: {late} reps due or late</h2><p class='ck-note'>Most "
            "in need first: late sessions, overdue actions, then the plan's gaps. "
            "Click a name to open that rep.</p>"
        )
        rows = []
        for r in queue.head(BUTTONS).itertuples():
            button = field(
                w.Button(description=str(r.rep), layout=w.Layout(width="220px")),
                "ck-open-rep",
            )
            button.on_click(self._opener(int(r.rep_id)))
            rows.append(w.HBox([button, w.Label(str(r.next_step))]))
        self.buttons.children = rows
        shown = pd.DataFrame(
            {
                "Rep": queue["rep"],
                "What needs doing": queue["next_step"],
                "Last coached": queue["last_session"],
                "Days since": queue["days_since"],
                "Every (days)": queue["cadence_days"],
                "Late actions": queue["overdue_actions"],
                "Draft": queue["draft"].map({True: "yes", False: ""}),
            }
        )
        self.table.value = html_table(shown, "No reps to coach yet.")

    def _opener(self, rep_id: int) -> Any:
        def open_rep(_button: Any = None) -> None:
            self.app.open_rep(rep_id)

        return self.action("opening this rep", open_rep)
