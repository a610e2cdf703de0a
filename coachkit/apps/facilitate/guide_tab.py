"""The Guide tab: the conversation, step by step, in the style the plan calls for."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from coachkit.apps.shell import text
from coachkit.apps.tabs import Tab, field
from coachkit.facilitate.prep import conversation_steps
from coachkit.model.vocabulary import words


class GuideTab(Tab):
    """Where the coach is in the conversation, and what to say next."""

    title = "4. Guide"
    redraws_on = frozenset({"rep"})

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.steps: tuple[Any, ...] = ()
        self.index = 0
        self.view = field(w.HTML(), "ck-guide")
        self.back = field(w.Button(description="Back"), "ck-guide-back")
        self.next = field(
            w.Button(description="Next step", button_style="primary"), "ck-guide-next"
        )
        self.back.on_click(
            self.action("moving in the guide", lambda _b: self._move(-1))
        )
        self.next.on_click(self.action("moving in the guide", lambda _b: self._move(1)))
        self.box.children = [self.view, w.HBox([self.back, self.next])]

    def draw(self, changed: frozenset[str]) -> None:
        brief = self.state.brief
        if brief is None:
            self.steps = ()
            self.view.value = "<p class='ck-note'>Open a rep from the queue.</p>"
            return
        self.steps = conversation_steps(brief.style, brief.stage, self.app.guides)
        self.index = 0
        self._show()

    def _move(self, by: int) -> None:
        if self.steps:
            self.index = max(0, min(len(self.steps) - 1, self.index + by))
            self._show()

    def _show(self) -> None:
        brief = self.state.brief
        items = []
        for i, step in enumerate(self.steps):
            questions = "".join(f"<li>{text(q)}</li>" for q in step.questions)
            body = (
                f"<p>{text(step.coach_does)}</p><ul>{questions}</ul>"
                if i == self.index
                else ""
            )
            css = "ck-step ck-step-current" if i == self.index else "ck-step"
            mark = "▶ " if i == self.index else ""
            items.append(
                f"<li class='{css}'><b>{mark}{text(step.title)}</b>{body}</li>"
            )
        self.view.value = (
            f"<h2>Conversation guide: {text(words('style', brief.style))} style</h2>"
            "<p class='ck-note'>"
            f"Step {self.index + 1} of {len(self.steps)}.</p><ol>{''.join(items)}</ol>"
        )
