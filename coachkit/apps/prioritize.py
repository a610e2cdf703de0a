"""Workbook 1, Prioritize: take stock of each rep and decide who to coach first."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd
import traitlets as t

from coachkit import queries
from coachkit.apps.base import Workbook, build, frame_to_dates
from coachkit.apps.shell import AppState, html_table


class PrioritizeState(AppState):
    """The team as the coach sees it."""

    roster = t.Instance(pd.DataFrame, args=())


class Prioritize(Workbook):
    """The Prioritize workbook. ``state.roster`` is the team as a DataFrame."""

    pillar_key = "prioritize"
    state: PrioritizeState

    def make_state(self) -> PrioritizeState:
        return PrioritizeState()

    def load(self, conn: Any, coach_id: int | None) -> None:
        self.state.roster = queries.roster(conn, coach_id)

    def render(self) -> None:
        shown = frame_to_dates(
            self.state.roster.copy(), "start_date", "last_assessed", "last_session"
        )
        shown = shown[
            [
                "rep",
                "role",
                "segment",
                "coach",
                "start_date",
                "last_assessed",
                "last_session",
            ]
        ].rename(
            columns={
                "rep": "Rep",
                "role": "Role",
                "segment": "Segment",
                "coach": "Coach",
                "start_date": "Started",
                "last_assessed": "Last assessed",
                "last_session": "Last coached",
            }
        )
        table = w.HTML(html_table(shown, "No reps yet."))
        table.add_class("ck-roster")
        self.shell.body.children = [
            w.HTML(f"<h2>Your team ({len(shown)} reps)</h2>"),
            table,
        ]


def build_prioritize(**kwargs: Any) -> Prioritize | w.HTML:
    """Build the Prioritize workbook (see :class:`coachkit.apps.base.Workbook`)."""
    return build(Prioritize, **kwargs)
