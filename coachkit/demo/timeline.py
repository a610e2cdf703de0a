"""The history's calendar: complete weeks, complete months, holidays, weekdays."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

_DAY = dt.timedelta(days=1)


def _months_back(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    last = (dt.date(y + m // 12, m % 12 + 1, 1) - _DAY).day
    return dt.date(y, m, min(day.day, last))


@dataclass(frozen=True)
class _Calendar:
    """Complete weeks (by their Monday) and complete months inside the history."""

    today: dt.date
    weeks: list[dt.date]
    ordinals: np.ndarray  # day number of each Monday
    season: np.ndarray  # activity factor per week (holidays, summer)
    month_of_week: np.ndarray  # index into ``months`` or -1
    months: list[tuple[dt.date, dt.date, dt.date]]  # first day, last day, 1st Monday

    @classmethod
    def ending(cls, today: dt.date, months: int) -> _Calendar:
        start = _months_back(today, months)
        first = start + dt.timedelta(days=(7 - start.weekday()) % 7)
        last = today - dt.timedelta(days=today.weekday() + 7)
        if last < first:
            first = last
        n = (last - first).days // 7 + 1
        weeks = [first + dt.timedelta(weeks=i) for i in range(n)]
        season = np.array([_season(d) for d in weeks])
        month_of_week = np.full(n, -1)
        spans: list[tuple[dt.date, dt.date, dt.date]] = []
        by_month: dict[tuple[int, int], list[int]] = {}
        for i, d in enumerate(weeks):
            by_month.setdefault((d.year, d.month), []).append(i)
        for (y, m), idx in by_month.items():
            first_day = dt.date(y, m, 1)
            last_day = _months_back(first_day, -1) - _DAY
            last_monday = last_day - dt.timedelta(days=last_day.weekday())
            if weeks[idx[0]].day <= 7 and weeks[idx[-1]] == last_monday:
                month_of_week[idx] = len(spans)
                spans.append((first_day, last_day, weeks[idx[0]]))
        ordinals = np.array([d.toordinal() for d in weeks])
        return cls(today, weeks, ordinals, season, month_of_week, spans)


def _season(monday: dt.date) -> float:
    sunday = monday + 6 * _DAY
    if (monday.month, monday.day) >= (12, 22) or (sunday.month, sunday.day) <= (1, 2):
        return 0.35
    if monday.month == 8:
        return 0.85
    return 1.0


def _weekday(day: dt.date) -> dt.date:
    if day.weekday() >= 5:
        return day - dt.timedelta(days=day.weekday() - 4)
    return day
