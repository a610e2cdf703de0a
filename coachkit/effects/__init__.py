"""Practice to performance: did the numbers move for reps coached on a behaviour?

For each rep coached on a behaviour, we take the change in a linked number from the
weeks before coaching started to the weeks after it, and subtract the average change
of reps who were not coached on it over the same weeks (a "difference in
differences"). Things that hit everyone, such as a busy season, cancel out. The
results of many coached reps, each with their own start, are averaged ("stacked")
and shown with a 95% range. Below :data:`MIN_COACHED` coached reps or
:data:`MIN_COMPARISON` reps to compare with, the answer is "not enough data yet".

:func:`estimate_effect` is the pure sum; :func:`practice_effects` (a coach's team, or
everyone) and :func:`rep_effects` (one rep) read the store; :func:`effect_chart`
draws the result.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit import schema as s

#: An effect needs this many coached reps with full windows ...
MIN_COACHED = 3
#: ... and this many reps not coached on the behaviour to compare with.
MIN_COMPARISON = 5
#: A rate's window with fewer tries than this is too thin to use.
MIN_TRIES = 20
#: Default windows, in weeks: before the start, the gap after it, and the after part.
WEEKS_BEFORE, SKIP_WEEKS, WEEKS_AFTER = 8, 2, 8

#: How an effect is worked out, in two sentences a 10th grader follows.
METHOD_TEXT = (
    "We take how much a coached rep's number changed from the 8 weeks before coaching "
    "to 8 weeks after it (skipping the first 2), and take away how much it changed for "
    "reps not coached on it in the same weeks. What is left is the change that came "
    "with coaching, and the range shows how sure we can be."
)

EFFECT_COLUMNS = [
    "behaviour_id",
    "behaviour",
    "metric_id",
    "metric",
    "kind",
    "unit",
    "higher_is_better",
    "coached",
    "comparison",
    "effect",
    "low",
    "high",
    "enough",
    "verdict",
    "text",
]

_SHARES = ("rate", "percent")
_EPOCH = dt.date(1970, 1, 5)  # a Monday: week numbers count from here
_EPOCH_DAY = (_EPOCH - dt.date(1970, 1, 1)).days
# Values are read as one whole number (metric * _DAYS + day) * _REPS + rep, and
# the value: days since 1970 stay under _DAYS until the year 2149.
_DAYS, _REPS = 2**16, 2**24
_PACKED = np.dtype([("key", np.int64), ("value", np.float64)])
# The 97.5% point of Student's t, by degrees of freedom (inf is the normal 1.96).
_T_DF = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 25, 30, 40, 60, 120, math.inf]
_T_Q = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228]
_T_Q += [2.179, 2.131, 2.086, 2.060, 2.042, 2.021, 2.000, 1.980, 1.960]


@dataclass(frozen=True)
class Effect:
    """The change that came with coaching, with its 95% range.

    ``estimate``, ``low`` and ``high`` are in the metric's own terms (a fraction for
    shares: 0.06 is 6 points); NaN when there is not ``enough`` data, and then
    ``need`` says what is missing. ``naive`` is the coached reps' plain
    before-to-after change, with nothing taken away (for checking only).
    """

    estimate: float
    low: float
    high: float
    coached: int
    comparison: int
    enough: bool
    kind: str
    need: str = ""
    naive: float = math.nan

    def verdict(self, higher_is_better: bool = True) -> str:
        """Say ``better``, ``worse``, ``no clear change`` or ``not enough data yet``."""
        if not self.enough:
            return "not enough data yet"
        if self.low <= 0 <= self.high:
            return "no clear change"
        return "better" if (self.estimate > 0) == higher_is_better else "worse"

    def sentence(
        self,
        unit: str,
        *,
        metric: str = "the number",
        behaviour: str = "it",
        subject: str | None = None,
        others: str = "reps who were not",
    ) -> str:
        """Say the effect in one plain sentence.

        ``subject`` defaults to ``"reps coached on <behaviour>"``.
        """
        if not self.enough:
            return _cap(self.need) + "."
        who = subject or f"reps coached on {behaviour}"
        what = metric[:1].lower() + metric[1:]
        width = self.high - self.low
        if self.low <= 0 <= self.high:
            lower = _amount(-self.low, self.kind, unit, width)
            higher = _amount(self.high, self.kind, unit, width)
            return (
                f"No clear change: {who} moved {what} somewhere between {lower} lower "
                f"and {higher} higher than {others}."
            )
        ends = sorted([abs(self.low), abs(self.high)])
        verb = "raised" if self.estimate > 0 else "lowered"
        size = _amount(abs(self.estimate), self.kind, unit, width)
        low, high = (_amount(x, self.kind, unit, width, bare=True) for x in ends)
        return _cap(
            f"{who} {verb} {what} by {size} (range {low} to {high}) more than {others}."
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


def coaching_starts(conn: Connection, coach_id: int | None) -> pd.DataFrame:
    """The first day each rep was coached on each behaviour.

    That is the earliest of a plan's start (for each of its focus behaviours) and the
    first done session with the behaviour among its focus behaviours.

    Returns
    -------
    pandas.DataFrame
        Columns rep_id, coach_id (the rep's coach), behaviour_id, started_on
        (datetime.date); reps who have left count too. ``coach_id`` None: every coach.
    """
    p, pf, se, sf, r = s.plans, s.plan_focus, s.sessions, s.session_focus, s.reps
    planned = sa.select(p.c.rep_id, pf.c.behaviour_id, p.c.started_on.label("day"))
    held = sa.select(se.c.rep_id, sf.c.behaviour_id, se.c.held_on.label("day"))
    both = sa.union_all(
        planned.join(pf, pf.c.plan_id == p.c.id),
        held.join(sf, sf.c.session_id == se.c.id).where(se.c.status == "done"),
    ).subquery()
    query = (
        sa.select(
            both.c.rep_id, r.c.coach_id, both.c.behaviour_id, sa.func.min(both.c.day)
        )
        .join(r, r.c.id == both.c.rep_id)
        .group_by(both.c.rep_id, r.c.coach_id, both.c.behaviour_id)
        .order_by(both.c.rep_id, both.c.behaviour_id)
    )
    if coach_id is not None:
        query = query.where(r.c.coach_id == int(coach_id))
    cols = ["rep_id", "coach_id", "behaviour_id", "started_on"]
    return pd.DataFrame(_rows(conn, query), columns=cols)


def practice_effects(
    conn: Connection,
    coach_id: int | None,
    today: dt.date,
    since: dt.date | None = None,
) -> pd.DataFrame:
    """One row per behaviour the coach's reps were coached on and each linked metric.

    Coached reps are the coach's reps (everyone's for None) whose coaching on the
    behaviour started on or after ``since`` (any time for None) and whose window
    after the start ended by ``today``; they are compared with reps across the
    whole organisation who were not coached on the behaviour in those weeks (one
    team is too small), of whom only averages are shown.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`EFFECT_COLUMNS`: behaviour_id, behaviour, metric_id,
        metric, kind, unit, higher_is_better, coached, comparison (rep counts),
        effect, low, high (fractions for shares, 0.06 is 6 points; NaN without
        enough data), enough, verdict (better, worse, no clear change, not enough
        data yet) and text (one plain sentence). A behaviour with no linked metric
        has no row.
    """
    starts = _with_weeks(coaching_starts(conn, None))
    mine = starts if coach_id is None else starts[starts["coach_id"] == coach_id]
    if since is not None:
        mine = mine[pd.to_datetime(mine["started_on"]) >= pd.Timestamp(since)]
    done = mine[mine["week"] + _WINDOWS.end <= _week_of(today)]
    links, data, by_behaviour = _prepare(conn, starts, mine, done)
    rows = []
    for link in links.itertuples(index=False):
        coached = done.loc[done["behaviour_id"] == link.behaviour_id, "rep_id"]
        before = by_behaviour[link.behaviour_id]
        effect = _stacked(data.panel(link), before, _WINDOWS, set(coached))
        text = effect.sentence(link.unit, metric=link.metric, behaviour=link.behaviour)
        rows.append(_row(link, effect, text))
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)


def rep_effects(conn: Connection, rep_id: int, today: dt.date) -> pd.DataFrame:
    """Like :func:`practice_effects`, for one rep against reps not coached on it.

    The range is where one rep's change would fall by chance: the comparison reps'
    spread times ``sqrt(1 + 1/n)``. Until the rep's window after the start is over,
    the text says "not enough data yet" and the day to check back.
    """
    starts = _with_weeks(coaching_starts(conn, None))
    mine = starts[starts["rep_id"] == int(rep_id)]
    done = mine[mine["week"] + _WINDOWS.end <= _week_of(today)]
    links, data, by_behaviour = _prepare(conn, starts, mine, done)
    first = dict(zip(mine["behaviour_id"], mine["week"], strict=True))
    rows = []
    for link in links.itertuples(index=False):
        if link.behaviour_id in set(done["behaviour_id"]):
            before = by_behaviour[link.behaviour_id]
            effect = _single(data.panel(link), before, _WINDOWS, int(rep_id))
        else:
            end = _monday(first[link.behaviour_id] + _WINDOWS.end)
            ready = (end - dt.timedelta(days=1)).isoformat()
            effect = _not_ready(link.kind, f"check back after {ready}")
        text = effect.sentence(
            link.unit,
            metric=link.metric,
            subject=f"after coaching on {link.behaviour}, this rep",
            others="reps who were not coached on it",
        )
        rows.append(_row(link, effect, text))
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)


def effect_chart(frame: pd.DataFrame) -> alt.Chart | alt.FacetChart:
    """One dot per behaviour and metric, with its 95% range and a line at zero.

    ``frame`` has the columns of :func:`practice_effects`; rows without enough data
    are left out. Shares are drawn in points; each unit gets its own panel.
    """
    kept = frame[frame["enough"].astype(bool)] if len(frame) else frame
    if kept.empty:
        note = pd.DataFrame({"text": ["Not enough data yet to show any effects."]})
        return alt.Chart(note).mark_text(size=13).encode(text="text:N")
    share = kept["kind"].isin(_SHARES).to_numpy()
    scale = np.where(share, 100.0, 1.0)
    data = pd.DataFrame(
        {
            "label": kept["behaviour"] + ": " + kept["metric"],
            "effect": kept["effect"].to_numpy() * scale,
            "low": kept["low"].to_numpy() * scale,
            "high": kept["high"].to_numpy() * scale,
            "units": np.where(share, "points", kept["unit"].astype(str)),
            "verdict": kept["verdict"].to_numpy(),
        }
    )
    y = alt.Y("label:N", title=None, axis=alt.Axis(labelLimit=0))
    x = alt.X("low:Q", title="Change compared with reps not coached on it")
    colour = alt.Color(
        "verdict:N",
        title="Result",
        scale=alt.Scale(
            domain=["better", "no clear change", "worse"],
            range=["#54a24b", "#9d9d9d", "#e45756"],
        ),
    )
    rules = (
        alt.Chart().mark_rule(strokeWidth=2).encode(x=x, x2="high:Q", y=y, color=colour)
    )
    dots = (
        alt.Chart()
        .mark_point(filled=True, size=70)
        .encode(
            x="effect:Q",
            y=y,
            color=colour,
            tooltip=[
                "label:N",
                "units:N",
                "verdict:N",
                alt.Tooltip("effect:Q", format=".1f"),
            ],
        )
    )
    zero = alt.Chart().mark_rule(color="#333", strokeDash=[4, 3]).encode(x=alt.datum(0))
    layered = alt.layer(rules, dots, zero, data=data).properties(width=420)
    return layered.facet(row=alt.Row("units:N", title=None)).resolve_scale(
        x="independent", y="independent"
    )


# ---------------------------------------------------------------- the estimate


@dataclass(frozen=True)
class _Windows:
    """Window edges in weeks from the start's week: [-before, 0) and [skip, end)."""

    before: int
    skip: int
    after: int

    @property
    def end(self) -> int:
        return self.skip + self.after


_WINDOWS = _Windows(WEEKS_BEFORE, SKIP_WEEKS, WEEKS_AFTER)


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


def _with_range(
    estimate: float, se: float, df: float, n_t: int, n_c: int, kind: str, naive: float
) -> Effect:
    half = t_quantile(df) * se
    return Effect(
        estimate, estimate - half, estimate + half, n_t, n_c, True, kind, "", naive
    )


def _not_ready(
    kind: str, why: str, *, yet: str = " yet", coached: int = 0, comparison: int = 0
) -> Effect:
    nan = math.nan
    return Effect(
        nan, nan, nan, coached, comparison, False, kind, f"not enough data{yet}: {why}"
    )


def t_quantile(df: float) -> float:
    """The 97.5% point of Student's t with ``df`` degrees of freedom (table, ±0.01)."""
    df = max(math.inf if math.isnan(df) else df, 1.0)
    inverse = [1 / d for d in _T_DF]
    return float(np.interp(1 / df, inverse[::-1], _T_Q[::-1]))


# ---------------------------------------------------------------- reading the store


@dataclass(frozen=True)
class _Loaded:
    """Count values read once for every link: ``key`` (see :func:`_load`, sorted)
    and ``value``, with each value's week and its rep's place in ``reps``."""

    key: np.ndarray
    value: np.ndarray
    week: np.ndarray
    reps: np.ndarray
    at: np.ndarray
    ids: dict[str, int]
    cache: dict[int, _Panel] = field(default_factory=dict)

    @classmethod
    def of(cls, packed: np.ndarray, ids: dict[str, int]) -> _Loaded:
        key, value = packed["key"], packed["value"].astype(float)
        if np.any(key[1:] < key[:-1]):
            order = np.argsort(key, kind="stable")
            key, value = key[order], value[order]
        day = key // _REPS % _DAYS
        rep = key % _REPS
        present = np.bincount(rep) > 0  # by rep id; faster than np.unique
        place = np.cumsum(present) - 1  # each rep id's column in a panel
        reps = np.flatnonzero(present)
        return cls(key, value, (day - _EPOCH_DAY) // 7, reps, place[rep], ids)

    def panel(self, link: Any) -> _Panel:
        """The link's metric as a panel (for a rate, its two counts lined up)."""
        metric_id = int(link.metric_id)
        if metric_id not in self.cache:
            self.cache[metric_id] = self._build(link)
        return self.cache[metric_id]

    def _slice(self, metric_id: int) -> slice:
        first = metric_id * _DAYS * _REPS
        lo, hi = np.searchsorted(self.key, [first, first + _DAYS * _REPS])
        return slice(int(lo), int(hi))

    def _build(self, link: Any) -> _Panel:
        if link.kind != "rate":
            m = self._slice(int(link.metric_id))
            ones = np.ones(m.stop - m.start)
            args = (self.at[m], self.week[m], self.value[m], ones)
            return _Panel.build(link.kind, self.reps, *args)
        top = self._slice(self.ids.get(str(link.numerator), -1))
        bottom = self._slice(self.ids.get(str(link.denominator), -1))
        # Within a metric the keys run by day, then rep: line the top count up.
        top_keys = self.key[top] % (_DAYS * _REPS)
        wanted = self.key[bottom] % (_DAYS * _REPS)
        num = np.zeros(len(wanted))
        if len(top_keys):
            i = np.searchsorted(top_keys, wanted).clip(max=len(top_keys) - 1)
            found = top_keys[i] == wanted
            num[found] = self.value[top][i[found]]
        args = (self.at[bottom], self.week[bottom], num, self.value[bottom])
        return _Panel.build("rate", self.reps, *args)


def _links(conn: Connection, behaviour_ids: list[int]) -> pd.DataFrame:
    b, bm, m = s.behaviours, s.behaviour_metrics, s.metrics
    query = (
        sa.select(
            b.c.id,
            b.c.name,
            m.c.id,
            m.c.name,
            m.c.kind,
            m.c.unit,
            m.c.higher_is_better,
            m.c.numerator,
            m.c.denominator,
        )
        .join(bm, bm.c.behaviour_id == b.c.id)
        .join(m, bm.c.metric_id == m.c.id)
        .where(b.c.id.in_([int(x) for x in behaviour_ids]))
        .order_by(
            b.c.position, b.c.id, sa.case((m.c.kind == "rate", 0), else_=1), m.c.id
        )
    )
    cols = ["behaviour_id", "behaviour", "metric_id", "metric", "kind", "unit"]
    cols += ["higher_is_better", "numerator", "denominator"]
    return pd.DataFrame(_rows(conn, query), columns=cols)


def _prepare(
    conn: Connection, starts: pd.DataFrame, mine: pd.DataFrame, done: pd.DataFrame
) -> tuple[pd.DataFrame, _Loaded, dict[int, pd.Series]]:
    """The links of ``mine``'s behaviours, the values their windows need, and every
    rep's start week per behaviour."""
    links = _links(conn, mine["behaviour_id"].unique().tolist())
    data = _load(conn, links, done["week"].to_numpy(), _WINDOWS)
    by_behaviour = {
        int(b): group.set_index("rep_id")["week"]
        for b, group in starts.groupby("behaviour_id")
    }
    return links, data, by_behaviour


def _load(
    conn: Connection, links: pd.DataFrame, weeks: np.ndarray, wins: _Windows
) -> _Loaded:
    """Read the count values the links need, in the weeks of the coached reps' windows.

    One query over the covering index (metric, day, rep, value). Half a million
    values (a large organisation) must load in well under a second, so SQL packs
    each value's metric, day and rep into one whole number and the rows are read
    straight from the driver's cursor: fewer and plainer Python objects.
    """
    m, mv = s.metrics, s.metric_values
    ids = {str(k): int(i) for k, i in conn.execute(sa.select(m.c.key, m.c.id))}
    wanted = {int(x) for x in links.loc[links["kind"] != "rate", "metric_id"]}
    rates = links[links["kind"] == "rate"]
    wanted |= {ids[k] for k in [*rates["numerator"], *rates["denominator"]] if k in ids}
    spans = _spans(weeks, wins)
    if not wanted or not spans:
        return _Loaded.of(np.zeros(0, _PACKED), ids)
    day = _day_number(conn, mv.c.observed_on)
    key = (sa.cast(mv.c.metric_id, sa.BigInteger) * _DAYS + day) * _REPS + mv.c.rep_id
    query = sa.select(key, mv.c.value).where(
        mv.c.metric_id.in_(sorted(wanted)),
        sa.or_(*(mv.c.observed_on.between(a, b) for a, b in spans)),
    )
    result = conn.execute(query)
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    return _Loaded.of(np.fromiter(rows, dtype=_PACKED, count=len(rows)), ids)


def _day_number(conn: Connection, day: sa.Column) -> sa.ColumnElement[int]:
    """Days since 1970-01-01, worked out by the database."""
    if conn.dialect.name == "sqlite":
        return sa.cast(sa.func.julianday(day) - 2440587.5, sa.Integer)
    return day - sa.cast(sa.literal("1970-01-01"), sa.Date)  # PostgreSQL: days


def _spans(weeks: np.ndarray, wins: _Windows) -> list[tuple[dt.date, dt.date]]:
    """The days inside any coached rep's windows, as few (first, last) day pairs."""
    spans: list[list[int]] = []
    for w in sorted({int(x) for x in weeks}):
        lo, hi = w - wins.before, w + wins.end
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], hi)
        else:
            spans.append([lo, hi])
    return [(_monday(lo), _monday(hi) - dt.timedelta(days=1)) for lo, hi in spans]


# ---------------------------------------------------------------- small helpers


def _rows(conn: Connection, query: sa.Select) -> list[tuple[object, ...]]:
    return [tuple(row) for row in conn.execute(query)]


def _week_number(days: pd.Series) -> np.ndarray:
    """Weeks since :data:`_EPOCH`; any day of a week gives that week's number."""
    stamps = pd.to_datetime(days).to_numpy().astype("datetime64[D]").astype(np.int64)
    return (stamps - _EPOCH_DAY) // 7


def _week_of(day: dt.date) -> int:
    return (day.toordinal() - _EPOCH.toordinal()) // 7


def _with_weeks(starts: pd.DataFrame) -> pd.DataFrame:
    """``starts`` with the week number of each start added as ``week``."""
    week = [_week_of(d) for d in starts["started_on"]]
    return starts.assign(week=np.array(week, dtype=np.int64))


def _monday(week: int) -> dt.date:
    return _EPOCH + dt.timedelta(weeks=int(week))


def _start_weeks(starts: pd.DataFrame) -> pd.Series:
    """The week each rep started, indexed by rep (the earliest if listed twice)."""
    if starts.empty:
        return pd.Series(dtype=np.int64)
    weeks = pd.Series(
        _week_number(starts["started_on"]), index=starts["rep_id"].astype(int)
    )
    return weeks.groupby(level=0).min()


def _row(link: Any, effect: Effect, text: str) -> dict[str, object]:
    higher = bool(link.higher_is_better)
    return {
        **{c: getattr(link, c) for c in EFFECT_COLUMNS[:6]},
        "higher_is_better": higher,
        "coached": effect.coached,
        "comparison": effect.comparison,
        "effect": effect.estimate,
        "low": effect.low,
        "high": effect.high,
        "enough": effect.enough,
        "verdict": effect.verdict(higher),
        "text": text,
    }


def _amount(x: float, kind: str, unit: str, width: float, *, bare: bool = False) -> str:
    """A size in plain words: ``6 points`` for shares, ``1.5 per week`` for counts.

    Whole numbers when the range is wide, one decimal when it is narrow; ``bare``
    leaves the unit off.
    """
    if kind in _SHARES:
        value, digits, unit = 100 * x, (0 if 100 * width >= 4 else 1), "points"
    else:
        value, digits = x, (0 if width >= 10 else 1)
    text = f"{value:,.{digits}f}"
    if unit == "points" and text in ("1", "-1"):
        unit = "point"
    return text if bare or not unit or unit == "share" else f"{text} {unit}"


def _more(n: int, noun: str) -> str:
    return f"{n} more {noun}" + ("" if n == 1 else "s")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
