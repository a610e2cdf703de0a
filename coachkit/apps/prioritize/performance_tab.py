"""The Performance tab: activity and results per rep, with how sure each rate is."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ipywidgets as w
import pandas as pd

from coachkit.apps import charts as page_charts
from coachkit.apps.calls import clock
from coachkit.apps.shell import html_table, text
from coachkit.apps.tabs import DATA, Tab, field
from coachkit.model import charts, standing
from coachkit.model.formats import number, percent
from coachkit.model.rates import Rate

#: The weeks the rep's recorded calls are summed over, as the team table's numbers.
CALL_WEEKS = 12


def rate_label(row: Any) -> str:
    """The action rate with its range, or 'not enough data'."""
    if pd.isna(row.conversations):
        return "no data"
    rate = Rate.of(int(row.buyer_actions), int(row.conversations))
    return rate.label("conversations")


class PerformanceTab(Tab):
    """Conversations per week and how often the buyer acts, rep by rep."""

    title = "4. Performance"
    redraws_on = frozenset({"rep"})

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.rep = field(w.HTML(), "ck-rep-performance")
        self.activity = page_charts.ChartSlot("ck-activity-chart")
        self.rate = page_charts.ChartSlot("ck-rate-chart")
        self.team = field(w.HTML(), "ck-team-performance")
        self.box.children = [self.rep, self.activity.box, self.rate.box, self.team]

    def draw(self, changed: frozenset[str]) -> None:
        if DATA in changed:
            self._draw_team()
        self._draw_rep()

    def _draw_team(self) -> None:
        perf = self.state.performance
        shown = pd.DataFrame(
            {
                "Rep": perf["rep"],
                "Conversations a week": perf["conversations_per_week"].map(number),
                "Buyer took an action": [rate_label(r) for r in perf.itertuples()],
                "Quota": perf["quota_attainment"].map(percent),
                "Standing": perf["standing"].map(standing.label),
                "Note": perf["far_below_reason"],
            }
        )
        self.team.value = (
            "<h2>The whole team, last 12 weeks</h2><p class='ck-note'>The range after "
            "each rate is where the true rate most likely lies. Few conversations give "
            "a wide range; under 30, it says 'not enough data'. "
            f"{text(standing.rule_sentence())}</p>"
            + html_table(shown, "No numbers yet.")
        )

    def _draw_rep(self) -> None:
        s = self.state
        mine = s.performance[s.performance["rep_id"] == s.rep_id]
        if mine.empty:
            self.rep.value = "<p class='ck-note'>No numbers for this rep yet.</p>"
            self._show_charts(None)
            return
        row = next(mine.itertuples())
        self.rep.value = (
            f"<h2>{text(row.rep)}</h2><ul>"
            "<li>Conversations a week: "
            f"<b>{number(row.conversations_per_week)}</b></li>"
            f"<li>Buyer took an action: <b>{text(rate_label(row))}</b></li>"
            f"<li>Quota reached: <b>{percent(row.quota_attainment)}</b></li>"
            f"<li>Standing: <b>{text(standing.label(row.standing))}</b> "
            f"({text(standing.MEANINGS.get(row.standing, ''))})</li>"
            f"{self._calls_line(int(row.rep_id))}</ul>"
            + (f"<p><b>{text(row.far_below_reason)}</b></p>" if row.far_below else "")
        )
        self._show_charts(s.rep_weekly)

    def _calls_line(self, rep_id: int) -> str:
        """What the rep's recorded calls of the last weeks say, with ranges."""
        from coachkit.improve.calls import rep_call_signs
        from coachkit.model.calls.store import calls_table

        since = self.app.today - dt.timedelta(weeks=CALL_WEEKS)
        signs = rep_call_signs(calls_table(self.app.store, rep_id=rep_id, since=since))
        if signs.empty:
            return "<li>Recorded calls: none in the last 12 weeks</li>"
        row = signs.iloc[0]

        def ranged(value: str, low: object, high: object, fmt: Any) -> str:
            if pd.isna(low) or pd.isna(high):
                return value
            return f"{value} (likely {fmt(low)} to {fmt(high)})"

        talk = ranged(
            percent(row["talk_share"]), row["talk_low"], row["talk_high"], percent
        )
        asks = ranged(
            number(row["questions_per_call"], 1),
            row["questions_low"],
            row["questions_high"],
            lambda v: number(v, 1),
        )
        calls = int(row["calls"])
        return (
            f"<li>On {calls} recorded {'call' if calls == 1 else 'calls'} in the last "
            f"12 weeks: the rep talked <b>{text(talk)}</b> of the time, asked "
            f"<b>{text(asks)}</b> questions a call (about), longest monologue "
            f"<b>{text(clock(row['longest_monologue_s']))}</b> (typical)</li>"
        )

    def _show_charts(self, weekly: pd.DataFrame | None) -> None:
        if weekly is None or weekly.empty:
            self.activity.show(None)
            self.rate.show(None)
            return
        self.activity.show(
            charts.activity_chart(weekly, "Conversations with prospects each week")
        )
        self.rate.show(
            charts.rate_chart(
                weekly,
                "Each week: share of conversations where the buyer took an action",
            )
        )
