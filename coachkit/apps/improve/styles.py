"""Tabs 5 and 6: coaching styles and session quality, and long-term development."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from coachkit.apps.improve.tabs import (
    ImproveTab,
    count,
    folded,
    num,
    pct,
    say,
    section,
    table,
)
from coachkit.improve import development, quality, style_review
from coachkit.model.formats import points
from coachkit.model.vocabulary import words


class StylesTab(ImproveTab):
    """Which styles were used, what followed, and how sessions felt to both sides."""

    key = "styles"
    title = "5. Styles"

    def load(self, conn: Any) -> None:
        self.frames = {
            "suggestions": self.for_rep(
                style_review.style_suggestions(conn, self.scope, self.today)
            ),
            "outcomes": self.for_rep(
                style_review.style_outcomes(conn, self.scope, self.period)
            ),
            "quality": quality.quality_by_month(
                conn, self.scope, self.period, rep_id=self.rep_id
            ),
            "gaps": self.for_rep(quality.quality_gaps(conn, self.scope, self.period)),
        }
        self.sentence = quality.quality_sentence(self.frames["gaps"])
        self.charts = {}
        if len(self.frames["quality"]):
            self.charts["Session quality"] = quality.quality_chart(
                self.frames["quality"]
            )

    def draw(self, changed: frozenset[str]) -> None:
        suggestions = self.frames["suggestions"].copy()
        for col in ("skill", "will"):
            suggestions[col] = suggestions[col].map(lambda v: num(v, 0))
        outcomes = self.frames["outcomes"].copy()
        for col in ("skill_change", "will_change"):
            outcomes[col] = outcomes[col].map(lambda v: num(v, 0, sign=True))
        if "style" in outcomes:
            outcomes["style"] = outcomes["style"].map(lambda v: words("style", v))
        if "current_style" in suggestions:
            now = suggestions["current_style"].map(lambda v: words("style", v))
            then = suggestions["suggested_style"].map(lambda v: words("style", v))
            changes = suggestions["change"].fillna("").astype(str).str.strip() != ""
            suggestions["change"] = (now + " → " + then).where(changes, "")
            suggestions["current_style"] = now
        gaps = self.frames["gaps"].copy()
        for col in ("coach", "rep_score", "gap"):
            if col in gaps:
                gaps[col] = gaps[col].map(num)
        children: list[w.Widget] = [
            section(
                "Styles to adjust",
                _adjust_first(suggestions),
                "ck-style-suggestions",
            ),
            section(
                "What followed each style",
                table(
                    outcomes,
                    {
                        "rep": "Rep",
                        "style": "Style",
                        "sessions": "Sessions",
                        "skill_change": "Skill change",
                        "will_change": "Will change",
                    },
                    "No sessions with a style in this period.",
                ),
                "ck-style-outcomes",
            ),
            section(
                "Session quality: you and your reps",
                say(self.sentence),
                "ck-quality-sentence",
            ),
        ]
        if "Session quality" in self.charts:
            children.append(self.chart("Session quality", "ck-quality-chart"))
        children.append(
            section(
                "Where you and your reps disagree most",
                table(
                    gaps,
                    {
                        "rep": "Rep",
                        "check": "Check",
                        "coach": "Your score",
                        "rep_score": "Rep's score",
                        "gap": "Gap",
                        "sessions": "Sessions",
                    },
                    "No rep scores in this period.",
                ),
                "ck-quality-gaps",
            )
        )
        self.box.children = children


class LongTermTab(ImproveTab):
    """Time per objective against leadership's weights; focus that is not moving."""

    key = "long_term"
    title = "6. Long term"

    def load(self, conn: Any) -> None:
        objectives = development.time_by_objective(
            conn, self.scope, self.period, rep_id=self.rep_id
        )
        self.frames = {
            "objectives": objectives,
            "stale": self.for_rep(
                development.stale_focus(conn, self.scope, self.today)
            ),
        }
        self.charts = {}
        if objectives["minutes"].sum() > 0:
            self.charts["Time per objective"] = development.objective_chart(objectives)

    def draw(self, changed: frozenset[str]) -> None:
        objectives = self.frames["objectives"].copy()
        for col in ("weight_share", "time_share"):
            objectives[col] = objectives[col].map(pct)
        objectives["gap"] = objectives["gap"].map(lambda v: points(v, sign=True))
        children: list[w.Widget] = []
        if "Time per objective" in self.charts:
            children.append(self.chart("Time per objective", "ck-objective-chart"))
        children.append(
            section(
                "Coaching time per objective",
                table(
                    objectives,
                    {
                        "objective": "Objective",
                        "weight_share": "Leadership's weight",
                        "time_share": "Share of coaching time",
                        "gap": "Gap (points)",
                    },
                    "No coaching time in this period.",
                ),
                "ck-objective-table",
            )
        )
        children.append(
            section(
                "Focus held for a long time without movement",
                table(
                    self.frames["stale"],
                    {
                        "rep": "Rep",
                        "behaviour": "Behaviour",
                        "since": "In focus since",
                        "skill_then": "Skill then",
                        "skill_now": "Skill now",
                        "flag": "Try this",
                    },
                    "Every long-held focus is moving.",
                ),
                "ck-stale-focus",
            )
        )
        self.box.children = children


def _adjust_first(suggestions: Any) -> str:
    """The styles that need a change as a table; the ones that fit, counted, folded."""
    columns = {
        "rep": "Rep",
        "behaviour": "Behaviour",
        "current_style": "Style now",
        "skill": "Skill",
        "will": "Will",
        "change": "Change",
        "reason": "Why",
    }
    if suggestions.empty:
        return table(suggestions, columns, "No active plans to review.")
    change = suggestions["change"].fillna("").astype(str).str.strip() != ""
    adjust, fits = suggestions[change], suggestions[~change]
    body = table(adjust, columns, "Every style in the plans fits the rep now.")
    if len(fits):
        keep = {k: v for k, v in columns.items() if k != "change"}
        more = "more " if len(adjust) else ""
        body += folded(
            f"{count(len(fits), more + 'style fits', more + 'styles fit')} "
            "the rep now: nothing to change",
            table(fits, keep, ""),
            "ck-style-fits",
        )
    return body
