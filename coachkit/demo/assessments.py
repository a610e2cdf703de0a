"""Skill and will ratings: a first round for every behaviour, then re-ratings."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np

from coachkit.demo.framework import _Behaviour, _Framework
from coachkit.demo.people import _clamp, _Rep
from coachkit.demo.texts import _SELF_EVIDENCE, _VENUES
from coachkit.demo.timeline import _DAY, _Calendar, _weekday


def _assess(
    rep: _Rep,
    rng: np.random.Generator,
    py: random.Random,
    fw: _Framework,
    cal: _Calendar,
) -> list[dict[str, object]]:
    today, first = cal.today, cal.weeks[0]
    end = min(today - _DAY, rep.leave or today)
    if rep.plan_start is not None:
        day0 = rep.plan_start - dt.timedelta(days=int(rng.integers(2, 11)))
    else:
        day0 = today - dt.timedelta(days=int(rng.integers(30, 150)))
    day0 = _weekday(max(day0, first, rep.start + 14 * _DAY))
    if day0 > end:
        return []
    rows: list[dict[str, object]] = []
    self_rater = rng.random() < 0.6
    venue = py.choice(_VENUES)

    def add(day: dt.date, b: _Behaviour, skill: int, will: int) -> None:
        n = py.choice((4, 5, 6))
        k = _clamp(n * (skill - 1) / 4 + py.uniform(-0.4, 0.4), 0, n)
        text = f"{b.name} in {k} of {n} {venue}."
        rows.append(_assessment(rep, b, day, "coach", skill, will, text))
        if self_rater:
            bump = py.choices((-1, 0, 1, 2), weights=(0.15, 0.4, 0.35, 0.1))[0]
            own = _clamp(skill + bump)
            own_will = _clamp(will + py.choice((0, 0, 1)))
            rows.append(
                _assessment(
                    rep, b, day, "self", own, own_will, py.choice(_SELF_EVIDENCE)
                )
            )

    for b in fw.behaviours:
        add(day0, b, rep.skill[b.id], rep.will[b.id])
    day = day0
    while rep.focus:
        day = _weekday(day + dt.timedelta(days=int(rng.integers(84, 99))))
        if day > end:
            break
        for f in rep.focus:
            b = f.behaviour
            now = rep.skill_on(b.id, day)
            if rng.random() < (0.6 if rep.responder else 0.12):
                now = min(5, now + 1)
            rep.history.setdefault(b.id, []).append((day, now))
            will = _clamp(rep.will[b.id] + (1 if rep.responder else 0))
            add(day, b, now, will)
    return rows


def _assessment(
    rep: _Rep,
    b: _Behaviour,
    day: dt.date,
    source: str,
    skill: int,
    will: int,
    evidence: str,
) -> dict[str, object]:
    return {
        "coach_id": 0,
        "rep_id": 0,
        "behaviour_id": b.id,
        "assessed_on": day,
        "source": source,
        "skill": skill,
        "will": will,
        "evidence": evidence,
        "rubric_version": 1,
    }
