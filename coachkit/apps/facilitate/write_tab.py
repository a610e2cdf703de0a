"""The Write-up tab: document the session; every change is saved as a draft at once."""

from __future__ import annotations

import base64
import datetime as dt
import re
from typing import Any

import ipywidgets as w

from coachkit.apps.checklist import CheckList
from coachkit.apps.shell import beside, text
from coachkit.apps.tabs import Tab, field
from coachkit.errors import ValidationError
from coachkit.facilitate import actions as ac
from coachkit.facilitate.session_form import (
    DURATION_MINUTES,
    LABELS,
    TEXT_FIELDS,
    TEXT_MAX,
    SessionProblems,
    due_problem,
)
from coachkit.facilitate.sessions import SessionConflict
from coachkit.facilitate.summary import (
    summary_body_html,
    summary_html,
    summary_markdown,
    summary_readability,
)
from coachkit.model import vocabulary
from coachkit.model.formats import day
from coachkit.model.session_checks import CHECKS, SCORERS
from coachkit.model.vocabulary import choices

_SCORES = [("–", None), ("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5)]
_STYLES = [("–", None), *choices("style")]
_SAYS_WHERE = "Each is marked next to its field."


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


def _note(message: str, level: str) -> str:
    """A message shown beside its control (:func:`coachkit.apps.shell.beside`)."""
    return beside(message, level)


class WriteTab(Tab):
    """The session record: what happened, what was agreed, and how it went.

    Every problem is shown next to the field it is about (``problems[name]``), and
    stays there until that field is saved.
    """

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
            "held_on": field(
                w.DatePicker(description="Date", style=wide), "ck-held-on"
            ),
            "style": field(
                w.Dropdown(options=_STYLES, description="Style", style=wide),
                "ck-style",
            ),
            "focus": field(
                CheckList(
                    options=_focus_options(app),
                    description="Focus",
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
            "next_session_on": field(
                w.DatePicker(description="Next session", style=wide), "ck-next-session"
            ),
        }
        for who in SCORERS:
            for part in CHECKS:
                self.fields[f"{who}_{part}"] = w.Dropdown(
                    options=_SCORES,
                    description=f"{part.capitalize()}",
                    style={"description_width": "105px"},
                    layout=w.Layout(width="190px"),
                )
        #: The message beside each field (empty while the field is fine).
        self.problems: dict[str, w.HTML] = {
            name: field(w.HTML(), f"ck-problem-{name.replace('_', '-')}")
            for name in self.fields
        }
        for name, widget in self.fields.items():
            widget.observe(self._saver(name), names="value")
        self.saved = field(w.HTML(), "ck-saved-at")
        self.action_text = field(
            w.Text(description="Action", layout=w.Layout(width="520px")),
            "ck-action-text",
        )
        self.action_owner = w.Dropdown(options=choices("owner"), description="Who")
        self.action_due = field(w.DatePicker(description="By"), "ck-action-due")
        self.add_action = field(w.Button(description="Add action"), "ck-add-action")
        self.add_action.on_click(self.action("adding the action", self._add_action))
        self.action_problem = field(w.HTML(), "ck-action-problem")
        self.actions = field(w.VBox(), "ck-actions")
        self._action_notes: dict[int, w.HTML] = {}
        self.finish = field(
            w.Button(description="Finish and save", button_style="primary"), "ck-finish"
        )
        self.finish.on_click(self.action("saving the session", self._finish))
        self.finish_note = field(w.HTML(), "ck-finish-note")
        self.summary = field(w.HTML(), "ck-summary")
        self.form = w.VBox(
            [
                w.HBox([self.fields["session_type"], self.fields["held_on"]]),
                self._with_problem("session_type", "held_on"),
                self._with_problem("duration_minutes"),
                self._with_problem("style"),
                self._with_problem("focus"),
                self._with_problem("went_well"),
                self._with_problem("to_change"),
                self._with_problem("rep_view"),
                w.HTML("<h3>Agreed actions</h3>"),
                w.HBox([self.action_text, self.action_owner]),
                w.HBox([self.action_due, self.add_action]),
                self.action_problem,
                self.actions,
                self._with_problem("next_session_on"),
                w.HTML(
                    "<h3>Quick check: was the session relevant, developmental and "
                    "motivational? (1 to 5)</h3>"
                ),
                *(self._score_row(who) for who in SCORERS),
                self.saved,
                self.finish,
                self.finish_note,
            ]
        )
        self.empty = w.HTML(
            "<p class='ck-note'>No session is open for this rep. Start one from "
            "2. Prep.</p>"
        )
        self.box.children = [self.empty, self.form, self.summary]
        self._loading = False
        self.version = 0

    def _with_problem(self, *names: str) -> w.VBox:
        """The fields (none, if they sit in a row above) and their messages."""
        shown = [self.fields[n] for n in names if len(names) == 1]
        return w.VBox([*shown, *(self.problems[n] for n in names)])

    def _score_row(self, who: str) -> w.VBox:
        label = vocabulary.OWNER[who]
        row = w.HBox(
            [w.Label(label, layout=w.Layout(width="60px"))]
            + [self.fields[f"{who}_{p}"] for p in CHECKS]
        )
        return w.VBox([row, *(self.problems[f"{who}_{p}"] for p in CHECKS)])

    # -- showing the draft ----------------------------------------------------
    def draw(self, changed: frozenset[str]) -> None:
        draft = self.state.draft
        self.form.layout.display = None if draft is not None else "none"
        self.empty.layout.display = "none" if draft is not None else None
        if draft is None:
            return
        self.summary.value = ""
        self.finish_note.value = ""
        self.action_problem.value = ""
        for note in self.problems.values():
            note.value = ""
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
        self._action_notes = {}
        for a in actions:
            remove = field(
                w.Button(description="Remove", layout=w.Layout(width="90px")),
                "ck-remove-action",
            )
            remove.on_click(self._remover(a.id))
            who = vocabulary.words("owner", a.owner)
            note = field(w.HTML(), "ck-action-row-problem")
            self._action_notes[a.id] = note
            rows.append(
                w.VBox(
                    [
                        w.HBox(
                            [w.Label(f"{a.text} ({who}, by {day(a.due_on)})"), remove]
                        ),
                        note,
                    ]
                )
            )
        self.actions.children = rows

    def show_problems(self, problems: dict[str, ValidationError]) -> None:
        """Show each problem next to its field; clear the fields without one."""
        for name, note in self.problems.items():
            problem = problems.get(name)
            note.value = _note("" if problem is None else str(problem), "error")
        for action_id, note in self._action_notes.items():
            problem = problems.get(f"action {action_id}")
            note.value = _note("" if problem is None else str(problem), "error")

    # -- saving -----------------------------------------------------------------
    def _saver(self, name: str) -> Any:
        def save(change: Any) -> None:
            if self._loading or self.state.draft is None:
                return
            try:
                self._save({name: change.new})
            except ValidationError as exc:
                self.problems[name].value = _note(str(exc), "error")
                self.saved.value = (
                    "<p class='ck-note'>The draft keeps what it had before for "
                    f"{text(LABELS[name])}.</p>"
                )
                return
            except SessionConflict:
                raise  # the coach's copy was saved beside the other version, and shown
            except Exception:
                # The store refused (gone, full, read-only) or the save broke: never
                # leave "Draft saved" beside what was not. The status line says why.
                # role=status: the alert is the status line's, which says why (and
                # shows at the top of the window while it is scrolled away).
                self.saved.value = (
                    "<div class='ck-status ck-status-error' role='status'>Not saved: "
                    "what you typed since the last save is only on this page. The "
                    "message at the top says why.</div>"
                )
                raise
            self.problems[name].value = ""

        return self.action("saving the draft", save)

    def _save(self, values: dict[str, object]) -> None:
        _refuse_out_of_range(values, self.app.today)
        self.version = self.app.save_draft(values, expected_version=self.version)
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        self.saved.value = f"<p class='ck-note'>Draft saved at {stamp}.</p>"

    def _values(self) -> dict[str, object]:
        return {name: widget.value for name, widget in self.fields.items()}

    def _add_action(self, _button: Any = None) -> None:
        draft = self.state.draft
        held = self.fields["held_on"].value or draft.held_on
        action = ac.ActionDraft(
            self.action_text.value, self.action_owner.value, self.action_due.value
        )
        try:
            if str(action.text or "").strip():  # else "Action: say what ..." first
                late = due_problem(_day_or_none(action.due_on), held)
                if late is not None:
                    raise late
            actions = self.app.add_action(action, held)
        except ValidationError as exc:
            self.action_problem.value = _note(str(exc), "error")
            return
        added = " ".join(str(self.action_text.value).split())
        self.action_text.value = ""
        self.action_due.value = None
        self._show_actions(actions)
        self.action_problem.value = _note(f"Added the action: {added}", "ok")

    def _remover(self, action_id: int) -> Any:
        def remove(_button: Any = None) -> None:
            self._show_actions(self.app.remove_action(action_id))
            self.action_problem.value = _note("Removed the action.", "ok")

        return self.action("removing the action", remove)

    def _finish(self, _button: Any = None) -> None:
        self.summary.value = ""
        try:
            summary = self.app.finish_session(self._values(), self.version)
        except SessionProblems as exc:
            self.show_problems(exc.problems)
            count = len(exc.problems)
            things = "1 thing" if count == 1 else f"{count} things"
            self.finish_note.value = _note(
                f"Not saved yet: {things} to fix. {_SAYS_WHERE}", "error"
            )
            return
        self.show_problems({})
        self.summary.value = _summary_block(summary)
        self.finish_note.value = _note(
            "Saved the session. The summary for the rep is below.", "ok"
        )
        self.state.say("Saved the session. The summary for the rep is below.")


def _day_or_none(value: object) -> dt.date | None:
    """A picked day; anything else (which the picker never sends) is left to
    :func:`coachkit.facilitate.actions.check_action` to refuse."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is None:
        return None
    raise ValidationError("Due date", "pick a day with the date picker")


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
