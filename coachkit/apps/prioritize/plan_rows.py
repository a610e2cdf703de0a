"""One row of the Plan tab's form: a focus behaviour, its style and stage, one goal.

:class:`FocusRow` holds the widgets of a row and reads them as a
:class:`~coachkit.model.plans.FocusChoice` and a
:class:`~coachkit.model.goals.GoalDraft`; :func:`say_beside` writes a message into
the line beside a field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ipywidgets as w

from coachkit.apps.shell import beside, text
from coachkit.apps.tabs import field
from coachkit.model import goals as gl
from coachkit.model.plans import FocusChoice
from coachkit.model.styles import choose_style
from coachkit.model.typed import target_example, target_text
from coachkit.model.vocabulary import choices

#: The empty choice of a drop-down.
NONE = ("(none)", None)


def _wide() -> w.Layout:
    return w.Layout(width="460px")


def say_beside(widget: w.HTML, level: str, message: str) -> None:
    """Say ``message`` in ``widget``, beside the control it is about."""
    widget.value = beside(message, level)


class FocusRow:
    """One focus behaviour with its style, stage and one goal."""

    def __init__(self, tab: Any, number: int) -> None:
        self.tab = tab
        self.behaviour = field(
            w.Dropdown(description=f"Focus {number}", layout=_wide()),
            f"ck-focus-{number}",
        )
        self.style = field(
            w.Dropdown(options=choices("style"), description="Style"),
            f"ck-style-{number}",
        )
        self.stage = field(
            w.Dropdown(options=choices("stage"), description="Stage"),
            f"ck-stage-{number}",
        )
        self.reason = w.HTML()
        self.focus_message = field(w.HTML(), f"ck-focus-message-{number}")
        self.goal_message = field(w.HTML(), f"ck-goal-message-{number}")
        #: The saved goal this row shows while the plan is being changed.
        self.carried: gl.Goal | None = None
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
            w.Text(description="Target", placeholder="pick a number first"),
            f"ck-goal-target-{number}",
        )
        self.due = field(w.DatePicker(description="Due date"), f"ck-goal-due-{number}")
        self.behaviour.observe(self._on_behaviour, names="value")
        self.metric.observe(self._on_metric, names="value")
        self.box = w.VBox(
            [
                self.behaviour,
                w.HBox([self.style, self.stage]),
                self.reason,
                self.focus_message,
                w.HTML("<i>Goal for this focus (optional)</i>"),
                self.metric,
                self.baseline,
                self.goal,
                w.HBox([self.target, self.due]),
                self.goal_message,
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
            self.target.placeholder = "pick a number first"
            return
        value = self.tab.app.baseline(rep, mid)
        metric = self.tab.app.metric_info(mid)
        shown = gl.format_value(value, metric["kind"], metric["unit"])
        self.baseline.value = f"<span class='ck-note'>Now: {text(shown)}</span>"
        # An example the checks accept: one step better than where the rep is.
        higher = bool(metric.get("higher_is_better", True))
        example = target_example(value, metric["kind"], higher)
        self.target.placeholder = f"e.g. {example}"

    def choice(self) -> FocusChoice | None:
        if self.behaviour.value is None:
            return None
        return FocusChoice(self.behaviour.value, self.style.value, self.stage.value)

    def draft(self, rep_id: int) -> gl.GoalDraft | None:
        if not (self.goal.value.strip() or self.target.value.strip()):
            return None
        carried = self.carried
        same = carried is not None and (carried.behaviour_id, carried.metric_id) == (
            self.behaviour.value,
            self.metric.value,
        )
        return gl.GoalDraft(
            rep_id=rep_id,
            behaviour_id=self.behaviour.value,
            metric_id=self.metric.value,
            description=self.goal.value,
            target=self.target.value,
            due_on=self.due.value,
            baseline=carried.baseline if same and carried else None,
            goal_id=carried.id if same and carried else None,
        )

    def fill(self, behaviour_id: int, style: str, stage: str, goal: Any) -> None:
        """Show a saved focus behaviour and its goal (a :class:`Goal` or None)."""
        self.behaviour.value = behaviour_id
        self.style.value, self.stage.value = style, stage
        self.reason.value = ""
        self.carried = goal
        if goal is None:
            return
        ids = [value for _label, value in self.metric.options]
        if goal.metric_id in ids:
            self.metric.value = goal.metric_id
        self.goal.value = goal.description
        self.target.value = target_text(goal.target, goal.kind)
        self.due.value = goal.due_on

    def clear(self) -> None:
        """An empty row: no focus, no goal, no messages."""
        self.behaviour.index = 0  # shows "(none)"
        self.style.index = self.stage.index = 0
        self.reason.value = ""
        self.goal.value = self.target.value = ""
        self.carried = None
        self.due.value = self.tab.app.today + dt.timedelta(days=60)
        say_beside(self.focus_message, "", "")
        say_beside(self.goal_message, "", "")
