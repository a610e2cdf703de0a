"""Weekly and monthly numbers: simulated per rep, then written in bulk.

Rates that a behaviour shows follow the rep's skill on it, and rise after the plan
starts for reps who respond to coaching. Metrics whose unit says "per month" (and
percents, and the average deal size) are stored once a month, on the month's
first Monday; the others once a week, on the week's Monday. Rates are never
stored: they come from their two counts.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy.engine import Connection

from coachkit.demo.framework import _Framework
from coachkit.demo.people import _Rep
from coachkit.demo.timeline import _Calendar
from coachkit.store import schema as s

_DEAL_SIZE = {"SMB": 12_000.0, "Mid-Market": 45_000.0, "Enterprise": 140_000.0}
_VOLUME = {"SMB": 1.15, "Mid-Market": 1.0, "Enterprise": 0.75}

_SHIFT = {"strong": 1.0, "core": 0.0, "struggling": -1.0}
_CONVERSATIONS = {"strong": 35.0, "core": 25.0, "struggling": 15.0}
_QUOTA_LEVEL = {"strong": 1.1, "core": 0.9, "struggling": 0.65}

#: Base level of each known rate for a core rep with skill 3 on the linked behaviours.
_RATE_BASE = {
    "buyer_action_rate": 0.28,
    "meeting_advance_rate": 0.42,
    "success_plan_rate": 0.35,
    "business_case_rate": 0.30,
    "win_rate": 0.24,
}
#: The counts the demo models as one sales funnel; custom metrics get plain noise.
_FUNNEL = frozenset(
    (
        "conversations",
        "buyer_action_conversations",
        "meetings",
        "meetings_advanced",
        "opportunities",
        "opportunities_with_success_plan",
        "opportunities_with_business_case",
        "wins",
        "economic_buyer_meetings",
    )
)


def _simulate(
    rep: _Rep, rng: np.random.Generator, fw: _Framework, cal: _Calendar
) -> None:
    """Fill ``rep.weekly`` with one count per week for every known funnel number."""
    n = len(cal.weeks)
    days = cal.ordinals
    employed = days >= rep.start.toordinal()
    if rep.leave is not None:
        employed &= days + 6 < rep.leave.toordinal()
    present = employed.copy()
    years = max(n / 52, 0.25)
    for _ in range(int(rng.poisson(2 * years)) + 1):
        at = int(rng.integers(0, n))
        present[at : at + int(rng.integers(1, 3))] = False
    ramp = np.clip((days - rep.start.toordinal()) / 90, 0.4, 1.0)
    level = present * cal.season * ramp

    # What coaching changed, week by week.
    lift: dict[str, np.ndarray] = {}
    boost: dict[str, np.ndarray] = {}
    if rep.responder and rep.plan_start is not None:
        grow = np.clip((days - rep.plan_start.toordinal()) / 56, 0, 1)
        for f in rep.focus:
            for key in f.behaviour.rates:
                lift[key] = lift.get(key, 0) + rng.uniform(0.04, 0.08) * grow
            for key in f.behaviour.counts:
                boost[key] = boost.get(key, 1) + 0.12 * grow

    def rate(key: str) -> np.ndarray:
        linked = [b.id for b in fw.behaviours if key in b.rates]
        skill = np.mean([rep.skill[i] for i in linked]) if linked else 3.0
        base = _RATE_BASE.get(key, 0.3)
        p = (
            base
            + 0.06 * _SHIFT[rep.profile]
            + 0.04 * (skill - 3)
            + rng.normal(0, 0.025)
        )
        return np.clip(p + lift.get(key, 0) + rng.normal(0, 0.01, n), 0.03, 0.9)

    def more(key: str) -> np.ndarray | float:
        return boost.get(key, 1.0)

    volume = _VOLUME[rep.segment] * (1.3 if rep.role.startswith("Sales Dev") else 1.0)
    lam = _CONVERSATIONS[rep.profile] * volume * rng.lognormal(0, 0.12)
    conv = rng.poisson(lam * level * more("conversations") * rng.lognormal(0, 0.15, n))
    bac = rng.binomial(conv, rate("buyer_action_rate"))
    meet = rng.binomial(bac, 0.5) + rng.poisson(2.0 * level * more("meetings"))
    adv = rng.binomial(meet, rate("meeting_advance_rate"))
    opp = rng.binomial(adv, np.clip(0.45 * more("opportunities"), 0, 1))
    wins = rng.binomial(opp, rate("win_rate"))
    deal = _DEAL_SIZE[rep.segment] * rng.lognormal(0, 0.25) * more("avg_deal_size")
    booked = wins * deal * rng.lognormal(0, 0.3, n)
    eb_mean = {"strong": 0.9, "core": 0.55, "struggling": 0.25}[rep.profile]
    rep.weekly = {
        "conversations": conv,
        "buyer_action_conversations": bac,
        "meetings": meet,
        "meetings_advanced": adv,
        "opportunities": opp,
        "opportunities_with_success_plan": rng.binomial(opp, rate("success_plan_rate")),
        "opportunities_with_business_case": rng.binomial(
            opp, rate("business_case_rate")
        ),
        "wins": wins,
        "economic_buyer_meetings": rng.poisson(
            eb_mean * level * more("economic_buyer_meetings")
        ),
        "_booked": booked,
        "_quota": np.full(n, _DEAL_SIZE[rep.segment] * 0.3),
    }
    for key, metric in fw.metrics.items():  # custom counts: plain weekly noise
        if metric.kind == "count" and key not in rep.weekly and key != "avg_deal_size":
            rep.weekly[key] = rng.poisson(6.0 * level * rng.lognormal(0, 0.2))
    for (
        key,
        metric,
    ) in fw.metrics.items():  # custom rates: the top is part of the bottom
        top, bottom = str(metric.numerator), str(metric.denominator)
        if metric.kind == "rate" and top not in _FUNNEL and bottom in rep.weekly:
            rep.weekly[top] = rng.binomial(rep.weekly[bottom], rate(key))
    rep.employed, rep.present = employed, present


def _metric_rows(
    rep: _Rep, rng: np.random.Generator, fw: _Framework, cal: _Calendar
) -> list[tuple[int, int, int, dt.date, float]]:
    assert rep.present is not None
    assert rep.employed is not None
    rows: list[tuple[int, int, int, dt.date, float]] = []
    weeks, months = cal.weeks, cal.months
    week_idx = np.flatnonzero(rep.present)
    # Months the rep was on the team from the first day to the last.
    full = np.array(
        [a >= rep.start and (rep.leave is None or rep.leave > b) for a, b, _ in months],
        dtype=bool,
    )
    in_month = cal.month_of_week >= 0
    month_idx = np.flatnonzero(full)

    def per_month(values: np.ndarray) -> np.ndarray:
        return np.bincount(
            cal.month_of_week[in_month], weights=values[in_month], minlength=len(months)
        )

    wins_m = per_month(rep.weekly["wins"])
    booked_m = per_month(rep.weekly["_booked"])
    for key, metric in fw.metrics.items():
        if metric.kind == "rate":
            continue
        if key == "avg_deal_size":
            ok = month_idx[wins_m[month_idx] > 0]
            values = np.round(booked_m[ok] / wins_m[ok], -2)
        elif key == "quota_attainment":
            quota = per_month(rep.weekly["_quota"])
            raw = booked_m[month_idx] / np.maximum(quota[month_idx], 1)
            values = np.round(
                np.clip(0.6 * raw + 0.4 * _QUOTA_LEVEL[rep.profile], 0, 2.5), 2
            )
            ok = month_idx
        elif metric.kind == "percent":  # a custom percent: steady with some noise
            ok = month_idx
            values = np.round(np.clip(rng.normal(0.9, 0.15, len(ok)), 0, 2), 2)
        elif key not in rep.weekly:
            continue
        elif metric.monthly:
            ok = month_idx
            values = per_month(rep.weekly[key])[ok]
        else:
            ok = week_idx
            values = rep.weekly[key][ok]
        days = [months[j][2] for j in ok] if metric.monthly else [weeks[j] for j in ok]
        rid, cid, mid = rep.id, rep.coach, metric.id
        rows.extend(
            (cid, rid, mid, d, v) for d, v in zip(days, values.tolist(), strict=True)
        )
    return rows


def _write_metrics(
    conn: Connection, rows: list[tuple[int, int, int, dt.date, float]]
) -> int:
    """Insert metric values; on SQLite straight through the driver (2x faster)."""
    if not rows:
        return 0
    keys = ("coach_id", "rep_id", "metric_id", "observed_on", "value")
    if conn.dialect.name == "sqlite":
        iso = {d: d.isoformat() for d in {r[3] for r in rows}}
        conn.exec_driver_sql(
            f"INSERT INTO {s.metric_values.name} ({', '.join(keys)}) "
            "VALUES (?, ?, ?, ?, ?)",
            [(c, r, m, iso[d], v) for c, r, m, d, v in rows],
        )
    else:
        conn.execute(
            s.metric_values.insert(), [dict(zip(keys, r, strict=True)) for r in rows]
        )
    return len(rows)
