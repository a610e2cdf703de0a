"""Where a rep stands on results: one rule, the same whoever looks.

A rep's standing comes from their own quota attainment (the mean of the monthly
values in the last :data:`STANDING_WEEKS` complete weeks, :func:`window`) against
fixed thresholds, never from a rank among the reps someone happens to see. So a rep
reads the same to her coach, to the enablement lead and in every report (a look
back over a period takes the 12 weeks up to the period's last day):

==========  =========================================
``top``     100% of quota or more (:data:`TOP_AT`)
``middle``  70% to under 100% of quota
``bottom``  under 70% of quota (:data:`BOTTOM_BELOW`)
``unknown`` no quota numbers in those weeks
==========  =========================================

:func:`place` puts the same number on a fixed scale from 0 to 1 (40% of quota or
less is 0, 130% or more is 1), so the middle band is the middle third of the scale.
The ranking's "Standing" factor uses it: coaching lifts the middle most.
The words a screen shows are in :data:`LABELS`; the rule in one sentence is
:func:`rule_sentence`. docs/method.md has the same definition.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

#: Complete weeks (Monday to Sunday) whose quota numbers make a standing.
STANDING_WEEKS = 12
#: Quota attainment (1.0 is 100% of quota) from which a rep is at the top.
TOP_AT = 1.0
#: Quota attainment under which a rep is at the bottom.
BOTTOM_BELOW = 0.7
#: On :func:`place`'s scale, this quota attainment (or less) is 0 ...
PLACE_FLOOR = 0.4
#: ... and this (or more) is 1; the middle band is the middle third of the scale.
PLACE_CEILING = 1.3
#: Every standing, best first; "unknown" when there are no quota numbers.
STANDINGS = ("top", "middle", "bottom", "unknown")
#: What a screen shows for each standing.
LABELS = {
    "top": "Top",
    "middle": "Middle",
    "bottom": "Bottom",
    "unknown": "No quota numbers",
}
#: What each standing means, in words.
MEANINGS = {
    "top": "100% of quota or more",
    "middle": "70% to 99% of quota",
    "bottom": "under 70% of quota",
    "unknown": "no quota numbers yet",
}


def window(day: dt.date, weeks: int = STANDING_WEEKS) -> tuple[dt.date, dt.date]:
    """Return ``(first Monday, Monday of day's week)``: the last complete weeks.

    Values observed on or after the first day and before the second count; the
    week holding ``day`` is still being counted, so it is left out.
    """
    end = day - dt.timedelta(days=day.weekday())
    return end - dt.timedelta(weeks=weeks), end


def standing_of(quota: float | None) -> str:
    """The standing of one quota attainment (a fraction: 0.87 is 87% of quota)."""
    if quota is None or not math.isfinite(float(quota)):
        return "unknown"
    if quota >= TOP_AT:
        return "top"
    if quota < BOTTOM_BELOW:
        return "bottom"
    return "middle"


def standings(quota: pd.Series) -> pd.Series:
    """:func:`standing_of` for every value of ``quota``; the index is kept."""
    values = pd.to_numeric(quota, errors="coerce").astype(float)
    out = np.select(
        [values.isna(), values >= TOP_AT, values < BOTTOM_BELOW],
        ["unknown", "top", "bottom"],
        default="middle",
    )
    return pd.Series(out, index=quota.index, dtype=object)


def place(quota: pd.Series) -> pd.Series:
    """Quota attainment on a fixed scale from 0 to 1; NaN stays NaN.

    ``(quota - PLACE_FLOOR) / (PLACE_CEILING - PLACE_FLOOR)``, clipped to 0..1:
    70% of quota is 1/3, 100% is 2/3, 85% (the middle of the middle band) is 1/2.
    """
    values = pd.to_numeric(quota, errors="coerce").astype(float)
    return ((values - PLACE_FLOOR) / (PLACE_CEILING - PLACE_FLOOR)).clip(0.0, 1.0)


def label(standing: object) -> str:
    """The word a screen shows for a standing key ("top" -> "Top")."""
    return LABELS.get(str(standing), LABELS["unknown"])


def rule_sentence(weeks: str = "the last 12 weeks") -> str:
    """The rule in one sentence, for the note under a table that shows standing."""
    return (
        f"Standing comes from each rep's own quota over {weeks}: top at 100% or "
        "more, middle from 70% to 99%, bottom under 70%. It is the same whoever "
        "looks."
    )
