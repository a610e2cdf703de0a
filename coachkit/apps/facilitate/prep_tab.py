"""The Prep tab: the plan, last commitments, focus trends and questions to ask."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from coachkit.apps.shell import html_table, text
from coachkit.apps.tabs import Tab, field
from coachkit.model.templates import GROW_PARTS

_STATE = {"kept": "kept", "missed": "missed", "open": "open", "overdue": "overdue"}


class PrepTab(Tab):
    """What to read in the five minutes before a session."""

    title = "2. Prep"
    redraws_on = frozenset({"rep"})

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.brief = field(w.HTML(), "ck-brief")
        self.start = field(
            w.Button(description="Start the session", button_style="primary"),
            "ck-start-session",
        )
        self.start.on_click(self.action("starting the session", self._start))
        self.box.children = [self.brief, self.start]

    def draw(self, changed: frozenset[str]) -> None:
        brief = self.state.brief
        if brief is None:
            self.brief.value = "<p class='ck-note'>Open a rep from the queue.</p>"
            return
        parts = [f"<h2>Prep for {text(brief.rep)}</h2>"]
        plan = brief.plan
        if plan is None:
            parts.append("<p>No coaching plan yet. Make one in 1. Prioritize.</p>")
        else:
            focus = "".join(
                f"<li><b>{text(f.behaviour)}</b>: {text(f.style)} style, "
                f"{text(f.stage)} stage</li>"
                for f in plan.focus
            )
            goals = "".join(
                f"<li>{text(g.description)}: {text(g.summary())}</li>"
                for g in plan.goals
            )
            parts.append(f"<h3>The plan</h3><ul>{focus}</ul>")
            if goals:
                parts.append(f"<p>Goals:</p><ul>{goals}</ul>")
        when = brief.last_session_on.isoformat() if brief.last_session_on else "never"
        parts.append(f"<h3>Last session: {when}</h3>")
        if brief.commitments:
            rows = pd.DataFrame(
                {
                    "Agreed": [c.text for c in brief.commitments],
                    "Who": [c.owner for c in brief.commitments],
                    "By": [c.due_on for c in brief.commitments],
                    "Now": [_STATE.get(c.state, c.state) for c in brief.commitments],
                }
            )
            parts.append(
                f"<p>{brief.kept} of {len(brief.commitments)} commitments kept.</p>"
                + html_table(rows)
            )
        if not brief.trends.empty:
            parts.append("<h3>Focus numbers since the plan started</h3>")
            trends = brief.trends
            parts.append(
                html_table(
                    pd.DataFrame(
                        {
                            "Behaviour": trends["behaviour"],
                            "Number": trends["metric"],
                            "At the start": trends["at_start_text"],
                            "Now": trends["now_text"],
                            "Better?": trends["better"].map(
                                {True: "yes", False: "not yet"}
                            ),
                        }
                    )
                )
            )
        questions = "".join(
            f"<li><b>{part.capitalize()}</b>: "
            + " ".join(text(q) for q in brief.questions.get(part, ()))
            + "</li>"
            for part in GROW_PARTS
        )
        parts.append(
            f"<h3>Questions to ask ({text(brief.style)} style, {text(brief.stage)} "
            f"stage)</h3><ul>{questions}</ul>"
        )
        self.brief.value = "".join(parts)

    def _start(self, _button: Any = None) -> None:
        self.app.ensure_draft()
        self.app.tab_widget.selected_index = 2
        self.state.say("The session is open. Everything you type is saved as you go.")
