"""The Write-up tab: document the session; every change is saved as a draft at once."""

from __future__ import annotations

import base64
import datetime as dt
import re
from typing import Any

import ipywidgets as w

from coachkit.apps.shell import text
from coachkit.apps.tabs import Tab, field
from coachkit.errors import ValidationError
from coachkit.facilitate import actions as ac
from coachkit.facilitate.session_form import (
    DURATION_MINUTES,
    LABELS,
    TEXT_FIELDS,
    TEXT_MAX,
)
from coachkit.facilitate.summary import (
    summary_body_html,
    summary_html,
    summary_markdown,
    summary_readability,
)
from coachkit.model.session_checks import CHECKS, SCORERS

_SCORES = [("–", None), ("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5)]
_STYLES = [
    ("–", None),
    ("Direct", "direct"),
    ("Guide", "guide"),
    ("Excite", "excite"),
    ("Delegate", "delegate"),
]


def _focus_options(app: Any) -> list[tuple[str, int]]:
    frame = app.behaviours()
    return [(str(r.behaviour), int(r.behaviour_id)) for r in frame.itertuples()]


def _box(description: str, css: str) -> w.Textarea:
    return field(
        w.Textarea(
            description=description,
            layout=w.Layout(width="640px", height="70px"),
            style={"description_width": "130px"},
        ),
        css,
    )


class WriteTab(Tab):
    """The session record: what happened, what was agreed, and how it went."""

    title = "5. Write up"
    redraws_on = frozenset({"rep", "draft"})

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        kinds = [(t.name, t.key) for t in app.guides.session_types]
        wide = {"description_width": "130px"}
        self.fields: dict[str, w.Widget] = {
            "session_type": w.Dropdown(
                options=kinds, description="Session type", style=wide
            ),
            "held_on": w.DatePicker(description="Date", style=wide),
            "style": field(
                w.Dropdown(options=_STYLES, description="Style", style=wide),
                "ck-style",
            ),
            "focus": field(
                w.SelectMultiple(
                    options=_focus_options(app),
                    description="Focus",
                    rows=5,
                    style=wide,
                    layout=w.Layout(width="640px"),
                ),
                "ck-focus",
            ),
            "duration_minutes": field(
                w.Text(description="Minutes", style=wide), "ck-duration"
            ),
            "went_well": _box("What went well", "ck-went-well"),
            "to_change": _box("What to change", "ck-to-change"),
            "rep_view": _box("Rep's own view", "ck-rep-view"),
            "next_session_on": w.DatePicker(description="Next session", style=wide),
        }
        for who in SCORERS:
            for part in CHECKS:
                self.fields[f"{who}_{part}"] = w.Dropdown(
                    options=_SCORES,
                    description=f"{part.capitalize()}",
                    style={"description_width": "105px"},
                    layout=w.Layout(width="190px"),
                )
        for name, widget in self.fields.items():
            widget.observe(self._saver(name), names="value")
        self.saved = field(w.HTML(), "ck-saved-at")
        self.action_text = field(
            w.Text(description="Action", layout=w.Layout(width="520px")),
            "ck-action-text",
        )
        self.action_owner = w.Dropdown(
            options=[("Rep", "rep"), ("Coach", "coach")], description="Who"
        )
        self.action_due = field(
            w.Text(description="By", placeholder="2026-12-31"), "ck-action-due"
        )
        self.add_action = field(w.Button(description="Add action"), "ck-add-action")
        self.add_action.on_click(self.action("adding the action", self._add_action))
        self.actions = field(w.VBox(), "ck-actions")
        self.finish = field(
            w.Button(description="Finish and save", button_style="primary"), "ck-finish"
        )
        self.finish.on_click(self.action("saving the session", self._finish))
        self.summary = field(w.HTML(), "ck-summary")
        self.form = w.VBox(
            [
                w.HBox([self.fields["session_type"], self.fields["held_on"]]),
                self.fields["duration_minutes"],
                self.fields["style"],
                self.fields["focus"],
                self.fields["went_well"],
                self.fields["to_change"],
                self.fields["rep_view"],
                w.HTML("<h3>Agreed actions</h3>"),
                w.HBox([self.action_text, self.action_owner]),
                w.HBox([self.action_due, self.add_action]),
                self.actions,
                self.fields["next_session_on"],
                w.HTML(
                    "<h3>Quick check: was the session relevant, developmental and "
                    "motivational? (1 to 5)</h3>"
                ),
                w.HBox(
                    [w.Label("Coach", layout=w.Layout(width="60px"))]
                    + [self.fields[f"coach_{p}"] for p in CHECKS]
                ),
                w.HBox(
                    [w.Label("Rep", layout=w.Layout(width="60px"))]
                    + [self.fields[f"rep_{p}"] for p in CHECKS]
                ),
                self.saved,
                self.finish,
            ]
        )
        self.empty = w.HTML(
            "<p class='ck-note'>No session is open for this rep. Start one from "
            "2. Prep.</p>"
        )
        self.box.children = [self.empty, self.form, self.summary]
        self._loading = False
        self.version = 0

    # -- showing the draft ----------------------------------------------------
    def draw(self, changed: frozenset[str]) -> None:
        draft = self.state.draft
        self.form.layout.display = None if draft is not None else "none"
        self.empty.layout.display = "none" if draft is not None else None
        if draft is None:
            return
        self.summary.value = ""
        self.version = draft.row_version
        self._loading = True
        try:
            values = draft.fields()
            for name, widget in self.fields.items():
                value = values.get(name)
                if name == "focus":
                    value = tuple(int(v) for v in value or ())
                elif name == "duration_minutes":
                    value = "" if value is None else str(value)
                widget.value = value
        finally:
            self._loading = False
        copy = " (your copy, saved beside the other version)" if draft.is_copy else ""
        self.saved.value = f"<p class='ck-note'>Draft saved{copy}.</p>"
        self._show_actions(draft.actions)

    def _show_actions(self, actions: tuple[ac.Action, ...]) -> None:
        rows = []
        for a in actions:
            remove = field(
                w.Button(description="Remove", layout=w.Layout(width="90px")),
                "ck-remove-action",
            )
            remove.on_click(self._remover(a.id))
            rows.append(
                w.HBox([w.Label(f"{a.text} ({a.owner}, by {a.due_on})"), remove])
            )
        self.actions.children = rows

    # -- saving -----------------------------------------------------------------
    def _saver(self, name: str) -> Any:
        def save(change: Any) -> None:
            if self._loading or self.state.draft is None:
                return
            self._save({name: change.new})

        return self.action("saving the draft", save)

    def _save(self, values: dict[str, object]) -> None:
        _refuse_out_of_range(values, self.app.today)
        self.version = self.app.save_draft(values, expected_version=self.version)
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        self.saved.value = f"<p class='ck-note'>Draft saved at {stamp}.</p>"
        if self.state.level == "error":  # the problem was fixed: say so
            self.state.say("Fixed. The draft is saved.")

    def _values(self) -> dict[str, object]:
        return {name: widget.value for name, widget in self.fields.items()}

    def _add_action(self, _button: Any = None) -> None:
        draft = self.state.draft
        held = self.fields["held_on"].value or draft.held_on
        action = ac.ActionDraft(
            self.action_text.value, self.action_owner.value, self.action_due.value
        )
        actions = self.app.add_action(action, held)
        self.action_text.value = ""
        self._show_actions(actions)
        self.state.say("Added the action.")

    def _remover(self, action_id: int) -> Any:
        def remove(_button: Any = None) -> None:
            self._show_actions(self.app.remove_action(action_id))

        return self.action("removing the action", remove)

    def _finish(self, _button: Any = None) -> None:
        summary = self.app.finish_session(self._values(), self.version)
        self.summary.value = _summary_block(summary)
        self.state.say("Saved the session. The summary for the rep is below.")


def _refuse_out_of_range(values: dict[str, object], today: dt.date) -> None:
    """Refuse, before a draft save, what no finished session could hold.

    The browser can send any text or date; a duration too long for the database
    column would otherwise end in a crash, not a message (issue #9).
    """
    low, high = DURATION_MINUTES
    minutes = re.match(r"\s*(\d+)", str(values.get("duration_minutes") or ""))
    if minutes is not None and int(minutes.group(1)) > high:
        raise ValidationError(
            LABELS["duration_minutes"], f"type a number of minutes from {low} to {high}"
        )
    held = values.get("held_on")
    if isinstance(held, dt.date) and held > today:
        raise ValidationError(
            LABELS["held_on"],
            "pick today or an earlier day; write a session up after it",
        )
    for name in TEXT_FIELDS:
        value = values.get(name)
        if isinstance(value, str) and len(value) > TEXT_MAX:
            raise ValidationError(
                LABELS[name],
                f"keep it to {TEXT_MAX} characters or fewer (now {len(value)})",
            )


def _summary_block(summary: Any) -> str:
    page = summary_html(summary)
    md = base64.b64encode(summary_markdown(summary).encode()).decode()
    html = base64.b64encode(page.encode()).decode()
    grade = summary_readability(summary)
    return (
        "<h2>Summary for the rep</h2>"
        f"<p><a class='ck-download-md' download='session-summary.md' "
        f"href='data:text/markdown;base64,{md}'>Download as Markdown</a> · "
        f"<a class='ck-download-html' download='session-summary.html' "
        f"href='data:text/html;base64,{html}'>Download as a web page</a></p>"
        f"<p class='ck-note'>Readability: {text(grade.label())}</p>"
        f"<div class='ck-summary-page'>{summary_body_html(summary)}</div>"
    )
