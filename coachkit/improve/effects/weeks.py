"""Weeks: how they are numbered, and the windows around a coaching start.

A week's number counts the weeks since :data:`_EPOCH` (Monday 5 January 1970), so
any day of a week gives that week's number and :func:`_monday` turns a number back
into its first day. :class:`_Windows` are the weeks before a start and after it, in
week numbers from the start's week (:data:`_WINDOWS` by default), and
:func:`_spans` the days that a set of windows covers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Default windows, in weeks. The level before coaching is taken over
#: :data:`WEEKS_BEFORE` weeks that end :data:`GAP_WEEKS` weeks before the start: a
#: coach often picks a rep right after a bad few weeks, and those weeks would make
#: any rep look better afterwards. The level after skips the first
#: :data:`SKIP_WEEKS` weeks and then runs for :data:`WEEKS_AFTER` weeks.
WEEKS_BEFORE, GAP_WEEKS, SKIP_WEEKS, WEEKS_AFTER = 8, 4, 2, 8

_EPOCH = dt.date(1970, 1, 5)  # a Monday: week numbers count from here
_EPOCH_DAY = (_EPOCH - dt.date(1970, 1, 1)).days


@dataclass(frozen=True)
class _Windows:
    """Window edges in weeks from the start's week: before is
    [-gap - before, -gap), after is [skip, skip + after)."""

    before: int
    skip: int
    after: int
    gap: int = 0

    @property
    def end(self) -> int:
        return self.skip + self.after

    @property
    def first(self) -> int:
        """The first week of the before window, counted back from the start."""
        return self.gap + self.before


_WINDOWS = _Windows(WEEKS_BEFORE, SKIP_WEEKS, WEEKS_AFTER, GAP_WEEKS)


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


def _spans(weeks: np.ndarray, wins: _Windows) -> list[tuple[dt.date, dt.date]]:
    """The days inside any coached rep's windows, as few (first, last) day pairs."""
    spans: list[list[int]] = []
    for w in sorted({int(x) for x in weeks}):
        lo, hi = w - wins.first, w + wins.end
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], hi)
        else:
            spans.append([lo, hi])
    return [(_monday(lo), _monday(hi) - dt.timedelta(days=1)) for lo, hi in spans]
