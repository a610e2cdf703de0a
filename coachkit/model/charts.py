"""Charts: pure functions from a tidy DataFrame to an Altair chart.

Charts are drawn as SVG by vl-convert (:func:`to_svg`), so a page needs no
JavaScript from the internet and user text in a chart is never run as code, or
turned into a Vega spec (:func:`to_vega`) for coachkit's page script to draw. How a
workbook shows them is :mod:`coachkit.apps.charts`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from coachkit.model.chart_engine import convert

if TYPE_CHECKING:  # altair costs a kernel 1 s; it is imported when a chart is drawn
    import altair as alt

#: Above this many cells a heat map shows colours only: drawing each cell's number
#: costs vl-convert about 0.4 ms a cell.
MAX_LABELLED_CELLS = 300


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
    return str(convert(_spec(chart), "svg"))


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


def to_vega(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart as a Vega spec with its data inside, as the page draws it."""
    return dict(convert(_spec(chart), "vega"))


def heatmap_chart(cells: pd.DataFrame, row_title: str = "Rep") -> alt.LayerChart:
    """Reps (or teams) by behaviours, coloured by the gap to the target level.

    ``cells`` has one row per drawn cell: ``row`` (rep or team name), ``behaviour``,
    ``behaviour_order``, ``gap`` (target minus skill; negative is above target) and
    ``label`` (the text in the cell). Build it with ``coachkit.prioritize.tables``'s
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

    ``weekly`` has the columns of ``coachkit.prioritize.performance.weekly_rates``.
    Weeks with
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

    ``weekly`` has the columns of ``coachkit.prioritize.performance.weekly_rates``.
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

    ``history`` has the columns of ``coachkit.facilitate.progress.skill_history``.
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

    ``goals`` has the columns of ``coachkit.facilitate.progress.goal_progress``.
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
