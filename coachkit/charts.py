"""Charts: pure functions from a tidy DataFrame to an Altair chart.

Workbooks show charts as SVG drawn in the kernel by vl-convert, so a page needs no
JavaScript from the internet and user text in a chart is never run as code. A chart
redrawn as the coach picks another rep sits in a :class:`ChartSlot`: on coachkit's
pages the page draws it from the Vega spec the kernel sends (with Vega from the
page template's own files; text in it is SVG text), which is 3-4 times faster than
drawing it in the kernel.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd
import traitlets as t

if TYPE_CHECKING:  # altair costs a kernel 1 s; it is imported when a chart is drawn
    import altair as alt

#: Above this many cells a heat map shows colours only: drawing each cell's number
#: costs vl-convert about 0.4 ms a cell.
MAX_LABELLED_CELLS = 300

#: Research points to about 3 hours of coaching per rep per month.
TARGET_HOURS_PER_MONTH = 3.0


def coverage_chart(
    coverage: pd.DataFrame, target: float = TARGET_HOURS_PER_MONTH
) -> alt.LayerChart:
    """Coaching hours per rep per month, with the monthly target as a line.

    ``coverage`` has the columns of ``coachkit.queries.monthly_coverage``.
    """
    import altair as alt

    base = alt.Chart(coverage).encode(
        x=alt.X("yearmonth(month):O", title="Month"),
    )
    bars = base.mark_bar().encode(
        y=alt.Y("sum(hours):Q", title="Coaching hours (all reps)"),
        color=alt.value("#4c78a8"),
        tooltip=[
            alt.Tooltip("yearmonth(month):O", title="Month"),
            alt.Tooltip("sum(hours):Q", title="Hours", format=".1f"),
            alt.Tooltip("sum(sessions):Q", title="Sessions"),
        ],
    )
    reps = max(int(coverage["rep_id"].nunique()), 1) if len(coverage) else 1
    goal = (
        alt.Chart(pd.DataFrame({"hours": [target * reps]}))
        .mark_rule(color="#d62728", strokeDash=[6, 4])
        .encode(y="hours:Q")
    )
    return (bars + goal).properties(
        width=560,
        height=220,
        title=f"Coaching hours per month (target: {target:g} h per rep)",
    )


def warm_up() -> None:
    """Load altair and start vl-convert's drawing engine, with a one-point chart.

    The first drawing in a process costs about 0.8 s and importing altair 0.7 s; a
    preheated workbook kernel pays both before its visitor arrives.
    """
    import altair as alt

    to_svg(alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q"))


#: Labels are never cut short: to cut a label, vl-convert measures it again and
#: again, which made the text half of each chart's drawing time (50 ms of a rep's
#: two Performance charts). Labels that could run long (names, behaviours, goals)
#: are shortened in pandas before they reach a chart.
_DRAWING_CONFIG = {"axis": {"labelLimit": 0}, "legend": {"labelLimit": 0}}


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart's Vega-Lite spec as vl-convert draws it.

    The spec is not checked against Vega-Lite's schema here (30 % of a chart's
    time in the kernel); every chart function's spec is checked in the tests.
    """
    spec = chart.to_dict(validate=False)
    config = spec.setdefault("config", {})
    for part, settings in _DRAWING_CONFIG.items():
        config[part] = {**settings, **config.get(part, {})}
    return spec


def to_svg(chart: alt.TopLevelMixin) -> str:
    """Draw a chart as SVG text, with no network access."""
    import vl_convert as vlc

    return str(vlc.vegalite_to_svg(_spec(chart)))


def to_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """Draw a chart as PNG bytes (``scale`` 2 gives a sharp picture for slides)."""
    import vl_convert as vlc

    return bytes(vlc.vegalite_to_png(_spec(chart), scale=scale))


def save_chart(chart: alt.TopLevelMixin, path: str | os.PathLike[str]) -> Path:
    """Save a chart as a picture; the file name's ending picks PNG or SVG.

    Raises
    ------
    ValueError
        The name ends in something other than ``.png`` or ``.svg``.
    """
    target = Path(path)
    kind = target.suffix.lower()
    if kind == ".svg":
        target.write_text(to_svg(chart), encoding="utf-8")
    elif kind == ".png":
        target.write_bytes(to_png(chart))
    else:
        raise ValueError(f"{target.name}: a chart is saved as .png or .svg")
    return target


def chart_widget(chart: alt.TopLevelMixin) -> w.Image:
    """Show a chart in a workbook as an SVG image."""
    image = w.Image(value=to_svg(chart).encode(), format="svg+xml")
    image.add_class("ck-chart")
    return image


#: Set to 1 (by ``coachkit serve``) when the pages that show this kernel's widgets
#: run coachkit's page script, which can draw a chart from its Vega spec.
PAGE_DRAWS_CHARTS = "COACHKIT_PAGE_DRAWS_CHARTS"


class PageChart(w.DOMWidget):
    """A chart drawn by coachkit's page script, from its Vega spec (``spec``).

    Only coachkit's workbook pages can show it; JupyterLab shows an image instead
    (:class:`ChartSlot` picks).
    """

    _model_name = t.Unicode("ChartModel").tag(sync=True)
    _model_module = t.Unicode("coachkit").tag(sync=True)
    _model_module_version = t.Unicode("1.0.0").tag(sync=True)
    _view_name = t.Unicode("ChartView").tag(sync=True)
    _view_module = t.Unicode("coachkit").tag(sync=True)
    _view_module_version = t.Unicode("1.0.0").tag(sync=True)
    spec = t.Dict().tag(sync=True)


def to_vega(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart as a Vega spec with its data inside, as the page draws it."""
    import vl_convert as vlc

    return dict(vlc.vegalite_to_vega(_spec(chart)))


class ChartSlot:
    """A place on a page for one chart that is redrawn, such as when the rep changes.

    On coachkit's pages (``coachkit serve``) the page draws the chart: the kernel
    sends its Vega spec, about 25 ms, where drawing an SVG in the kernel takes
    60-130 ms a chart on a 2-CPU server. Elsewhere (JupyterLab) it is an SVG
    image. Either way a redraw changes the picture of one widget; a new widget
    each time would also stay in the kernel and the page until the page closes.
    """

    def __init__(self, css: str) -> None:
        self.picture: w.DOMWidget
        if os.environ.get(PAGE_DRAWS_CHARTS) == "1":
            self.picture = PageChart()
        else:
            self.picture = w.Image(format="svg+xml")
        self.picture.add_class("ck-chart")
        self.picture.add_class(css)
        self.box = w.Box()

    def show(self, chart: alt.TopLevelMixin | None) -> None:
        """Draw ``chart`` here, or leave the place empty when it is None."""
        if chart is None:
            self.box.children = []
            return
        if isinstance(self.picture, PageChart):
            self.picture.spec = to_vega(chart)
        else:
            self.picture.value = to_svg(chart).encode()
        self.box.children = [self.picture]


def heatmap_chart(cells: pd.DataFrame, row_title: str = "Rep") -> alt.LayerChart:
    """Reps (or teams) by behaviours, coloured by the gap to the target level.

    ``cells`` has one row per drawn cell: ``row`` (rep or team name), ``behaviour``,
    ``behaviour_order``, ``gap`` (target minus skill; negative is above target) and
    ``label`` (the text in the cell). Build it with ``coachkit.prioritize``'s
    ``heatmap_cells`` so the chart carries exactly the cells it draws.
    """
    import altair as alt

    order = cells.drop_duplicates("behaviour").sort_values("behaviour_order")[
        "behaviour"
    ]
    rows = sorted(cells["row"].unique())
    height = max(18 * len(rows), 60)
    base = alt.Chart(cells).encode(
        x=alt.X(
            "behaviour:N",
            sort=list(order),
            title=None,
            # labelLimit=0: no truncation. Truncating makes vl-convert measure each
            # label many times, which cost 0.3 s per heat map.
            axis=alt.Axis(labelAngle=-40, labelLimit=0, orient="top"),
        ),
        y=alt.Y("row:N", sort=rows, title=row_title, axis=alt.Axis(labelLimit=0)),
    )
    rects = base.mark_rect(stroke="white").encode(
        color=alt.Color(
            "gap:Q",
            title="Gap to target",
            scale=alt.Scale(scheme="redyellowgreen", reverse=True, domain=[-2, 4]),
        ),
        tooltip=["row:N", "behaviour:N", "label:N", alt.Tooltip("gap:Q", format=".1f")],
    )
    size = {"width": max(46 * len(order), 300), "height": height}
    if len(cells) > MAX_LABELLED_CELLS:
        return alt.LayerChart(layer=[rects], width=size["width"], height=size["height"])
    labels = base.mark_text(fontSize=10).encode(text="label:N")
    return (rects + labels).properties(**size)


def rate_chart(weekly: pd.DataFrame, title: str = "") -> alt.LayerChart:
    """A rep's weekly share of conversations where the buyer acted, with its range.

    ``weekly`` has the columns of ``coachkit.performance.weekly_rates``. Weeks with
    too few conversations are drawn grey: their rate is not to be trusted.
    """
    import altair as alt

    frame = weekly.assign(
        trust=weekly["enough"].map({True: "enough data", False: "too few to trust"})
    )
    base = alt.Chart(frame).encode(x=alt.X("week:T", title="Week"))
    band = base.mark_area(opacity=0.25, color="#4c78a8").encode(
        y=alt.Y("low:Q", title="Buyer took an action", axis=alt.Axis(format="%")),
        y2=alt.Y2("high:Q"),
    )
    # Channels as classes, not "field:type" strings: altair turns each string into
    # a channel by searching its whole schema (15 ms a string here).
    line = base.mark_line(color="#4c78a8").encode(y=alt.Y("action_rate:Q"))
    points = base.mark_point(filled=True, size=40).encode(
        y=alt.Y("action_rate:Q"),
        color=alt.Color(
            "trust:N",
            title=None,
            scale=alt.Scale(
                domain=["enough data", "too few to trust"], range=["#4c78a8", "#aaaaaa"]
            ),
        ),
        tooltip=[
            alt.Tooltip("week:T"),
            alt.Tooltip("conversations:Q"),
            alt.Tooltip("buyer_actions:Q"),
            alt.Tooltip("action_rate:Q", format=".0%"),
        ],
    )
    return (band + line + points).properties(width=560, height=200, title=title)


def activity_chart(weekly: pd.DataFrame, title: str = "") -> alt.Chart:
    """A rep's conversations with prospects, week by week.

    ``weekly`` has the columns of ``coachkit.performance.weekly_rates``.
    """
    import altair as alt

    return (
        alt.Chart(weekly)
        .mark_bar(color="#72b7b2")
        .encode(
            x=alt.X("week:T", title="Week"),
            y=alt.Y("conversations:Q", title="Conversations"),
            tooltip=[alt.Tooltip("week:T"), alt.Tooltip("conversations:Q")],
        )
        .properties(width=560, height=140, title=title)
    )


def skill_chart(history: pd.DataFrame, title: str = "") -> alt.Chart:
    """Skill ratings over time per behaviour (the coach's, not the rep's own).

    ``history`` has the columns of ``coachkit.progress.skill_history``.
    """
    import altair as alt

    coach = history[history["source"] == "coach"]
    # Names are shortened here, not by Vega: Vega can cut an emoji in half, and
    # vl-convert then cannot draw the chart at all.
    coach = coach.assign(behaviour=coach["behaviour"].astype(str).str.slice(0, 60))
    return (
        alt.Chart(coach)
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", title="Assessed on"),
            y=alt.Y("skill:Q", title="Skill (1 to 5)", scale=alt.Scale(domain=[1, 5])),
            color=alt.Color(
                "behaviour:N", title="Behaviour", legend=alt.Legend(labelLimit=0)
            ),
        )
        .properties(width=520, height=200, title=title)
    )


def goal_chart(goals: pd.DataFrame, title: str = "") -> alt.LayerChart:
    """How far each goal has come from its baseline toward its target (1 = reached).

    ``goals`` has the columns of ``coachkit.progress.goal_progress``.
    """
    import altair as alt

    kept = goals.dropna(subset=["progress"])
    frame = pd.DataFrame(
        {
            "label": kept["goal"].astype(str).str.slice(0, 60),
            "progress": kept["progress"],
        }
    )
    bars = (
        alt.Chart(frame)
        .mark_bar(color="#54a24b")
        .encode(
            x=alt.X(
                "progress:Q",
                title="Share of the way to the target",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1.2]),
            ),
            y=alt.Y("label:N", title=None, axis=alt.Axis(labelLimit=0)),
        )
    )
    done = (
        alt.Chart(pd.DataFrame({"x": [1.0]}))
        .mark_rule(color="#333", strokeDash=[4, 3])
        .encode(x="x:Q")
    )
    height = max(24 * len(frame), 40)
    return (bars + done).properties(width=420, height=height, title=title)
