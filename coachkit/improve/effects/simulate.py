"""Made-up teams to check the estimate against how coaches really pick reps.

:func:`simulate` makes one organisation's weekly buyer-action counts (a rate: buyer
actions out of conversations) for reps in teams, with a known true effect of
coaching, and picks whom to coach the way a coach might (:data:`PICKS`). The tests
and ``benchmarks/effects_simulation.py`` run the estimate on many such teams and
count how often it says "better" when nothing changed, and whether its 95% range
holds the truth. Nothing here reads or writes a store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from coachkit.improve.effects.estimate import estimate_effect

#: How a coach picks whom to coach next:
#: ``random``: anyone not coached yet;
#: ``worst_recent``: whoever had the worst share in the last 4 weeks;
#: ``persistent``: whoever is weakest all along (lowest usual share).
PICKS = ("random", "worst_recent", "persistent")

_MONDAY = dt.date(2025, 1, 6)


@dataclass(frozen=True)
class Scenario:
    """One way the world and the coaches behave.

    Shares are fractions (0.03 is 3 points). ``spell`` is how much of a rep's good
    or bad spell carries over to the next week (0: weekly luck only; 0.8: a bad
    month is a real dip that passes). ``team_shock`` is the spread of a shock that
    hits a whole team in a week.
    """

    name: str
    pick: str = "random"
    effect: float = 0.0
    teams: int = 5
    reps_per_team: int = 8
    weeks: int = 60
    first_pick: int = 24
    every: int = 4
    per_pick: int = 2
    last_pick: int = 44
    conversations: float = 25.0
    usual_spread: float = 0.06
    spell: float = 0.0
    spell_spread: float = 0.04
    team_shock: float = 0.0
    team_keep: float = 0.8

    def __post_init__(self) -> None:
        if self.pick not in PICKS:
            raise ValueError(f"pick must be one of {PICKS}, not {self.pick!r}")


@dataclass(frozen=True)
class World:
    """One simulated organisation: its weekly values, who started when, and teams."""

    values: pd.DataFrame  # rep_id, week (a Monday), num, den
    starts: pd.DataFrame  # rep_id, started_on
    teams: pd.Series  # rep_id -> team (the coach)


def simulate(scenario: Scenario, seed: int) -> World:
    """One organisation under ``scenario``; the same seed gives the same world."""
    rng = np.random.default_rng(seed)
    sc = scenario
    n = sc.teams * sc.reps_per_team
    team = np.repeat(np.arange(sc.teams), sc.reps_per_team)
    usual = np.clip(rng.normal(0.35, sc.usual_spread, n), 0.05, 0.9)
    spell = np.zeros(n)
    keep = sc.spell
    fresh = sc.spell_spread * np.sqrt(1 - keep**2) if keep else 0.0
    if keep:
        spell = rng.normal(0, sc.spell_spread, n)
    shocks = np.zeros((sc.weeks, sc.teams))
    for week in range(1, sc.weeks) if sc.team_shock else ():
        fresh_shock = rng.normal(
            0, sc.team_shock * np.sqrt(1 - sc.team_keep**2), sc.teams
        )
        shocks[week] = sc.team_keep * shocks[week - 1] + fresh_shock
    started = np.full(n, -1)
    num = np.zeros((sc.weeks, n))
    den = np.zeros((sc.weeks, n))
    for week in range(sc.weeks):
        if (
            sc.first_pick <= week <= sc.last_pick
            and (week - sc.first_pick) % sc.every == 0
        ):
            _pick(sc, rng, week, usual, num, den, started)
        if keep:
            spell = keep * spell + rng.normal(0, fresh, n)
        lift = np.where((started >= 0) & (week >= started), sc.effect, 0.0)
        p = np.clip(usual + spell + shocks[week][team] + lift, 0.01, 0.99)
        den[week] = rng.poisson(sc.conversations, n)
        num[week] = rng.binomial(den[week].astype(int), p)
    weeks, reps = np.nonzero(den >= 0)
    values = pd.DataFrame(
        {
            "rep_id": reps + 1,
            "week": [_MONDAY + dt.timedelta(weeks=int(w)) for w in weeks],
            "num": num[weeks, reps],
            "den": den[weeks, reps],
        }
    )
    coached = np.flatnonzero(started >= 0)
    starts = pd.DataFrame(
        {
            "rep_id": coached + 1,
            "started_on": [
                _MONDAY + dt.timedelta(weeks=int(started[r])) for r in coached
            ],
        }
    )
    return World(values, starts, pd.Series(team, index=np.arange(1, n + 1)))


def _pick(
    sc: Scenario,
    rng: np.random.Generator,
    week: int,
    usual: np.ndarray,
    num: np.ndarray,
    den: np.ndarray,
    started: np.ndarray,
) -> None:
    """Start coaching ``per_pick`` reps not coached yet, chosen as ``sc.pick`` says."""
    free = np.flatnonzero(started < 0)
    if len(free) == 0:
        return
    if sc.pick == "random":
        score = rng.random(len(free))
    elif sc.pick == "persistent":
        score = usual[free]
    else:  # the worst share over the last 4 weeks, as the coach saw it
        recent = slice(max(week - 4, 0), week)
        score = num[recent, free].sum(axis=0) / np.maximum(
            den[recent, free].sum(axis=0), 1
        )
    chosen = free[np.argsort(score, kind="stable")[: sc.per_pick]]
    started[chosen] = week


@dataclass(frozen=True)
class Tally:
    """What the estimate said over many seeded teams."""

    runs: int
    scenario: Scenario
    bias: float  # mean estimate minus the truth, in points
    better: float  # share of runs with the verdict "better"
    held_back: float  # share of runs with "can't tell yet"
    covered: float  # share of runs whose range holds the truth
    range_above_zero: float  # share whose range is above zero, checks or not


def tally(scenario: Scenario, runs: int = 400, **options: Any) -> Tally:
    """Run the estimate on ``runs`` seeded teams (seeds 0, 1, ...) and count what
    it said; ``options`` go to :func:`~coachkit.improve.effects.estimate_effect`."""
    estimates, better, held, covered, above = [], 0, 0, 0, 0
    for seed in range(runs):
        world = simulate(scenario, seed)
        kwargs = {"teams": world.teams, **options}
        effect = estimate_effect(world.values, world.starts, kind="rate", **kwargs)
        if not effect.enough:
            raise ValueError(f"seed {seed}: {effect.need}")
        estimates.append(effect.estimate)
        verdict = effect.verdict()
        better += verdict == "better"
        held += verdict == "can't tell yet"
        covered += effect.low <= scenario.effect <= effect.high
        above += effect.low > 0
    return Tally(
        runs,
        scenario,
        100 * (float(np.mean(estimates)) - scenario.effect),
        better / runs,
        held / runs,
        covered / runs,
        above / runs,
    )
