""" "How you see yourself": the rep's own view of one behaviour at a time.

The rep picks a behaviour (the plan's come first), reads the rubric's five
levels, picks the one that fits them now (skill) and how much they want to get
better at it (will), and may say why. Each save is a self-assessment of its own,
kept beside the coach's ratings; the coach sees the gap between the two.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from coachkit.apps.shell import beside, guarded, text
from coachkit.apps.tabs import field
from coachkit.errors import CoachkitError
from coachkit.model.formats import day
from coachkit.model.framework import LEVEL_COLUMNS

_SCORES = [("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5)]


class SelfSection:
    """One behaviour at a time: its rubric, then skill, will and why."""

    key = "self"

    def __init__(self, app: Any) -> None:
        self.app = app
        self.heading = w.HTML(
            "<h2>How you see yourself</h2><p class='ck-note'>Pick a behaviour, read "
            "the five levels and choose the one that fits you now. Your coach sees "
            "your answer beside their own rating.</p>"
        )
        wide = {"description_width": "initial"}
        self.behaviour = field(
            w.Dropdown(
                description="Behaviour",
                style=wide,
                layout=w.Layout(width="100%", max_width="460px"),
            ),
            "ck-self-behaviour",
        )
        self.rubric = field(w.HTML(), "ck-self-rubric")
        self.skill = field(
            w.ToggleButtons(
                options=_SCORES,
                value=None,
                description="Which level fits you now?",
                style={**wide, "button_width": "44px"},
            ),
            "ck-self-skill",
        )
        self.will = field(
            w.ToggleButtons(
                options=_SCORES,
                value=None,
                description="How much do you want to get better at it? (1 to 5)",
                style={**wide, "button_width": "44px"},
            ),
            "ck-self-will",
        )
        self.evidence = field(
            w.Textarea(
                description="What makes you say so? (an example)",
                style=wide,
                layout=w.Layout(width="100%", height="64px"),
            ),
            "ck-self-evidence",
        )
        self.save = field(
            w.Button(description="Save my view", button_style="primary"),
            "ck-self-save",
        )
        self.save.on_click(guarded(app.state, "saving your view")(self._save))
        self.message = field(w.HTML(), "ck-self-message")
        self.behaviour.observe(lambda _c: self._show_rubric(), names="value")
        self.box = w.VBox(
            [
                self.heading,
                field(
                    w.VBox(
                        [
                            self.behaviour,
                            self.rubric,
                            self.skill,
                            self.will,
                            self.evidence,
                            self.save,
                            self.message,
                        ]
                    ),
                    "ck-card",
                ),
            ]
        )
        self.page: Any = None

    def draw(self, page: Any) -> None:
        self.page = page
        frame = self.app.state.behaviours
        focus = [int(f.behaviour_id) for f in page.focus]
        rows = list(frame.itertuples()) if frame is not None else []
        rows.sort(key=lambda r: (int(r.behaviour_id) not in focus,))
        options = [(str(r.behaviour), int(r.behaviour_id)) for r in rows]
        keep = self.behaviour.value
        self.behaviour.options = options
        ids = [v for _l, v in options]
        self.behaviour.value = keep if keep in ids else (ids[0] if ids else None)
        self._show_rubric()

    def _show_rubric(self) -> None:
        self.message.value = ""
        frame = self.app.state.behaviours
        bid = self.behaviour.value
        self.skill.value = self.will.value = None
        self.evidence.value = ""
        if bid is None or frame is None:
            self.rubric.value = ""
            return
        row = frame[frame["behaviour_id"] == bid].iloc[0]
        levels = "".join(
            f"<li><b>Level {n}:</b> {text(row[column])}</li>"
            for n, column in enumerate(LEVEL_COLUMNS, start=1)
        )
        latest = self._latest(int(bid))
        said = ""
        if latest is not None:
            said = (
                f"<p class='ck-answer'>Your last answer, on "
                f"{text(day(latest.assessed_on))}: level {int(latest.skill)}"
                + (f", will {int(latest.will)}" if _given(latest.will) else "")
                + ".</p>"
            )
        self.rubric.value = (
            f"<p class='ck-level'><b>Where people aim:</b> level "
            f"{int(row['target_level'])}</p><ol class='ck-levels' role='list'>"
            f"{levels}</ol>{said}"
        )

    def _latest(self, behaviour_id: int) -> Any:
        if self.page is None:
            return None
        for a in self.page.self_ratings:
            if int(a.behaviour_id) == behaviour_id:
                return a
        return None

    def _save(self, _button: Any = None) -> None:
        bid = self.behaviour.value
        if bid is None:
            self._say("Behaviour: pick one first.", "error")
            return
        try:
            self.app.self_assess(
                int(bid), self.skill.value, self.will.value, self.evidence.value
            )
        except CoachkitError as exc:
            self._say(str(exc), "error")
            return
        self._say("Saved: your coach will see how you see yourself.", "ok")

    def _say(self, message: str, level: str) -> None:
        self.message.value = beside(message, level)
        self.app.state.say(message, level)


def _given(value: Any) -> bool:
    return value is not None and not pd.isna(value)
