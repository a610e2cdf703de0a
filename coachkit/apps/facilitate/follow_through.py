"""Follow-through: mark each agreed action and each goal, right where it is listed.

A :class:`FollowThrough` is a list of rows, one per action or goal. Each row says
what the item is and what became of it in words (``Kept on 12 June 2026``,
``Missed: 41% on its due date, 30 June 2026; target 44%``), and has buttons to mark
it (kept / missed / dropped for an action, met / missed / dropped for a goal) on a
day (today unless changed) with an optional note, or to set it back to open. What
a click did, or why nothing was saved, is said on the row, beside its buttons.

The Prep and Progress tabs both use it. After a save the workbook reads the rep's
data again (:meth:`Facilitate.refresh_progress`), so every tab shows the new state;
the row's message survives that redraw.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from coachkit.apps.shell import beside, text
from coachkit.apps.tabs import field
from coachkit.errors import CoachkitError
from coachkit.facilitate.actions import set_action_status
from coachkit.model.formats import day
from coachkit.model.goals import set_goal_status

log = logging.getLogger("coachkit")

#: (button label, stored status) per kind of item.
CHOICES = {
    "action": (("Kept", "kept"), ("Missed", "missed"), ("Dropped", "dropped")),
    "goal": (("Met", "met"), ("Missed", "missed"), ("Dropped", "dropped")),
}
#: What the coach reads for each stored status, after "Marked".
_DONE = {
    "kept": "kept",
    "missed": "missed",
    "dropped": "dropped",
    "met": "met",
    "open": "open again",
}
_WHAT = {"action": "action", "goal": "goal"}


@dataclass(frozen=True)
class Item:
    """An action or a goal as a row shows it.

    ``title`` is what was agreed (typed text, escaped when shown); ``outcome``
    what became of it in words; ``detail`` more words (who, the number), or "".
    """

    kind: str  # "action" or "goal"
    id: int
    title: str
    outcome: str
    status: str
    row_version: int
    note: str = ""
    detail: str = ""


class FollowThrough:
    """Rows to mark actions or goals, bound to a workbook that saves and reloads.

    Parameters
    ----------
    app
        The Facilitate workbook: ``store``, ``today`` and ``refresh_progress``.
    css
        The class of the box, so browser tests find it.
    """

    def __init__(self, app: Any, css: str) -> None:
        self.app = app
        self.box = field(w.VBox(), css)
        self.rows: dict[tuple[str, int], _Row] = {}
        #: The latest message per row, kept across redraws: (level, text).
        self.messages: dict[tuple[str, int], tuple[str, str]] = {}

    def show(self, items: list[Item]) -> None:
        """Show one row per item, in order (the old rows are closed)."""
        for row in self.rows.values():
            row.close()
        self.rows = {(i.kind, i.id): _Row(self, i) for i in items}
        self.box.children = [row.box for row in self.rows.values()]

    def row(self, kind: str, item_id: int) -> _Row:
        """The row of an action or a goal (for tests and the tabs)."""
        return self.rows[(kind, int(item_id))]

    def save(self, item: Item, status: str, on: dt.date | None, note: str) -> None:
        """Mark ``item`` and read the rep's data again; say what happened."""
        key = (item.kind, item.id)
        today = self.app.today
        try:
            with self.app.store.write() as conn:
                write: Callable[..., int] = (
                    set_action_status if item.kind == "action" else set_goal_status
                )
                write(
                    conn,
                    item.id,
                    status,
                    today,
                    on=on,
                    note=note,
                    expected_version=item.row_version,
                )
        except CoachkitError as exc:
            self.messages[key] = ("error", f"Not saved. {exc}")
            self.rows[key].say("error", self.messages[key][1])
            return
        except Exception:
            log.exception("error while marking a %s", item.kind)
            self.messages[key] = (
                "error",
                f"Not saved: something went wrong while marking this {item.kind}. "
                "The details are in the server log.",
            )
            self.rows[key].say("error", self.messages[key][1])
            return
        when = "" if status == "open" else f" on {day(on or today)}"
        self.messages[key] = (
            "ok",
            f"Saved: this {_WHAT[item.kind]} is marked {_DONE[status]}{when}.",
        )
        self.app.refresh_progress()
        if key in self.rows:  # still listed after the reload
            self.rows[key].say(*self.messages[key])


class _Row:
    """One action or goal: what it is, what became of it, and the buttons."""

    def __init__(self, panel: FollowThrough, item: Item) -> None:
        self.panel, self.item = panel, item
        detail = (
            f" <span class='ck-note'>{text(item.detail)}</span>" if item.detail else ""
        )
        note = (
            f"<br><span class='ck-note'>Note: {text(item.note)}</span>"
            if item.note
            else ""
        )
        self.label = w.HTML(
            f"<b>{text(item.title)}</b>{detail}<br>{text(item.outcome)}{note}"
        )
        self.buttons: dict[str, w.Button] = {}
        for label, status in CHOICES[item.kind]:
            button = w.Button(
                description=label,
                tooltip=f"Mark this {item.kind} {label.lower()}",
                layout=w.Layout(width="auto"),
            )
            button.on_click(lambda _b, st=status: self._mark(st))
            self.buttons[status] = button
        self.reopen = w.Button(
            description="Set back to open",
            tooltip=f"Take back the mark on this {item.kind}",
            layout=w.Layout(width="auto"),
        )
        self.reopen.on_click(lambda _b: self._mark("open"))
        self.on = w.DatePicker(
            description="On", value=panel.app.today, layout=w.Layout(width="220px")
        )
        self.note = w.Text(
            placeholder="Note (optional)",
            description="Note",
            layout=w.Layout(width="300px"),
        )
        self.message = field(w.HTML(), "ck-mark-message")
        marked = item.status != "open"
        controls = [self.reopen] if marked else list(self.buttons.values())
        form = [] if marked else [self.on, self.note]
        self.box = field(
            w.VBox(
                [
                    self.label,
                    w.HBox([*form, *controls], layout=w.Layout(flex_flow="row wrap")),
                    self.message,
                ],
                layout=w.Layout(border_bottom="1px solid #ddd", padding="4px 0"),
            ),
            f"ck-mark-{item.kind}",
        )
        if (item.kind, item.id) in panel.messages:
            self.say(*panel.messages[(item.kind, item.id)])

    def say(self, level: str, message: str) -> None:
        """Show a message on this row, beside its buttons."""
        self.message.value = beside(message, level)

    def _mark(self, status: str) -> None:
        self.panel.save(self.item, status, self.on.value, self.note.value)

    def close(self) -> None:
        for widget in (
            *self.buttons.values(),
            self.reopen,
            self.on,
            self.note,
            self.message,
            self.label,
        ):
            widget.close()
