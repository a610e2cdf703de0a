"""Numbers, shares and days read the same on every screen and report."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from coachkit.model.formats import (
    day,
    hours,
    month,
    number,
    percent,
    percentage_points,
    points,
)
from coachkit.model.goals import format_value
from coachkit.model.rates import Rate

NAN = math.nan


@pytest.mark.parametrize(
    ("value", "kwargs", "shown"),
    [
        (0.125, {}, "13%"),  # halves round away from zero, as people round
        (0.145, {}, "15%"),  # the decimal as written, not the float 0.14499…
        (0.135, {}, "14%"),
        (0.5, {}, "50%"),
        (1.5, {}, "150%"),
        (0.0, {}, "0%"),
        (-0.125, {}, "-13%"),
        (-0.001, {}, "0%"),  # never "-0%"
        (np.float64(0.125), {}, "13%"),
        (0.125, {"digits": 1}, "12.5%"),
        (0.3, {"digits": 1}, "30.0%"),
        (0.3, {"digits": 1, "trim": True}, "30%"),
        (0.285, {"digits": 1, "trim": True}, "28.5%"),
        (0.125, {"sign": True}, "+13%"),
        (-0.125, {"sign": True}, "-13%"),
        (0.0, {"sign": True}, "0%"),
        (None, {}, "–"),
        (NAN, {}, "–"),
        (np.nan, {"digits": 1}, "–"),
        (pd.NA, {}, "–"),
        (math.inf, {}, "–"),
    ],
)
def test_a_share_reads_as_a_percent(
    value: object, kwargs: dict[str, Any], shown: str
) -> None:
    assert percent(value, **kwargs) == shown


@pytest.mark.parametrize(
    ("value", "kwargs", "shown"),
    [
        (2.25, {}, "2.3"),
        (-2.25, {}, "-2.3"),
        (0.125, {"digits": 2}, "0.13"),
        (0.5, {"digits": 0}, "1"),
        (2.5, {"digits": 0}, "3"),  # not "2", as round() and f"{2.5:.0f}" give
        (1234.5, {}, "1,234.5"),
        (45000.0, {"digits": 0}, "45,000"),
        (np.int64(3), {"digits": 0}, "3"),
        (1.5, {"sign": True}, "+1.5"),
        (-1.5, {"sign": True}, "-1.5"),
        (0.04, {"sign": True}, "0.0"),  # rounds to zero: no sign at all
        (-0.04, {}, "0.0"),
        (3.0, {"trim": True}, "3"),
        (2.5, {"digits": 2, "trim": True}, "2.5"),
        (None, {}, "–"),
        (NAN, {"sign": True}, "–"),
        (-math.inf, {}, "–"),
    ],
)
def test_a_number_reads_the_same_everywhere(
    value: object, kwargs: dict[str, Any], shown: str
) -> None:
    assert number(value, **kwargs) == shown


@pytest.mark.parametrize(
    ("value", "kwargs", "shown"),
    [
        (0.125, {}, "13"),
        (0.06, {}, "6"),
        (-0.06, {"sign": True}, "-6"),
        (0.06, {"sign": True}, "+6"),
        (0.0125, {"digits": 1}, "1.3"),
        (NAN, {}, "–"),
    ],
)
def test_a_change_in_a_share_reads_in_points(
    value: object, kwargs: dict[str, Any], shown: str
) -> None:
    assert points(value, **kwargs) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(1, "1 hour"), (1.0, "1 hour"), (2.5, "2.5 hours"), (3.0, "3 hours"),
     (2.25, "2.3 hours"), (0, "0 hours"), (None, "–")],
)  # fmt: skip
def test_hours_read_in_words(value: object, shown: str) -> None:
    assert hours(value) == shown


@pytest.mark.parametrize(
    ("when", "weekday", "shown"),
    [
        (dt.date(2026, 3, 3), False, "3 March 2026"),
        (dt.date(2026, 3, 3), True, "Tuesday 3 March 2026"),
        (dt.datetime(2026, 11, 30, 17, 5), False, "30 November 2026"),
        (pd.Timestamp("2026-06-15"), False, "15 June 2026"),
        (None, False, "–"),
        (pd.NaT, True, "–"),
    ],
)
def test_a_day_reads_with_the_month_in_full(
    when: dt.date | None, weekday: bool, shown: str
) -> None:
    assert day(when, weekday=weekday) == shown


def test_a_month_reads_in_full() -> None:
    assert month(dt.date(2026, 3, 1)) == "March 2026"
    assert month(pd.Timestamp("2026-12-01")) == "December 2026"
    assert month(pd.NaT) == "–"


@pytest.mark.parametrize(("k", "n"), [(1, 8), (29, 200), (3, 8), (7, 40), (1, 3)])
def test_a_rate_and_a_goal_value_round_a_share_alike(k: int, n: int) -> None:
    # One rule: the rate's label, the percent and the goal's one-decimal value agree.
    share = k / n
    assert Rate.of(k, n, min_trials=1).label().split()[0] == percent(share)
    assert format_value(share, "rate", "share") == percent(share, 1, trim=True)


@pytest.mark.parametrize(
    ("value", "kwargs", "shown"),
    [
        (0.07, {}, "7 percentage points"),
        (0.01, {}, "1 percentage point"),
        (-0.01, {"sign": True}, "-1 percentage point"),
        (0.125, {"sign": True}, "+13 percentage points"),
        (0.0125, {"digits": 1}, "1.3 percentage points"),
        (None, {}, "–"),
    ],
)
def test_a_change_in_a_share_spells_out_percentage_points(
    value: object, kwargs: dict[str, Any], shown: str
) -> None:
    """Issue #22: "points" alone read as a score; the unit is spelled out."""
    assert percentage_points(value, **kwargs) == shown
