"""The stretch of time a look back covers: a first and a last day, both included."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

#: The choices the Improve workbook offers, in months back from today.
MONTH_CHOICES = (1, 3, 6, 12)


@dataclass(frozen=True)
class Period:
    """Days from ``start`` to ``end``, both included.

    Build one with :meth:`Period.last_months` or :meth:`Period.between`.
    """

    start: dt.date
    end: dt.date
    label: str = ""

    @classmethod
    def between(cls, start: dt.date, end: dt.date, label: str = "") -> Period:
        """The days from ``start`` to ``end``; ValueError if they are reversed."""
        if end < start:
            raise ValueError(f"the period ends ({end}) before it starts ({start}).")
        return cls(start, end, label or f"{start.isoformat()} to {end.isoformat()}")

    @classmethod
    def last_months(cls, today: dt.date, months: int) -> Period:
        """The ``months`` months up to and including ``today``."""
        if months < 1:
            raise ValueError("a period is at least 1 month long.")
        start = (pd.Timestamp(today) - pd.DateOffset(months=months)).date()
        start += dt.timedelta(days=1)
        label = "Last month" if months == 1 else f"Last {months} months"
        return cls(start, today, label)

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.end - self.start).days + 1

    @property
    def months(self) -> float:
        """The period's length in months (30.44 days each)."""
        return self.days / 30.4375

    def __contains__(self, day: object) -> bool:
        if isinstance(day, dt.datetime):
            day = day.date()
        return isinstance(day, dt.date) and self.start <= day <= self.end


def period_choices(today: dt.date) -> list[tuple[str, Period]]:
    """The periods a coach can pick from, as ``(label, period)`` pairs."""
    return [(p.label, p) for p in (Period.last_months(today, m) for m in MONTH_CHOICES)]
