""" "Your actions": what the rep agreed to do, ticked off as done or not done.

An open action of the rep's shows two choices, "Done" and "Not done", a box for
the rep's own words ("why not", needed for "Not done") and a Save button. The
coach's own note is never shown here; the rep's words go beside it.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from coachkit.apps.shell import beside, guarded, text
from coachkit.apps.tabs import field
from coachkit.errors import CoachkitError
from coachkit.model.formats import day

#: How an action's status reads to the rep.
STATUS_WORDS = {
    "open": "Open",
    "kept": "Done",
    "missed": "Not done",
    "dropped": "Dropped: no longer worth doing",
}
_CHOICES = [("Done", True), ("Not done", False)]


class ActionCard:
    """One action: what, by when, its status, and (open ones) the rep's answer."""

    def __init__(self, app: Any, action: Any) -> None:
        self.app = app
        self.action_id = int(action.id)
        due = f"by {day(action.due_on)}" if action.due_on else "no day set"
        status = STATUS_WORDS.get(str(action.status), str(action.status).capitalize())
        late = _late(app, action)
        whose = "yours to do" if str(action.owner) == "rep" else "your coach's to do"
        words = (
            f"<p><b>{text(action.text)}</b></p><p>{text(due)} · {text(whose)} · "
            f"{text(status)}{text(late)}</p>"
        )
        if action.rep_note:
            words += f"<p class='ck-answer'>Your words: {text(action.rep_note)}</p>"
        self.info = w.HTML(words)
        self.message = field(w.HTML(), "ck-action-message")
        parts: list[w.Widget] = [self.info]
        self.markable = bool(action.can_mark)
        if self.markable:
            self.choice = field(
                w.ToggleButtons(
                    options=_CHOICES,
                    value=None,
                    description="Did you do it?",
                    style={"description_width": "initial", "button_width": "auto"},
                ),
                "ck-action-choice",
            )
            self.note = field(
                w.Text(
                    description="Why not? (or a note)",
                    placeholder="Needed for Not done",
                    style={"description_width": "initial"},
                    layout=w.Layout(width="100%"),
                ),
                "ck-action-note",
            )
            self.save = field(
                w.Button(description="Save", button_style="primary"),
                "ck-action-save",
            )
            self.save.on_click(guarded(app.state, "saving your answer")(self._save))
            parts += [self.choice, self.note, self.save]
        parts.append(self.message)
        self.box = field(w.VBox(parts), "ck-card")
        self.box.add_class("ck-my-action")

    def _save(self, _button: Any = None) -> None:
        if self.choice.value is None:
            self._say("Did you do it? Pick Done or Not done first.", "error")
            return
        done = bool(self.choice.value)
        try:
            self.app.mark_action(self.action_id, done, self.note.value)
        except CoachkitError as exc:
            self._say(str(exc), "error")
            return
        said = f"Saved: marked {'done' if done else 'not done'}."
        self.app.state.say(said, "ok")
        self.app.section("actions").say(self.action_id, said)

    def _say(self, message: str, level: str) -> None:
        self.message.value = beside(message, level)
        self.app.state.say(message, level)


def _late(app: Any, action: Any) -> str:
    if str(action.status) == "open" and action.due_on and action.due_on < app.today:
        return " (past its day)"
    return ""


class ActionsSection:
    """ "Your actions": open ones first, each a card."""

    key = "actions"

    def __init__(self, app: Any) -> None:
        self.app = app
        self.heading = w.HTML(
            "<h2>Your actions</h2><p class='ck-note'>What you agreed to do. Tick "
            "each one off when it is done, or say why not: your coach sees your "
            "answer before your next session.</p>"
        )
        self.list = field(w.VBox(), "ck-my-actions")
        self.cards: list[ActionCard] = []
        self.box = w.VBox([self.heading, self.list])

    def say(self, action_id: int, message: str) -> None:
        """Say ``message`` in the action's card (the card drawn anew)."""
        for card in self.cards:
            if card.action_id == action_id:
                card.message.value = beside(message, "ok")

    def draw(self, page: Any) -> None:
        for card in self.cards:
            card.box.close()
        self.cards = [ActionCard(self.app, a) for a in page.actions]
        self.list.children = [c.box for c in self.cards] or [
            w.HTML("<p class='ck-note'>No actions yet.</p>")
        ]
