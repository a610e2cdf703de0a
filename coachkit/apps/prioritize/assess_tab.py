"""The Assess tab: rate one rep on every behaviour, skill and will, with evidence.

The form starts from the latest ratings. Saving keeps only the behaviours the coach
changed or gave evidence for (:func:`coachkit.prioritize.assessing.ratings_to_save`);
"Not rated" skips a behaviour. Every problem shows at once, next to its field, and
the result of a save shows next to the Save button.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from coachkit.apps.calls import CallEvidence
from coachkit.apps.shell import beside, html_table, text
from coachkit.apps.tabs import Tab, field
from coachkit.errors import CoachkitError, ValidationError
from coachkit.model.formats import day
from coachkit.model.framework import LEVEL_COLUMNS
from coachkit.prioritize import assessing

#: "Not rated" is 0 on the buttons, None everywhere else.
NOT_RATED = 0
_SCORES = [("Not rated", NOT_RATED), ("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5)]
_SKIP_TIP = "Not rated: skip this behaviour"
_SOURCES = [("Your rating as coach", "coach"), ("The rep's own view", "self")]
_OTHER = {"coach": "self", "self": "coach"}
_WHO = {"coach": "Coach", "self": "Rep"}


def _levels(record: Any) -> list[str]:
    """The rubric's five texts in a row of the assessment form, level 1 first."""
    return [str(getattr(record, column)) for column in LEVEL_COLUMNS]


def _message(css: str) -> w.HTML:
    """An empty line for a field's message, shown beside the field."""
    return field(w.HTML(), css)


def _say(widget: w.HTML, message: str, level: str = "error") -> None:
    """Show ``message`` beside its control: one line, escaped (as Facilitate does)."""
    widget.value = beside(message, level)


class _Row:
    """The widgets for one behaviour."""

    def __init__(self, record: Any, app: Any) -> None:
        self.behaviour_id = int(record.behaviour_id)
        self.levels = _levels(record)
        self.skill = field(
            w.ToggleButtons(
                options=_SCORES,
                value=None,
                tooltips=[_SKIP_TIP, *self.levels],
                style={"button_width": "auto"},
            ),
            "ck-skill",
        )
        self.will = field(
            w.ToggleButtons(
                options=_SCORES,
                value=None,
                tooltips=[_SKIP_TIP, "1", "2", "3", "4", "5"],
                style={"button_width": "auto"},
            ),
            "ck-will",
        )
        self.evidence = field(
            w.Text(
                placeholder="What did you see or hear?", layout=w.Layout(width="98%")
            ),
            "ck-evidence",
        )
        self.skill_msg = _message("ck-skill-problem")
        self.will_msg = _message("ck-will-problem")
        self.evidence_msg = _message("ck-evidence-problem")
        self.level_text = w.HTML()
        self.other = w.HTML()
        self.calls = CallEvidence(
            app, f"ck-call-evidence-{self.behaviour_id}", on_use=self.add_evidence
        )
        self.last_note = ""
        self.skill.observe(self._show_level, names="value")
        head = w.HTML(
            f"<b>{text(record.behaviour)}</b> <span class='ck-note'>target "
            f"{int(record.target_level)} · {text(record.objective)}</span>"
        )
        wrap = w.Layout(flex_flow="row wrap", align_items="center")
        self.box = field(
            w.VBox(
                [
                    head,
                    w.HBox([w.Label("Skill"), self.skill, self.skill_msg], layout=wrap),
                    self.level_text,
                    w.HBox([w.Label("Will"), self.will, self.will_msg], layout=wrap),
                    self.other,
                    self.calls.box,
                    self.evidence,
                    self.evidence_msg,
                ],
                layout=w.Layout(border_bottom="1px solid #ddd", padding="4px 0"),
            ),
            f"ck-assess-{record.behaviour_key}",
        )

    def add_evidence(self, words: str) -> None:
        """Add a moment from a call to what the coach writes as evidence."""
        current = self.evidence.value.strip()
        self.evidence.value = f"{current} {words}".strip() if current else words

    def _show_level(self, _change: Any = None) -> None:
        level = self.skill.value
        self.level_text.value = (
            ""
            if not level
            else f"<span class='ck-note'>{level}: {text(self.levels[level - 1])}</span>"
        )

    def fill(self, record: Any, source: str) -> None:
        self.clear()
        self.skill.value = _int(getattr(record, f"{source}_skill")) or NOT_RATED
        self.will.value = _int(getattr(record, f"{source}_will")) or NOT_RATED
        # Evidence is for what was seen this time: the last note is shown, not
        # copied, so a save never re-dates an old observation.
        self.evidence.value = ""
        last = str(getattr(record, f"{source}_evidence") or "")
        self.last_note = last
        self._show_level()
        mine = _int(getattr(record, f"{source}_skill"))
        other = _OTHER[source]
        theirs = _int(getattr(record, f"{other}_skill"))
        notes = []
        when = getattr(record, f"{source}_assessed_on")
        if mine is not None and when is not None:
            notes.append(f"Latest rating: {day(pd.Timestamp(when).date())}")
        if self.last_note:
            notes.append(f"Last note: {text(self.last_note)}")
        if theirs is not None:
            notes.append(_gap_line(other, theirs, mine))
        self.other.value = "".join(
            f"<span class='ck-note'>{note}</span><br>" for note in notes
        )

    def entry(self) -> assessing.Entry:
        return assessing.Entry(
            self.behaviour_id,
            self.skill.value or None,
            self.will.value or None,
            self.evidence.value,
        )

    def show(self, problem: assessing.Problem) -> None:
        widget = {
            "skill": self.skill_msg,
            "will": self.will_msg,
            "evidence": self.evidence_msg,
        }[problem.part]
        _say(widget, str(problem))

    def clear(self) -> None:
        for widget in (self.skill_msg, self.will_msg, self.evidence_msg):
            widget.value = ""


class AssessTab(Tab):
    """Skill (against the rubric) and will, per behaviour, for the chosen rep."""

    title = "5. Assess"
    redraws_on = frozenset({"rep", "calls"})

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.heading = field(w.HTML(), "ck-assess-heading")
        self.day = field(w.DatePicker(description="Date", value=app.today), "ck-day")
        self.day_msg = _message("ck-day-problem")
        self.source = field(
            w.ToggleButtons(
                options=_SOURCES, value="coach", style={"button_width": "180px"}
            ),
            "ck-source",
        )
        self.source.observe(lambda _c: self._fill(), names="value")
        self.rows: list[_Row] = []
        self.form = w.VBox()
        self.save = field(
            w.Button(description="Save assessment", button_style="primary"),
            "ck-save-assessment",
        )
        self.save.on_click(self.action("saving the assessment", self._save))
        self.save_msg = _message("ck-save-assessment-message")
        self.history = field(w.HTML(), "ck-history")
        wrap = w.Layout(flex_flow="row wrap", align_items="center")
        self.box.children = [
            self.heading,
            w.HBox([self.day, self.day_msg], layout=wrap),
            self.source,
            self.form,
            w.HBox([self.save, self.save_msg], layout=wrap),
            self.history,
        ]

    def draw(self, changed: frozenset[str]) -> None:
        s = self.state
        form = s.rep_form
        rep = _rep_name(s)
        self.heading.value = (
            f"<h2>Assess {text(rep)}</h2><p class='ck-note'>Skill: how well they do "
            "it, against the rubric (hover a score to read it). Will: how much they "
            "want to. Both from 1 to 5. Each behaviour starts from its latest "
            "rating; only the ones you change or add evidence to are saved. Pick "
            "'Not rated' to skip one.</p>"
        )
        keys = [int(b) for b in form["behaviour_id"]] if len(form) else []
        if keys != [row.behaviour_id for row in self.rows] or any(
            row.levels != _levels(r)
            for row, r in zip(self.rows, form.itertuples(), strict=False)
        ):
            for row in self.rows:
                row.box.close()
            self.rows = [_Row(r, self.app) for r in form.itertuples()]
            self.form.children = [row.box for row in self.rows]
        self._fill()
        self._show_calls()
        self.day_msg.value = self.save_msg.value = ""
        history = s.rep_history.head(30)
        shown = pd.DataFrame(
            {
                "Date": history.get("assessed_on", pd.Series(dtype=object)),
                "By": history.get("source", pd.Series(dtype=object)).map(_WHO),
                "Behaviour": history.get("behaviour", pd.Series(dtype=object)),
                "Skill": history.get("skill", pd.Series(dtype=object)),
                "Will": history.get("will", pd.Series(dtype=object)),
                "Evidence": history.get("evidence", pd.Series(dtype=object)),
            }
        )
        self.history.value = "<h3>Earlier ratings</h3>" + html_table(
            shown, "No ratings yet."
        )

    def _show_calls(self) -> None:
        """Under each behaviour, the moments from the rep's calls that fit it."""
        from coachkit.model.calls.store import hits

        found = hits(self.app.store, self.state.rep_id) if self.state.rep_id else []
        for row in self.rows:
            row.calls.show([h for h in found if h.behaviour_id == row.behaviour_id])

    def _fill(self) -> None:
        for row, record in zip(
            self.rows, self.state.rep_form.itertuples(), strict=True
        ):
            row.fill(record, self.source.value)

    def _save(self, _button: Any = None) -> None:
        s = self.state
        self.day_msg.value = self.save_msg.value = ""
        for row in self.rows:
            row.clear()
        if s.rep_id is None:
            self._tell("Rep: pick a rep first.", "error")
            return
        ratings, problems = assessing.ratings_to_save(
            s.rep_form, self.source.value, [row.entry() for row in self.rows]
        )
        if problems:
            rows = {row.behaviour_id: row for row in self.rows}
            for problem in problems:
                rows[problem.behaviour_id].show(problem)
            if len(problems) == 1:
                self._tell(f"{problems[0]}. Nothing was saved.", "error")
            else:
                self._tell(
                    f"Nothing was saved: {len(problems)} things to fix, each "
                    f"marked next to its field (first: {problems[0].field}).",
                    "error",
                )
            return
        if not ratings:
            self._tell(
                "Nothing to save yet: change a rating or add evidence first.", "info"
            )
            return
        try:
            count = self.app.save_assessment(self.day.value, self.source.value, ratings)
        except ValidationError as exc:
            if exc.field == "Date":
                _say(self.day_msg, str(exc))
            self._tell(f"{exc} Nothing was saved.", "error")
            return
        except CoachkitError as exc:
            self._tell(str(exc), "error")
            return
        own = " (the rep's own view)" if self.source.value == "self" else ""
        plural = "rating" if count == 1 else "ratings"
        self._tell(f"Saved {count} {plural} for {_rep_name(s)}{own}.", "ok")

    def _tell(self, message: str, level: str) -> None:
        """Say ``message`` next to the Save button, and in the status line."""
        _say(self.save_msg, message, level)
        self.state.say(message, level)


def _gap_line(other: str, theirs: int, mine: int | None) -> str:
    """The other view's latest skill rating, and the gap between the two in words.

    The rep's own view is what they answered on their page (or the coach typed
    for them); the gap is theirs minus this one, ``+1`` when they rate higher.
    """
    who = "The rep's own" if other == "self" else "The coach's"
    line = f"{who} latest skill rating: {theirs}"
    if mine is None:
        return line
    gap = theirs - mine
    if gap == 0:
        return f"{line} (the same: no gap)"
    way = "higher" if gap > 0 else "lower"
    return f"{line} (gap {gap:+d}: {abs(gap)} {way} than this one)"


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _rep_name(state: Any) -> str:
    roster = state.roster
    match = roster[roster["rep_id"] == state.rep_id]
    return str(match["rep"].iloc[0]) if len(match) else ""
