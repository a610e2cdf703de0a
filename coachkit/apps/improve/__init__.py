"""Workbook 3, Continuously improve: what changed, what worked, what to adjust.

The state holds the period and the rep being looked at; each tab reads what it shows
from the store only when it is opened (and again after the period or rep changes), so
opening the workbook costs one tab's work, not eight.
"""

from __future__ import annotations

import time
from typing import Any

import ipywidgets as w
import pandas as pd
import traitlets as t

from coachkit import queries
from coachkit.apps.base import Workbook, build
from coachkit.apps.shell import AppState, guarded
from coachkit.periods import Period, period_choices

#: The period a coach sees first.
DEFAULT_MONTHS = 6


class ImproveState(AppState):
    """The period and rep being looked back on; ``rep_id`` 0 means the whole team."""

    period = t.Instance(Period, allow_none=True)
    rep_id = t.Int(0)
    roster = t.Instance(pd.DataFrame, args=())


class Improve(Workbook):
    """The Improve workbook: look back, what worked, coverage, styles, reflection.

    Every tab keeps the DataFrames it shows in ``tab.frames`` and its charts in
    ``tab.charts``; :attr:`timings` records the kernel seconds each tab took.
    """

    pillar_key = "improve"
    state: ImproveState

    def make_state(self) -> ImproveState:
        state = ImproveState()
        state.period = Period.last_months(self.today, DEFAULT_MONTHS)
        return state

    @property
    def scope(self) -> int | None:
        """The coach whose reps are shown; None for a lead (every coach)."""
        return None if self.state.sees_all else self.state.coach_id

    def load(self, conn: Any, coach_id: int | None) -> None:
        self.state.roster = queries.roster(conn, coach_id)
        if self.state.rep_id not in set(self.state.roster["rep_id"]):
            self.state.rep_id = 0

    def render(self) -> None:
        if not hasattr(self, "tabs"):
            self._build()
        self._sync_pickers()
        self.invalidate()

    # -- tabs ------------------------------------------------------------------
    def _build(self) -> None:
        from coachkit.apps.improve.tabs import make_tabs

        self.timings: dict[str, float] = {}
        self.period_picker = w.Dropdown(
            description="Period:", layout=w.Layout(width="260px")
        )
        self.period_picker.add_class("ck-period-picker")
        self.rep_picker = w.Dropdown(description="Rep:", layout=w.Layout(width="380px"))
        self.rep_picker.add_class("ck-rep-picker")
        self._syncing = False
        self.period_picker.observe(self._on_period, names="value")
        self.rep_picker.observe(self._on_rep, names="value")
        self.tabs = make_tabs(self)
        self.tab_widget = w.Tab(children=[tab.box for tab in self.tabs])
        self.tab_widget.titles = tuple(tab.title for tab in self.tabs)
        self.tab_widget.add_class("ck-tabs")
        self.tab_widget.observe(self._on_tab, names="selected_index")
        self.shell.body.children = [
            w.HBox([self.period_picker, self.rep_picker]),
            self.tab_widget,
        ]

    def invalidate(self) -> None:
        """Mark every tab as out of date and redraw the one on screen."""
        for tab in self.tabs:
            tab.stale = True
        self.show_current()

    def show_current(self) -> None:
        """Draw the tab on screen if it is out of date."""
        index = self.tab_widget.selected_index or 0
        self.show_tab(self.tabs[index])

    def show_tab(self, tab: Any) -> None:
        """Read and draw one tab now (tests and analysts may call this directly)."""
        if not tab.stale:
            return
        began = time.perf_counter()
        with self.store.read() as conn:
            tab.load(conn)
        tab.draw()
        tab.stale = False
        self.timings[tab.key] = time.perf_counter() - began

    def show_all(self) -> None:
        """Read and draw every tab (for analysts who want every table at once)."""
        for tab in self.tabs:
            self.show_tab(tab)

    def tab(self, key: str) -> Any:
        """The tab called ``key`` (e.g. ``"look_back"``), drawn and up to date."""
        tab = self.tab_by_key(key)
        self.show_tab(tab)
        return tab

    def tab_by_key(self, key: str) -> Any:
        """The tab called ``key``, as it is (maybe out of date)."""
        for tab in self.tabs:
            if tab.key == key:
                return tab
        raise KeyError(key)

    # -- pickers ---------------------------------------------------------------
    def _sync_pickers(self) -> None:
        s = self.state
        self._syncing = True
        try:
            choices = period_choices(self.today)
            if s.period is not None and s.period not in dict(choices).values():
                choices.append((s.period.label, s.period))
            self.period_picker.options = choices
            self.period_picker.value = s.period
            team = "Whole team" if not s.sees_all else "Everyone (all coaches)"
            reps = [(team, 0)]
            for r in s.roster.itertuples():
                label = f"{r.rep} ({r.coach})" if s.sees_all else str(r.rep)
                reps.append((label, int(r.rep_id)))
            self.rep_picker.options = reps
            self.rep_picker.value = s.rep_id
        finally:
            self._syncing = False

    def set_period(self, period: Period) -> None:
        """Look back over ``period``."""
        self.state.period = period
        self._sync_pickers()
        self.invalidate()
        self.state.say(f"Looking back over: {period.label.lower()}.", "info")

    def set_rep(self, rep_id: int) -> None:
        """Look at one rep (0: the whole team)."""
        if rep_id:
            self.check_rep(int(rep_id))
        self.state.rep_id = int(rep_id)
        self._sync_pickers()
        self.invalidate()
        who = self.rep_name() or "the whole team"
        self.state.say(f"Showing {who}.", "info")

    def rep_name(self) -> str:
        """The picked rep's name ("" for the whole team)."""
        roster = self.state.roster
        match = roster[roster["rep_id"] == self.state.rep_id]
        return str(match["rep"].iloc[0]) if len(match) else ""

    def _on_period(self, change: Any) -> None:
        if self._syncing or change.new is None or change.new == self.state.period:
            return
        guarded(self.state, "changing the period")(self.set_period)(change.new)

    def _on_rep(self, change: Any) -> None:
        if self._syncing or change.new is None or change.new == self.state.rep_id:
            return
        guarded(self.state, "opening this rep")(self.set_rep)(change.new)

    def _on_tab(self, _change: Any) -> None:
        guarded(self.state, "opening this tab")(self.show_current)()


def build_improve(**kwargs: Any) -> Improve | w.HTML:
    """Build the Improve workbook (see :class:`coachkit.apps.base.Workbook`)."""
    return build(Improve, **kwargs)
