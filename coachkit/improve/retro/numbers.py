"""Skills and numbers before and after coaching, and how a change is worded.

:func:`skill_table` sets each behaviour's coach rating before coaching started
against the latest one since; :func:`metric_table` sets the level of the focus
behaviours' numbers in the :data:`WINDOW_WEEKS` weeks before against the last
:data:`WINDOW_WEEKS` weeks of the period, in words as well as numbers. See
:mod:`coachkit.improve.retro.look_back` for the rules.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.improve.retro.data import Base, read
from coachkit.model.formats import number, points
from coachkit.model.goals import format_value
from coachkit.model.periods import Period
from coachkit.model.typed import SHARE_KINDS
from coachkit.store import access
from coachkit.store import schema as s

#: How many weeks the "before" and "after" levels of a number cover.
WINDOW_WEEKS = 8
SKILL_COLUMNS = ["behaviour_id", "behaviour", "focus", "before", "after", "change"]
METRIC_COLUMNS = [
    "metric_id",
    "metric",
    "kind",
    "unit",
    "higher_is_better",
    "before",
    "after",
    "change",
    "before_text",
    "after_text",
    "change_text",
    "better",
]


def skill_table(conn: Connection, base: Base) -> pd.DataFrame:
    b = s.behaviours
    names = read(
        conn,
        sa.select(b.c.id, b.c.name, b.c.position),
        ["behaviour_id", "behaviour", "pos"],
    )
    levels = base.before_after().drop(columns="rep_id")
    focus = base.focus[["behaviour_id", "order"]]
    table = levels.merge(focus, on="behaviour_id", how="outer").merge(
        names, on="behaviour_id"
    )
    table["focus"] = table["order"].notna()
    table["change"] = table["after"] - table["before"]
    table = table.sort_values(["order", "pos", "behaviour_id"], na_position="last")
    return (
        table[SKILL_COLUMNS]
        .astype({"before": float, "after": float})
        .reset_index(drop=True)
    )


@access.checks("rep_id")
def metric_table(
    conn: Connection,
    rep_id: int,
    behaviour_ids: pd.Series,
    started_on: dt.date | None,
    period: Period,
) -> pd.DataFrame:
    m, bm, mv = s.metrics, s.behaviour_metrics, s.metric_values
    weeks = dt.timedelta(weeks=WINDOW_WEEKS)
    pivot = started_on or period.start
    before = (pivot - weeks, pivot - dt.timedelta(days=1))
    after = (
        max(pivot, period.start, period.end - weeks + dt.timedelta(days=1)),
        period.end,
    )
    info = conn.execute(
        sa.select(
            *(
                m.c[k]
                for k in ("id", "key", "name", "kind", "unit", "higher_is_better")
            ),
            m.c.numerator.label("top"),
            m.c.denominator.label("bottom"),
        )
    )
    everything = pd.DataFrame(info.all(), columns=list(info.keys()))
    everything = everything.rename(columns={"id": "metric_id", "name": "metric"})
    links = read(
        conn,
        sa.select(bm.c.behaviour_id, bm.c.metric_id).where(
            bm.c.behaviour_id.in_([int(i) for i in behaviour_ids])
        ),
        ["behaviour_id", "metric_id"],
    )
    order = {int(b): i for i, b in enumerate(behaviour_ids)}
    links["order"] = links["behaviour_id"].map(order)
    shown = links.merge(everything, on="metric_id")
    shown["rate_last"] = shown["kind"] != "rate"
    shown = shown.sort_values(["order", "rate_last", "metric_id"]).drop_duplicates(
        "metric_id"
    )
    ids = dict(zip(everything["key"], everything["metric_id"], strict=True))
    needed = set(shown["metric_id"]) | {
        ids[k] for k in pd.concat([shown["top"], shown["bottom"]]).dropna() if k in ids
    }

    def window(lo: dt.date, hi: dt.date) -> list[sa.ColumnElement[float]]:
        inside = mv.c.observed_on.between(lo, hi)
        return [
            sa.func.sum(sa.case((inside, mv.c.value))),
            sa.func.sum(sa.case((inside, 1))),
        ]

    sums = (
        read(
            conn,
            sa.select(mv.c.metric_id, *window(*before), *window(*after))
            .where(
                mv.c.rep_id == rep_id,
                mv.c.metric_id.in_([int(i) for i in needed]),
                mv.c.observed_on.between(before[0], after[1]),
            )
            .group_by(mv.c.metric_id),
            ["metric_id", "before_sum", "before_n", "after_sum", "after_n"],
        )
        .set_index("metric_id")
        .astype(float)
    )
    records = shown.to_dict("records")
    for row in records:
        for side in ("before", "after"):
            row[side] = _level(row, sums, ids, side)
    table = pd.DataFrame(records, columns=[*shown.columns, "before", "after"])
    table[["before", "after"]] = table[["before", "after"]].astype(float)
    table["change"] = table["after"] - table["before"]
    table["higher_is_better"] = table["higher_is_better"].astype(bool)
    for col in ("before", "after"):
        table[f"{col}_text"] = [
            format_value(v, k, u)
            for v, k, u in zip(table[col], table["kind"], table["unit"], strict=True)
        ]
    table["change_text"] = [
        _change_text(v, k, u)
        for v, k, u in zip(table["change"], table["kind"], table["unit"], strict=True)
    ]
    up = table["change"] > 0
    good = up.where(table["higher_is_better"], table["change"] < 0)
    table["better"] = good.astype(object).where(table["change"].notna(), None)
    return table[METRIC_COLUMNS].reset_index(drop=True)


def _level(
    row: dict[str, object], sums: pd.DataFrame, ids: dict[str, int], side: str
) -> float:
    """A rate from its two counts' sums; a count or percent as its mean value."""

    def total(metric_id: object, what: str) -> float:
        if metric_id is None or metric_id not in sums.index:
            return np.nan
        return float(sums.at[metric_id, f"{side}_{what}"])

    if row["kind"] == "rate":
        top = total(ids.get(str(row["top"])), "sum")
        bottom = total(ids.get(str(row["bottom"])), "sum")
        return top / bottom if bottom > 0 else np.nan
    n = total(row["metric_id"], "n")
    return total(row["metric_id"], "sum") / n if n > 0 else np.nan


def _change_text(change: float, kind: str, unit: str) -> str:
    if pd.isna(change):
        return "not known"
    if kind in SHARE_KINDS:
        shown = points(abs(change), 1, trim=True)
        if shown == "0":
            return "no change"
        size = f"{shown} point{'' if shown == '1' else 's'}"
    else:
        if number(abs(change), 1) == "0.0":
            return "no change"
        size = format_value(abs(change), kind, unit)
    return f"{'up' if change > 0 else 'down'} {size}"
