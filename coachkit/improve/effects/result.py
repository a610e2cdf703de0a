"""The result of an estimate: :class:`Effect`, its 95% range and its wording.

:class:`Effect` holds the change that came with coaching and its range, and says it
as a verdict or one plain sentence; :func:`t_quantile` gives the Student's t point
the range is built with, and :func:`_with_range` and :func:`_not_ready` make an
:class:`Effect` with or without enough data. :data:`EFFECT_COLUMNS` are the columns
of the tables :func:`~coachkit.improve.effects.practice_effects` and
:func:`~coachkit.improve.effects.rep_effects` return, one :func:`_row` per behaviour and
metric.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from coachkit.model.formats import number, points

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
    check: str = ""
    p: float = math.nan

    def verdict(self, higher_is_better: bool = True) -> str:
        """Say ``better``, ``worse``, ``no clear change`` or ``not enough data yet``."""
        if not self.enough:
            return "not enough data yet"
        if self.check:
            return "can't tell yet"
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
        if self.check:
            return _cap(self.check) + "."
        who = subject or f"reps coached on {behaviour}"
        what = metric[:1].lower() + metric[1:]
        width = self.high - self.low
        if self.low <= 0 <= self.high:
            lower = _amount(-self.low, self.kind, unit, width)
            higher = _amount(self.high, self.kind, unit, width)
            return (
                f"No clear change: {who} saw {what} move somewhere between {lower} "
                f"lower and {higher} higher than {others}."
            )
        ends = sorted([abs(self.low), abs(self.high)])
        verb = "rise" if self.estimate > 0 else "fall"
        size = _amount(abs(self.estimate), self.kind, unit, width)
        low, high = (_amount(x, self.kind, unit, width, bare=True) for x in ends)
        return _cap(
            f"{who} saw {what} {verb} by {size} (range {low} to {high}) more than "
            f"{others}."
        )


def t_quantile(df: float) -> float:
    """The 97.5% point of Student's t with ``df`` degrees of freedom (table, ±0.01)."""
    df = max(math.inf if math.isnan(df) else df, 1.0)
    inverse = [1 / d for d in _T_DF]
    return float(np.interp(1 / df, inverse[::-1], _T_Q[::-1]))


def against(effect: Effect, unit: str, others: str) -> str:
    """The same result against another group, in one short sentence, or "" when
    there is no clear answer to give."""
    if not effect.enough or effect.check:
        return ""
    width = effect.high - effect.low
    if effect.low <= 0 <= effect.high:
        return f"Against {others}: no clear difference."
    size = _amount(abs(effect.estimate), effect.kind, unit, width)
    ends = sorted([abs(effect.low), abs(effect.high)])
    low, high = (_amount(x, effect.kind, unit, width, bare=True) for x in ends)
    more = "more" if effect.estimate > 0 else "less"
    return f"Against {others}: {size} {more} (range {low} to {high})."


def t_two_sided_p(t: float, df: float) -> float:
    """The chance of a Student's t at least as far from 0 as ``t``, either way.

    ``I(df / (df + t**2); df / 2, 1 / 2)``, the regularised incomplete beta function,
    worked out by its continued fraction (Numerical Recipes, 6.4).
    """
    if not math.isfinite(t):
        return math.nan if math.isnan(t) else 0.0
    df = 1e6 if not math.isfinite(df) else max(df, 1.0)
    return _incomplete_beta(df / (df + t * t), df / 2, 0.5)


def _incomplete_beta(x: float, a: float, b: float) -> float:
    if x <= 0 or x >= 1:
        return max(0.0, min(1.0, x))
    front = math.exp(
        math.lgamma(a + b)
        - math.lgamma(a)
        - math.lgamma(b)
        + a * math.log(x)
        + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):
        return front * _beta_fraction(x, a, b) / a
    return 1 - front * _beta_fraction(1 - x, b, a) / b


def _beta_fraction(x: float, a: float, b: float) -> float:
    tiny = 1e-300
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        for num in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + num * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-12:
            break
    return h


def many_at_once(effects: list[Effect], rate: float = 0.05) -> list[Effect]:
    """Hold back the verdicts a chance finding among many would give.

    With many rows, each with its own 5% chance of a range that misses zero by
    luck, some would show a change that is not there. Benjamini and Hochberg's
    rule (1995) keeps the share of such false finds among the rows that show a
    change at ``rate`` or less: the rows are sorted by ``p``, and a row shows its
    change only if some row at least as sure, at place ``k`` of ``m``, has
    ``p <= k / m * rate``. A held-back row says why in ``check``.
    """
    tested = [i for i, e in enumerate(effects) if e.enough and not e.check]
    order = sorted(tested, key=lambda i: effects[i].p)
    m, passed = len(order), 0
    for k, i in enumerate(order, start=1):
        if effects[i].p <= k / m * rate:
            passed = k
    held = set(order[passed:])
    out = []
    for i, e in enumerate(effects):
        if i in held and not (e.low <= 0 <= e.high):
            e = replace(e, check=_chance_text(m))
        out.append(e)
    return out


def _chance_text(m: int) -> str:
    return (
        f"can't tell yet: of {m} results worked out at once, about "
        f"{_about(0.05 * m)} would show a change this size by chance alone"
    )


def _about(x: float) -> str:
    return "1" if x < 1.5 else f"{round(x)}"


def _with_range(
    estimate: float, se: float, df: float, n_t: int, n_c: int, kind: str, naive: float
) -> Effect:
    half = t_quantile(df) * se
    p = t_two_sided_p(estimate / se, df) if se > 0 else math.nan
    return Effect(
        estimate,
        estimate - half,
        estimate + half,
        n_t,
        n_c,
        True,
        kind,
        "",
        naive,
        p=p,
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
        text, unit = points(x, 0 if 100 * width >= 4 else 1), "points"
    else:
        text = number(x, 0 if width >= 10 else 1)
    if unit == "points" and text in ("1", "-1"):
        unit = "point"
    return text if bare or not unit or unit == "share" else f"{text} {unit}"


def _more(n: int, noun: str) -> str:
    return f"{n} more {noun}" + ("" if n == 1 else "s")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
