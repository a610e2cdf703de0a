"""Importing goals: a rep's baseline -> target on a metric that shows a behaviour,
from a start date to a due date, and what became of it (met, missed or dropped).

A row is about the stored goal with its ``id`` (which ``coachkit export-csv goals``
writes), else the one with the same rep, behaviour, metric and start date
(:mod:`~coachkit.exchange.importer.matching`); a stored one gets every value the
file gives. A goal with no metric, as older goals were, aims at a rubric level (1
to 5). Values are written as the store keeps them, as in a metrics
file: a share as a fraction (0.35 is 35%). The rules are the goal form's
(:func:`coachkit.model.goals.validate_goal`): the metric must show the behaviour,
the due date comes after the start, and the target lies beyond the baseline in the
direction that is better. A judged goal keeps the measure's value on the day it
was judged, worked out as the screens do (:func:`coachkit.model.goals.baseline_for`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.exchange.importer.cells import Cells, day, number, past_day, text
from coachkit.exchange.importer.lookup import (
    behaviour_parser,
    coach_ids,
    metric_parser,
    rep_ids,
)
from coachkit.exchange.importer.matching import match_key, stored_key, stored_matches
from coachkit.exchange.importer.outcomes import outcomes
from coachkit.exchange.importer.upsert import CLEARED, upsert
from coachkit.model.goals import GOAL_STATUSES, baseline_for
from coachkit.model.templates import METRIC_RANGES
from coachkit.store import schema as s

_DATE = "a date like 2026-03-31"
#: The longest goal description (characters), as for an action.
DESCRIPTION_MAX = 500
_VALUES = (
    "behaviour_id",
    "metric_id",
    "start_on",
    "description",
    "baseline",
    "target",
    "due_on",
    "status",
    "closed_on",
    "note",
    "closed_value",
)


def check(conn: Connection, cells: Cells, coach: str | None) -> pd.DataFrame:
    """Check every row; return the clean values (meaningful only with no problems)."""
    today = dt.date.today()
    coaches = coach_ids(conn, cells, coach)
    reps = rep_ids(conn, cells, coaches)
    parse_behaviour, _ = behaviour_parser(conn)
    behaviours, _ = cells.parse(
        "behaviour",
        parse_behaviour,
        "a behaviour key such as set_agenda",
        required=True,
    )
    metrics, bad_metric = cells.parse(
        "metric",
        metric_parser(conn, rates=True),
        "a metric key such as wins",
        required=False,
    )
    _check_shows(conn, cells, behaviours, metrics)
    descriptions, _ = cells.parse(
        "description", text(DESCRIPTION_MAX), "what the rep will do", required=True
    )
    baselines, _ = cells.parse("baseline", number, "a plain number", required=False)
    targets, _ = cells.parse("target", number, "a plain number", required=True)
    starts, _ = cells.parse("start_date", past_day(today), _DATE, required=True)
    dues, _ = cells.parse("due_date", day, _DATE, required=True)
    late = ~(pd.isna(starts) | pd.isna(dues))
    late[late] = dues[late] <= starts[late]
    cells.report(
        "due_date",
        late,
        lambda i: f"is not after the start date ({starts[i].isoformat()})",
    )
    _check_values(conn, cells, metrics, bad_metric, baselines, targets)
    done = outcomes(cells, GOAL_STATUSES, "goal", today, starts, "start date")
    said = [
        None
        if pd.isna(reps[i])
        or pd.isna(behaviours[i])
        or pd.isna(starts[i])
        or bad_metric[i]
        else (int(reps[i]), int(behaviours[i]), _id(metrics[i]), starts[i])
        for i in range(cells.rows)
    ]
    match, _ = stored_matches(
        cells,
        reps,
        said,
        _stored(conn, reps),
        "goal",
        "rep, behaviour, metric and start date",
    )
    frame = pd.DataFrame(
        {
            "coach_id": coaches,
            "rep_id": reps,
            "behaviour_id": behaviours,
            "metric_id": metrics,
            "description": np.array(
                [None if d is None else " ".join(d.split()) for d in descriptions],
                dtype=object,
            ),
            "baseline": baselines,
            "target": targets,
            "start_on": starts,
            "due_on": dues,
            "status": done.status,
            "closed_on": done.closed,
            "note": done.note,
            "match": match,
        }
    )
    if cells.problems:
        return frame
    g = s.goals
    matched = {int(m) for m in match.tolist() if m is not None}
    judged = {
        int(i): (status, closed_on)
        for i, status, closed_on in conn.execute(
            sa.select(g.c.id, g.c.status, g.c.closed_on).where(g.c.id.in_(matched))
        )
    }
    frame["closed_value"] = [
        _value_then(conn, row, judged) for row in frame.to_dict("records")
    ]
    return frame


def _id(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _stored(conn: Connection, reps: np.ndarray) -> dict[int, tuple[int, Any]]:
    """The stored goals of the file's reps: id -> (rep id, what it says)."""
    g = s.goals
    wanted = {int(r) for r in reps.tolist() if r is not None}
    query = sa.select(
        g.c.id, g.c.rep_id, g.c.behaviour_id, g.c.metric_id, g.c.start_on
    ).where(g.c.rep_id.in_(wanted))
    return {
        int(i): (int(r), (int(r), int(b), _id(m), start))
        for i, r, b, m, start in conn.execute(query)
    }


def _value_then(conn: Connection, row: dict[str, Any], judged: dict[int, Any]) -> Any:
    """The measure on the day the goal was judged: None (keep the stored one) when
    the store has the same verdict on the same day; CLEARED for an open goal or one
    with no metric."""
    closed = row["closed_on"]
    if closed is CLEARED:
        return CLEARED
    match = row["match"]
    same = match is not None and judged.get(int(match)) == (row["status"], closed)
    if closed is None or same:
        return None
    if _id(row["metric_id"]) is None:
        return CLEARED
    value = baseline_for(conn, int(row["rep_id"]), int(row["metric_id"]), closed)
    return CLEARED if value is None else value


def _check_shows(
    conn: Connection, cells: Cells, behaviours: np.ndarray, metrics: np.ndarray
) -> None:
    """Refuse a metric that does not show the row's behaviour."""
    bm = s.behaviour_metrics
    shows = set(conn.execute(sa.select(bm.c.behaviour_id, bm.c.metric_id)).all())
    names = dict(conn.execute(sa.select(s.behaviours.c.id, s.behaviours.c.key)).all())
    keys = dict(conn.execute(sa.select(s.metrics.c.id, s.metrics.c.key)).all())
    bad = np.array(
        [
            b is not None and m is not None and (b, m) not in shows
            for b, m in zip(behaviours.tolist(), metrics.tolist(), strict=True)
        ],
        dtype=bool,
    )

    def why(i: int) -> str:
        listed = sorted(keys[m] for b, m in shows if b == behaviours[i])
        return (
            f"{keys[metrics[i]]} does not show {names[behaviours[i]]}; pick one of "
            f"the metrics listed for it: {', '.join(listed)}"
        )

    cells.report("metric", bad, why)


@dataclass(frozen=True)
class _Measure:
    """What a goal's numbers are: a metric, or (no metric) a rubric level."""

    key: str
    kind: str
    higher_is_better: bool

    @property
    def range(self) -> tuple[float, float]:
        return _LEVELS if self.kind == "level" else METRIC_RANGES[self.kind]


#: A goal with no metric (as older goals were) aims at a rubric level, 1 to 5.
_LEVELS = (1.0, 5.0)
_LEVEL = _Measure("a rubric level", "level", True)


def _check_values(
    conn: Connection,
    cells: Cells,
    metrics: np.ndarray,
    bad_metric: np.ndarray,
    baselines: np.ndarray,
    targets: np.ndarray,
) -> None:
    """Refuse a baseline or target its metric cannot hold, or a target that is not
    better than the baseline (rows whose metric cell is wrong are left out)."""
    m = s.metrics
    query = sa.select(m.c.id, m.c.key, m.c.kind, m.c.higher_is_better)
    known = {
        int(r.id): _Measure(r.key, r.kind, bool(r.higher_is_better))
        for r in conn.execute(query)
    }
    measure = [known.get(_id(x) or 0, _LEVEL) for x in metrics.tolist()]
    usable = ~bad_metric
    for name, values in (("baseline", baselines), ("target", targets)):
        bad = (
            np.array(
                [
                    v is not None and not x.range[0] <= v <= x.range[1]
                    for v, x in zip(values.tolist(), measure, strict=True)
                ],
                dtype=bool,
            )
            & usable
        )

        def why(i: int, values: np.ndarray = values) -> str:
            return _out_of_range(measure[i], values[i])

        cells.report(name, bad, why)
    wrong_way = (
        np.array(
            [
                b is not None
                and t is not None
                and (t <= b if x.higher_is_better else t >= b)
                for b, t, x in zip(
                    baselines.tolist(), targets.tolist(), measure, strict=True
                )
            ],
            dtype=bool,
        )
        & usable
    )
    cells.report(
        "target",
        wrong_way,
        lambda i: (
            f"aim {'above' if measure[i].higher_is_better else 'below'} the "
            f"baseline ({baselines[i]:g}); for {measure[i].key}, "
            f"{'higher' if measure[i].higher_is_better else 'lower'} is better"
        ),
    )


def _out_of_range(measure: _Measure, value: float) -> str:
    low, high = measure.range
    if measure.kind == "level":
        return (
            f"a goal with no metric aims at a rubric level from 1 to 5; got {value:g}"
        )
    if measure.kind == "count":
        return f"{measure.key} is a count, so it cannot be below 0; got {value:g}"
    hint = (
        f". If {value:g} means {value:g}%, write {value / 100:g}"
        if high < value <= high * 100
        else ""
    )
    return (
        f"{measure.key} is a {measure.kind} written as a share (0.35 means 35%), "
        f"from {low:g} to {high:g} ({high * 100:,.0f}%); got {value:g}{hint}"
    )


def write(conn: Connection, frame: pd.DataFrame, *, dry_run: bool) -> tuple[int, ...]:
    """Save the goals; return (added, updated, unchanged)."""
    g = s.goals
    rows: list[dict[str, Any]] = frame.astype(object).to_dict("records")
    for row in rows:
        for name in ("coach_id", "rep_id", "behaviour_id"):
            row[name] = int(row[name])
        row["metric_id"] = _id(row["metric_id"])
    return upsert(
        conn,
        g,
        rows,
        key=match_key,
        stored=sa.select(g.c.id, *(g.c[c] for c in _VALUES)).where(
            g.c.id.in_({int(row["match"]) for row in rows if row["match"]})
        ),
        values=_VALUES,
        insert_defaults={"status": "open"},
        dry_run=dry_run,
        stored_key=stored_key,
    )
