"""The Plan tab: focus, style, goals and cadence for one rep; saved and printable.

The form makes a new plan, or, after "Change this plan", edits the current one:
it is filled in from the plan, and saving keeps the old version under "Earlier
plans" while the goals still in the form carry over (same goal, not a copy). A
problem is said beside the field that caused it and beside the Save button; a
save says what was saved.
"""

from __future__ import annotations

import re
from typing import Any

import ipywidgets as w
import pandas as pd

from coachkit.apps.downloads import report_buttons
from coachkit.apps.prioritize.plan_rows import NONE, FocusRow, say_beside
from coachkit.apps.shell import beside, text
from coachkit.apps.tabs import Tab, field
from coachkit.errors import CoachkitError, ValidationError
from coachkit.model import goals as gl
from coachkit.model.formats import day
from coachkit.model.plans import (
    EarlierPlan,
    FocusChoice,
    Plan,
    earlier_plans,
    plan_problems,
)
from coachkit.model.readability import Readability
from coachkit.model.templates import load_session_guides
from coachkit.model.vocabulary import words
from coachkit.prioritize.planning import CoachingTime, plan_html, plan_readability

_NOTHING_CHANGED = (
    "Nothing was saved: the form says what the plan says already. Change something "
    "first, or leave the plan as it is."
)
#: Room for a label longer than the default (else "Sessions a month" is cut).
_LONG_LABEL = {"description_width": "initial"}
#: The fields of a goal, as a ValidationError names them.
_GOAL_FIELDS = ("Goal", "Metric", "Target", "Due date", "Behaviour", "Rep")
_WHICH_GOAL = re.compile(r"^(?P<field>.*?)(?: \(goal (?P<n>\d+)\))?$")


class PlanTab(Tab):
    """The coaching plan: at most two focus behaviours, goals and a cadence."""

    title = "6. Plan"
    redraws_on = frozenset({"rep", "ranking"})

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.guides = load_session_guides()
        self.current = field(w.HTML(), "ck-current-plan")
        self.download = w.VBox()
        self.history = field(w.HTML(), "ck-earlier-plans")
        self.earlier: tuple[EarlierPlan, ...] = ()
        self.heading = w.HTML("<h2>Make a new plan</h2>")
        self.mode_note = field(w.HTML(), "ck-plan-mode")
        self.edit = field(w.Button(description="Change this plan"), "ck-edit-plan")
        self.edit.on_click(self.action("filling in the plan", self._edit))
        self.suggestion = field(w.HTML(), "ck-suggestion")
        self.use = field(
            w.Button(description="Use the suggestion"), "ck-use-suggestion"
        )
        self.use.on_click(self.action("filling in the suggestion", self._use))
        self.rows = [FocusRow(self, 1), FocusRow(self, 2)]
        self.extra_note = w.HTML()
        #: Open goals of the plan being changed that no row shows; they carry over.
        self.extra: list[gl.Goal] = []
        #: The plan the form was filled in from (None: a new plan).
        self.editing: Plan | None = None
        self._filled: tuple[Any, ...] = ()
        self.sessions = w.BoundedIntText(
            value=4, min=1, max=8, description="Sessions a month", style=_LONG_LABEL
        )
        self.minutes = w.BoundedIntText(
            value=45,
            min=10,
            max=120,
            step=5,
            description="Minutes each",
            style=_LONG_LABEL,
        )
        self.time_note = w.HTML()
        self.time_message = field(w.HTML(), "ck-time-message")
        self.notes = field(
            w.Textarea(
                description="Notes", layout=w.Layout(width="640px", height="90px")
            ),
            "ck-plan-notes",
        )
        self.readability = w.HTML()
        self.notes_message = field(w.HTML(), "ck-notes-message")
        for box in (self.sessions, self.minutes):
            box.observe(self._show_time, names="value")
        self.notes.observe(self._show_readability, names="value")
        self.save = field(
            w.Button(description="Save plan", button_style="primary"), "ck-save-plan"
        )
        self.save.on_click(self.action("saving the plan", self._save))
        self.save_message = field(w.HTML(), "ck-save-message")
        self._drawn_rep: int | None = None
        self.box.children = [
            self.current,
            self.download,
            self.history,
            self.heading,
            self.mode_note,
            self.edit,
            self.suggestion,
            self.use,
            *[row.box for row in self.rows],
            self.extra_note,
            w.HBox([self.sessions, self.minutes]),
            self.time_note,
            self.time_message,
            self.notes,
            self.readability,
            self.notes_message,
            w.HBox([self.save, self.save_message]),
        ]
        self._show_time()

    # -- helpers used by the rows -------------------------------------------
    def skill_will(self, behaviour_id: int) -> tuple[int, int] | None:
        gaps = self.state.gaps
        row = gaps[
            (gaps["rep_id"] == self.state.rep_id)
            & (gaps["behaviour_id"] == behaviour_id)
        ]
        if row.empty or pd.isna(row["skill"].iloc[0]) or pd.isna(row["will"].iloc[0]):
            return None
        return int(row["skill"].iloc[0]), int(row["will"].iloc[0])

    # -- drawing --------------------------------------------------------------
    def load(self, conn: Any) -> None:
        rep = self.state.rep_id
        self.earlier = () if rep is None else earlier_plans(conn, rep)

    def draw(self, changed: frozenset[str]) -> None:
        if changed != {"ranking"}:  # new data or another rep: the whole tab
            self._draw_plan()
        self._draw_suggestion()

    def _draw_plan(self) -> None:
        s = self.state
        framework = s.framework
        options = [
            (str(r.behaviour), int(r.behaviour_id)) for r in framework.itertuples()
        ]
        for row in self.rows:
            row.behaviour.options = [NONE, *options]
            row.clear()
        self._new_form()
        if s.rep_id != self._drawn_rep:  # another rep: the last save's words go
            say_beside(self.save_message, "", "")
            self._drawn_rep = s.rep_id
        for box in (self.time_message, self.notes_message):
            say_beside(box, "", "")
        plan = s.rep_plan
        if plan is None:
            self.current.value = (
                "<h2>Current plan</h2><p class='ck-note'>No plan yet.</p>"
            )
            self.download.children = []
        else:
            page = plan_html(plan, self.guides)
            grade = plan_readability(plan)
            self.current.value = (
                "<h2>Current plan</h2>"
                + page
                + f"<p class='ck-note'>Readability: {text(grade.label())}</p>"
            )
            self.download.children = [
                w.HTML("<p class='ck-note'>Download the plan:</p>"),
                report_buttons(self._plan_report, s, "ck-plan-report"),
            ]
        self.history.value = _earlier_html(self.earlier)

    def _new_form(self) -> None:
        """The form as it is for a new plan."""
        plan = self.state.rep_plan
        self.editing, self.extra = None, []
        self.extra_note.value = ""
        self.heading.value = "<h2>Make a new plan</h2>"
        self.edit.layout.display = None if plan is not None else "none"
        self.mode_note.value = (
            ""
            if plan is None
            else "<p class='ck-note'>This rep has a plan. A new plan replaces it, "
            "and its open goals are dropped. To keep them and change only some "
            "parts, press Change this plan.</p>"
        )

    def _plan_report(self, fmt: str) -> Any:
        return self.app.plan_report(fmt, guides=self.guides)

    def _draw_suggestion(self) -> None:
        s = self.state
        mine = s.ranking[(s.ranking["rep_id"] == s.rep_id) & s.ranking["suggested"]]
        flagged = s.summary[
            (s.summary["rep_id"] == s.rep_id) & (s.summary["flag"] != "")
        ]
        if not flagged.empty:
            self.suggestion.value = (
                "<p><b>Have a performance conversation first.</b> "
                f"{text(flagged['flag_reason'].iloc[0])}</p>"
            )
            self._suggested: list[int] = []
            return
        self._suggested = [int(b) for b in mine["behaviour_id"]]
        if not self._suggested:
            self.suggestion.value = (
                "<p class='ck-note'>No suggestion: assess this rep first.</p>"
            )
            return
        items = "".join(
            f"<li><b>{text(r.behaviour)}</b>: {text(r.why)}</li>"
            for r in mine.itertuples()
        )
        self.suggestion.value = (
            f"<p>Suggested focus, from the ranking:</p><ol>{items}</ol>"
        )

    def _show_time(self, _change: Any = None) -> None:
        note = CoachingTime.of(self.sessions.value, self.minutes.value).note()
        self.time_note.value = f"<p class='ck-note'>{text(note)}</p>"

    def _show_readability(self, _change: Any = None) -> None:
        grade = Readability.of(self.notes.value)
        self.readability.value = f"<p class='ck-note'>{text(grade.label())}</p>"

    # -- actions --------------------------------------------------------------
    def _use(self, _button: Any = None) -> None:
        picks = [*self._suggested, None][:2]
        for row, bid in zip(self.rows, picks, strict=False):
            row.behaviour.value = bid
        self.state.say(
            "Filled in the suggested focus. Check the style, then add goals."
        )

    def _edit(self, _button: Any = None) -> None:
        """Fill the form in from the current plan, to change it."""
        plan = self.state.rep_plan
        if plan is None:
            raise ValidationError("Plan", "this rep has no plan yet; make one below")
        for row in self.rows:
            row.clear()
        open_goals = [g for g in plan.goals if g.status == "open" and g.id]
        for row, bid, focus in zip(self.rows, plan.focus_ids, plan.focus, strict=False):
            goal = next((g for g in open_goals if g.behaviour_id == bid), None)
            if goal is not None:
                open_goals.remove(goal)
            row.fill(bid, focus.style, focus.stage, goal)
        self.extra = open_goals
        self.extra_note.value = (
            "<p class='ck-note'>Also carried over as they are (change them on "
            "the Facilitate workbook's Progress tab): "
            + "; ".join(text(g.description) for g in open_goals)
            + "</p>"
            if open_goals
            else ""
        )
        self.sessions.value = min(max(plan.sessions_per_month, 1), 8)
        self.minutes.value = plan.minutes_per_session or self.minutes.value
        self.notes.value = plan.notes
        self.editing = plan
        #: The form as filled in from the plan: saving it unchanged writes nothing.
        self._filled = self._snapshot()
        self.heading.value = "<h2>Change the plan</h2>"
        self.mode_note.value = (
            f"<p class='ck-note'>Filled in from the plan started "
            f"{text(day(plan.started_on))}. Saving keeps that version under "
            "Earlier plans. A goal you leave in the form carries over; a goal you "
            "clear is dropped.</p>"
        )
        self.edit.layout.display = "none"
        self.state.say("Filled in the current plan. Change what you need, then save.")

    def _save(self, _button: Any = None) -> None:
        s = self.state
        self._clear_messages()
        owners: list[FocusRow | None] = []
        try:
            focus, drafts, owners = self._read_form(s.rep_id)
            carried = {d.goal_id for d in drafts if d.goal_id is not None}
            old = self.editing or s.rep_plan
            before = {g.id for g in old.goals if g.status == "open"} if old else set()
            if self.editing is not None and self._snapshot() == self._filled:
                say_beside(self.save_message, "ok", _NOTHING_CHANGED)
                s.say(_NOTHING_CHANGED)
                return
            problems = self._problems(focus, drafts)
            if problems:
                self._say_all(problems, owners)
                only = problems[0]
                s.fail(
                    f"{only.field}: {only.problem}"
                    if len(problems) == 1
                    else f"The plan was not saved: {len(problems)} things to fix, "
                    "each marked beside its field."
                )
                return
            self.app.save_plan(
                focus,
                drafts,
                sessions_per_month=self.sessions.value,
                minutes_per_session=self.minutes.value,
                notes=self.notes.value,
            )
        except ValidationError as exc:
            self._say_beside(exc, owners)
            raise
        except CoachkitError as exc:
            say_beside(self.save_message, "error", f"Not saved. {exc}")
            raise
        for row in self.rows:
            row.goal.value = row.target.value = ""
        self.notes.value = ""
        said = self._saved_words(drafts, carried, before)
        say_beside(self.save_message, "ok", said)
        s.say("Saved the plan. It is shown at the top of this tab, ready to print.")

    def _snapshot(self) -> tuple[Any, ...]:
        """What the form holds, field by field (typed text with its spaces folded)."""

        def typed(value: object) -> object:
            return " ".join(value.split()) if isinstance(value, str) else value

        rows = tuple(
            tuple(
                typed(widget.value)
                for widget in (
                    row.behaviour,
                    row.style,
                    row.stage,
                    row.metric,
                    row.goal,
                    row.target,
                    row.due,
                )
            )
            for row in self.rows
        )
        rhythm = (self.sessions.value, self.minutes.value, typed(self.notes.value))
        return rows, rhythm

    def _read_form(
        self, rep_id: int | None
    ) -> tuple[list[FocusChoice], list[gl.GoalDraft], list[FocusRow | None]]:
        if rep_id is None:
            raise ValidationError("Rep", "pick a rep first")
        focus = [c for row in self.rows if (c := row.choice()) is not None]
        drafts: list[gl.GoalDraft] = []
        owners: list[FocusRow | None] = []
        for row in self.rows:
            draft = row.draft(rep_id)
            if draft is not None:
                drafts.append(draft)
                owners.append(row)
        chosen = {f.behaviour_id for f in focus}
        for goal in self.extra:
            if goal.behaviour_id in chosen and goal.id is not None:
                drafts.append(
                    gl.GoalDraft(
                        rep_id=rep_id,
                        behaviour_id=goal.behaviour_id,
                        metric_id=goal.metric_id,  # type: ignore[arg-type]
                        description=goal.description,
                        target=goal.target if goal.target is not None else "",
                        due_on=goal.due_on,
                        baseline=goal.baseline,
                        goal_id=goal.id,
                    )
                )
                owners.append(None)
        return focus, drafts, owners

    def _clear_messages(self) -> None:
        for row in self.rows:
            say_beside(row.focus_message, "", "")
            say_beside(row.goal_message, "", "")
        for box in (self.time_message, self.notes_message, self.save_message):
            say_beside(box, "", "")

    def _problems(
        self, focus: list[FocusChoice], drafts: list[gl.GoalDraft]
    ) -> list[ValidationError]:
        """Every problem of the form, so all are shown at once."""
        with self.app.store.read() as conn:
            return plan_problems(
                conn,
                int(self.state.rep_id),
                focus,
                drafts,
                sessions_per_month=self.sessions.value,
                minutes_per_session=self.minutes.value,
                today=self.app.today,
            )

    def _say_beside(self, exc: ValidationError, owners: list[FocusRow | None]) -> None:
        """Say a refusal beside the field that caused it, and beside Save."""
        self._say_all([exc], owners)

    def _say_all(
        self, problems: list[ValidationError], owners: list[FocusRow | None]
    ) -> None:
        """Say every problem beside its field at once; beside Save, how many."""
        for exc in problems:
            said = f"{exc.field}: {exc.problem}"
            place = self._place(exc, owners)
            if place is None:
                continue
            if place is self.extra_note or place.value:  # a second one, same place
                place.value += beside(said, "error")
            else:
                say_beside(place, "error", said)
        if len(problems) == 1:
            only = problems[0]
            summary = f"Not saved. {only.field}: {only.problem}"
        else:
            summary = (
                f"Not saved: {len(problems)} things to fix. Each is marked next to "
                "its field."
            )
        say_beside(self.save_message, "error", summary)

    def _place(
        self, exc: ValidationError, owners: list[FocusRow | None]
    ) -> w.HTML | None:
        """The message line beside the field ``exc`` names."""
        match = _WHICH_GOAL.match(exc.field)
        name = match.group("field") if match else exc.field
        number = match.group("n") if match else None
        if name in ("Focus", "Style", "Stage"):
            picked = [r for r in self.rows if r.behaviour.value is not None]
            return (picked or self.rows)[0].focus_message
        if name in _GOAL_FIELDS and owners:
            index = int(number) - 1 if number else 0
            owner = owners[index] if 0 <= index < len(owners) else None
            return owner.goal_message if owner is not None else self.extra_note
        if name in ("Sessions per month", "Minutes per session"):
            return self.time_message
        if name == "Notes":
            return self.notes_message
        return None

    def _saved_words(
        self, drafts: list[gl.GoalDraft], carried: set[int], before: set[Any]
    ) -> str:
        """Say what was saved: the focus, the goals and the rhythm."""
        plan = self.state.rep_plan
        if plan is None:  # pragma: no cover - the save just made it
            return "Saved the plan."
        focus = "; ".join(
            f"{f.behaviour} ({words('style', f.style)} style, "
            f"{words('stage', f.stage)} stage)"
            for f in plan.focus
        )
        kept = len(carried)
        new = len(drafts) - kept
        dropped = len(before - carried) if before else 0
        goals = []
        if new:
            goals.append(f"{new} new goal{'' if new == 1 else 's'}")
        if kept:
            goals.append(f"{kept} goal{'' if kept == 1 else 's'} carried over")
        if dropped:
            goals.append(f"{dropped} open goal{'' if dropped == 1 else 's'} dropped")
        n = plan.sessions_per_month
        rhythm = f"{n} session{'' if n == 1 else 's'} a month"
        if plan.minutes_per_session:
            rhythm += f" of {plan.minutes_per_session} minutes"
        return (
            f"Saved the plan for {plan.rep}, starting {day(plan.started_on)}. "
            f"Focus: {focus}. Goals: {', '.join(goals) or 'none'}. {rhythm}. "
            "It is shown at the top of this tab."
        )


def _earlier_html(plans: tuple[EarlierPlan, ...]) -> str:
    """The rep's earlier plans, newest first, in a few words each."""
    if not plans:
        return ""
    items = []
    for p in plans:
        until = f" to {day(p.ended_on)}" if p.ended_on else ""
        focus = "; ".join(
            f"{f.behaviour} ({words('style', f.style)} style, "
            f"{words('stage', f.stage)} stage)"
            for f in p.focus
        )
        goals = (
            " Goals: " + "; ".join(text(g) for g in p.goals) + "." if p.goals else ""
        )
        items.append(
            f"<li><b>From {text(day(p.started_on))}{text(until)}</b>: "
            f"{text(focus) or 'no focus'}; a session every {p.cadence_days} days."
            f"{goals}</li>"
        )
    return (
        "<details><summary>Earlier plans "
        f"({len(plans)})</summary><ul>{''.join(items)}</ul></details>"
    )
