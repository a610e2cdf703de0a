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
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coachkit.effects.result import Effect, _more, _not_ready, _with_range
from coachkit.effects.weeks import (
    SKIP_WEEKS,
    WEEKS_AFTER,
    WEEKS_BEFORE,
    _start_weeks,
    _week_number,
    _Windows,
)

#: An effect needs this many coached reps with full windows ...
MIN_COACHED = 3
#: ... and this many reps not coached on the behaviour to compare with.
MIN_COMPARISON = 5
#: A rate's window with fewer tries than this is too thin to use.
MIN_TRIES = 20

#: How an effect is worked out, in two sentences a 10th grader follows.
METHOD_TEXT = (
    "We take how much a coached rep's number changed from the 8 weeks before coaching "
    "to 8 weeks after it (skipping the first 2), and take away how much it changed for "
    "reps not coached on it in the same weeks. What is left is the change that came "
    "with coaching, and the range shows how sure we can be."
)


def estimate_effect(
    values: pd.DataFrame,
    starts: pd.DataFrame,
    *,
    kind: str,
    weeks_before: int = WEEKS_BEFORE,
    weeks_after: int = WEEKS_AFTER,
    skip_weeks: int = SKIP_WEEKS,
    coached_reps: Collection[int] | None = None,
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
    weeks_before, weeks_after, skip_weeks
        The level before is taken over the ``weeks_before`` weeks before the start's
        week; the level after over ``weeks_after`` weeks, beginning ``skip_weeks``
        weeks after the start's week (the start's week is the first skipped).
    coached_reps
        The reps in ``starts`` to estimate the effect for; all of them when None.

    Returns
    -------
    Effect
        Each coached rep's change minus the average change, over the same weeks, of
        comparison reps (in ``values`` but not in ``starts``, or starting only after
        the coached rep's after-window). A window with fewer than :data:`MIN_TRIES`
        tries (rates) or values in fewer than half the weeks that anyone has one
        (counts) is left out. The standard error adds the spread among coached
        reps (of their change less their comparison mean) to the spread among
        comparison reps (each counted once, however many coached reps they are
        compared with); the range uses Student's t.
    """
    panel = _Panel.from_frame(values, kind)
    windows = _Windows(weeks_before, skip_weeks, weeks_after)
    return _stacked(panel, _start_weeks(starts), windows, coached_reps)


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

    def level(self, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each rep's level over weeks [lo, hi), one row per window, and whether it
        rests on enough data (see :func:`estimate_effect`)."""
        last = len(self.obs) - 1
        a = np.clip(np.asarray(lo) - self.first, 0, last)
        b = np.clip(np.asarray(hi) - self.first, 0, last)
        num, obs = self.num[b] - self.num[a], self.obs[b] - self.obs[a]
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.kind == "rate":
                den = self.den[b] - self.den[a]
                return num / den, den >= MIN_TRIES
            seen = (self.any_obs[b] - self.any_obs[a])[:, None]
            return num / obs, (obs >= 1) & (2 * obs >= seen)


@dataclass(frozen=True)
class _Stacks:
    """Per coached rep: their change, and the mean, count and squared spread of the
    changes of their comparison reps. ``shared`` is the variance of the average
    comparison mean, counting each comparison rep once however many coached reps
    they are compared with (a cluster-robust sum).
    """

    change: np.ndarray
    mean: np.ndarray
    n: np.ndarray
    squares: np.ndarray
    comparison: int  # distinct comparison reps used
    shared: float


def _changes(
    panel: _Panel, starts: pd.Series, wins: _Windows, coached: Collection[int] | None
) -> _Stacks:
    """Work out every coached rep's change and their comparison reps' changes."""
    chosen = starts if coached is None else starts[starts.index.isin(list(coached))]
    chosen = chosen[np.isin(chosen.index, panel.reps)]
    week = chosen.to_numpy(dtype=np.int64)
    before, ok_b = panel.level(week - wins.before, week)
    after, ok_a = panel.level(week + wins.skip, week + wins.end)
    change, ok = after - before, ok_b & ok_a
    start_of = starts.reindex(panel.reps).to_numpy(dtype=float)  # NaN: never coached
    free = np.isnan(start_of)[None, :] | (
        start_of[None, :] >= (week + wins.end)[:, None]
    )
    use = ok & free
    own = np.searchsorted(panel.reps, chosen.index.to_numpy())
    rows = np.arange(len(week))
    n = use.sum(axis=1)
    keep = ok[rows, own] & (n >= 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(use, change, 0).sum(axis=1) / n
    dev = np.where(use, change - mean[:, None], 0.0)[keep]
    n, used = n[keep], use[keep].any(axis=0)
    share = (dev / n[:, None]).sum(axis=0)[used] / max(len(n), 1)
    n_c = int(used.sum())
    shared = float((share**2).sum()) * n_c / (n_c - 1) if n_c > 1 else math.nan
    return _Stacks(
        change[rows, own][keep], mean[keep], n, (dev**2).sum(axis=1), n_c, shared
    )


def _stacked(
    panel: _Panel, starts: pd.Series, wins: _Windows, coached: Collection[int] | None
) -> Effect:
    st = _changes(panel, starts, wins, coached)
    n_t, n_c = len(st.change), st.comparison
    short = []
    if n_t < MIN_COACHED:
        short.append(
            f"{_more(MIN_COACHED - n_t, 'coached rep')} with numbers for {wins.before} "
            f"weeks before coaching started and {wins.end} weeks after"
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
    a = did.var(ddof=1) / n_t
    b = st.shared
    parts = a**2 / (n_t - 1) + b**2 / max(n_c - 1, 1)
    df = (a + b) ** 2 / parts if parts > 0 else math.inf  # Welch-Satterthwaite
    return _with_range(
        float(did.mean()), math.sqrt(a + b), df, n_t, n_c, panel.kind, naive
    )


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
    return _with_range(
        estimate, se, float(st.n[0] - 1), 1, st.comparison, panel.kind, naive
    )


def _pooled(st: _Stacks) -> float:
    """The comparison reps' variance of change, pooled over the coached reps' weeks."""
    free = (st.n - 1).clip(min=0).sum()
    return float(st.squares.sum() / free) if free > 0 else math.nan
