"""The Plan tab: focus, style, goals and cadence for one rep; saved and printable."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ipywidgets as w
import pandas as pd

from coachkit.apps.downloads import report_buttons
from coachkit.apps.shell import text
from coachkit.apps.tabs import Tab, field
from coachkit.model import goals as gl
from coachkit.model.plans import FocusChoice
from coachkit.model.readability import Readability
from coachkit.model.styles import STAGES, STYLES, choose_style
from coachkit.model.templates import load_session_guides
from coachkit.prioritize.planning import CoachingTime, plan_html, plan_readability

_NONE = ("(none)", None)


def _wide() -> w.Layout:
    return w.Layout(width="460px")


class _FocusRow:
    """One focus behaviour with its style, stage and one goal."""

    def __init__(self, tab: PlanTab, number: int) -> None:
        self.tab = tab
        self.behaviour = field(
            w.Dropdown(description=f"Focus {number}", layout=_wide()),
            f"ck-focus-{number}",
        )
        self.style = field(
            w.Dropdown(options=list(STYLES), description="Style"), f"ck-style-{number}"
        )
        self.stage = field(
            w.Dropdown(options=list(STAGES), description="Stage"), f"ck-stage-{number}"
        )
        self.reason = w.HTML()
        self.metric = field(
            w.Dropdown(description="Shown by", layout=_wide()),
            f"ck-goal-metric-{number}",
        )
        self.baseline = w.HTML()
        self.goal = field(
            w.Text(
                description="Goal", placeholder="What will the rep do?", layout=_wide()
            ),
            f"ck-goal-text-{number}",
        )
        self.target = field(
            w.Text(description="Target", placeholder="e.g. 35%"),
            f"ck-goal-target-{number}",
        )
        self.due = field(
            w.Text(description="Due date", placeholder="2026-12-31"),
            f"ck-goal-due-{number}",
        )
        self.behaviour.observe(self._on_behaviour, names="value")
        self.metric.observe(self._on_metric, names="value")
        self.box = w.VBox(
            [
                self.behaviour,
                w.HBox([self.style, self.stage]),
                self.reason,
                w.HTML("<i>Goal for this focus (optional)</i>"),
                self.metric,
                self.baseline,
                self.goal,
                w.HBox([self.target, self.due]),
            ],
            layout=w.Layout(border_bottom="1px solid #ddd", padding="6px 0"),
        )

    def _on_behaviour(self, _change: Any = None) -> None:
        bid = self.behaviour.value
        self.reason.value = ""
        if bid is None:
            self.metric.options = []
            return
        rated = self.tab.skill_will(bid)
        if rated is not None:
            choice = choose_style(*rated)
            self.style.value, self.stage.value = choice.style, choice.stage
            self.reason.value = f"<span class='ck-note'>{text(choice.reason)}</span>"
        metrics = self.tab.app.metrics_for(bid)
        options = [(str(m.name), int(m.metric_id)) for m in metrics.itertuples()]
        self.metric.options = options
        self.metric.value = options[0][1] if options else None

    def _on_metric(self, _change: Any = None) -> None:
        rep, mid = self.tab.state.rep_id, self.metric.value
        if rep is None or mid is None:
            self.baseline.value = ""
            return
        value = self.tab.app.baseline(rep, mid)
        metric = self.tab.app.metric_info(mid)
        shown = gl.format_value(value, metric["kind"], metric["unit"])
        self.baseline.value = f"<span class='ck-note'>Now: {text(shown)}</span>"

    def choice(self) -> FocusChoice | None:
        if self.behaviour.value is None:
            return None
        return FocusChoice(self.behaviour.value, self.style.value, self.stage.value)

    def draft(self, rep_id: int) -> gl.GoalDraft | None:
        if not (self.goal.value.strip() or self.target.value.strip()):
            return None
        return gl.GoalDraft(
            rep_id=rep_id,
            behaviour_id=self.behaviour.value,
            metric_id=self.metric.value,
            description=self.goal.value,
            target=self.target.value,
            due_on=self.due.value,
        )


class PlanTab(Tab):
    """The coaching plan: at most two focus behaviours, goals and a cadence."""

    title = "6. Plan"
    redraws_on = frozenset({"rep", "ranking"})

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.guides = load_session_guides()
        self.current = field(w.HTML(), "ck-current-plan")
        self.download = w.VBox()
        self.suggestion = field(w.HTML(), "ck-suggestion")
        self.use = field(
            w.Button(description="Use the suggestion"), "ck-use-suggestion"
        )
        self.use.on_click(self.action("filling in the suggestion", self._use))
        self.rows = [_FocusRow(self, 1), _FocusRow(self, 2)]
        self.sessions = w.BoundedIntText(
            value=4, min=1, max=8, description="Sessions a month"
        )
        self.minutes = w.BoundedIntText(
            value=45, min=10, max=120, step=5, description="Minutes each"
        )
        self.time_note = w.HTML()
        self.notes = field(
            w.Textarea(
                description="Notes", layout=w.Layout(width="640px", height="90px")
            ),
            "ck-plan-notes",
        )
        self.readability = w.HTML()
        for box in (self.sessions, self.minutes):
            box.observe(self._show_time, names="value")
        self.notes.observe(self._show_readability, names="value")
        self.save = field(
            w.Button(description="Save plan", button_style="primary"), "ck-save-plan"
        )
        self.save.on_click(self.action("saving the plan", self._save))
        self.box.children = [
            self.current,
            self.download,
            w.HTML("<h2>Make a new plan</h2>"),
            self.suggestion,
            self.use,
            *[row.box for row in self.rows],
            w.HBox([self.sessions, self.minutes]),
            self.time_note,
            self.notes,
            self.readability,
            self.save,
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
            row.behaviour.options = [_NONE, *options]
            row.behaviour.index = 0  # shows "(none)"
            row.style.index = row.stage.index = 0
            row.reason.value = ""
            row.due.value = (self.app.today + dt.timedelta(days=60)).isoformat()
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

    def _save(self, _button: Any = None) -> None:
        s = self.state
        if s.rep_id is None:
            from coachkit.errors import ValidationError

            raise ValidationError("Rep", "pick a rep first")
        focus = [c for row in self.rows if (c := row.choice()) is not None]
        drafts = [d for row in self.rows if (d := row.draft(s.rep_id)) is not None]
        self.app.save_plan(
            focus,
            drafts,
            sessions_per_month=self.sessions.value,
            minutes_per_session=self.minutes.value,
            notes=self.notes.value,
        )
        for row in self.rows:
            row.goal.value = row.target.value = ""
        self.notes.value = ""
        s.say("Saved the plan. It is shown at the top of this tab, ready to print.")
