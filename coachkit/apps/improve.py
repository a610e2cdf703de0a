"""Workbook 3, Continuously improve: what changed, what worked, what to adjust."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ipywidgets as w
import pandas as pd
import traitlets as t

from coachkit import charts, queries
from coachkit.apps.base import Workbook, build
from coachkit.apps.shell import AppState, html_table

#: How many months the coverage view looks back.
COVERAGE_MONTHS = 6


class ImproveState(AppState):
    """Coaching coverage: sessions and hours per rep per month."""

    coverage = t.Instance(pd.DataFrame, args=())


class Improve(Workbook):
    """The Improve workbook. ``state.coverage`` is the coverage DataFrame."""

    pillar_key = "improve"
    state: ImproveState

    def make_state(self) -> ImproveState:
        return ImproveState()

    def load(self, conn: Any, coach_id: int | None) -> None:
        first = self.today.replace(day=1)
        since = (pd.Timestamp(first) - pd.DateOffset(months=COVERAGE_MONTHS - 1)).date()
        self.state.coverage = queries.monthly_coverage(conn, coach_id, since)

    def render(self) -> None:
        coverage = self.state.coverage
        children: list[w.Widget] = [w.HTML("<h2>Coaching coverage</h2>")]
        if coverage.empty:
            children.append(w.HTML("<p class='ck-note'>No coaching sessions yet.</p>"))
        else:
            children.append(charts.chart_widget(charts.coverage_chart(coverage)))
            per_rep = (
                coverage.groupby("rep", as_index=False)
                .agg(sessions=("sessions", "sum"), hours=("hours", "sum"))
                .assign(per_month=lambda f: (f["hours"] / COVERAGE_MONTHS).round(1))
                .sort_values("per_month")
                .rename(
                    columns={
                        "rep": "Rep",
                        "sessions": "Sessions",
                        "hours": "Hours",
                        "per_month": "Hours per month",
                    }
                )
            )
            per_rep["Hours"] = per_rep["Hours"].round(1)
            table = w.HTML(html_table(per_rep))
            table.add_class("ck-coverage")
            children.append(
                w.HTML(
                    f"<p class='ck-note'>Last {COVERAGE_MONTHS} months, "
                    f"up to {dt.date.isoformat(self.today)}. Fewest hours first.</p>"
                )
            )
            children.append(table)
        self.shell.body.children = children


def build_improve(**kwargs: Any) -> Improve | w.HTML:
    """Build the Improve workbook (see :class:`coachkit.apps.base.Workbook`)."""
    return build(Improve, **kwargs)
