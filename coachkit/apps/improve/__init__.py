"""Workbook 3, Continuously improve: what changed, what worked, what to adjust.

The state holds the period and the rep being looked at; each tab reads what it shows
from the store only when it is opened (and again after the period or rep changes), so
opening the workbook costs one tab's work, not eight.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, cast

import ipywidgets as w
import pandas as pd
import traitlets as t

from coachkit.apps.address import Address
from coachkit.apps.base import Workbook, build
from coachkit.apps.shell import AppState, guarded
from coachkit.apps.tabs import Tab
from coachkit.exchange.reports import documents as reports
from coachkit.improve import effects, reflections
from coachkit.model.periods import MONTH_CHOICES, Period, period_choices
from coachkit.store import queries

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
    rep_picker_width = "380px"

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

    def tab_kinds(self) -> Sequence[type[Tab]]:
        from coachkit.apps.improve.tabs import tab_kinds

        return tab_kinds()

    def rep_choices(self) -> list[tuple[str, int]]:
        s = self.state
        team = "Whole team" if not s.sees_all else "Everyone (all coaches)"
        reps = [(team, 0)]
        for r in s.roster.itertuples():
            label = f"{r.rep} ({r.coach})" if s.sees_all else str(r.rep)
            reps.append((label, int(r.rep_id)))
        return reps

    def controls(self) -> list[w.Widget]:
        # Side by side on a laptop, one under the other on a phone.
        row = w.Layout(flex_flow="row wrap", max_width="100%")
        return [w.HBox([self.period_picker, self.rep_picker], layout=row)]

    def render(self) -> None:
        if not hasattr(self, "period_picker"):
            self.period_picker = w.Dropdown(
                description="Period:",
                layout=w.Layout(width="260px", max_width="100%"),
            )
            self.period_picker.add_class("ck-period-picker")
            self._showing_period = False
            self.period_picker.observe(self._on_period, names="value")
        self._show_period()
        super().render()

    # -- the page address: the period too ---------------------------------------
    def seed(self, address: Address) -> None:
        super().seed(address)
        if address.period in MONTH_CHOICES:
            self.state.period = Period.last_months(self.today, int(address.period))

    def follow(self, address: Address) -> None:
        if address.period in MONTH_CHOICES and address.period != self.months():
            self.set_period(Period.last_months(self.today, int(address.period)))
        super().follow(address)

    def skipped(self, address: Address) -> list[str]:
        parts = super().skipped(address)
        if address.period is not None and address.period != self.months():
            parts.append("the period")
        return parts

    def current_address(self) -> Address:
        months = self.months()
        period = None if months == DEFAULT_MONTHS else months
        return dataclasses.replace(super().current_address(), period=period)

    def months(self) -> int | None:
        """How many months back the period picked goes (None: another period)."""
        for months in MONTH_CHOICES:
            if self.state.period == Period.last_months(self.today, months):
                return months
        return None

    # -- the period --------------------------------------------------------------
    def _show_period(self) -> None:
        period = self.state.period
        self._showing_period = True
        try:
            choices = period_choices(self.today)
            if period is not None and period not in dict(choices).values():
                choices.append((period.label, period))
            self.period_picker.options = choices
            self.period_picker.value = period
        finally:
            self._showing_period = False

    def set_period(self, period: Period) -> None:
        """Look back over ``period``."""
        self.state.period = period
        self._show_period()
        self.announce("period")
        self.state.say(f"Looking back over: {period.label.lower()}.", "info")

    # -- the rep -----------------------------------------------------------------
    def open_rep(self, rep_id: int) -> None:
        """Look at one rep (0: the whole team); the Rep picker calls this."""
        super().open_rep(rep_id)
        who = self.rep_name() or "the whole team"
        self.state.say(f"Showing {who}.", "info")

    def set_rep(self, rep_id: int) -> None:
        """Look at one rep (0: the whole team), as :meth:`open_rep` does."""
        self.open_rep(rep_id)

    def rep_name(self) -> str:
        """The picked rep's name ("" for the whole team)."""
        roster = self.state.roster
        match = roster[roster["rep_id"] == self.state.rep_id]
        return str(match["rep"].iloc[0]) if len(match) else ""

    # -- reading and saving for the tabs -----------------------------------------
    def team_report(self, fmt: str) -> reports.Report:
        """This period's team report, as a page to print or Markdown."""
        with self.store.read() as conn:
            period = cast(Period, self.state.period)  # make_state set one
            return reports.team_report(conn, self.scope, period, self.today, fmt)

    def effect_weeks(self, behaviour_id: int, metric_id: int) -> pd.DataFrame:
        """Week by week around coaching on one behaviour, for one linked number."""
        with self.store.read() as conn:
            return effects.effect_weeks(
                conn, self.scope, behaviour_id, metric_id, self.today
            )

    def save_reflection(self, text: str) -> None:
        """Save what the coach will change, dated today; the tabs showing it redraw."""
        coach = self.state.coach_id
        if coach is None:  # pragma: no cover - without a coach there are no tabs
            raise RuntimeError("no coach is picked")
        with self.store.write() as conn:
            reflections.save_reflection(conn, coach, text, self.today)
        self.announce("reflection")

    def _on_period(self, change: Any) -> None:
        new = change.new
        if self._showing_period or new is None or new == self.state.period:
            return
        guarded(self.state, "changing the period")(self.set_period)(new)


def build_improve(**kwargs: Any) -> Improve | w.HTML:
    """Build the Improve workbook (see :class:`coachkit.apps.base.Workbook`)."""
    return build(Improve, **kwargs)
