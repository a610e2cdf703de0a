"""Workbook 2, Facilitate: who to coach today, and the session itself."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd
import traitlets as t

from coachkit import queries
from coachkit.apps.base import Workbook, build, frame_to_dates
from coachkit.apps.shell import AppState, html_table


class FacilitateState(AppState):
    """Today's coaching queue."""

    queue = t.Instance(pd.DataFrame, args=())


def _when(days_overdue: object) -> str:
    if days_overdue is None or pd.isna(days_overdue):
        return "not planned"
    days = int(days_overdue)  # type: ignore[call-overload]
    if days > 0:
        return f"{days} days late"
    if days == 0:
        return "due today"
    return f"in {-days} days"


class Facilitate(Workbook):
    """The Facilitate workbook. ``state.queue`` is today's queue as a DataFrame."""

    pillar_key = "facilitate"
    state: FacilitateState

    def make_state(self) -> FacilitateState:
        return FacilitateState()

    def load(self, conn: Any, coach_id: int | None) -> None:
        self.state.queue = queries.coaching_queue(conn, coach_id, self.today)

    def render(self) -> None:
        queue = frame_to_dates(self.state.queue.copy(), "last_session")
        shown = pd.DataFrame(
            {
                "Rep": queue["rep"],
                "Next session": [_when(d) for d in queue["days_overdue"]],
                "Last coached": queue["last_session"],
                "Days since": queue["days_since"],
                "Every (days)": queue["cadence_days"],
                "Late actions": queue["overdue_actions"],
            }
        )
        due = int((queue["days_overdue"].fillna(0) >= 0).sum())
        table = w.HTML(html_table(shown, "No reps to coach yet."))
        table.add_class("ck-queue")
        self.shell.body.children = [
            w.HTML(f"<h2>Today's queue: {due} reps due or late</h2>"),
            table,
        ]


def build_facilitate(**kwargs: Any) -> Facilitate | w.HTML:
    """Build the Facilitate workbook (see :class:`coachkit.apps.base.Workbook`)."""
    return build(Facilitate, **kwargs)
