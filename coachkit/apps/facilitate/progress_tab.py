"""The Progress tab: goals, actions kept or missed, and skill over time.

Each goal says how it was judged (or where it stands) and each agreed action what
became of it; both can be marked here, with a day and a note
(:mod:`coachkit.apps.facilitate.follow_through`).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from coachkit.apps import charts as page_charts
from coachkit.apps.facilitate.follow_through import FollowThrough, Item
from coachkit.apps.my_coaching.answers import rep_answers, rep_words
from coachkit.apps.my_coaching.share import SharePanel
from coachkit.apps.shell import html_table
from coachkit.apps.tabs import Tab, field
from coachkit.facilitate.actions import OWNER_WORDS, Action, agreed_actions
from coachkit.facilitate.progress import goal_progress, recent_sessions
from coachkit.model import charts
from coachkit.model.formats import day, month, percent

#: What the charts say, for a screen reader (their text alternatives).
_GOAL_CHART = (
    "Bar chart of progress toward each goal. Each goal and where it stands is "
    "listed above, in words."
)
_SKILL_CHART = (
    "Line chart of the rep's skill ratings over time, one line per behaviour. The "
    "latest ratings are in the table below."
)


class ProgressTab(Tab):
    """How the open rep is getting on, as tables and a chart."""

    title = "6. Progress"
    redraws_on = frozenset({"rep"})

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.goals = field(w.HTML(), "ck-goal-progress")
        self.goal_marks = FollowThrough(app, "ck-goal-marks")
        self.actions = field(w.HTML(), "ck-action-record")
        self.action_marks = FollowThrough(app, "ck-action-marks")
        self.chart = w.VBox()
        self.sessions = field(w.HTML(), "ck-session-list")
        self.ratings = field(w.HTML(), "ck-rep-ratings")
        self.share = SharePanel(app)
        self.box.children = [
            self.goals,
            self.goal_marks.box,
            self.actions,
            self.action_marks.box,
            self.chart,
            self.sessions,
            self.ratings,
            self.share.box,
        ]
        self.latest = pd.DataFrame()
        self.rep_page: Any = None
        self.all_goals = pd.DataFrame()
        self.follow_ups: tuple[Action, ...] = ()

    def load(self, conn: Any) -> None:
        names = {t.key: t.name for t in self.app.guides.session_types}
        rep = self.state.rep_id
        self.latest = recent_sessions(conn, rep, names)
        if rep is None:
            self.all_goals, self.follow_ups = pd.DataFrame(), ()
            self.rep_page = None
            return
        today = self.app.today
        self.rep_page = rep_answers(conn, rep, today)
        self.all_goals = goal_progress(conn, rep, today, include_dropped=True)
        self.follow_ups = agreed_actions(conn, rep, today)

    def draw(self, changed: frozenset[str]) -> None:
        s = self.state
        goals = self.all_goals
        charts_: list[w.Widget] = []
        if goals.empty:
            self.goals.value = "<h2>Goals</h2><p class='ck-note'>No goals yet.</p>"
            self.goal_marks.show([])
        else:
            shown = pd.DataFrame(
                {
                    "Goal": goals["goal"],
                    "Number": goals["metric"],
                    "Start": goals["baseline_text"],
                    "Target": goals["target_text"],
                    "Due": goals["due_on"].map(day),
                    "Where it stands": goals["outcome"],
                    "Of the way": goals["progress"].map(percent),
                }
            )
            self.goals.value = (
                "<h2>Goals</h2>"
                + html_table(shown)
                + "<p class='ck-note'>A goal that was judged is measured on the day "
                "it was judged; an open one, now. Mark each goal below when you "
                "judge it.</p>"
            )
            self.goal_marks.show(
                [
                    Item(
                        kind="goal",
                        id=int(g.goal_id),
                        title=str(g.goal),
                        outcome=str(g.outcome),
                        status=str(g.status),
                        row_version=int(g.row_version),
                        note=str(g.note),
                    )
                    for g in goals.itertuples(index=False)
                ]
            )
        judged = s.goals
        if not judged.empty and judged["progress"].notna().any():
            chart = charts.goal_chart(judged, "Progress toward each goal")
            picture = page_charts.chart_widget(chart, _GOAL_CHART)
            charts_.append(field(picture, "ck-goal-chart"))
        record = s.actions.copy()
        if not record.empty:
            record["month"] = pd.to_datetime(record["month"]).map(month)
            record["kept_share"] = record["kept_share"].map(percent)
        self.actions.value = (
            "<h2>Actions kept and missed</h2>"
            + html_table(
                record.rename(columns={"kept_share": "share kept"}).rename(
                    columns=str.capitalize
                ),
                "No actions yet.",
            )
            + "<p class='ck-note'>Dropped actions (no longer worth doing) count "
            "neither as kept nor as missed.</p>"
            + (
                "<h3>Follow up</h3><p class='ck-note'>Open actions first, then "
                "those marked in the last 60 days.</p>"
                if self.follow_ups
                else ""
            )
        )
        self.action_marks.show(
            [
                Item(
                    kind="action",
                    id=a.id,
                    title=a.text,
                    outcome=a.outcome(self.app.today),
                    status=a.status,
                    row_version=a.row_version,
                    note=a.note,
                    detail=f"({OWNER_WORDS.get(a.owner, a.owner)}, by {day(a.due_on)})"
                    + _said(rep_words(self.rep_page, a.id)),
                )
                for a in self.follow_ups
            ]
        )
        skills = s.skills
        coach_rated = skills[skills["source"] == "coach"] if len(skills) else skills
        if not coach_rated.empty:
            skill_chart = charts.skill_chart(skills, "Skill ratings over time")
            charts_.append(
                field(
                    page_charts.chart_widget(skill_chart, _SKILL_CHART),
                    "ck-skill-chart",
                )
            )
            latest = coach_rated.sort_values("date").groupby("behaviour").tail(3)
            latest = latest.sort_values(["behaviour", "date"])
            table = pd.DataFrame(
                {
                    "Behaviour": latest["behaviour"],
                    "Assessed on": pd.to_datetime(latest["date"]).map(day),
                    "Skill": latest["skill"],
                }
            )
            charts_.append(
                field(
                    w.HTML("<h3>Latest skill ratings</h3>" + html_table(table)),
                    "ck-skill-table",
                )
            )
        self.chart.children = charts_
        shown = self.latest.copy()
        if len(shown):
            shown["Date"] = shown["Date"].map(day)
        self.sessions.value = "<h2>Latest sessions</h2>" + html_table(
            shown, "No sessions yet."
        )
        self.ratings.value = ratings_html(
            self.rep_page.sessions if self.rep_page is not None else ()
        )
        self.share.show()


def ratings_html(sessions: tuple[Any, ...]) -> str:
    """The rep's own rating of each of their latest sessions, and their wish."""
    if not sessions:
        return ""
    rows = pd.DataFrame(
        {
            "Session": [day(x.held_on) for x in sessions],
            "Relevant": [_score(x.rep_relevant) for x in sessions],
            "Developmental": [_score(x.rep_developmental) for x in sessions],
            "Motivational": [_score(x.rep_motivational) for x in sessions],
            "What would help more": [str(x.rep_wish or "") or "–" for x in sessions],
        }
    )
    return (
        "<h3>How the rep rated their sessions</h3>"
        "<div class='ck-table-wrap'>"
        + html_table(rows)
        + "</div><p class='ck-note'>Each from 1 to 5, as the rep answered on their "
        "own page; – where they have not rated a session.</p>"
    )


def _said(words: str) -> str:
    return f" {words}" if words else ""


def _score(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else str(int(value))
