"""Rates with their uncertainty: Wilson intervals, labels and frame columns."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from coachkit.model.rates import Rate, rate_columns, wilson_interval


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        (0, 0, 0.0, 1.0),  # no tries: the rate could be anything
        (0, 5, 0.0, 0.4345),  # z² / (n + z²)
        (5, 5, 0.5655, 1.0),  # n / (n + z²)
        (40, 200, 0.1505, 0.2609),
        (1, 2, 0.0945, 0.9055),
    ],
)
def test_wilson_interval_matches_known_values(
    successes: int, trials: int, low: float, high: float
) -> None:
    got = wilson_interval(successes, trials)
    assert got == pytest.approx((low, high), abs=5e-4)


def test_wilson_interval_narrows_as_tries_grow() -> None:
    widths = [
        wilson_interval(k, n)[1] - wilson_interval(k, n)[0]
        for k, n in ((2, 10), (20, 100), (200, 1000))
    ]
    assert widths == sorted(widths, reverse=True)


def test_wilson_interval_stays_within_zero_and_one() -> None:
    for k, n in ((0, 1), (1, 1), (0, 1000), (1000, 1000)):
        low, high = wilson_interval(k, n)
        assert 0.0 <= low <= k / n <= high <= 1.0


@pytest.mark.parametrize(
    ("successes", "trials", "message"),
    [
        (-1, 5, "successes must be 0 or more"),
        (1, -5, "trials must be 0 or more"),
        (6, 5, r"successes \(6\) cannot be more than trials \(5\)"),
    ],
)
def test_bad_counts_are_refused(successes: int, trials: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        wilson_interval(successes, trials)
    with pytest.raises(ValueError, match=message):
        Rate.of(successes, trials)


def test_rate_of_forty_in_two_hundred() -> None:
    rate = Rate.of(40, 200)
    assert rate.value == pytest.approx(0.2)
    assert (rate.low, rate.high) == pytest.approx((0.1505, 0.2609), abs=5e-4)
    assert rate.enough
    assert rate.label("conversations") == "20% (15–26%)"


def test_no_tries_has_no_value() -> None:
    rate = Rate.of(0, 0)
    assert rate.value is None
    assert (rate.low, rate.high) == (0.0, 1.0)
    assert not rate.enough
    assert rate.label() == "not enough data (0 tries)"


@pytest.mark.parametrize(
    ("successes", "trials", "noun", "label"),
    [
        (0, 5, "conversations", "not enough data (5 conversations)"),
        (5, 5, "conversations", "not enough data (5 conversations)"),
        (1, 1, "conversations", "not enough data (1 conversation)"),
        (3, 12, "meetings", "not enough data (12 meetings)"),
        (10, 29, "tries", "not enough data (29 tries)"),
        (10, 30, "tries", "33% (19–51%)"),
    ],
)
def test_small_samples_say_not_enough_data(
    successes: int, trials: int, noun: str, label: str
) -> None:
    assert Rate.of(successes, trials).label(noun) == label


def test_min_trials_decides_what_is_enough() -> None:
    assert Rate.of(5, 5, min_trials=5).label() == "100% (57–100%)"
    assert Rate.of(0, 5, min_trials=5).label() == "0% (0–43%)"
    assert not Rate.of(40, 200, min_trials=201).enough


def test_rate_is_frozen() -> None:
    rate = Rate.of(1, 2)
    with pytest.raises(AttributeError):
        rate.successes = 2  # type: ignore[misc]


def test_rate_columns_adds_value_range_and_enough() -> None:
    frame = pd.DataFrame(
        {"rep": ["A", "B", "C", "D"], "won": [40, 0, 5, 0], "tried": [200, 5, 5, 0]}
    )
    out = rate_columns(frame, "won", "tried", "win_rate")
    assert list(out.columns) == [
        "rep",
        "won",
        "tried",
        "win_rate",
        "win_rate_low",
        "win_rate_high",
        "win_rate_enough",
    ]
    assert out["win_rate"].iloc[:3].tolist() == pytest.approx([0.2, 0.0, 1.0])
    assert math.isnan(out["win_rate"].iloc[3])
    for i, (k, n) in enumerate(zip(frame["won"], frame["tried"], strict=True)):
        assert (out["win_rate_low"].iloc[i], out["win_rate_high"].iloc[i]) == (
            pytest.approx(wilson_interval(k, n))
        )
    assert out["win_rate_enough"].tolist() == [True, False, False, False]
    assert "win_rate" not in frame.columns  # the input is left alone


def test_rate_columns_treats_missing_counts_as_zero() -> None:
    frame = pd.DataFrame({"k": [None, 3.0], "n": [None, 40.0]})
    out = rate_columns(frame, "k", "n", "r", min_trials=40)
    assert math.isnan(out["r"].iloc[0])
    assert out["r_enough"].tolist() == [False, True]


def test_rate_columns_names_the_bad_row() -> None:
    frame = pd.DataFrame({"k": [1, 9], "n": [5, 4]}, index=["Ann", "Ben"])
    with pytest.raises(ValueError, match=r"row Ben: k \(9\) must be between 0 and n"):
        rate_columns(frame, "k", "n", "r")
