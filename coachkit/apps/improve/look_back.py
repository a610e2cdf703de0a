"""Tabs 1 and 2: the look back, and what coaching changed (practice → performance)."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from coachkit.apps.downloads import report_buttons
from coachkit.apps.improve.tabs import (
    ImproveTab,
    count,
    folded,
    note,
    num,
    pct,
    say,
    section,
    table,
)
from coachkit.apps.shell import guarded, html_table
from coachkit.apps.tabs import field
from coachkit.improve import effects
from coachkit.improve.retro import look_back as retro
from coachkit.model.formats import day
from coachkit.model.vocabulary import words


class LookBackTab(ImproveTab):
    """Before vs after coaching started: ratings, numbers, goals, actions, sessions."""

    key = "look_back"
    title = "1. Look back"

    def load(self, conn: Any) -> None:
        self.retro = None
        self.frames = {}
        if self.rep_id is not None:
            self.retro = retro.rep_retrospective(
                conn, self.rep_id, self.period, self.today
            )
            self.frames["skills"] = self.retro.skills
            self.frames["metrics"] = self.retro.metrics
            self.frames["goals"] = self.retro.goal_rows
        else:
            team = retro.team_retrospective(conn, self.scope, self.period, self.today)
            self.frames["team"] = team
            if self.state.sees_all:
                self.frames["by_coach"] = retro.team_by_coach(team)

    def draw(self, changed: frozenset[str]) -> None:
        if self.retro is None:
            self.box.children = [self._team()]
            return
        r = self.retro
        started = (
            f"Coaching started on {day(r.started_on)}."
            if r.started_on
            else "This rep has no coaching plan or session yet."
        )
        head = section(
            f"{self.app.rep_name()}: {self.period.label.lower()}",
            say(r.headline()) + note(started),
            "ck-retro-headline",
        )
        counts = pd.DataFrame(
            [
                {
                    "Sessions held": r.sessions_held,
                    "Planned": f"about {num(r.sessions_planned, 0)}",
                    "Hours": num(r.hours, 1),
                    "Goals met": r.goal_counts.get("met", 0),
                    "Goals missed": r.goal_counts.get("missed", 0),
                    "Goals open": r.goal_counts.get("open", 0),
                    "Actions kept": r.actions.get("kept", 0),
                    "Actions missed": r.actions.get("missed", 0),
                    "Actions open": r.actions.get("open", 0),
                }
            ]
        )
        # A behaviour shows when it is in the plan or was rated both before and
        # after; the others (a dash or two and no change) are counted, one click away.
        compared = r.skills["before"].notna() & r.skills["after"].notna()
        shows = r.skills["focus"].astype(bool) | compared
        skills = r.skills.assign(
            focus=r.skills["focus"].map({True: "yes", False: ""}),
            before=r.skills["before"].map(lambda v: num(v, 0)),
            after=r.skills["after"].map(lambda v: num(v, 0)),
            change=r.skills["change"].map(lambda v: num(v, 0, sign=True)),
        )
        skill_columns = {
            "behaviour": "Behaviour",
            "focus": "In the plan",
            "before": "Before",
            "after": "Latest",
            "change": "Change",
        }
        hidden = skills[~shows]
        skill_body = table(
            skills[shows],
            skill_columns,
            "No behaviour in the plan, and none rated both before and after.",
        )
        if len(hidden):
            skill_body += folded(
                f"{count(len(hidden), 'more behaviour has', 'more behaviours have')} "
                "no rating before and after to compare",
                table(hidden, {"behaviour": "Behaviour", "after": "Latest"}, ""),
                "ck-retro-skills-hidden",
            )
        metrics = r.metrics.assign(
            better=r.metrics["better"].map(
                lambda v: (
                    "–" if v is None or pd.isna(v) else ("better" if v else "worse")
                )
            )
        )
        self.box.children = [
            head,
            field(w.HTML(html_table(counts)), "ck-retro-counts"),
            section(
                "Skill ratings before and after",
                skill_body if len(skills) else note("No skill ratings yet."),
                "ck-retro-skills",
            ),
            section(
                "Numbers before and after",
                self._numbers(metrics),
                "ck-retro-metrics",
            ),
            section(
                "Goals in this period",
                table(
                    _goals_in_words(r.goal_rows),
                    {
                        "goal": "Goal",
                        "metric": "Number",
                        "due_on": "Due",
                        "status": "Status",
                    },
                    "No goals in this period.",
                ),
                "ck-retro-goals",
            ),
        ]

    def _numbers(self, metrics: pd.DataFrame) -> str:
        """The focus behaviours' numbers; the ones never counted, only counted."""
        counted = metrics["before"].notna() | metrics["after"].notna()
        body = table(
            metrics[counted],
            {
                "metric": "Number",
                "before_text": "8 weeks before coaching",
                "after_text": "Last 8 weeks",
                "change_text": "Change",
                "better": "Better or worse",
            },
            "No numbers for the focus behaviours yet.",
        )
        blank = int((~counted).sum())
        if blank:
            words = count(blank, "number was", "numbers were")
            body += note(f"{words} not counted before or since, so not shown.")
        return body

    def _team(self) -> w.Widget:
        frame = self.frames.get("by_coach", self.frames["team"]).copy()
        frame["kept_share"] = frame["kept_share"].map(pct)
        frame["skill_change"] = frame["skill_change"].map(
            lambda v: num(v, 1, sign=True)
        )
        frame["sessions_planned"] = frame["sessions_planned"].map(lambda v: num(v, 0))
        frame["hours"] = frame["hours"].map(lambda v: num(v, 1))
        columns = {
            "rep": "Rep",
            "sessions_held": "Sessions held",
            "sessions_planned": "Planned",
            "hours": "Hours",
            "goals_met": "Goals met",
            "goals_missed": "Goals missed",
            "goals_open": "Goals open",
            "actions_kept": "Actions kept",
            "actions_missed": "Actions missed",
            "kept_share": "Share of actions kept",
            "skill_change": "Skill change",
            "note": "Note",
        }
        title = f"The team: {self.period.label.lower()}"
        if "by_coach" in self.frames:
            del columns["rep"], columns["note"]
            columns = {
                "coach": "Coach",
                "reps": "Reps",
                "coached": "Coached",
                **columns,
            }
            title = f"Every coach: {self.period.label.lower()}"
        body = section(
            title,
            note("Pick a rep above to see their ratings and numbers before and after.")
            + table(frame, columns, "No active reps."),
            "ck-retro-team",
        )
        report = report_buttons(self.app.team_report, self.state, "ck-team-report")
        heading = w.HTML(
            "<h2>Team report</h2><p class='ck-note'>This period's numbers, charts "
            "and checklist in one file to print or share.</p>"
        )
        return w.VBox([body, heading, report])


class WorkedTab(ImproveTab):
    """Practice → performance: did a number move more for reps coached on a
    behaviour than for reps not coached on it yet? One row per behaviour and linked
    number, the rows without enough data folded away, and week by week for the row
    picked (the picture the verdict rests on)."""

    key = "worked"
    title = "2. What worked"

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.row_picker = w.Dropdown(
            description="Week by week for",
            options=[],
            style={"description_width": "initial"},
            layout=w.Layout(width="100%", max_width="640px"),
        )
        self.row_picker.add_class("ck-effect-pick")
        self.weeks = field(w.VBox(), "ck-effect-weeks")
        show = guarded(self.state, "drawing the weeks")(self._show_weeks)
        self.row_picker.observe(lambda _change: show(), names="value")

    def load(self, conn: Any) -> None:
        team = effects.practice_effects(conn, self.scope, self.today)
        self.frames = {"team": team}
        if self.rep_id is not None:
            self.frames["rep"] = effects.rep_effects(conn, self.rep_id, self.today)
        self.charts = {}
        if len(team) and team["enough"].any():
            self.charts["Coaching effects"] = effects.effect_chart(team)

    def draw(self, changed: frozenset[str]) -> None:
        children: list[w.Widget] = [
            section("How this works", say(effects.METHOD_TEXT), "ck-effect-method")
        ]
        columns = {
            "behaviour": "Coached on",
            "metric": "Number",
            "coached": "Reps coached",
            "comparison": "Reps to compare",
            "verdict": "Result",
            "text": "What changed",
        }
        if "rep" in self.frames:
            mine = {k: v for k, v in columns.items() if k != "coached"}
            children.append(
                section(
                    f"{self.app.rep_name()} against reps not coached on it",
                    _ready_then_waiting(
                        self.frames["rep"],
                        mine,
                        "This rep has not been coached on a behaviour yet.",
                        "Nothing for this rep has enough data to compare yet.",
                    ),
                    "ck-effect-rep",
                )
            )
        team = self.frames["team"]
        ready = team[team["enough"].astype(bool)] if len(team) else team
        body = note(effects.PERIOD_NOTE) + _ready_then_waiting(
            team, columns, "Nothing has enough data to compare yet."
        )
        who = "everyone" if self.state.sees_all else "your team"
        children.append(section(f"Across {who}", body, "ck-effect-team"))
        if "Coaching effects" in self.charts:
            children.append(self.chart("Coaching effects", "ck-effect-chart"))
        options = [
            (
                f"{row.behaviour}: {row.metric}",
                (int(row.behaviour_id), int(row.metric_id)),
            )
            for row in ready.itertuples(index=False)
        ]
        if options:
            keep = self.row_picker.value
            self.row_picker.options = options
            values = [value for _label, value in options]
            self.row_picker.value = keep if keep in values else values[0]
            self._show_weeks()
            children.append(
                section(
                    "Week by week",
                    note(
                        "The gap between coached reps and the reps they are compared "
                        "with, week by week, against the gap before coaching. The "
                        "shaded weeks are left out: when reps were picked, and "
                        "settling in. A line near zero before coaching is what the "
                        "result relies on."
                    ),
                    "ck-effect-weeks-head",
                )
            )
            children += [self.row_picker, self.weeks]
        self.box.children = children

    def _show_weeks(self) -> None:
        """Draw the week-by-week picture of the row picked."""
        if self.row_picker.value is None:
            self.weeks.children = []
            return
        behaviour_id, metric_id = self.row_picker.value
        team = self.frames["team"]
        row = team[
            (team["behaviour_id"] == behaviour_id) & (team["metric_id"] == metric_id)
        ].iloc[0]
        weeks = self.app.effect_weeks(behaviour_id, metric_id)
        self.frames["weeks"] = weeks
        if weeks["gap"].notna().sum() == 0:
            self.weeks.children = [w.HTML(note("No week has enough numbers to draw."))]
            return
        title = f"{row['behaviour']}: {row['metric']}"
        self.charts["Week by week"] = effects.event_chart(
            weeks, str(row["kind"]), str(row["unit"]), title[:90]
        )
        self.weeks.children = [
            self.chart(
                "Week by week",
                "ck-effect-event",
                f"Chart, week by week, for {title}: the gap between coached reps "
                "and the others, from 12 weeks before coaching to 9 weeks after, "
                "with the likely range each week. The row in the table above gives "
                "the result in words.",
            )
        ]


def _ready_then_waiting(
    frame: pd.DataFrame, columns: dict[str, str], empty: str, none_ready: str = ""
) -> str:
    """The rows with enough data as a table; the others folded behind a count.

    Most rows of a young programme say "not enough data yet"; a coach reads the
    few that have a result, and can open the rest.
    """
    if frame.empty:
        return table(frame, columns, empty)
    enough = frame["enough"].astype(bool)
    ready, waiting = frame[enough], frame[~enough]
    body = table(ready, columns, none_ready or empty)
    if len(waiting):
        more = "more " if len(ready) else ""
        rows = "row needs" if len(waiting) == 1 else "rows need"
        summary = f"{len(waiting):,} {more}{rows} more data"
        body += folded(
            summary,
            table(
                waiting, {k: columns[k] for k in ("behaviour", "metric", "text")}, ""
            ),
            "ck-effect-waiting",
        )
    return body


def _goals_in_words(goals: pd.DataFrame) -> pd.DataFrame:
    """The period's goals as people read them: days in words, status in words."""
    if goals.empty:
        return goals
    return goals.assign(
        due_on=goals["due_on"].map(day),
        status=goals["status"].map(lambda code: words("goal_status", code)),
    )
