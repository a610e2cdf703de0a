"""The Assess tab: rate one rep on every behaviour, skill and will, with evidence."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from coachkit.apps.shell import html_table, text
from coachkit.apps.tabs import Tab, field
from coachkit.errors import ValidationError
from coachkit.model.framework import LEVEL_COLUMNS
from coachkit.prioritize import assessing

_SCORES = [("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5)]
_SOURCES = [("Your rating as coach", "coach"), ("The rep's own view", "self")]
_OTHER = {"coach": "self", "self": "coach"}
_WHO = {"coach": "Coach", "self": "Rep"}


def _levels(record: Any) -> list[str]:
    """The rubric's five texts in a row of the assessment form, level 1 first."""
    return [str(getattr(record, column)) for column in LEVEL_COLUMNS]


class _Row:
    """The widgets for one behaviour."""

    def __init__(self, record: Any) -> None:
        self.behaviour_id = int(record.behaviour_id)
        self.levels = _levels(record)
        self.skill = field(
            w.ToggleButtons(
                options=_SCORES,
                value=None,
                tooltips=self.levels,
                style={"button_width": "34px"},
            ),
            "ck-skill",
        )
        self.will = field(
            w.ToggleButtons(
                options=_SCORES, value=None, style={"button_width": "34px"}
            ),
            "ck-will",
        )
        self.evidence = field(
            w.Text(
                placeholder="What did you see or hear?", layout=w.Layout(width="98%")
            ),
            "ck-evidence",
        )
        self.level_text = w.HTML()
        self.other = w.HTML()
        self.last_note = ""
        self.skill.observe(self._show_level, names="value")
        head = w.HTML(
            f"<b>{text(record.behaviour)}</b> <span class='ck-note'>target "
            f"{int(record.target_level)} · {text(record.objective)}</span>"
        )
        self.box = field(
            w.VBox(
                [
                    head,
                    w.HBox([w.Label("Skill"), self.skill, w.Label("Will"), self.will]),
                    self.level_text,
                    self.other,
                    self.evidence,
                ],
                layout=w.Layout(border_bottom="1px solid #ddd", padding="4px 0"),
            ),
            f"ck-assess-{record.behaviour_key}",
        )

    def _show_level(self, _change: Any = None) -> None:
        level = self.skill.value
        self.level_text.value = (
            ""
            if level is None
            else f"<span class='ck-note'>{level}: {text(self.levels[level - 1])}</span>"
        )

    def fill(self, record: Any, source: str) -> None:
        self.skill.value = _int(getattr(record, f"{source}_skill"))
        self.will.value = _int(getattr(record, f"{source}_will"))
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
        if self.last_note:
            notes.append(f"Last note: {text(self.last_note)}")
        if theirs is not None:
            gap = "" if mine is None else f" (gap {theirs - mine:+d})"
            notes.append(f"{_WHO[other]}'s latest skill rating: {theirs}{gap}")
        self.other.value = "".join(
            f"<span class='ck-note'>{note}</span><br>" for note in notes
        )

    def rating(self, name: str) -> assessing.Rating | None:
        if self.skill.value is None and self.will.value is None:
            return None
        if self.skill.value is None or self.will.value is None:
            missing = "skill" if self.skill.value is None else "will"
            raise ValidationError(f"{name} — {missing}", "pick a score from 1 to 5")
        return assessing.Rating(
            self.behaviour_id, self.skill.value, self.will.value, self.evidence.value
        )


class AssessTab(Tab):
    """Skill (against the rubric) and will, per behaviour, for the chosen rep."""

    title = "5. Assess"
    redraws_on = frozenset({"rep"})

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.heading = field(w.HTML(), "ck-assess-heading")
        self.day = w.DatePicker(description="Date", value=app.today)
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
        self.history = field(w.HTML(), "ck-history")
        self.box.children = [
            self.heading,
            self.day,
            self.source,
            self.form,
            self.save,
            self.history,
        ]

    def draw(self, changed: frozenset[str]) -> None:
        s = self.state
        form = s.rep_form
        rep = _rep_name(s)
        self.heading.value = (
            f"<h2>Assess {text(rep)}</h2><p class='ck-note'>Skill: how well they do "
            "it, against the rubric (hover a score to read it). Will: how much they "
            "want to. Both from 1 to 5. Leave a behaviour blank to skip it.</p>"
        )
        keys = [int(b) for b in form["behaviour_id"]] if len(form) else []
        if keys != [row.behaviour_id for row in self.rows] or any(
            row.levels != _levels(r)
            for row, r in zip(self.rows, form.itertuples(), strict=False)
        ):
            for row in self.rows:
                row.box.close()
            self.rows = [_Row(r) for r in form.itertuples()]
            self.form.children = [row.box for row in self.rows]
        self._fill()
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

    def _fill(self) -> None:
        for row, record in zip(
            self.rows, self.state.rep_form.itertuples(), strict=True
        ):
            row.fill(record, self.source.value)

    def _save(self, _button: Any = None) -> None:
        s = self.state
        if s.rep_id is None:
            raise ValidationError("Rep", "pick a rep first")
        names = list(s.rep_form["behaviour"])
        ratings = [
            r
            for row, n in zip(self.rows, names, strict=True)
            if (r := row.rating(n)) is not None
        ]
        count = self.app.save_assessment(self.day.value, self.source.value, ratings)
        who = "your" if self.source.value == "coach" else "the rep's own"
        self.state.say(f"Saved {who} ratings of {count} behaviours for {_rep_name(s)}.")


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _rep_name(state: Any) -> str:
    roster = state.roster
    match = roster[roster["rep_id"] == state.rep_id]
    return str(match["rep"].iloc[0]) if len(match) else ""
