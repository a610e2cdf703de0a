"""Drawing effects: one dot per behaviour and metric, with its 95% range.

:func:`effect_chart` turns a table from
:func:`~coachkit.improve.effects.practice_effects`
into an Altair chart: shares are drawn in points, each unit gets its own panel, and
a dashed line at zero shows where "no change" is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from coachkit.improve.effects.result import _SHARES

if TYPE_CHECKING:  # altair costs a kernel 1 s; it is imported when a chart is drawn
    import altair as alt


def effect_chart(frame: pd.DataFrame) -> alt.Chart | alt.FacetChart:
    """One dot per behaviour and metric, with its 95% range and a line at zero.

    ``frame`` has the columns of :func:`practice_effects`; rows without enough data
    are left out. Shares are drawn in points; each unit gets its own panel.
    """
    import altair as alt

    kept = frame[frame["enough"].astype(bool)] if len(frame) else frame
    if kept.empty:
        note = pd.DataFrame({"text": ["Not enough data yet to show any effects."]})
        return alt.Chart(note).mark_text(size=13).encode(text="text:N")
    share = kept["kind"].isin(_SHARES).to_numpy()
    scale = np.where(share, 100.0, 1.0)
    data = pd.DataFrame(
        {
            "label": kept["behaviour"] + ": " + kept["metric"],
            "effect": kept["effect"].to_numpy() * scale,
            "low": kept["low"].to_numpy() * scale,
            "high": kept["high"].to_numpy() * scale,
            "units": np.where(share, "points", kept["unit"].astype(str)),
            "verdict": kept["verdict"].to_numpy(),
        }
    )
    y = alt.Y("label:N", title=None, axis=alt.Axis(labelLimit=0))
    x = alt.X("low:Q", title="Change compared with reps not coached on it")
    colour = alt.Color(
        "verdict:N",
        title="Result",
        scale=alt.Scale(
            domain=["better", "no clear change", "can't tell yet", "worse"],
            range=["#54a24b", "#9d9d9d", "#c9a227", "#e45756"],
        ),
    )
    rules = (
        alt.Chart().mark_rule(strokeWidth=2).encode(x=x, x2="high:Q", y=y, color=colour)
    )
    dots = (
        alt.Chart()
        .mark_point(filled=True, size=70)
        .encode(
            x="effect:Q",
            y=y,
            color=colour,
            tooltip=[
                alt.Tooltip("label:N", title="Coached on"),
                alt.Tooltip("effect:Q", title="Change", format=".1f"),
                alt.Tooltip("units:N", title="In"),
                alt.Tooltip("verdict:N", title="Result"),
            ],
        )
    )
    zero = alt.Chart().mark_rule(color="#333", strokeDash=[4, 3]).encode(x=alt.datum(0))
    layered = alt.layer(rules, dots, zero, data=data).properties(width=420)
    return layered.facet(row=alt.Row("units:N", title=None)).resolve_scale(
        x="independent", y="independent"
    )


def event_chart(
    weeks: pd.DataFrame, kind: str, unit: str = "", title: str = ""
) -> alt.LayerChart:
    """Week by week around the start: the coached reps' gap to the reps they are
    compared with, against the weeks before, with a 95% range each week.

    ``weeks`` has the columns of :func:`~coachkit.improve.effects.effect_weeks`.
    The weeks left out of the estimate (when the rep was picked, and settling in)
    are shaded. A line near zero before week 0 is what the estimate relies on.
    """
    import altair as alt

    share = kind in _SHARES
    scale = 100.0 if share else 1.0
    data = weeks.assign(
        gap=weeks["gap"].astype(float) * scale,
        low=weeks["low"].astype(float) * scale,
        high=weeks["high"].astype(float) * scale,
    ).dropna(subset=["gap"])
    thin = data["reps"] < 3  # a range from one or two reps says nothing
    data.loc[thin, ["low", "high"]] = np.nan
    units = "points" if share else unit
    ends = [data["gap"].min(), data["gap"].max()] if len(data) else [0.0, 0.0]
    margin = max((ends[1] - ends[0]) * 0.6, 5.0 if share else 0.5)
    domain = [min(ends[0], 0) - margin, max(ends[1], 0) + margin]
    y_scale = alt.Scale(domain=domain, clamp=True, nice=False)
    x = alt.X("week:Q", title="Weeks from the start of coaching")
    y_title = (
        f"Gap to reps not coached ({units})" if units else "Gap to reps not coached"
    )
    left_out = data[data["part"].isin(["when picked", "settling in"])]
    shade = (
        alt.Chart(left_out)
        .mark_rect(opacity=0.12, color="#777")
        .encode(x=alt.X("week:Q"), x2=alt.X2("end:Q"))
        .transform_calculate(end="datum.week + 1")
    )
    band = (
        alt.Chart(data)
        .mark_rule(color="#4c78a8", opacity=0.45, strokeWidth=3)
        .encode(x=x, y=alt.Y("low:Q", title=y_title, scale=y_scale), y2="high:Q")
    )
    line = (
        alt.Chart(data)
        .mark_line(point=True, color="#4c78a8")
        .encode(
            x=x,
            y=alt.Y("gap:Q", scale=y_scale),
            tooltip=[
                alt.Tooltip("week:Q", title="Week"),
                alt.Tooltip("part:N", title="Part"),
                alt.Tooltip("gap:Q", title="Gap", format=".1f"),
                alt.Tooltip("reps:Q", title="Reps that week"),
            ],
        )
    )
    zero = alt.Chart().mark_rule(color="#333", strokeDash=[4, 3]).encode(y=alt.datum(0))
    layered = alt.LayerChart(layer=[shade, band, line, zero])
    return layered.properties(width=460, height=220, title=title)
