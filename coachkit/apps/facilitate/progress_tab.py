"""The Progress tab: goals, actions kept or missed, and skill over time."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from coachkit.apps import charts as page_charts
from coachkit.apps.shell import html_table
from coachkit.apps.tabs import Tab, field
from coachkit.facilitate.progress import recent_sessions
from coachkit.model import charts
from coachkit.model.formats import month, percent


class ProgressTab(Tab):
    """How the open rep is getting on, as tables and a chart."""

    title = "6. Progress"
    redraws_on = frozenset({"rep"})

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.goals = field(w.HTML(), "ck-goal-progress")
        self.actions = field(w.HTML(), "ck-action-record")
        self.chart = w.VBox()
        self.sessions = field(w.HTML(), "ck-session-list")
        self.box.children = [self.goals, self.actions, self.chart, self.sessions]
        self.latest = pd.DataFrame()

    def load(self, conn: Any) -> None:
        names = {t.key: t.name for t in self.app.guides.session_types}
        self.latest = recent_sessions(conn, self.state.rep_id, names)

    def draw(self, changed: frozenset[str]) -> None:
        s = self.state
        goals = s.goals
        charts_: list[w.Widget] = []
        if goals.empty:
            self.goals.value = "<h2>Goals</h2><p class='ck-note'>No goals yet.</p>"
        else:
            shown = pd.DataFrame(
                {
                    "Goal": goals["goal"],
                    "Number": goals["metric"],
                    "Start": goals["baseline_text"],
                    "Now": goals["current_text"],
                    "Target": goals["target_text"],
                    "Of the way": goals["progress"].map(percent),
                    "Due": goals["due_on"],
                    "Status": goals["status"],
                }
            )
            self.goals.value = "<h2>Goals</h2>" + html_table(shown)
        if not goals.empty and goals["progress"].notna().any():
            chart = charts.goal_chart(goals, "Progress toward each goal")
            charts_.append(field(page_charts.chart_widget(chart), "ck-goal-chart"))
        record = s.actions.copy()
        if not record.empty:
            record["month"] = pd.to_datetime(record["month"]).map(month)
            record["kept_share"] = record["kept_share"].map(percent)
        self.actions.value = "<h2>Actions kept and missed</h2>" + html_table(
            record.rename(columns={"kept_share": "share kept"}).rename(
                columns=str.capitalize
            ),
            "No actions yet.",
        )
        skills = s.skills
        coach_rated = skills[skills["source"] == "coach"] if len(skills) else skills
        if not coach_rated.empty:
            skill_chart = charts.skill_chart(skills, "Skill ratings over time")
            charts_.append(
                field(page_charts.chart_widget(skill_chart), "ck-skill-chart")
            )
            latest = coach_rated.sort_values("date").groupby("behaviour").tail(3)
            table = pd.DataFrame(
                {
                    "Behaviour": latest["behaviour"],
                    "Assessed on": pd.to_datetime(latest["date"]).dt.date,
                    "Skill": latest["skill"],
                }
            ).sort_values(["Behaviour", "Assessed on"])
            charts_.append(
                field(
                    w.HTML("<h3>Latest skill ratings</h3>" + html_table(table)),
                    "ck-skill-table",
                )
            )
        self.chart.children = charts_
        self.sessions.value = "<h2>Latest sessions</h2>" + html_table(
            self.latest, "No sessions yet."
        )
