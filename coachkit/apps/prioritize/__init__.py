"""Workbook 1, Prioritize: take stock of each rep, decide who to coach first.

The state (:class:`PrioritizeState`) holds every table the workbook shows, as
DataFrames built by :mod:`coachkit.prioritize.tables`; one tab per step binds
widgets to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import ipywidgets as w
import pandas as pd
import traitlets as t

from coachkit.apps.base import Workbook, build
from coachkit.apps.shell import AppState
from coachkit.apps.tabs import Tab
from coachkit.errors import ValidationError
from coachkit.exchange.reports.page import Report
from coachkit.model import framework as fw
from coachkit.model import goals as gl
from coachkit.model import team
from coachkit.model.framework import framework_frame, metrics_frame
from coachkit.model.plans import FocusChoice, current_plan, save_plan
from coachkit.model.settings import forget_setting, load_setting, save_setting
from coachkit.model.templates import SessionGuides
from coachkit.prioritize import assessing
from coachkit.prioritize import performance as perf
from coachkit.prioritize import tables as prioritize
from coachkit.prioritize.ranking import Weights, rank, rep_summary
from coachkit.store import queries

#: Weeks of history the rep's rate chart shows.
CHART_WEEKS = 26
#: The setting that keeps a person's own ranking weights (model/settings.py).
WEIGHTS_SETTING = "ranking_weights"


class PrioritizeState(AppState):
    """Everything the Prioritize workbook shows, as plain data.

    ``ranking`` is recomputed whenever ``weights`` change; the ``rep_*`` tables
    follow ``rep_id``. ``own_weights`` is True when ``weights`` are the person's
    own, saved ones, False when they are the team's (the defaults).
    """

    rep_id = t.Int(allow_none=True, default_value=None)
    roster = t.Instance(pd.DataFrame, args=())
    former_reps = t.List(t.Instance(team.Rep))  # inactive reps, to turn back on
    framework = t.Instance(pd.DataFrame, args=())
    gaps = t.Instance(pd.DataFrame, args=())
    performance = t.Instance(pd.DataFrame, args=())
    last_coached = t.Instance(pd.DataFrame, args=())
    weights = t.Instance(Weights, args=())
    own_weights = t.Bool(False)
    ranking = t.Instance(pd.DataFrame, args=())
    summary = t.Instance(pd.DataFrame, args=())
    rep_form = t.Instance(pd.DataFrame, args=())
    rep_history = t.Instance(pd.DataFrame, args=())
    rep_weekly = t.Instance(pd.DataFrame, args=())
    rep_plan = t.Any(None)
    rep_details = t.Any(None)  # the picked rep as stored (team.Rep), to edit


class Prioritize(Workbook):
    """The Prioritize workbook: team, framework, heat map, priorities, assess, plan."""

    pillar_key = "prioritize"
    state: PrioritizeState

    def make_state(self) -> PrioritizeState:
        state = PrioritizeState()
        state.observe(self._on_weights, names="weights")
        return state

    # -- reading -------------------------------------------------------------
    def load(self, conn: Any, coach_id: int | None) -> None:
        s = self.state
        s.roster = queries.roster(conn, coach_id)
        s.former_reps = [
            r for r in team.list_reps(conn, coach_id, True) if not r.active
        ]
        s.framework = framework_frame(conn)
        s.gaps, s.performance, s.last_coached = prioritize.ranking_inputs(
            conn, coach_id, self.today
        )
        saved = self._saved_weights(conn)
        self._loading = True  # one ranking below, not one per trait change
        try:
            s.weights = saved or Weights()
            s.own_weights = saved is not None
        finally:
            self._loading = False
        self._rank()
        reps = list(s.roster["rep_id"])
        if s.rep_id not in reps:
            s.rep_id = int(reps[0]) if reps else None
        self.load_rep(conn)

    def _weights_owner(self) -> int | None:
        """Whose weights these are: the person at the keyboard."""
        viewer = getattr(self.store, "viewer", None)
        if viewer is not None:
            return int(viewer.coach_id)
        return self.state.coach_id

    def _saved_weights(self, conn: Any) -> Weights | None:
        """The person's own saved weights; None when there are none (or they no
        longer read as weights: the team's apply)."""
        owner = self._weights_owner()
        if owner is None:
            return None
        value = load_setting(conn, owner, WEIGHTS_SETTING)
        if not isinstance(value, dict):
            return None
        try:
            return Weights.from_dict(value)
        except (ValidationError, TypeError):
            return None

    def save_ranking_weights(self, weights: Weights) -> None:
        """Rank with ``weights`` and keep them as the person's own."""
        owner = self._weights_owner()
        if owner is None:
            raise ValidationError("Weights", "pick who you are first")
        with self.store.write() as conn:
            save_setting(conn, owner, WEIGHTS_SETTING, weights.as_dict())
        self.state.own_weights = True
        self.state.weights = weights

    def reset_ranking_weights(self) -> None:
        """Forget the person's own weights; rank with the team's again."""
        owner = self._weights_owner()
        if owner is not None:
            with self.store.write() as conn:
                forget_setting(conn, owner, WEIGHTS_SETTING)
        self.state.own_weights = False
        self.state.weights = Weights()

    def _rank(self) -> None:
        s = self.state
        s.ranking = rank(s.gaps, s.performance, s.last_coached, s.weights, self.today)
        s.summary = rep_summary(s.ranking, s.gaps, s.performance)

    def load_rep(self, conn: Any) -> None:
        s = self.state
        if s.rep_id is None:
            s.rep_form = pd.DataFrame()
            s.rep_history = pd.DataFrame()
            s.rep_weekly = pd.DataFrame()
            s.rep_plan = None
            s.rep_details = None
            return
        s.rep_details = team.get_rep(conn, s.rep_id)
        since = self.today - dt.timedelta(weeks=CHART_WEEKS)
        s.rep_form = assessing.assessment_form(conn, s.rep_id)
        s.rep_history = assessing.assessment_history(conn, s.rep_id)
        s.rep_weekly = perf.weekly_rates(conn, s.rep_id, since, min_trials=20)
        s.rep_plan = current_plan(conn, s.rep_id)

    def refresh(self) -> None:
        """Read everything again from the store (after a save)."""
        scope = None if self.state.sees_all else self.state.coach_id
        with self.store.read() as conn:
            self.load(conn, scope)
        self.render()

    def coach_of(self, rep_id: int) -> int:
        """The coach whose team ``rep_id`` is on."""
        return int(self.state.roster.set_index("rep_id").loc[rep_id, "coach_id"])

    def picked_rep(self) -> int:
        """The rep picked; a plain error if there is none (a team with no reps)."""
        if self.state.rep_id is None:
            from coachkit.errors import ValidationError

            raise ValidationError("Rep", "pick a rep first")
        return self.state.rep_id

    def metrics_for(self, behaviour_id: int) -> pd.DataFrame:
        """The numbers that show progress on a behaviour (a goal's choices)."""
        with self.store.read() as conn:
            return gl.metrics_for_behaviour(conn, behaviour_id)

    def baseline(self, rep_id: int, metric_id: int) -> float | None:
        """Where ``rep_id`` stands today on a number."""
        with self.store.read() as conn:
            return gl.baseline_for(conn, rep_id, metric_id, self.today)

    def metric_info(self, metric_id: int) -> dict[str, Any]:
        """One number's row of the framework: its name, kind and unit."""
        with self.store.read() as conn:
            frame = metrics_frame(conn)
        return dict(frame[frame["id"] == metric_id].iloc[0])

    def plan_report(self, fmt: str, guides: SessionGuides | None = None) -> Report:
        """The picked rep's plan, as a page to print or Markdown."""
        from coachkit.exchange.reports.documents import plan_report

        with self.store.read() as conn:
            return plan_report(conn, self.picked_rep(), self.today, fmt, guides=guides)

    # -- saving: one transaction each, then everything is read again -----------
    def add_rep(self, coach_id: int, name: str, **details: Any) -> team.Rep:
        """Add a rep to ``coach_id``'s team (``details``: role, segment,
        start_date) and pick them."""
        with self.store.write() as conn:
            rep = team.add_rep(conn, coach_id, name, today=self.today, **details)
        self.state.rep_id = rep.id
        self.refresh()
        return rep

    def update_rep(self, rep: team.Rep, **details: Any) -> team.Rep:
        """Save the name, role, segment and start date of ``rep`` as it was read."""
        with self.store.write() as conn:
            saved = team.update_rep(
                conn,
                rep.id,
                expected_version=rep.row_version,
                today=self.today,
                **details,
            )
        self.refresh()
        return saved

    def deactivate_rep(self, rep: team.Rep) -> None:
        """Take ``rep`` off the team; their history is kept."""
        with self.store.write() as conn:
            team.set_active(conn, rep.id, False, expected_version=rep.row_version)
        self.state.rep_id = None
        self.refresh()

    def reactivate_rep(self, rep_id: int) -> team.Rep:
        """Put a former rep back on the team, and pick them."""
        with self.store.write() as conn:
            rep = team.get_rep(conn, rep_id)
            team.set_active(conn, rep.id, True, expected_version=rep.row_version)
        self.state.rep_id = rep.id
        self.refresh()
        return rep

    def save_weights(self, weights: dict[str, float]) -> None:
        """Save each objective's weight (objective key -> weight)."""
        with self.store.write() as conn:
            for key, weight in weights.items():
                fw.set_objective_weight(conn, key, weight)
        self.refresh()

    def save_rubric_level(self, behaviour_key: str, level: int, text: str) -> int:
        """Reword one level of a behaviour's rubric; return the rubric's version."""
        with self.store.write() as conn:
            version = fw.set_rubric_level(conn, behaviour_key, level, text)
        self.refresh()
        return version

    def add_behaviour(
        self,
        objective_key: str,
        key: str,
        name: str,
        description: str,
        levels: list[str],
        target_level: int,
    ) -> None:
        """Add a behaviour, with its rubric, to an objective of the framework."""
        with self.store.write() as conn:
            fw.add_behaviour(
                conn,
                objective_key,
                key,
                name,
                description,
                levels,
                target_level=target_level,
            )
        self.refresh()

    def save_assessment(
        self, assessed_on: dt.date, source: str, ratings: list[assessing.Rating]
    ) -> int:
        """Save ratings of the picked rep; return how many behaviours were rated."""
        rep_id = self.picked_rep()
        coach = self.coach_of(rep_id)
        with self.store.write() as conn:
            count = assessing.save_assessment(
                conn,
                coach_id=coach,
                rep_id=rep_id,
                assessed_on=assessed_on,
                source=source,
                ratings=ratings,
                today=self.today,
            )
        self.refresh()
        return count

    def save_plan(
        self,
        focus: list[FocusChoice],
        goals: list[gl.GoalDraft],
        sessions_per_month: int,
        minutes_per_session: int,
        notes: str,
    ) -> None:
        """Save a new plan for the picked rep, over the one that was read."""
        rep_id = self.picked_rep()
        coach = self.coach_of(rep_id)
        plan = self.state.rep_plan
        with self.store.write() as conn:
            save_plan(
                conn,
                coach_id=coach,
                rep_id=rep_id,
                focus=focus,
                goals=goals,
                sessions_per_month=sessions_per_month,
                minutes_per_session=minutes_per_session,
                notes=notes,
                today=self.today,
                expected_version=plan.row_version if plan is not None else 0,
            )
        self.refresh()

    # -- showing -------------------------------------------------------------
    def tab_kinds(self) -> Sequence[type[Tab]]:
        from coachkit.apps.prioritize.assess_tab import AssessTab
        from coachkit.apps.prioritize.framework_tab import FrameworkTab
        from coachkit.apps.prioritize.performance_tab import PerformanceTab
        from coachkit.apps.prioritize.plan_tab import PlanTab
        from coachkit.apps.prioritize.priorities_tab import PrioritiesTab
        from coachkit.apps.prioritize.team_tab import TeamTab

        return [
            TeamTab,
            FrameworkTab,
            PrioritiesTab,
            PerformanceTab,
            AssessTab,
            PlanTab,
        ]

    def rep_choices(self) -> list[tuple[str, int]]:
        return [(str(r.rep), int(r.rep_id)) for r in self.state.roster.itertuples()]

    def _on_weights(self, _change: Any) -> None:
        if getattr(self, "_loading", False):
            return
        self._rank()
        self.announce("ranking")


def build_prioritize(**kwargs: Any) -> Prioritize | w.HTML:
    """Build the Prioritize workbook (see :class:`coachkit.apps.base.Workbook`)."""
    return build(Prioritize, **kwargs)
