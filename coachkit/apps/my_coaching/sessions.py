""" "Your sessions": the latest sessions, and the rep's rating of each.

Each session shows what the coach wrote for the rep (what went well, what to
change, the next session's day), then "Rate this session": three choices from
1 to 5 (was it about what matters to you, did you learn something you can use,
do you want to act on it), a box for "What would help more?" and Save. A rating
can be changed later; the coach sees it on Prep, Progress and Improve.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from coachkit.apps.shell import beside, guarded, text
from coachkit.apps.tabs import field
from coachkit.errors import CoachkitError
from coachkit.model.formats import day
from coachkit.model.vocabulary import words

#: The three questions, in the order of ``coachkit.model.session_checks.CHECKS``.
QUESTIONS = (
    ("relevant", "Was it about what matters to you?"),
    ("developmental", "Did you learn something you can use?"),
    ("motivational", "Do you want to act on it?"),
)
SCALE = "1 means not at all, 5 means very much."
_SCORES = [("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5)]


class SessionCard:
    """One session: what the coach wrote for the rep, and the rep's rating."""

    def __init__(self, app: Any, session: Any) -> None:
        self.app = app
        self.session_id = int(session.id)
        kind = words("session_type", session.session_type)
        lines = [f"<h3>{text(kind)} on {text(day(session.held_on))}</h3>"]
        if session.went_well:
            lines.append(f"<p><b>What went well:</b> {text(session.went_well)}</p>")
        if session.to_change:
            lines.append(f"<p><b>What to change:</b> {text(session.to_change)}</p>")
        if session.rep_view:
            lines.append(
                f"<p><b>Your view, as your coach wrote it:</b> {text(session.rep_view)}"
                "</p>"
            )
        if session.next_session_on:
            lines.append(
                f"<p><b>Next session:</b> {text(day(session.next_session_on))}</p>"
            )
        typed = any(getattr(session, f"rep_{c}", None) for c, _q in QUESTIONS)
        if session.rated:
            said = (
                "<p class='ck-answer'>You rated this session. You can change your "
                "answers and save again.</p>"
            )
        elif typed:
            said = (
                f"<p><b>Rate this session.</b> {SCALE} Your coach noted the answers "
                "below for you: change any that are not yours, then save.</p>"
            )
        else:
            said = f"<p><b>Rate this session.</b> {SCALE}</p>"
        lines.append(said)
        self.info = w.HTML("".join(lines))
        self.scores: dict[str, w.ToggleButtons] = {}
        for check, question in QUESTIONS:
            value = getattr(session, f"rep_{check}", None)
            self.scores[check] = field(
                w.ToggleButtons(
                    options=_SCORES,
                    value=int(value) if value else None,
                    description=question,
                    style={"description_width": "initial", "button_width": "44px"},
                ),
                f"ck-rate-{check}",
            )
        self.wish = field(
            w.Textarea(
                value=str(session.rep_wish or ""),
                description="What would help more?",
                style={"description_width": "initial"},
                layout=w.Layout(width="100%", height="64px"),
            ),
            "ck-rate-wish",
        )
        self.save = field(
            w.Button(description="Save my rating", button_style="primary"),
            "ck-rate-save",
        )
        self.save.on_click(guarded(app.state, "saving your rating")(self._save))
        self.message = field(w.HTML(), "ck-rate-message")
        self.box = field(
            w.VBox(
                [self.info, *self.scores.values(), self.wish, self.save, self.message]
            ),
            "ck-card",
        )
        self.box.add_class("ck-my-session")

    def _save(self, _button: Any = None) -> None:
        values = {check: self.scores[check].value for check, _q in QUESTIONS}
        try:
            self.app.rate_session(
                self.session_id,
                values["relevant"],
                values["developmental"],
                values["motivational"],
                self.wish.value,
            )
        except CoachkitError as exc:
            self.message.value = beside(str(exc), "error")
            self.app.state.fail(str(exc))
            return
        said = "Thank you: your rating is saved."
        self.app.state.say(said, "ok")
        self.app.section("sessions").say(self.session_id, said)


class SessionsSection:
    """ "Your sessions": the latest ones, newest first."""

    key = "sessions"

    def __init__(self, app: Any) -> None:
        self.app = app
        self.heading = w.HTML(
            "<h2>Your sessions</h2><p class='ck-note'>Your latest coaching sessions. "
            "Your rating helps your coach make the next one more useful.</p>"
        )
        self.list = field(w.VBox(), "ck-my-sessions")
        self.cards: list[SessionCard] = []
        self.box = w.VBox([self.heading, self.list])

    def say(self, session_id: int, message: str) -> None:
        """Say ``message`` under the session's Save button (the card drawn anew)."""
        for card in self.cards:
            if card.session_id == session_id:
                card.message.value = beside(message, "ok")

    def draw(self, page: Any) -> None:
        for card in self.cards:
            card.box.close()
        self.cards = [SessionCard(self.app, s) for s in page.sessions]
        self.list.children = [c.box for c in self.cards] or [
            w.HTML("<p class='ck-note'>No sessions yet.</p>")
        ]
