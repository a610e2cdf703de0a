"""Coaching sessions with their observations and actions; coaches' reflections."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

from coachkit.demo.framework import _Behaviour, _Framework
from coachkit.demo.people import _Rep
from coachkit.demo.texts import (
    _COACH_ACTIONS,
    _NOTES,
    _REFLECTIONS,
    _REP_ACTIONS,
    _REP_VIEW,
    _TO_CHANGE,
    _WENT_WELL,
)
from coachkit.demo.timeline import _DAY, _Calendar, _season, _weekday
from coachkit.model.session_checks import SCORE_FIELDS

_SESSION_TYPES = ("call_review", "one_on_one", "skill_practice", "ride_along")
_SESSION_TYPE_P = (0.35, 0.3, 0.2, 0.15)
_MINUTES = {
    "call_review": (30, 45),
    "one_on_one": (20, 40),
    "skill_practice": (30, 45),
    "ride_along": (45, 60),
}


@dataclass
class _Session:
    row: dict[str, object]
    focus: list[int]
    observations: list[dict[str, object]]
    actions: list[dict[str, object]]


def _sessions(
    rep: _Rep, py: random.Random, fw: _Framework, cal: _Calendar
) -> list[_Session]:
    assert rep.plan_start is not None
    today = cal.today
    end = min(today - _DAY, rep.lapse or today, (rep.leave or today) - _DAY)
    out: list[_Session] = []
    day = rep.plan_start + dt.timedelta(days=py.randint(0, 4))
    while True:
        held = _weekday(day)
        if held > end:
            break
        day = held + dt.timedelta(days=rep.cadence + py.randint(-2, 3))
        if py.random() < 0.08 or _season(held - dt.timedelta(held.weekday())) < 0.5:
            continue  # this one did not happen
        out.append(_session(rep, py, fw, held, cal))
    return out


def _session(
    rep: _Rep, py: random.Random, fw: _Framework, held: dt.date, cal: _Calendar
) -> _Session:
    today = cal.today
    main = rep.focus[0]
    style = main.style
    mismatch = py.random() < 0.15
    if mismatch:
        style = py.choice(
            [x for x in ("direct", "guide", "excite", "delegate") if x != style]
        )
    kind = py.choices(_SESSION_TYPES, weights=_SESSION_TYPE_P)[0]
    lo, hi = _MINUTES[kind]
    focus = [f.behaviour for f in rep.focus]
    if len(focus) > 1 and py.random() < 0.5:
        focus = focus[:1] if py.random() < 0.5 else focus[1:]

    def score() -> int:
        r = py.random()
        value = 3 if r < 0.3 else 4 if r < 0.75 else 5
        return value - 1 if mismatch and py.random() < 0.6 else value

    rep_scores = py.random() < 0.4
    row: dict[str, object] = {
        "coach_id": rep.coach,
        "rep_id": rep.id,
        "plan_id": rep.plan_id,
        "session_type": kind,
        "held_on": held,
        "duration_minutes": 5 * py.randint(lo // 5, hi // 5),
        "status": "done",
        "style": style,
        "went_well": py.choice(_WENT_WELL),
        "to_change": py.choice(_TO_CHANGE),
        "rep_view": py.choice(_REP_VIEW),
        "next_session_on": held + dt.timedelta(days=rep.cadence),
        "coach_relevant": score(),
        "coach_developmental": score(),
        "coach_motivational": score(),
        "rep_relevant": score() if rep_scores else None,
        "rep_developmental": score() if rep_scores else None,
        "rep_motivational": score() if rep_scores else None,
    }
    observations = _observations(rep, py, fw, held, focus, py.randint(2, 6))
    actions = []
    for _ in range(py.randint(1, 3)):
        owner = "coach" if py.random() < 0.2 else "rep"
        text = py.choice(_COACH_ACTIONS if owner == "coach" else _REP_ACTIONS)
        due = _weekday(held + dt.timedelta(days=py.choice((7, 7, 10, 14))))
        keep = 0.55 + 0.08 * (rep.will[main.behaviour.id] - 3)
        done, status = None, "missed"
        if due >= today:
            status = "open"
        elif rep.leave is None and (today - due).days < 21 and py.random() < 0.35:
            status = "open"  # overdue and not followed up yet
        elif py.random() < keep:
            status = "kept"
            done = held + dt.timedelta(days=py.randint(1, max((due - held).days, 1)))
        actions.append(
            {
                "coach_id": rep.coach,
                "rep_id": rep.id,
                "text": text,
                "owner": owner,
                "due_on": due,
                "done_on": done,
                "status": status,
            }
        )
    return _Session(row, [b.id for b in focus], observations, actions)


def _observations(
    rep: _Rep,
    py: random.Random,
    fw: _Framework,
    held: dt.date,
    focus: Sequence[_Behaviour],
    count: int,
) -> list[dict[str, object]]:
    minute = py.randint(0, 120)
    out = []
    for _ in range(count):
        b = py.choice(focus) if py.random() < 0.8 else py.choice(fw.behaviours)
        skill = rep.skill_on(b.id, held)
        seen = 0.1 + 0.2 * (skill - 1)
        missed = max(0.05, 0.55 - 0.13 * (skill - 1))
        r = py.random()
        outcome = "seen" if r < seen else "missed" if r < seen + missed else "partly"
        minute += py.randint(2, 25)
        at = dt.datetime.combine(held, dt.time(9, 30)) + dt.timedelta(minutes=minute)
        note = py.choice(_NOTES[outcome]) if py.random() < 0.5 else ""
        out.append(
            {
                "coach_id": rep.coach,
                "rep_id": rep.id,
                "behaviour_id": b.id,
                "observed_at": at,
                "outcome": outcome,
                "note": note,
            }
        )
    return out


def _draft(rep: _Rep, py: random.Random, fw: _Framework, cal: _Calendar) -> _Session:
    """A half-written session from today, as if the browser tab had closed."""
    main = rep.focus[0]
    row: dict[str, object] = {
        "coach_id": rep.coach,
        "rep_id": rep.id,
        "plan_id": rep.plan_id,
        "session_type": "call_review",
        "held_on": cal.today,
        "duration_minutes": 30,
        "status": "draft",
        "style": main.style,
        "went_well": "Good start. The buyer joined in early and",
        "to_change": "",
        "rep_view": "",
        "next_session_on": None,
        **dict.fromkeys(SCORE_FIELDS),
    }
    observations = _observations(rep, py, fw, cal.today, [main.behaviour], 2)
    return _Session(row, [main.behaviour.id], observations, [])


def _reflections(
    py: random.Random, coach_ids: Sequence[int], cal: _Calendar
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    span = max(min((cal.today - cal.weeks[0]).days, 240), 14)
    for cid in coach_ids:
        count = min(py.randint(3, 6), span - 1)
        days = sorted(py.sample(range(1, span), count), reverse=True)
        rows += [
            {
                "coach_id": cid,
                "written_on": _weekday(cal.today - dt.timedelta(days=d)),
                "text": text,
            }
            for d, text in zip(days, py.sample(_REFLECTIONS, count), strict=True)
        ]
    return rows
