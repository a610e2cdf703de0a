"""The Priorities tab: the skill-gap heat map and who to coach on what first."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from coachkit.apps import charts as page_charts
from coachkit.apps.shell import beside, html_table, text
from coachkit.apps.tabs import DATA, Tab, field
from coachkit.errors import ValidationError
from coachkit.model import charts, standing
from coachkit.model.formats import number
from coachkit.prioritize import tables as prioritize
from coachkit.prioritize.ranking import FACTORS, Weights, common_reason

_LABELS = {key: label for key, label, _ in FACTORS}
#: Rows of the detailed ranking shown on screen (the DataFrame has them all).
SHOWN_ROWS = 25
#: A wide table scrolls inside its own box, never past the page's edge.
SCROLL_STYLE = "overflow-x:auto;max-width:100%"

_TEAM_WEIGHTS = (
    "These are the team's weights: every factor counts the same (1). Move a "
    "slider to make them your own; your weights are kept for you and come back "
    "when you open this page again."
)
#: What the heat map says, for a screen reader (its text alternative).
_HEATMAP = (
    "Heat map of each rep's gap on each behaviour: the darker the square, the "
    "bigger the gap, and each square shows its number. The ranking below lists "
    "the same gaps in words."
)
_OWN_WEIGHTS = (
    "These are your own weights, kept for you: they come back when you open this "
    "page again. The team's weights count every factor the same (1)."
)


def scrolling(table_html: str, css: str = "") -> str:
    """Put a table in a box that scrolls sideways when the table is too wide."""
    classes = f"ck-table-scroll {css}".strip()
    return f"<div class='{classes}' style='{SCROLL_STYLE}'>{table_html}</div>"


class PrioritiesTab(Tab):
    """Where the gaps are, and a ranking whose every factor and weight is in view."""

    title = "3. Priorities"
    redraws_on = frozenset({"ranking"})

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self._syncing = False
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
                    layout=w.Layout(width="460px", max_width="100%"),
                ),
                f"ck-weight-{key}",
            )
            for key, label, why in FACTORS
        }
        for slider in self.sliders.values():
            slider.observe(self.action("re-ranking", self._reweigh), names="value")
        self.reset = field(
            w.Button(description="Reset to the team's weights"), "ck-reset-weights"
        )
        self.reset.layout.width = "auto"
        self.reset.on_click(self.action("resetting the weights", self._reset))
        self.weights_source = field(w.HTML(), "ck-weights-source")
        self.weights_msg = field(w.HTML(), "ck-weights-message")
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
            self.weights_source,
            w.VBox(list(self.sliders.values())),
            w.HBox(
                [self.reset, self.weights_msg],
                layout=w.Layout(flex_flow="row wrap", align_items="center"),
            ),
            self.summary,
            self.table,
        ]

    def draw(self, changed: frozenset[str]) -> None:
        if DATA in changed:
            self._draw_heatmap()
        self._show_weights()
        self._draw_ranking()

    def _show_weights(self) -> None:
        """Set the sliders to the weights in use and say where they come from."""
        s = self.state
        self._syncing = True
        try:
            for key, value in s.weights.as_dict().items():
                self.sliders[key].value = value
        finally:
            self._syncing = False
        note = _OWN_WEIGHTS if s.own_weights else _TEAM_WEIGHTS
        self.weights_source.value = f"<p class='ck-note'>{text(note)}</p>"

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
                field(page_charts.chart_widget(chart, _HEATMAP), "ck-heatmap")
            ]

    def _draw_ranking(self) -> None:
        s = self.state
        summary = s.summary
        standings = s.performance.set_index("rep_id")["standing"]
        shown = pd.DataFrame(
            {
                "Rep": summary["rep"],
                "Standing": summary["rep_id"].map(standings).map(standing.label),
                "Top score": summary["top_score"].map(lambda v: number(v, 0)),
                "Suggested focus": summary["focus"],
                "Flag": summary["flag"],
                "Note": summary["note"],
            }
        )
        self.summary.value = "<h3>By rep</h3>" + scrolling(html_table(shown))
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
                "What stands out": ranked["why"],
            }
        )
        common = common_reason(s.ranking)
        self.table.value = (
            f"<h3>Top {len(ranked)} of {len(s.ranking)} pairs of a rep and a "
            "behaviour</h3>"
            f"<p class='ck-note'>Factors run from 0 to 1. {text(common)} "
            "'What stands out' says what puts each row where it is.</p>"
            + scrolling(html_table(detail), "ck-ranking-detail")
        )

    def _reweigh(self, _change: Any = None) -> None:
        if self._syncing:
            return
        values = {key: slider.value for key, slider in self.sliders.items()}
        try:
            weights = Weights(**values)
        except ValidationError as exc:
            where = _LABELS.get(exc.field, "Weights")
            self._tell(f"{where}: {exc.problem} Nothing was saved.", "error")
            return
        self.app.save_ranking_weights(weights)
        self._tell(
            "Saved your weights; the ranking below uses them. They come back "
            "when you open this page again.",
            "ok",
        )

    def _reset(self, _button: Any = None) -> None:
        self.app.reset_ranking_weights()
        self._show_weights()
        self._tell(
            "Back to the team's weights: every factor counts the same. "
            "Your own weights were removed.",
            "ok",
        )

    def _tell(self, message: str, level: str) -> None:
        """Say ``message`` next to the weights, and in the status line."""
        self.weights_msg.value = beside(message, level)
        self.state.say(message, level)
