"""The Priorities tab: the skill-gap heat map and who to coach on what first."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from coachkit.apps import charts as page_charts
from coachkit.apps.shell import html_table, text
from coachkit.apps.tabs import DATA, Tab, field
from coachkit.model import charts
from coachkit.model.formats import number
from coachkit.prioritize import tables as prioritize
from coachkit.prioritize.ranking import FACTORS, Weights

#: Rows of the detailed ranking shown on screen (the DataFrame has them all).
SHOWN_ROWS = 25


class PrioritiesTab(Tab):
    """Where the gaps are, and a ranking whose every factor and weight is in view."""

    title = "3. Priorities"
    redraws_on = frozenset({"ranking"})

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.heatmap = w.VBox()
        self.sliders = {
            key: field(
                w.FloatSlider(
                    value=1.0,
                    min=0.0,
                    max=3.0,
                    step=0.5,
                    description=label,
                    tooltip=why,
                    continuous_update=False,
                    style={"description_width": "160px"},
                    layout=w.Layout(width="460px"),
                ),
                f"ck-weight-{key}",
            )
            for key, label, why in FACTORS
        }
        for slider in self.sliders.values():
            slider.observe(self.action("re-ranking", self._reweigh), names="value")
        explain = "".join(
            f"<li><b>{text(label)}</b>: {text(why)}</li>" for _, label, why in FACTORS
        )
        self.summary = field(w.HTML(), "ck-summary")
        self.table = field(w.HTML(), "ck-ranking")
        self.box.children = [
            w.HTML(
                "<h2>Skill gaps across the team</h2><p class='ck-note'>Red: far "
                "below the target level. Green: at or above it. The number is the "
                "latest skill rating from 1 to 5.</p>"
            ),
            self.heatmap,
            w.HTML(
                "<h2>Who to coach on what first</h2><p>Each score adds up five "
                f"factors. Change a weight to change how much it counts.</p><ul>"
                f"{explain}</ul>"
            ),
            w.VBox(list(self.sliders.values())),
            self.summary,
            self.table,
        ]

    def draw(self, changed: frozenset[str]) -> None:
        if DATA in changed:
            self._draw_heatmap()
        self._draw_ranking()

    def _draw_heatmap(self) -> None:
        s = self.state
        if s.gaps.empty:
            self.heatmap.children = [w.HTML("<p class='ck-note'>No reps yet.</p>")]
        else:
            coach_of = s.roster.set_index("rep_id")["coach"]
            cells = prioritize.heatmap_cells(s.gaps, coach_of=coach_of)
            title = "Rep" if len(cells) == len(s.gaps) else "Team (average)"
            chart = charts.heatmap_chart(cells, row_title=title)
            self.heatmap.children = [
                field(page_charts.chart_widget(chart), "ck-heatmap")
            ]

    def _draw_ranking(self) -> None:
        s = self.state
        summary = s.summary
        shown = pd.DataFrame(
            {
                "Rep": summary["rep"],
                "Top score": summary["top_score"].map(lambda v: number(v, 0)),
                "Suggested focus": summary["focus"],
                "Flag": summary["flag"],
                "Note": summary["note"],
            }
        )
        self.summary.value = "<h3>By rep</h3>" + html_table(shown)
        ranked = s.ranking.head(SHOWN_ROWS)
        detail = pd.DataFrame(
            {
                "#": ranked["rank"],
                "Rep": ranked["rep"],
                "Behaviour": ranked["behaviour"],
                "Score": ranked["score"].map(lambda v: number(v, 0)),
                **{
                    label: ranked[f"{key}_factor"].map(lambda v: number(v, 2))
                    for key, label, _ in FACTORS
                },
                "Why": ranked["why"],
            }
        )
        self.table.value = (
            f"<h3>Top {len(ranked)} of {len(s.ranking)} (rep, behaviour) pairs</h3>"
            "<p class='ck-note'>Factors run from 0 to 1.</p>" + html_table(detail)
        )

    def _reweigh(self, _change: Any = None) -> None:
        self.state.weights = Weights(
            **{key: slider.value for key, slider in self.sliders.items()}
        )
