"""Importing metric values: one number per rep, metric and day.

A value already stored for the same rep, metric and day is replaced. Rates are never
imported (they are worked out from their two counts). Checking and writing work on
whole columns, so a million rows take seconds; on SQLite the rows go straight
through the driver as ``INSERT ... ON CONFLICT DO UPDATE``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.exchange.importer.cells import Cells, day, number
from coachkit.exchange.importer.lookup import coach_ids, metric_parser, rep_ids
from coachkit.model.templates import METRIC_RANGES
from coachkit.store import schema as s

_KEYS = ["rep_id", "metric_id", "day"]
_COLUMNS = ("coach_id", "rep_id", "metric_id", "observed_on", "value")


def check(conn: Connection, cells: Cells, coach: str | None) -> pd.DataFrame:
    """Check every row; return the clean values (meaningful only with no problems)."""
    coaches = coach_ids(conn, cells, coach)
    reps = rep_ids(conn, cells, coaches)
    metrics, _ = cells.parse(
        "metric", metric_parser(conn), "a metric key such as wins", required=True
    )
    days, _ = cells.parse("date", day, "a date like 2026-03-31", required=True)
    values, _ = cells.parse(
        "value", number, "a plain number like 1234.5", required=True
    )
    _check_ranges(conn, cells, metrics, values)
    usable = ~(pd.isna(reps) | pd.isna(metrics) | pd.isna(days) | pd.isna(values))
    cells.repeats([reps, metrics, days], usable, "rep, metric and date")
    if cells.problems:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "coach_id": coaches.astype(np.int64),
            "rep_id": reps.astype(np.int64),
            "metric_id": metrics.astype(np.int64),
            "observed_on": days,
            "day": _ordinals(days),
            "value": values.astype(np.float64),
        }
    )


def _check_ranges(
    conn: Connection, cells: Cells, metrics: np.ndarray, values: np.ndarray
) -> None:
    """Refuse a value its metric cannot hold (:data:`METRIC_RANGES`)."""
    m = s.metrics
    kinds = dict(conn.execute(sa.select(m.c.id, m.c.kind)).all())
    keys = dict(conn.execute(sa.select(m.c.id, m.c.key)).all())
    given = ~(pd.isna(metrics) | pd.isna(values))
    low = np.full(cells.rows, -np.inf)
    high = np.full(cells.rows, np.inf)
    for metric_id in set(metrics[given].tolist()):
        rows = given & (metrics == metric_id)
        low[rows], high[rows] = METRIC_RANGES[kinds[metric_id]]
    number = np.where(given, values, 0.0).astype(np.float64)
    bad = given & ((number < low) | (number > high))

    def why(i: int) -> str:
        metric_id, value = metrics[i], float(number[i])
        key, kind = keys[metric_id], kinds[metric_id]
        if kind == "count":
            return f"{key} is a count, so it cannot be below 0; got {value:g}"
        top = high[i]
        hint = (
            f" If {value:g} means {value:g}%, write {value / 100:g}."
            if top < value <= top * 100
            else ""
        )
        return (
            f"{key} is a percent written as a share (0.87 means 87%), from "
            f"{low[i]:g} to {top:g} ({top * 100:,.0f}%); got {value:g} "
            f"({value * 100:,.0f}%).{hint}"
        )

    cells.report("value", bad, why)


def write(conn: Connection, frame: pd.DataFrame, *, dry_run: bool) -> tuple[int, ...]:
    """Save the values; return (added, updated, unchanged)."""
    old = _stored(conn, frame)
    merged = frame.merge(old, on=_KEYS, how="left", sort=False)
    is_new = merged["old"].isna().to_numpy()
    same = (merged["old"] == merged["value"]).to_numpy()
    added, unchanged = int(is_new.sum()), int(same.sum())
    updated = len(frame) - added - unchanged
    if not dry_run:
        changed = merged[~same].sort_values(_KEYS, kind="stable")
        _save(conn, changed, changed["old"].isna().to_numpy())
    return added, updated, unchanged


def _ordinals(days: np.ndarray) -> np.ndarray:
    codes, uniques = pd.factorize(days)
    lookup = np.array(
        [
            (d if isinstance(d, dt.date) else dt.date.fromisoformat(d)).toordinal()
            for d in uniques.tolist()
        ],
        dtype=np.int64,
    )
    return lookup[codes] if len(lookup) else np.zeros(len(days), dtype=np.int64)


def _stored(conn: Connection, frame: pd.DataFrame) -> pd.DataFrame:
    """The values already stored for the file's metrics and days."""
    mv = s.metric_values
    metrics = sorted(set(frame["metric_id"].tolist()))
    first = dt.date.fromordinal(int(frame["day"].min()))
    last = dt.date.fromordinal(int(frame["day"].max()))
    if conn.dialect.name == "sqlite":  # skip the date conversion of every row
        marks = ", ".join("?" * len(metrics))
        rows = conn.exec_driver_sql(
            f"SELECT rep_id, metric_id, observed_on, value FROM {mv.name} "
            f"WHERE metric_id IN ({marks}) AND observed_on BETWEEN ? AND ?",
            (*metrics, first.isoformat(), last.isoformat()),
        ).fetchall()
    else:
        query = sa.select(
            mv.c.rep_id, mv.c.metric_id, mv.c.observed_on, mv.c.value
        ).where(mv.c.metric_id.in_(metrics), mv.c.observed_on.between(first, last))
        rows = conn.execute(query).all()
    old = pd.DataFrame(rows, columns=["rep_id", "metric_id", "observed_on", "old"])
    old["day"] = _ordinals(old["observed_on"].to_numpy(dtype=object))
    old = old.astype({"rep_id": np.int64, "metric_id": np.int64, "old": np.float64})
    return old[[*_KEYS, "old"]]


def _save(conn: Connection, rows: pd.DataFrame, is_new: np.ndarray) -> None:
    if rows.empty:
        return
    mv = s.metric_values
    if conn.dialect.name == "sqlite":
        iso = {d: d.isoformat() for d in set(rows["observed_on"].tolist())}
        conn.exec_driver_sql(
            f"INSERT INTO {mv.name} ({', '.join(_COLUMNS)}) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (rep_id, metric_id, observed_on) "
            "DO UPDATE SET value = excluded.value",
            list(
                zip(
                    rows["coach_id"].tolist(),
                    rows["rep_id"].tolist(),
                    rows["metric_id"].tolist(),
                    [iso[d] for d in rows["observed_on"].tolist()],
                    rows["value"].tolist(),
                    strict=True,
                )
            ),
        )
        return
    records = rows[list(_COLUMNS)].to_dict("records")
    if conn.dialect.name == "postgresql":
        # Imported here: the PostgreSQL dialect costs every workbook kernel 0.4 s.
        from sqlalchemy.dialects import postgresql

        insert = postgresql.insert(mv)
        conn.execute(
            insert.on_conflict_do_update(
                constraint="one_value_per_day", set_={"value": insert.excluded.value}
            ),
            records,
        )
        return
    new = [r for r, n in zip(records, is_new.tolist(), strict=True) if n]
    if new:
        conn.execute(mv.insert(), new)
    old = [r for r, n in zip(records, is_new.tolist(), strict=True) if not n]
    if old:
        conn.execute(
            mv.update()
            .where(
                mv.c.rep_id == sa.bindparam("b_rep"),
                mv.c.metric_id == sa.bindparam("b_metric"),
                mv.c.observed_on == sa.bindparam("b_day"),
            )
            .values(value=sa.bindparam("b_value")),
            [
                {
                    "b_rep": r["rep_id"],
                    "b_metric": r["metric_id"],
                    "b_day": r["observed_on"],
                    "b_value": r["value"],
                }
                for r in old
            ],
        )
