"""Tabs 7 and 8: the coach's reflection, and the programme self-check."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from coachkit.apps.improve.tabs import (
    ImproveTab,
    folded,
    note,
    num,
    pct,
    say,
    section,
    table,
)
from coachkit.apps.shell import text
from coachkit.apps.tabs import field
from coachkit.improve import reflections, selfcheck
from coachkit.model.formats import day, number
from coachkit.model.readability import grade_level

#: The hard-to-read notes listed at most (the hardest first).
WRITING_ROWS = 10


class ReflectTab(ImproveTab):
    """What the coach will change: saved, dated, shown again next time."""

    key = "reflect"
    title = "7. Reflect"
    redraws_on = ImproveTab.redraws_on | {"reflection"}

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.last = field(w.HTML(), "ck-last-reflection")
        self.text = field(
            w.Textarea(
                placeholder="What will you change in your coaching, and why?",
                layout=w.Layout(width="100%", height="120px"),
            ),
            "ck-reflection-text",
        )
        self.grade = field(w.HTML(), "ck-reflection-grade")
        self.save = field(w.Button(description="Save reflection"), "ck-save-reflection")
        self.save.button_style = "primary"
        self.save.on_click(self.action("saving your reflection", self._save))
        self.text.observe(self._show_grade, names="value")
        self.history = field(w.HTML(), "ck-reflections")
        self.writing = field(w.HTML(), "ck-writing-check")

    def load(self, conn: Any) -> None:
        coach = self.state.coach_id
        self.latest = reflections.last_reflection(conn, coach)
        self.frames = {
            "reflections": reflections.reflections(conn, coach),
            "writing": self.for_rep(
                reflections.writing_check(conn, self.scope, self.period)
            ),
        }

    def draw(self, changed: frozenset[str]) -> None:
        r = self.latest
        if r is None:
            self.last.value = section_html(
                "Last time", note("You have not written a reflection yet.")
            )
        else:
            self.last.value = section_html(
                f"Last time ({day(r.written_on)}) you wrote",
                "<blockquote class='ck-quote' style='white-space: pre-wrap'>"
                f"{text(r.text)}</blockquote>",
            )
        self.history.value = section_html(
            "Your reflections",
            table(
                self.frames["reflections"],
                {
                    "written_on": "Written on",
                    "text": "What you will change",
                    "grade": "Reading grade",
                },
                "None yet.",
            ),
        )
        self.writing.value = section_html(
            "How easy your notes are to read", self._writing()
        )
        self._show_grade()
        self.box.children = [
            self.last,
            section("What will you change?", ""),
            self.text,
            w.HBox([self.save, self.grade]),
            self.history,
            self.writing,
        ]

    def _writing(self) -> str:
        """A sentence, the hard-to-read notes, and a count per rep (folded).

        Hundreds of notes saying "easy to read" tell a coach nothing; the ones to
        fix, and who they were written for, do. ``frames["writing"]`` keeps all.
        """
        writing = self.frames["writing"]
        body = say(reflections.writing_sentence(writing)) + note(
            f"Aim for a reading grade of {reflections.TARGET_GRADE} or below, so "
            "every rep can follow your plans and notes."
        )
        hard = writing[~writing["ok"].astype(bool)] if len(writing) else writing
        if len(hard):
            body += table(
                hard.assign(grade=hard["grade"].map(num)),
                {
                    "rep": "Rep",
                    "what": "Text",
                    "written_on": "Written on",
                    "grade": "Reading grade",
                    "excerpt": "Starts with",
                },
                "",
                limit=WRITING_ROWS,
                more="The hardest are first.",
            )
        by_rep = reflections.writing_by_rep(writing)
        if len(by_rep):
            reps = "rep" if len(by_rep) == 1 else "reps"
            body += folded(
                f"Notes for each of {len(by_rep)} {reps}",
                table(
                    by_rep.assign(hardest=by_rep["hardest"].map(num)),
                    {
                        "rep": "Rep",
                        "notes": "Notes",
                        "hard": "Hard to read",
                        "hardest": "Hardest grade",
                    },
                    "",
                ),
                "ck-writing-by-rep",
            )
        return body

    def _show_grade(self, _change: object = None) -> None:
        grade = grade_level(self.text.value)
        if grade is None:
            self.grade.value = ""
            return
        target = reflections.TARGET_GRADE
        verdict = "easy to read" if grade <= target else f"aim for {target} or below"
        self.grade.value = note(f"Reading grade {number(grade, 1)}: {verdict}.")

    def _save(self, _button: object = None) -> None:
        self.app.save_reflection(self.text.value)
        self.text.value = ""
        self.app.tab(self.key)  # redrawn now, even when called off screen
        self.state.say("Saved your reflection. You will see it here next time.")


class CheckTab(ImproveTab):
    """Are all three pillars in place? A checklist scored from the data."""

    key = "check"
    title = "8. Self-check"
    redraws_on = ImproveTab.redraws_on | {"reflection"}

    def load(self, conn: Any) -> None:
        check = selfcheck.programme_check(conn, self.scope, self.today)
        self.frames = {"check": check, "pillars": selfcheck.pillar_scores(check)}
        self.weakest = selfcheck.weakest_pillar(check)
        self.sentence = selfcheck.summary_sentence(check)
        if self.state.sees_all:
            self.frames["by_coach"] = selfcheck.checklist_by_coach(conn, self.today)

    def draw(self, changed: frozenset[str]) -> None:
        check = self.frames["check"].copy()
        check["score"] = check["score"].map(pct)
        check["target"] = check["target"].map(pct)
        check["passed"] = check["passed"].map({True: "yes", False: "not yet"})
        pillars = self.frames["pillars"].copy()
        pillars["score"] = pillars["score"].map(pct)
        children: list[w.Widget] = [
            section(
                "Are all three pillars in place?",
                say(self.sentence)
                + "<p class='ck-weakest'>Weakest pillar: "
                + f"<b>{text(self.weakest)}</b></p>",
                "ck-selfcheck-summary",
            ),
            section(
                "Pillars",
                table(
                    pillars,
                    {
                        "pillar": "Pillar",
                        "score": "Score",
                        "passed_checks": "Checks passed",
                        "checks": "Checks",
                    },
                    "Nothing to score yet.",
                ),
                "ck-selfcheck-pillars",
            ),
            section(
                "Checklist",
                table(check, selfcheck.CHECK_LABELS, "Nothing to score yet."),
                "ck-selfcheck-table",
            ),
        ]
        if "by_coach" in self.frames:
            by = self.frames["by_coach"]
            wide = (
                by.pivot_table(index="coach", columns="pillar", values="score")
                .reset_index()
                .rename(columns={"coach": "Coach"})
            )
            for col in wide.columns[1:]:
                wide[col] = wide[col].map(pct)
            children.append(
                section(
                    "Every coach",
                    table(wide, {c: c for c in wide.columns}, "No coaches yet."),
                    "ck-selfcheck-coaches",
                )
            )
        self.box.children = children


def section_html(title: str, body: str) -> str:
    """The HTML of :func:`section`, for widgets that already exist."""
    return f"<h2>{text(title)}</h2>{body}"
