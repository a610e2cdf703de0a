"""Plan goals: a metric (or a skill level) to reach by a due date."""

from __future__ import annotations

import datetime as dt

import numpy as np

from coachkit.demo.framework import _Behaviour, _Framework
from coachkit.demo.metrics import _RATE_BASE
from coachkit.demo.people import _Rep
from coachkit.demo.timeline import _Calendar, _weekday
from coachkit.model.formats import number, percent


def _window(rep: _Rep, key: str, fw: _Framework, cal: _Calendar, end: dt.date) -> float:
    """The metric over the 8 (weekly) or 12 (monthly) weeks before ``end``."""
    metric = fw.metrics[key]
    span = 12 if metric.monthly else 8
    stop = int(np.searchsorted(cal.ordinals, end.toordinal()))
    sl = slice(max(0, stop - span), stop)
    if metric.kind == "rate":
        den = rep.weekly[str(metric.denominator)][sl].sum()
        if den < 10:  # too few to judge: look further back
            sl = slice(max(0, stop - 26), stop)
            den = rep.weekly[str(metric.denominator)][sl].sum()
        num = rep.weekly[str(metric.numerator)][sl].sum()
        return float(num / den) if den else _RATE_BASE.get(key, 0.3)
    present = max(int(rep.present[sl].sum()) if rep.present is not None else 1, 1)
    per_week = float(rep.weekly[key][sl].sum()) / present
    return per_week * (4.33 if metric.monthly else 1.0)


def _goals(
    rep: _Rep, rng: np.random.Generator, fw: _Framework, cal: _Calendar
) -> list[dict[str, object]]:
    assert rep.plan_start is not None
    today = cal.today
    rows: list[dict[str, object]] = []
    used: set[str | None] = set()
    for f in rep.focus:
        b = f.behaviour
        days = int(rng.choice([60, 90, 120, 180]))
        due = _weekday(rep.plan_start + dt.timedelta(days=days))
        key = _goal_metric(rep, b, fw, used)
        used.add(key)
        if key is None:
            level = min(5, max(b.target, rep.skill[b.id] + 1))
            metric_id, baseline, target = None, float(rep.skill[b.id]), float(level)
            text = f"Reach level {level} on: {b.name}."
            reached = float(rep.skill_on(b.id, due))
        else:
            metric = fw.metrics[key]
            metric_id = metric.id
            baseline = _window(rep, key, fw, cal, rep.plan_start)
            reached = _window(rep, key, fw, cal, due)
            name = metric.name[0].lower() + metric.name[1:]
            if metric.kind == "rate":
                baseline = round(baseline, 2)
                target = round(min(baseline + rng.uniform(0.04, 0.07), 0.95), 2)
                text = (
                    f"Raise the {name} from {percent(baseline)} to {percent(target)}."
                )
            else:
                baseline = round(baseline, 1)
                target = round(baseline * 1.15 + 0.5, 1)
                text = (
                    f"Raise {name} from {number(baseline, 1, trim=True)} to "
                    f"{number(target, 1, trim=True)} {metric.unit}."
                )
        if rep.leave is not None and due >= rep.leave:
            status = "dropped"
        elif due >= today:
            status = "open"
        else:
            status = "met" if reached >= target else "missed"
        rows.append(
            {
                "coach_id": rep.coach,
                "rep_id": rep.id,
                "behaviour_id": b.id,
                "metric_id": metric_id,
                "description": text,
                "baseline": baseline,
                "target": target,
                "start_on": rep.plan_start,
                "due_on": due,
                "status": status,
            }
        )
    return rows


def _goal_metric(
    rep: _Rep, b: _Behaviour, fw: _Framework, used: set[str | None]
) -> str | None:
    """The metric that shows ``b`` most directly, preferring big weekly samples."""
    ranked: list[tuple[int, str]] = []
    for key in b.rates:
        m = fw.metrics[key]
        if m.numerator not in rep.weekly or m.denominator not in rep.weekly:
            continue
        if m.numerator in b.linked:
            rank = 0
        else:
            rank = 3 if fw.metrics[str(m.denominator)].monthly else 2
        ranked.append((rank, key))
    ranked += [(1, key) for key in b.counts if key in rep.weekly]
    return next((key for _, key in sorted(ranked) if key not in used), None)
