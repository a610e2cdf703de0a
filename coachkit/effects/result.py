"""The result of an estimate: :class:`Effect`, its 95% range and its wording.

:class:`Effect` holds the change that came with coaching and its range, and says it
as a verdict or one plain sentence; :func:`t_quantile` gives the Student's t point
the range is built with, and :func:`_with_range` and :func:`_not_ready` make an
:class:`Effect` with or without enough data. :data:`EFFECT_COLUMNS` are the columns
of the tables :func:`~coachkit.effects.practice_effects` and
:func:`~coachkit.effects.rep_effects` return, one :func:`_row` per behaviour and
metric.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

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


def t_quantile(df: float) -> float:
    """The 97.5% point of Student's t with ``df`` degrees of freedom (table, ±0.01)."""
    df = max(math.inf if math.isnan(df) else df, 1.0)
    inverse = [1 / d for d in _T_DF]
    return float(np.interp(1 / df, inverse[::-1], _T_Q[::-1]))


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
