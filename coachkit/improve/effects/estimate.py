"""The estimate: a stacked difference in differences over weekly panels.

Each rep's numbers are held as a :class:`_Panel` of running totals by week, so a
window's level is one subtraction. :func:`_changes` takes each coached rep's change
from the weeks before coaching to the weeks after it (:class:`_Windows`) and the
changes of reps not coached on it over the same weeks; :func:`_stacked` averages
many coached reps and :func:`_single` answers for one rep, each with a 95% range.
:func:`estimate_effect` is the pure sum over a plain table of values.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from coachkit.improve.effects.result import (
    Effect,
    _more,
    _not_ready,
    _with_range,
    t_quantile,
)
from coachkit.improve.effects.weeks import (
    GAP_WEEKS,
    SKIP_WEEKS,
    WEEKS_AFTER,
    WEEKS_BEFORE,
    _start_weeks,
    _week_number,
    _Windows,
)

#: An effect needs this many coached reps with full windows ...
MIN_COACHED = 3
#: ... who started in at least this many different weeks ...
MIN_START_WEEKS = 2
#: ... and this many reps not coached on the behaviour to compare with.
MIN_COMPARISON = 5
#: With reps of this many teams, a team's reps count together in the range.
MIN_TEAMS = 4
#: Why a verdict waits when the coached reps were already moving apart.
PRE_TREND_TEXT = (
    "can't tell yet: before coaching started, these reps' numbers were already "
    "moving differently from the reps they are compared with"
)
#: A rate's window with fewer tries than this is too thin to use.
MIN_TRIES = 20

#: How an effect is worked out, in two sentences a 10th grader follows.
METHOD_TEXT = (
    "We compare how much a coached rep's number changed with how much it changed "
    "for reps not coached on it yet, in the same weeks. A rep picked after a bad "
    "month often does better the next month anyway, so we skip that month, and we "
    "wait when the two groups were already moving apart."
)

#: What the workbook and the team report say under the table: both count all
#: coaching so far, because a change shows only weeks after coaching starts.
PERIOD_NOTE = (
    "This counts all coaching so far, not only this period's: a change shows in the "
    f"numbers only {SKIP_WEEKS + WEEKS_AFTER} weeks after coaching starts."
)


def estimate_effect(
    values: pd.DataFrame,
    starts: pd.DataFrame,
    *,
    kind: str,
    weeks_before: int = WEEKS_BEFORE,
    weeks_after: int = WEEKS_AFTER,
    skip_weeks: int = SKIP_WEEKS,
    gap_weeks: int = GAP_WEEKS,
    coached_reps: Collection[int] | None = None,
    teams: pd.Series | None = None,
    shared: pd.DataFrame | None = None,
) -> Effect:
    """Estimate the change that came with coaching (stacked difference in differences).

    Parameters
    ----------
    values
        Columns rep_id, week (a Monday), num, den. For ``kind="count"`` num is the
        value and den is 1; for ``"rate"`` num and den are the two counts; for
        ``"percent"`` num is the value and den is 1.
    starts
        Columns rep_id, started_on: the first day each rep was coached on the
        behaviour. These reps are not compared with while they are coached.
    kind
        ``"count"``, ``"rate"`` or ``"percent"``.
    weeks_before, weeks_after, skip_weeks, gap_weeks
        The level before is taken over the ``weeks_before`` weeks that end
        ``gap_weeks`` weeks before the start's week (the weeks in which a coach
        picks a rep after a bad spell are left out); the level after over
        ``weeks_after`` weeks, beginning ``skip_weeks`` weeks after the start's week
        (the start's week is the first skipped).
    coached_reps
        The reps in ``starts`` to estimate the effect for; all of them when None.
    teams
        Each rep's team (rep_id -> coach). With reps of :data:`MIN_TEAMS` teams or
        more, the range counts a team's reps together.
    shared
        Columns rep_id, started_on: coaching on other behaviours linked to the same
        number. Such a rep is no comparison from that day on.

    Returns
    -------
    Effect
        Each coached rep's change minus the average change, over the same weeks, of
        comparison reps: reps in ``values`` not coached on it yet when the coached
        rep's coaching started (see :func:`_free`). A
        window with fewer than :data:`MIN_TRIES` tries (rates) or values in fewer
        than half the weeks that anyone has one (counts) is left out. The standard
        error sums each rep's part in the estimate by team (each rep on its own
        with fewer teams), and the range uses Student's t. ``check`` says why the
        verdict must wait when the same sum over the weeks before coaching shows
        the coached reps already moving apart (:data:`PRE_TREND_TEXT`).
    """
    panel = _Panel.from_frame(values, kind)
    windows = _Windows(weeks_before, skip_weeks, weeks_after, gap_weeks)
    others = None
    if shared is not None:
        first = _start_weeks(shared)
        others = _Others(first, first)
    return _stacked(panel, _start_weeks(starts), windows, coached_reps, teams, others)


@dataclass(frozen=True)
class _Panel:
    """Weeks by reps, as running totals so that any window's sum is one subtraction.

    ``num``, ``den`` and ``obs`` (weeks with a value) have a row of zeros, then
    one row per week from week number ``first`` on, and one column per rep in
    ``reps``; ``any_obs`` counts the weeks in which any rep has a value.
    """

    kind: str
    reps: np.ndarray
    first: int
    num: np.ndarray
    den: np.ndarray
    obs: np.ndarray
    any_obs: np.ndarray

    @classmethod
    def from_frame(cls, values: pd.DataFrame, kind: str) -> _Panel:
        if kind not in ("count", "rate", "percent"):
            raise ValueError(f"kind must be count, rate or percent, not {kind!r}")
        reps, at = np.unique(values["rep_id"].to_numpy(np.int64), return_inverse=True)
        weeks = _week_number(values["week"]) if len(values) else np.zeros(0, np.int64)
        num = pd.to_numeric(values["num"]).to_numpy(dtype=float)
        den = pd.to_numeric(values["den"]).to_numpy(dtype=float)
        return cls.build(kind, reps, at, weeks, num, den)

    @classmethod
    def build(
        cls,
        kind: str,
        reps: np.ndarray,
        at: np.ndarray,
        weeks: np.ndarray,
        num: np.ndarray,
        den: np.ndarray,
    ) -> _Panel:
        """From one row per value: its rep's place in ``reps``, week and counts."""
        first = int(weeks.min()) if len(weeks) else 0
        shape = (int(weeks.max()) - first + 1 if len(weeks) else 0, len(reps))
        flat = (weeks - first) * shape[1] + at

        def running(w: np.ndarray) -> np.ndarray:
            dense = np.bincount(flat, weights=w, minlength=shape[0] * shape[1])
            total = dense.reshape(shape).cumsum(axis=0)
            return np.concatenate([np.zeros((1, shape[1])), total])

        obs = running(np.ones(len(flat)))
        seen = np.concatenate([[0], (np.diff(obs, axis=0).sum(axis=1) > 0).cumsum()])
        return cls(kind, reps, first, running(num), running(den), obs, seen)

    def level(
        self, lo: np.ndarray, hi: np.ndarray, min_tries: int = MIN_TRIES
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each rep's level over weeks [lo, hi), one row per window, and whether it
        rests on enough data (see :func:`estimate_effect`). A window that runs past
        the first or last week of the data never does."""
        last = len(self.obs) - 1
        lo, hi = np.asarray(lo) - self.first, np.asarray(hi) - self.first
        inside = ((lo >= 0) & (hi <= last))[:, None]  # a window cut short is no use
        a, b = np.clip(lo, 0, last), np.clip(hi, 0, last)
        num, obs = self.num[b] - self.num[a], self.obs[b] - self.obs[a]
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.kind == "rate":
                den = self.den[b] - self.den[a]
                return num / den, inside & (den >= max(min_tries, 1))
            seen = (self.any_obs[b] - self.any_obs[a])[:, None]
            return num / obs, inside & (obs >= 1) & (2 * obs >= seen)


@dataclass(frozen=True)
class _Stacks:
    """Per coached rep: their change, and the mean, count and squared spread of the
    changes of their comparison reps; ``rows`` are the coached reps' places in the
    panel and ``weeks`` their start weeks. ``influence`` is each rep's part in the
    stacked estimate's error, for a range that counts a team's reps together.
    """

    change: np.ndarray
    mean: np.ndarray
    n: np.ndarray
    squares: np.ndarray
    rows: np.ndarray
    weeks: np.ndarray
    comparison: int  # distinct comparison reps used
    influence: np.ndarray  # by rep (panel order): comparison reps' part


@dataclass(frozen=True)
class _Others:
    """Coaching on other behaviours, which shapes whom a coached rep is compared with.

    ``shared``: when each rep started coaching on another behaviour linked to the
    same number; such a rep is no comparison from then on (their number may have
    moved with that coaching). ``pool``: when each rep started coaching on anything
    else; with ``only_coached``, only reps coached on something else by the start
    are compared with ("reps coached on other things").
    """

    shared: pd.Series
    pool: pd.Series
    only_coached: bool = False

    def allow(self, panel: _Panel, week: np.ndarray) -> np.ndarray:
        shared = self.shared.reindex(panel.reps).to_numpy(dtype=float)
        ok = np.isnan(shared)[None, :] | (shared[None, :] > week[:, None])
        if self.only_coached:
            pool = self.pool.reindex(panel.reps).to_numpy(dtype=float)
            ok &= ~np.isnan(pool)[None, :] & (pool[None, :] <= week[:, None])
        return ok


def _free(panel: _Panel, starts: pd.Series, week: np.ndarray) -> np.ndarray:
    """Which reps each coached rep may be compared with: every rep not coached on it
    yet in the week coaching started, including reps whose coaching starts later.

    Leaving out the reps picked later would keep only the reps a coach never had to
    pick, whose weeks after the start look better than most by that choice alone.
    """
    start_of = starts.reindex(panel.reps).to_numpy(dtype=float)  # NaN: never coached
    return np.isnan(start_of)[None, :] | (start_of[None, :] > week[:, None])


def _changes(
    panel: _Panel,
    starts: pd.Series,
    wins: _Windows,
    coached: Collection[int] | None,
    shift: int = 0,
    others: _Others | None = None,
) -> _Stacks:
    """Work out every coached rep's change and their comparison reps' changes.

    ``shift`` moves every start that many weeks (a placebo start before the real
    one); who may be compared with still follows the real start, and ``others``.
    """
    chosen = starts if coached is None else starts[starts.index.isin(list(coached))]
    chosen = chosen[np.isin(chosen.index, panel.reps)]
    real = chosen.to_numpy(dtype=np.int64)
    week = real + shift
    before, ok_b = panel.level(week - wins.first, week - wins.gap)
    after, ok_a = panel.level(week + wins.skip, week + wins.end)
    change, ok = after - before, ok_b & ok_a
    use = ok & _free(panel, starts, real)
    if others is not None:
        use &= others.allow(panel, real)
    own = np.searchsorted(panel.reps, chosen.index.to_numpy())
    rows = np.arange(len(week))
    n = use.sum(axis=1)
    keep = ok[rows, own] & (n >= 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(use, change, 0).sum(axis=1) / n
    dev = np.where(use, change - mean[:, None], 0.0)[keep]
    n = n[keep]
    influence = -(dev / n[:, None]).sum(axis=0) / max(len(n), 1)
    return _Stacks(
        change[rows, own][keep],
        mean[keep],
        n,
        (dev**2).sum(axis=1),
        own[keep],
        real[keep],
        int(use[keep].any(axis=0).sum()),
        influence,
    )


def _clustered(
    panel: _Panel, st: _Stacks, did: np.ndarray, teams: pd.Series | None
) -> tuple[float, float]:
    """The stacked estimate's standard error and degrees of freedom, counting the
    reps of one team together (their numbers rise and fall together).

    Each rep's part in the error is summed by team, and the spread of the team sums
    gives the error (a cluster-robust sum, with ``G / (G - 1)``); the range then
    uses ``G - 1`` degrees of freedom. With fewer than :data:`MIN_TEAMS` teams, each
    rep counts on its own.
    """
    part = st.influence.copy()
    np.add.at(part, st.rows, (did - did.mean()) / len(did))
    involved = part != 0
    group = np.arange(len(panel.reps))
    if teams is not None:
        team = teams.reindex(panel.reps)
        if team[involved].nunique() >= MIN_TEAMS:
            group = pd.factorize(team.fillna(-1))[0]
    sums = np.bincount(group[involved], weights=part[involved])
    g = int((np.bincount(group[involved]) > 0).sum())
    if g < 2:
        return math.nan, math.nan
    return math.sqrt(float((sums**2).sum()) * g / (g - 1)), float(g - 1)


def _stacked(
    panel: _Panel,
    starts: pd.Series,
    wins: _Windows,
    coached: Collection[int] | None,
    teams: pd.Series | None = None,
    others: _Others | None = None,
) -> Effect:
    st = _changes(panel, starts, wins, coached, others=others)
    n_t, n_c = len(st.change), st.comparison
    n_weeks = len(np.unique(st.weeks))
    short = []
    if n_t < MIN_COACHED:
        short.append(
            f"{_more(MIN_COACHED - n_t, 'coached rep')} with numbers for "
            f"{wins.first} weeks before coaching started and {wins.end} weeks after"
        )
    elif n_weeks < MIN_START_WEEKS:
        short.append(
            f"coached reps who started in {MIN_START_WEEKS} different weeks or more"
        )
    if n_t and n_c < MIN_COMPARISON:  # comparisons are only counted for coached reps
        short.append(
            f"{_more(MIN_COMPARISON - n_c, 'rep')} not coached on it to compare with"
        )
    naive = float(st.change.mean()) if n_t else math.nan
    if short:
        need = "not enough data yet: needs " + " and ".join(short)
        return Effect(
            math.nan, math.nan, math.nan, n_t, n_c, False, panel.kind, need, naive
        )
    did = st.change - st.mean
    se, df = _clustered(panel, st, did, teams)
    effect = _with_range(float(did.mean()), se, df, n_t, n_c, panel.kind, naive)
    check = _pre_trend(panel, starts, wins, coached, teams, others)
    return replace(effect, check=check)


def _pre_trend(
    panel: _Panel,
    starts: pd.Series,
    wins: _Windows,
    coached: Collection[int] | None,
    teams: pd.Series | None,
    others: _Others | None,
) -> str:
    """Why the verdict must wait, or "": the same estimate over the weeks before
    coaching (the first half of the before window against the second half) must
    show no clear change, or the coached reps were already moving apart."""
    half = wins.before // 2
    placebo = _Windows(half, 0, wins.before - half, 0)
    shift = -(wins.gap + wins.before - half)
    st = _changes(panel, starts, placebo, coached, shift=shift, others=others)
    if len(st.change) < MIN_COACHED or st.comparison < MIN_COMPARISON:
        return ""
    did = st.change - st.mean
    se, df = _clustered(panel, st, did, teams)
    if not math.isfinite(se) or se == 0:
        return ""
    if abs(did.mean()) > t_quantile(df) * se:
        return PRE_TREND_TEXT
    return ""


def _single(panel: _Panel, starts: pd.Series, wins: _Windows, rep_id: int) -> Effect:
    st = _changes(panel, starts, wins, [rep_id])
    if len(st.change) == 0:
        return _not_ready(
            panel.kind,
            "this rep has too few numbers before or after coaching started",
            yet="",
        )
    if st.comparison < MIN_COMPARISON:
        more = _more(MIN_COMPARISON - st.comparison, "rep")
        need = f"needs {more} not coached on it to compare with"
        return _not_ready(panel.kind, need, coached=1, comparison=st.comparison)
    se = math.sqrt(_pooled(st) * (1 + 1 / float(st.n[0])))
    naive = float(st.change[0])
    estimate = naive - float(st.mean[0])
    effect = _with_range(
        estimate, se, float(st.n[0] - 1), 1, st.comparison, panel.kind, naive
    )
    return replace(effect, check=_single_pre_trend(panel, starts, wins, rep_id))


def _single_pre_trend(
    panel: _Panel, starts: pd.Series, wins: _Windows, rep_id: int
) -> str:
    """:func:`_pre_trend` for one rep: over the weeks before coaching, was this rep
    already moving apart from the reps not coached on it, by more than chance?"""
    half = wins.before // 2
    placebo = _Windows(half, 0, wins.before - half, 0)
    shift = -(wins.gap + wins.before - half)
    st = _changes(panel, starts, placebo, [rep_id], shift=shift)
    if len(st.change) == 0 or st.comparison < MIN_COMPARISON:
        return ""
    se = math.sqrt(_pooled(st) * (1 + 1 / float(st.n[0])))
    gap = float(st.change[0] - st.mean[0])
    if math.isfinite(se) and se > 0 and abs(gap) > t_quantile(st.n[0] - 1) * se:
        return PRE_TREND_TEXT.replace(
            "these reps' numbers were", "this rep's number was"
        )
    return ""


def _pooled(st: _Stacks) -> float:
    """The comparison reps' variance of change, pooled over the coached reps' weeks."""
    free = (st.n - 1).clip(min=0).sum()
    return float(st.squares.sum() / free) if free > 0 else math.nan


#: What each relative week of an event study is, in plain words.
_PARTS = ("before", "when picked", "settling in", "after")


def _event_study(
    panel: _Panel,
    starts: pd.Series,
    wins: _Windows,
    coached: Collection[int] | None,
    others: _Others | None = None,
) -> pd.DataFrame:
    """Week by week around the start: how far the coached reps were from the reps
    they are compared with, against the gap in the weeks before.

    A flat line near zero before coaching means the two groups were moving alike,
    which the estimate relies on; a dip just before week 0 shows reps picked
    after a bad spell (those weeks are left out of the estimate).

    Returns
    -------
    pandas.DataFrame
        Columns week (from the start's week: -16 to 9), part (before, when picked,
        settling in, after), gap (a fraction for shares), low, high (a 95% range
        across coached reps) and reps (coached reps with a value that week).
    """
    chosen = starts if coached is None else starts[starts.index.isin(list(coached))]
    chosen = chosen[np.isin(chosen.index, panel.reps)]
    week = chosen.to_numpy(dtype=np.int64)
    use = _free(panel, starts, week)
    if others is not None:
        use &= others.allow(panel, week)
    own = np.searchsorted(panel.reps, chosen.index.to_numpy())
    rows = np.arange(len(week))
    base, ok_b = panel.level(week - wins.first, week - wins.gap)
    gaps, oks = [], []
    for k in range(-wins.first, wins.end):
        level, ok = panel.level(week + k, week + k + 1, min_tries=1)
        change, fine = level - base, ok & ok_b
        keep = use & fine
        n = keep.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(keep, change, 0).sum(axis=1) / n
        gaps.append(change[rows, own] - mean)
        oks.append(fine[rows, own] & (n >= MIN_COMPARISON))
    out = []
    for i, k in enumerate(range(-wins.first, wins.end)):
        d = gaps[i][oks[i]]
        n = len(d)
        mid = float(d.mean()) if n else math.nan
        half = (
            t_quantile(n - 1) * float(d.std(ddof=1)) / math.sqrt(n)
            if n > 1
            else math.nan
        )
        part = (
            _PARTS[0]
            if k < -wins.gap
            else _PARTS[1]
            if k < 0
            else (_PARTS[2] if k < wins.skip else _PARTS[3])
        )
        out.append((k, part, mid, mid - half, mid + half, n))
    return pd.DataFrame(out, columns=["week", "part", "gap", "low", "high", "reps"])
