"""Workbook 1, Prioritize: take stock of each rep, decide who to coach first.

The state (:class:`PrioritizeState`) holds every table the workbook shows, as
DataFrames built by :mod:`coachkit.prioritize`; one tab per step binds widgets to it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ipywidgets as w
import pandas as pd
import traitlets as t

from coachkit import assessing, prioritize, queries
from coachkit import performance as perf
from coachkit.apps.base import Workbook, build
from coachkit.apps.plugins import add_plugin_tabs
from coachkit.apps.shell import AppState, guarded
from coachkit.apps.tabs import TabDeck
from coachkit.framework import framework_frame
from coachkit.plans import current_plan
from coachkit.ranking import Weights, rank, rep_summary

#: Weeks of history the rep's rate chart shows.
CHART_WEEKS = 26


class PrioritizeState(AppState):
    """Everything the Prioritize workbook shows, as plain data.

    ``ranking`` is recomputed whenever ``weights`` change; the ``rep_*`` tables
    follow ``rep_id``.
    """

    rep_id = t.Int(allow_none=True, default_value=None)
    roster = t.Instance(pd.DataFrame, args=())
    framework = t.Instance(pd.DataFrame, args=())
    gaps = t.Instance(pd.DataFrame, args=())
    performance = t.Instance(pd.DataFrame, args=())
    last_coached = t.Instance(pd.DataFrame, args=())
    weights = t.Instance(Weights, args=())
    ranking = t.Instance(pd.DataFrame, args=())
    summary = t.Instance(pd.DataFrame, args=())
    rep_form = t.Instance(pd.DataFrame, args=())
    rep_history = t.Instance(pd.DataFrame, args=())
    rep_weekly = t.Instance(pd.DataFrame, args=())
    rep_plan = t.Any(None)


class Prioritize(Workbook):
    """The Prioritize workbook: team, framework, heat map, priorities, assess, plan."""

    pillar_key = "prioritize"
    state: PrioritizeState

    def make_state(self) -> PrioritizeState:
        return PrioritizeState()

    # -- reading -------------------------------------------------------------
    def load(self, conn: Any, coach_id: int | None) -> None:
        s = self.state
        s.roster = queries.roster(conn, coach_id)
        s.framework = framework_frame(conn)
        s.gaps, s.performance, s.last_coached = prioritize.ranking_inputs(
            conn, coach_id, self.today
        )
        self._rank()
        reps = list(s.roster["rep_id"])
        if s.rep_id not in reps:
            s.rep_id = int(reps[0]) if reps else None
        self._load_rep(conn)

    def _rank(self) -> None:
        s = self.state
        s.ranking = rank(s.gaps, s.performance, s.last_coached, s.weights, self.today)
        s.summary = rep_summary(s.ranking, s.gaps, s.performance)

    def _load_rep(self, conn: Any) -> None:
        s = self.state
        if s.rep_id is None:
            s.rep_form = pd.DataFrame()
            s.rep_history = pd.DataFrame()
            s.rep_weekly = pd.DataFrame()
            s.rep_plan = None
            return
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

    # -- showing -------------------------------------------------------------
    def render(self) -> None:
        if not hasattr(self, "tabs"):
            self._build()
        self.deck.redraw("refresh")
        self._show_rep_picker()

    def _build(self) -> None:
        from coachkit.apps.prioritize.assess_tab import AssessTab
        from coachkit.apps.prioritize.framework_tab import FrameworkTab
        from coachkit.apps.prioritize.performance_tab import PerformanceTab
        from coachkit.apps.prioritize.plan_tab import PlanTab
        from coachkit.apps.prioritize.priorities_tab import PrioritiesTab
        from coachkit.apps.prioritize.team_tab import TeamTab

        self.rep_picker = w.Dropdown(description="Rep:", layout=w.Layout(width="420px"))
        self.rep_picker.add_class("ck-rep-picker")
        self._syncing = False
        self.rep_picker.observe(self._on_rep, names="value")
        built_in = [
            TeamTab,
            FrameworkTab,
            PrioritiesTab,
            PerformanceTab,
            AssessTab,
            PlanTab,
        ]
        self.deck = TabDeck(self, add_plugin_tabs(self, built_in))
        self.tabs = self.deck.tabs  # each built when first opened
        self.tab_widget = self.deck.widget
        self.shell.body.children = [self.rep_picker, self.tab_widget]
        self.state.observe(self._on_weights, names="weights")

    def _show_rep_picker(self) -> None:
        roster = self.state.roster
        options = [(str(r.rep), int(r.rep_id)) for r in roster.itertuples()]
        self._syncing = True
        try:
            self.rep_picker.options = options
            self.rep_picker.value = self.state.rep_id
        finally:
            self._syncing = False

    def _on_rep(self, change: Any) -> None:
        if self._syncing or change.new is None or change.new == self.state.rep_id:
            return

        @guarded(self.state, "opening this rep")
        def run() -> None:
            self.check_rep(int(change.new))
            self.state.rep_id = int(change.new)
            with self.store.read() as conn:
                self._load_rep(conn)
            self.deck.redraw("refresh_rep")

        run()

    def _on_weights(self, _change: Any) -> None:
        self._rank()
        self.deck.redraw("refresh_ranking")


def build_prioritize(**kwargs: Any) -> Prioritize | w.HTML:
    """Build the Prioritize workbook (see :class:`coachkit.apps.base.Workbook`)."""
    return build(Prioritize, **kwargs)
