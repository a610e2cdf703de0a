"""Coaches' and reps' names, and each rep's hidden profile, skills and plan."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from coachkit.demo.framework import _Behaviour, _Framework
from coachkit.demo.timeline import _DAY, _Calendar, _weekday

_FIRST = (
    "Aisha Ben Carmen Dmitri Elena Farah Gabriel Hana Ibrahim Jade Kwame Lucia Mateo "
    "Nadia Omar Priya Quinn Rosa Samir Tara Umar Valeria Wei Ximena Yusuf Zoe Amara "
    "Bruno Chloe Diego Emeka Fatima Grace Hiro Ines Jonas Kenji Leila Marcus Nia Oscar "
    "Paula Rahul Sofia Tomas Uma Victor Wanjiru Yara Zain Anya Caleb Daria Eli Freya "
    "Hugo Isla Jamal Kira Luca Maya Noah Olga Pedro"
)
_LAST = (
    "Adeyemi Bauer Castillo Dubois Eriksen Fernandes Garcia Haddad Ivanova Jensen "
    "Kowalski Lindqvist Mensah Nakamura Okafor Petrov Quintero Rossi Sato Tanaka Usman "
    "Varga Weber Xu Yilmaz Zhang Abbott Brennan Chen Dlamini Evans Fischer Gupta "
    "Hughes Iyer Jovanovic Kim Lopez Murphy Novak O'Brien Patel Reyes Silva Thompson "
    "Uddin Vasquez Walsh Yamamoto Zimmerman Afolabi Bianchi Costa Das Edwards Flores "
    "Gomez Hansen Ito Jung Khan Larsen Moreau Nguyen"
)

_ROLES = ("Account Executive", "Senior Account Executive", "Sales Development Rep")
_ROLE_P = (0.5, 0.25, 0.25)
_SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
_SEGMENT_P = (0.4, 0.35, 0.25)

_TENURE_DAYS = (45, 150, 400, 900, 1800, 3000)
_TENURE_P = (0.03, 0.07, 0.2, 0.3, 0.25, 0.15)
_PROFILES = ("strong", "core", "struggling")
_PROFILE_P = (0.2, 0.6, 0.2)
_SKILL_MEAN = {"strong": 3.9, "core": 3.0, "struggling": 2.1}
_WILL_MEAN = {"strong": 3.9, "core": 3.6, "struggling": 3.0}


@dataclass
class _Focus:
    behaviour: _Behaviour
    style: str
    stage: str


@dataclass
class _Rep:
    coach: int  # the coach's place in the list, then their id once written
    name: str
    role: str
    segment: str
    start: dt.date
    leave: dt.date | None
    profile: str
    skill: dict[int, int]  # behaviour id -> current coach rating
    will: dict[int, int]
    responder: bool = False
    plan_start: dt.date | None = None
    cadence: int = 14
    focus: list[_Focus] = field(default_factory=list)
    lapse: dt.date | None = None  # coaching stopped after this day
    history: dict[int, list[tuple[dt.date, int]]] = field(default_factory=dict)
    weekly: dict[str, np.ndarray] = field(default_factory=dict)
    employed: np.ndarray | None = None  # per week: on the team that week
    present: np.ndarray | None = None  # per week: at work (not on holiday)
    id: int = 0
    plan_id: int = 0

    @property
    def active(self) -> bool:
        return self.leave is None

    def skill_on(self, behaviour_id: int, day: dt.date) -> int:
        level = self.skill[behaviour_id]
        for when, value in self.history.get(behaviour_id, []):
            if when <= day:
                level = value
        return level


def _names(rng: np.random.Generator, count: int) -> list[str]:
    pairs = [f"{f} {last}" for f in _FIRST.split() for last in _LAST.split()]
    order = rng.permutation(len(pairs))
    names = [pairs[i] for i in order[:count]]
    extra = count - len(names)
    letters = "ABCDEFGHJKLMNPRSTVW"
    for i in range(extra):
        first, last = pairs[order[i % len(pairs)]].split(" ", 1)
        names.append(f"{first} {letters[(i // len(pairs)) % len(letters)]}. {last}")
    return names


def _clamp(value: float, low: int = 1, high: int = 5) -> int:
    return int(min(high, max(low, round(value))))


def _style(skill: int, will: int) -> str:
    if skill <= 3:
        return "guide" if will >= 4 else "direct"
    return "delegate" if will >= 4 else "excite"


def _stage(skill: int) -> str:
    return "demonstrate" if skill <= 2 else "prompt" if skill == 3 else "release"


def _make_reps(
    rng: np.random.Generator,
    py: random.Random,
    fw: _Framework,
    cal: _Calendar,
    names: Sequence[str],
    coaches: int,
    per_coach: int,
) -> list[_Rep]:
    today, first = cal.today, cal.weeks[0]
    history_days = (today - first).days
    out: list[_Rep] = []
    for i, name in enumerate(names):
        profile = str(rng.choice(_PROFILES, p=_PROFILE_P))
        role = str(rng.choice(_ROLES, p=_ROLE_P))
        segment = str(rng.choice(_SEGMENTS, p=_SEGMENT_P))
        tenure = int(rng.choice(_TENURE_DAYS, p=_TENURE_P))
        start = today - dt.timedelta(days=int(tenure * rng.uniform(0.7, 1.3)))
        leave = None
        if rng.random() < 1 / 12:
            lo = max(
                first + dt.timedelta(days=int(history_days * 0.3)), start + 60 * _DAY
            )
            hi = today - 14 * _DAY
            if lo < hi:
                leave = lo + dt.timedelta(days=int(rng.integers(0, (hi - lo).days + 1)))
        nb = len(fw.behaviours)
        skills = _SKILL_MEAN[profile] + rng.normal(0, 0.3) + rng.normal(0, 0.7, nb)
        wills = rng.normal(_WILL_MEAN[profile], 0.7) + rng.normal(0, 0.5, nb)
        skill = {b.id: _clamp(x) for b, x in zip(fw.behaviours, skills, strict=True)}
        will = {b.id: _clamp(x) for b, x in zip(fw.behaviours, wills, strict=True)}
        rep = _Rep(
            i // per_coach, name, role, segment, start, leave, profile, skill, will
        )
        _plan(rep, rng, py, fw, cal)
        out.append(rep)
    for c in range(coaches):  # every team has someone who needs more than coaching
        mine = out[c * per_coach : (c + 1) * per_coach]
        if len(mine) >= 4 and all(r.plan_start for r in mine):
            weakest = min(mine, key=lambda r: sum(r.skill.values()))
            weakest.plan_start, weakest.focus, weakest.lapse = None, [], None
    return out


def _plan(
    rep: _Rep,
    rng: np.random.Generator,
    py: random.Random,
    fw: _Framework,
    cal: _Calendar,
) -> None:
    """Decide whether and when coaching starts, on what, in which style."""
    today, first = cal.today, cal.weeks[0]
    if rep.profile == "struggling" and rng.random() < 0.35:
        return  # far below the bar: a performance talk, not a coaching plan
    earliest = max(first + 56 * _DAY, rep.start + 30 * _DAY, today - 270 * _DAY)
    latest = min(today - 21 * _DAY, (rep.leave or today) - 30 * _DAY)
    if earliest > latest:  # a short history or a new rep: start as soon as we can
        earliest = max(first + 14 * _DAY, rep.start + 30 * _DAY)
    if earliest > latest or not fw.behaviours:
        return
    # Most plans started a while ago, so there is a before and an after to compare.
    offset = int(rng.beta(1.3, 2.2) * (latest - earliest).days)
    rep.plan_start = _weekday(earliest + dt.timedelta(days=offset))
    if rep.plan_start < earliest:
        rep.plan_start += 3 * _DAY
    rep.responder = bool(rng.random() < 0.5)
    rep.cadence = 7 if rep.profile == "struggling" or rng.random() < 0.3 else 14
    lapse = today - dt.timedelta(days=int(rng.integers(35, 71)))
    if rng.random() < 0.15 and lapse > rep.plan_start + 42 * _DAY:
        rep.lapse = lapse  # not coached lately
    stretch = {"strong": 0.7, "core": 0.15, "struggling": 0.0}[rep.profile]
    pool = [b for b in fw.behaviours if rep.skill[b.id] == 4]
    if pool and rng.random() < stretch:
        # Stretch a rep on something they already do well: a style for high skill.
        pool.sort(key=lambda b: (-b.weight, py.random()))
    else:
        pool = sorted(
            fw.behaviours,
            key=lambda b: (-(b.target - rep.skill[b.id]), -b.weight, py.random()),
        )
    chosen = pool[: 1 if rng.random() < 0.4 else 2] or [fw.behaviours[0]]
    for b in chosen:
        sk, wl = rep.skill[b.id], rep.will[b.id]
        rep.focus.append(_Focus(b, _style(sk, wl), _stage(sk)))


def _email(name: str) -> str:
    first, last = name.split(" ", 1)
    clean = "".join(c for c in last if c.isalpha())
    return f"{first}.{clean}@example.com".lower()
