"""Practice to performance: did the numbers move for reps coached on a behaviour?

For each rep coached on a behaviour, we take the change in a linked number from the
weeks before coaching (leaving out the :data:`GAP_WEEKS` weeks just before it, when
a coach picks a rep after a bad spell) to the weeks after it, and subtract the
average change, over the same weeks, of reps not coached on it yet (a "difference in
differences"). Things that hit everyone, such as a busy season, cancel out. The
results of many coached reps, each with their own start, are averaged ("stacked")
and shown with a 95% range that counts a team's reps together. Below
:data:`MIN_COACHED` coached reps or :data:`MIN_COMPARISON` reps to compare with, the
answer is "not enough data yet"; when the same sum over the weeks before coaching
already shows a change, or the change could be chance among many rows, it is
"can't tell yet". ``docs/method.md`` gives the method and what it will not claim.

:func:`estimate_effect` is the pure sum; :func:`practice_effects` (a coach's team, or
everyone) and :func:`rep_effects` (one rep) read the store; :func:`effect_weeks` gives
the week-by-week picture behind a row and :func:`effect_chart` and
:func:`event_chart` draw them; :mod:`~coachkit.improve.effects.simulate` makes
teams where the truth is known.
"""

from __future__ import annotations

from coachkit.improve.effects.chart import effect_chart, event_chart
from coachkit.improve.effects.estimate import (
    METHOD_TEXT,
    MIN_COACHED,
    MIN_COMPARISON,
    MIN_TRIES,
    PERIOD_NOTE,
    estimate_effect,
)
from coachkit.improve.effects.result import EFFECT_COLUMNS, Effect, t_quantile
from coachkit.improve.effects.store import (
    coaching_starts,
    effect_weeks,
    practice_effects,
    rep_effects,
)
from coachkit.improve.effects.weeks import (
    GAP_WEEKS,
    SKIP_WEEKS,
    WEEKS_AFTER,
    WEEKS_BEFORE,
)

__all__ = [
    "EFFECT_COLUMNS",
    "GAP_WEEKS",
    "METHOD_TEXT",
    "MIN_COACHED",
    "MIN_COMPARISON",
    "MIN_TRIES",
    "PERIOD_NOTE",
    "SKIP_WEEKS",
    "WEEKS_AFTER",
    "WEEKS_BEFORE",
    "Effect",
    "coaching_starts",
    "effect_chart",
    "effect_weeks",
    "event_chart",
    "estimate_effect",
    "practice_effects",
    "rep_effects",
    "t_quantile",
]
