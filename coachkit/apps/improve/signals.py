"""Tabs 3 and 4: the two leading signs, and coaching coverage and cadence."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from coachkit.apps.calls import clock
from coachkit.apps.improve.tabs import ImproveTab, note, num, pct, say, section, table
from coachkit.improve import cadence, indicators
from coachkit.improve.calls import MIN_CALLS, rep_call_signs
from coachkit.model import standing
from coachkit.model.formats import hours
from coachkit.model.plans import RESEARCH_HOURS_PER_MONTH


class SignsTab(ImproveTab):
    """Conversations per week and the share where the buyer took an action."""

    key = "signs"
    title = "3. Leading signs"

    def load(self, conn: Any) -> None:
        weekly = indicators.weekly_indicators(
            conn, self.scope, self.period, rep_id=self.rep_id
        )
        reps = indicators.rep_indicators(conn, self.scope, self.period)
        from coachkit.model.calls.store import calls_table

        calls = calls_table(conn, coach_id=self.scope, rep_id=self.rep_id)
        calls = calls[
            (calls["held_on"] >= self.period.start)
            & (calls["held_on"] <= self.period.end)
        ]
        self.frames = {
            "weekly": weekly,
            "reps": self.for_rep(reps),
            "calls": rep_call_signs(calls),
        }
        self.charts = {}
        if len(weekly):
            self.charts["Leading signs"] = indicators.indicator_chart(weekly)

    def draw(self, changed: frozenset[str]) -> None:
        weekly, reps = self.frames["weekly"], self.frames["reps"].copy()
        who = self.app.rep_name() or "The team"
        children: list[w.Widget] = [
            section(
                f"{who}: conversations and buyer actions",
                say(indicators.indicator_sentence(weekly))
                + note(
                    "A buyer action is a next step the buyer agreed to take. "
                    "The shaded band is the range the true share is likely in."
                ),
                "ck-signs-sentence",
            )
        ]
        if "Leading signs" in self.charts:
            children.append(self.chart("Leading signs", "ck-signs-chart"))
        for col in ("share", "low", "high"):
            reps[col] = reps[col].map(pct)
        reps["conversations_per_week"] = reps["conversations_per_week"].map(num)
        reps["volume_trend"] = reps["volume_trend"].map(lambda v: num(v, 1, True))
        reps["share_trend"] = reps["share_trend"].map(lambda v: num(v, 1, True))
        children.append(
            section(
                "Per rep",
                table(
                    reps,
                    {
                        "rep": "Rep",
                        "conversations_per_week": "Conversations a week",
                        "share": "Buyer action share",
                        "low": "Share: likely low",
                        "high": "Share: likely high",
                        "volume_trend": "Conversations: change a month",
                        "share_trend": "Share: change a month (percentage points)",
                        "pattern": "Pattern",
                    },
                    "No conversations counted in this period.",
                ),
                "ck-signs-reps",
            )
        )
        children.append(self._calls_section())
        self.box.children = children

    def _calls_section(self) -> w.Widget:
        """What the period's recorded calls say, per rep, with ranges."""
        signs = self.frames["calls"].copy()
        if signs.empty:
            return section(
                "Recorded calls",
                note(
                    "No recorded calls in this period. Add call transcripts in "
                    "2. Facilitate (Prep) to see how much each rep talks and how "
                    "many questions they ask."
                ),
                "ck-signs-calls",
            )
        signs["talk"] = [
            _with_range(pct(v), pct(lo), pct(hi))
            for v, lo, hi in zip(
                signs["talk_share"], signs["talk_low"], signs["talk_high"], strict=True
            )
        ]
        signs["questions"] = [
            _with_range(num(v, 1), num(lo, 1), num(hi, 1))
            for v, lo, hi in zip(
                signs["questions_per_call"],
                signs["questions_low"],
                signs["questions_high"],
                strict=True,
            )
        ]
        signs["monologue"] = signs["longest_monologue_s"].map(clock)
        return section(
            "Recorded calls",
            note(
                "Measured from the call transcripts of this period. The range is "
                "where the true number likely is (95%); with fewer than "
                f"{MIN_CALLS} calls there is none. Gong Labs found that top "
                "sellers talk about 43% of the time. Questions are counted from "
                "question marks, so they are approximate."
            )
            + table(
                signs,
                {
                    "rep": "Rep",
                    "calls": "Calls",
                    "talk": "Rep talked (range)",
                    "questions": "Rep questions a call (range)",
                    "monologue": "Typical longest monologue",
                },
                "No recorded calls in this period.",
            ),
            "ck-signs-calls",
        )


def _with_range(value: str, low: str, high: str) -> str:
    """ "38% (31% to 45%)", or the value alone when there is no range."""
    if low == "–" or high == "–":
        return value
    return f"{value} ({low} to {high})"


class CoverageTab(ImproveTab):
    """Coaching hours per rep against the plan and the research default."""

    key = "coverage"
    title = "4. Coverage"

    def load(self, conn: Any) -> None:
        frame = cadence.coverage(conn, self.scope, self.period, self.today)
        self.frames = {
            "coverage": self.for_rep(frame),
            "by_standing": cadence.coverage_by_standing(frame),
            "missed_followups": self.for_rep(
                cadence.missed_followups(conn, self.scope, self.today)
            ),
        }
        if self.by_coach:
            self.frames["by_coach"] = cadence.coverage_by_coach(frame)
        self.balance = cadence.balance_sentence(self.frames["by_standing"])
        self.charts = {}
        if self.by_coach and len(frame):
            self.charts["Coaching hours"] = cadence.coverage_chart(
                self.frames["by_coach"], label="coach"
            )
        elif len(self.frames["coverage"]):
            self.charts["Coaching hours"] = cadence.coverage_chart(
                self.frames["coverage"]
            )

    @property
    def by_coach(self) -> bool:
        """A lead looking at everyone sees one row per coach, not a row per rep."""
        return bool(self.state.sees_all) and self.rep_id is None

    def draw(self, changed: frozenset[str]) -> None:
        cov = self.frames["coverage"].copy()
        overdue = cov[cov["overdue"]] if len(cov) else cov
        children: list[w.Widget] = [
            section(
                "Where the coaching time went",
                say(self.balance)
                + note(
                    f"Research suggests about {hours(RESEARCH_HOURS_PER_MONTH)} of "
                    "coaching per rep per month."
                ),
                "ck-coverage-balance",
            )
        ]
        if "Coaching hours" in self.charts:
            children.append(self.chart("Coaching hours", "ck-coverage-chart"))
        if self.by_coach:
            coaches = self.frames["by_coach"].copy()
            for col in ("hours_per_month", "planned_hours_per_month"):
                coaches[col] = coaches[col].map(num)
            children.append(
                section(
                    "Hours per rep, for each coach",
                    table(
                        coaches,
                        {
                            "coach": "Coach",
                            "reps": "Reps",
                            "hours_per_month": "Hours a month per rep",
                            "planned_hours_per_month": "Planned",
                            "overdue": "Reps overdue",
                        },
                        "No coaches with reps.",
                    ),
                    "ck-coverage-table",
                )
            )
        else:
            cov["standing"] = cov["standing"].map(standing.label)
            for col in (
                "hours_per_month",
                "planned_hours_per_month",
                "gap_to_research",
            ):
                cov[col] = cov[col].map(num)
            cov["days_since"] = cov["days_since"].map(lambda v: num(v, 0))
            children.append(
                section(
                    "Hours per rep",
                    table(
                        cov,
                        {
                            "rep": "Rep",
                            "standing": "Results",
                            "sessions": "Sessions",
                            "hours_per_month": "Hours a month",
                            "planned_hours_per_month": "Planned",
                            "gap_to_research": (
                                f"Short of {hours(RESEARCH_HOURS_PER_MONTH)}"
                            ),
                            "last_session_on": "Last session",
                            "days_since": "Days since",
                        },
                        "No active reps.",
                    ),
                    "ck-coverage-table",
                )
            )
        overdue = overdue.assign(
            days_since=overdue["days_since"].map(lambda v: num(v, 0)),
            cadence_days=overdue["cadence_days"].map(lambda v: num(v, 0)),
        )
        children.append(
            section(
                "Not coached for longer than planned",
                table(
                    overdue,
                    {
                        "rep": "Rep",
                        "last_session_on": "Last session",
                        "days_since": "Days since",
                        "cadence_days": "Plan says every (days)",
                        **({"coach": "Coach"} if self.state.sees_all else {}),
                    },
                    "Everyone was coached on time.",
                ),
                "ck-coverage-overdue",
            )
        )
        children.append(
            section(
                "Follow-up sessions that did not happen",
                table(
                    self.frames["missed_followups"],
                    {
                        "rep": "Rep",
                        "session_on": "Session",
                        "next_session_on": "Next one was due",
                        "days_late": "Days late",
                    },
                    "No missed follow-ups.",
                ),
                "ck-coverage-followups",
            )
        )
        self.box.children = children
