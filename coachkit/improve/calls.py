"""What the recorded calls of a period say, per rep, with how sure we can be.

The calls come from :func:`coachkit.model.calls.store.calls_table` (one row per
call, with the numbers measured from its transcript). Per rep, over the period:

- **talk share**: the mean over the calls of the rep's share of the talking (the
  rep's speaking time over the rep's and the buyer's together), as Gong reports it.
  Its range treats each call as one measurement: the mean plus or minus Student's t
  times the standard error. Below :data:`MIN_CALLS` calls there is no range.
- **questions a call**: the rep's questions over the calls. Its range is the wider
  of two: a Poisson range on the count (Byar's approximation, within 1% of the exact
  one from 5 questions up), right when calls are alike, and Student's t on the
  calls' counts, right when they differ. Reps' calls differ: simulated with the
  call-to-call spread of a negative binomial (``tests/test_improve_calls.py``), the
  Poisson range alone held the true rate in only about 71% of cases, not 95%.
- **longest monologue**: the median over the calls of the rep's longest stretch of
  talk, so one long demo does not make the rep look long-winded.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from coachkit.improve.effects.result import t_quantile

#: Fewer calls than this and a rep's numbers carry no range (it would be wide and
#: unstable): the screen says how many calls there are.
MIN_CALLS = 3
#: Columns of :func:`rep_call_signs`.
COLUMNS = (
    "rep_id",
    "rep",
    "calls",
    "talk_share",
    "talk_low",
    "talk_high",
    "questions_per_call",
    "questions_low",
    "questions_high",
    "longest_monologue_s",
)


def poisson_range(
    count: float, exposure: float, z: float = 1.96
) -> tuple[float, float]:
    """The 95% range of a rate of ``count`` events over ``exposure`` (Byar).

    >>> [round(v, 2) for v in poisson_range(10, 5)]
    [0.96, 3.68]
    """
    if exposure <= 0:
        return math.nan, math.nan
    x = float(count)
    low = 0.0 if x == 0 else x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    y = x + 1
    high = y * (1 - 1 / (9 * y) + z / (3 * math.sqrt(y))) ** 3
    return low / exposure, high / exposure


def mean_range(
    values: pd.Series, floor: float, ceiling: float
) -> tuple[float, float, float]:
    """The mean of ``values`` and its 95% range (Student's t), kept within
    ``floor`` and ``ceiling``; no range below :data:`MIN_CALLS` values."""
    n = len(values)
    if n == 0:
        return math.nan, math.nan, math.nan
    middle = float(values.mean())
    if n < MIN_CALLS:
        return middle, math.nan, math.nan
    spread = t_quantile(n - 1) * float(values.std(ddof=1)) / math.sqrt(n)
    return middle, max(floor, middle - spread), min(ceiling, middle + spread)


def rep_call_signs(calls: pd.DataFrame) -> pd.DataFrame:
    """One row per rep with calls: the numbers above (see :data:`COLUMNS`).

    ``calls`` holds the period's calls, with the columns of
    :func:`coachkit.model.calls.store.calls_table`. Sorted by rep name.
    """
    if calls.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    rows = []
    for (rep_id, rep), group in calls.groupby(["rep_id", "rep"], sort=False):
        rows.append({"rep_id": int(rep_id), "rep": str(rep), **_signs(group)})
    return pd.DataFrame(rows, columns=list(COLUMNS)).sort_values(
        "rep", ignore_index=True
    )


def _signs(group: pd.DataFrame) -> dict[str, float]:
    n = len(group)
    rep_talk = group["rep_talk_s"].astype(float)
    both = rep_talk + group["buyer_talk_s"].astype(float)
    shares = (rep_talk / both.where(both > 0)).dropna()
    share, talk_low, talk_high = mean_range(shares, 0.0, 1.0)
    counts = group["rep_questions"].fillna(0).astype(float)
    questions = float(counts.sum())
    _, q_low, q_high = mean_range(counts, 0.0, math.inf)
    if n >= MIN_CALLS:
        p_low, p_high = poisson_range(questions, n)
        q_low, q_high = min(q_low, p_low), max(q_high, p_high)
    return {
        "calls": n,
        "talk_share": share,
        "talk_low": talk_low,
        "talk_high": talk_high,
        "questions_per_call": questions / n,
        "questions_low": q_low,
        "questions_high": q_high,
        "longest_monologue_s": float(np.nanmedian(group["longest_monologue_s"]))
        if group["longest_monologue_s"].notna().any()
        else math.nan,
    }
