"""Drawing effects: one dot per behaviour and metric, with its 95% range.

:func:`effect_chart` turns a table from :func:`~coachkit.effects.practice_effects`
into an Altair chart: shares are drawn in points, each unit gets its own panel, and
a dashed line at zero shows where "no change" is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from coachkit.effects.result import _SHARES

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
            domain=["better", "no clear change", "worse"],
            range=["#54a24b", "#9d9d9d", "#e45756"],
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
                "label:N",
                "units:N",
                "verdict:N",
                alt.Tooltip("effect:Q", format=".1f"),
            ],
        )
    )
    zero = alt.Chart().mark_rule(color="#333", strokeDash=[4, 3]).encode(x=alt.datum(0))
    layered = alt.layer(rules, dots, zero, data=data).properties(width=420)
    return layered.facet(row=alt.Row("units:N", title=None)).resolve_scale(
        x="independent", y="independent"
    )
