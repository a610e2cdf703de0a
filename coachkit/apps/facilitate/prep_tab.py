"""The Prep tab: the plan, last commitments, focus trends and questions to ask.

The plan's goals and the last session's commitments are listed with what became
of each, and can be marked here (kept, missed, dropped; met, missed, dropped) with
a day and a note (:mod:`coachkit.apps.facilitate.follow_through`).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from coachkit.apps.calls import CallUpload, EvidenceByBehaviour, calls_html
from coachkit.apps.facilitate.follow_through import FollowThrough, Item
from coachkit.apps.my_coaching.answers import last_rating_html, rep_answers, rep_words
from coachkit.apps.shell import html_table, text
from coachkit.apps.tabs import Tab, field
from coachkit.facilitate.actions import OWNER_WORDS
from coachkit.model.formats import day
from coachkit.model.templates import GROW_PARTS
from coachkit.model.vocabulary import words


class PrepTab(Tab):
    """What to read in the five minutes before a session."""

    title = "2. Prep"
    redraws_on = frozenset({"rep", "calls"})

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.top = w.HTML()
        self.calls = field(w.HTML(), "ck-prep-calls")
        self.evidence = EvidenceByBehaviour(app, "ck-prep-call-evidence")
        self.upload = CallUpload(
            app, "ck-prep-call-upload", after=lambda: app.announce("calls")
        )
        self.goals = FollowThrough(app, "ck-prep-goals")
        self.last = w.HTML()
        self.commitments = FollowThrough(app, "ck-prep-commitments")
        self.rest = w.HTML()
        self.brief = field(
            w.VBox(
                [
                    self.top,
                    self.goals.box,
                    self.last,
                    self.commitments.box,
                    self.rest,
                    self.calls,
                    self.evidence.box,
                ]
            ),
            "ck-brief",
        )
        self.start = field(
            w.Button(description="Start the session", button_style="primary"),
            "ck-start-session",
        )
        self.start.on_click(self.action("starting the session", self._start))
        self.box.children = [self.brief, self.start, self.upload.box]

    def draw(self, changed: frozenset[str]) -> None:
        brief = self.state.brief
        if brief is None:
            self.top.value = "<p class='ck-note'>Open a rep from the queue.</p>"
            self.last.value = self.rest.value = ""
            self.goals.show([])
            self.commitments.show([])
            self.calls.value = ""
            self.evidence.show([], {})
            self.upload.box.layout.display = "none"
            return
        self.upload.box.layout.display = None
        parts = [f"<h2>Prep for {text(brief.rep)}</h2>"]
        plan = brief.plan
        goals: list[Item] = []
        if plan is None:
            parts.append("<p>No coaching plan yet. Make one in 1. Prioritize.</p>")
        else:
            focus = "".join(
                f"<li><b>{text(f.behaviour)}</b>: {text(words('style', f.style))} "
                f"style, {text(words('stage', f.stage))} stage</li>"
                for f in plan.focus
            )
            parts.append(f"<h3>The plan</h3><ul>{focus}</ul>")
            goals = self._goal_items(plan)
            if goals:
                parts.append("<h3>Goals</h3>")
        self.top.value = "".join(parts)
        self.goals.show(goals)
        when = day(brief.last_session_on) if brief.last_session_on else "never"
        last = [f"<h3>Last session: {text(when)}</h3>"]
        with self.app.store.read() as conn:  # what the rep answered on their page
            answers = rep_answers(conn, brief.rep_id, self.app.today)
        last.append(last_rating_html(answers.sessions, brief.last_session_id))
        if brief.commitments:
            last.append(
                f"<p>{text(brief.kept_sentence())} Mark each one below as Kept, "
                "Missed, or Dropped when it is no longer worth doing (a dropped "
                "one is not counted).</p>"
            )
        self.last.value = "".join(last)
        self.commitments.show(
            [
                Item(
                    kind="action",
                    id=c.action_id,
                    title=c.text,
                    outcome=c.outcome,
                    status=c.status,
                    row_version=c.row_version,
                    note=c.note,
                    detail=f"({OWNER_WORDS.get(c.owner, c.owner)}, by {day(c.due_on)})"
                    + (f" {said}" if (said := rep_words(answers, c.action_id)) else ""),
                )
                for c in brief.commitments
            ]
        )
        self.rest.value = self._trends_and_questions(brief)
        self._show_calls(brief)

    def _show_calls(self, brief: Any) -> None:
        """The rep's recorded calls, and their moments under the plan's behaviours."""
        from coachkit.model.calls.store import calls_table, hits

        rep = self.state.rep_id
        self.calls.value = calls_html(calls_table(self.app.store, rep_id=rep))
        # The plan's behaviours (every behaviour the calls touched, with no plan):
        # the rest wait on Assess, under their own behaviour.
        names = {int(f.behaviour_id): str(f.behaviour) for f in brief.focus}
        found = hits(self.app.store, rep)
        if not names:
            for hit in found:
                names.setdefault(int(hit.behaviour_id), str(hit.behaviour))
        self.evidence.show(found, names)

    def _goal_items(self, plan: Any) -> list[Item]:
        """The plan's goals, each judged with the number it rests on."""
        frame = self.state.goals
        lines: dict[int, str] = {}
        if len(frame) and "outcome" in frame:
            lines = dict(
                zip(frame["goal_id"].astype(int), frame["outcome"], strict=True)
            )
        today = self.app.today
        return [
            Item(
                kind="goal",
                id=int(g.id),
                title=g.description,
                outcome=lines.get(int(g.id), g.judged(today)),
                status=g.status,
                row_version=g.row_version,
                note=g.note,
                detail=f"({g.metric})" if g.metric else "",
            )
            for g in plan.goals
            if g.id is not None
        ]

    def _trends_and_questions(self, brief: Any) -> str:
        parts = []
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
            f"<h3>Questions to ask ({text(words('style', brief.style))} style, "
            f"{text(words('stage', brief.stage))} stage)</h3><ul>{questions}</ul>"
        )
        return "".join(parts)

    def _start(self, _button: Any = None) -> None:
        self.app.ensure_draft()
        self.app.tab_widget.selected_index = 2
        self.state.say("The session is open. Everything you type is saved as you go.")
