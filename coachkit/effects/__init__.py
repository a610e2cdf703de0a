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

from coachkit.effects.chart import effect_chart
from coachkit.effects.estimate import (
    METHOD_TEXT,
    MIN_COACHED,
    MIN_COMPARISON,
    MIN_TRIES,
    estimate_effect,
)
from coachkit.effects.result import EFFECT_COLUMNS, Effect, t_quantile
from coachkit.effects.store import coaching_starts, practice_effects, rep_effects
from coachkit.effects.weeks import SKIP_WEEKS, WEEKS_AFTER, WEEKS_BEFORE

__all__ = [
    "EFFECT_COLUMNS",
    "METHOD_TEXT",
    "MIN_COACHED",
    "MIN_COMPARISON",
    "MIN_TRIES",
    "SKIP_WEEKS",
    "WEEKS_AFTER",
    "WEEKS_BEFORE",
    "Effect",
    "coaching_starts",
    "effect_chart",
    "estimate_effect",
    "practice_effects",
    "rep_effects",
    "t_quantile",
]
