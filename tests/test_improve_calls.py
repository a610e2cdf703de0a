"""What a period's recorded calls say per rep, and whether its ranges can be trusted.

The ranges are checked by simulation against calls as reps really have them: one
call differs from the next far more than chance alone would make it (a rep asks 3
questions on one call and 14 on the next), and a rep has only a few calls a week.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from coachkit.improve.calls import MIN_CALLS, poisson_range, rep_call_signs

#: Simulated periods per case: the coverage is then known to about ±1.5 points.
RUNS = 1_000


def _calls(
    questions: np.ndarray, shares: np.ndarray, rep_ids: object = 1
) -> pd.DataFrame:
    minutes = 30 * 60.0
    return pd.DataFrame(
        {
            "rep_id": rep_ids,
            "rep": pd.Series(rep_ids, index=range(len(shares))).map(str)
            if not isinstance(rep_ids, int)
            else "Ana",
            "rep_talk_s": shares * minutes,
            "buyer_talk_s": (1 - shares) * minutes,
            "rep_questions": questions,
            "longest_monologue_s": 60.0,
        }
    )


def test_numbers_for_a_hand_counted_rep() -> None:
    # Three calls: shares 0.5, 0.4, 0.3 (mean 0.4, sd 0.1); questions 4, 6, 8.
    calls = _calls(np.array([4, 6, 8]), np.array([0.5, 0.4, 0.3]))
    calls["longest_monologue_s"] = [30.0, 200.0, 90.0]
    row = rep_call_signs(calls).iloc[0]
    assert row["calls"] == 3
    assert row["talk_share"] == pytest.approx(0.4)
    # t(2) = 4.30; 4.30 * 0.1 / sqrt(3) = 0.248
    assert row["talk_low"] == pytest.approx(0.4 - 0.248, abs=0.002)
    assert row["talk_high"] == pytest.approx(0.4 + 0.248, abs=0.002)
    assert row["questions_per_call"] == pytest.approx(6.0)
    # t range: 6 -/+ 4.30 * 2 / sqrt(3) = 1.03 to 10.97; Poisson on 18 in 3 calls:
    # 3.56 to 9.48. The wider of the two is kept.
    assert row["questions_low"] == pytest.approx(1.03, abs=0.02)
    assert row["questions_high"] == pytest.approx(10.97, abs=0.02)
    assert row["longest_monologue_s"] == 90.0  # the median, not one long demo


def test_too_few_calls_carry_no_range() -> None:
    calls = _calls(np.array([4, 6]), np.array([0.5, 0.4]))
    row = rep_call_signs(calls).iloc[0]
    assert MIN_CALLS == 3
    assert row["talk_share"] == pytest.approx(0.45)
    assert math.isnan(row["talk_low"])
    assert math.isnan(row["questions_high"])


def test_no_calls_no_rows() -> None:
    assert rep_call_signs(pd.DataFrame()).empty


def test_poisson_range_matches_the_exact_one() -> None:
    # Exact 95% Poisson limits for 10 events: 4.795 and 18.390.
    low, high = poisson_range(10, 1)
    assert low == pytest.approx(4.795, rel=0.01)
    assert high == pytest.approx(18.390, rel=0.01)
    assert poisson_range(0, 3)[0] == 0.0


@pytest.mark.parametrize("calls", [3, 5, 10, 20])
@pytest.mark.parametrize(
    ("mean", "dispersion"),
    [(8.0, 1000.0), (8.0, 3.0), (3.0, 1.5)],
    ids=["calls alike", "calls differ", "few questions, calls differ a lot"],
)
def test_the_questions_range_holds_the_true_rate_about_95_in_100_times(
    calls: int, mean: float, dispersion: float
) -> None:
    rng = np.random.default_rng(calls * 100 + int(mean) + int(dispersion))
    # Each simulated period is one rep with ``calls`` calls.
    counts = rng.negative_binomial(
        dispersion, dispersion / (dispersion + mean), size=RUNS * calls
    )
    runs = np.repeat(np.arange(RUNS), calls)
    signs = rep_call_signs(_calls(counts, np.full(RUNS * calls, 0.4), runs))
    held = ((signs["questions_low"] <= mean) & (mean <= signs["questions_high"])).sum()
    poisson_held = 0
    for total in counts.reshape(RUNS, calls).sum(axis=1):
        low, high = poisson_range(total, calls)
        poisson_held += low <= mean <= high
    assert held / RUNS >= 0.90
    if dispersion < 10:  # why the Poisson range alone is not enough
        assert poisson_held / RUNS < 0.85


@pytest.mark.parametrize("calls", [3, 5, 10])
def test_the_talk_range_holds_the_true_share_about_95_in_100_times(calls: int) -> None:
    # Per call, the rep's share scatters around 0.55 (a Beta with sd about 0.12).
    rng = np.random.default_rng(calls)
    shares = rng.beta(9, 7.36, size=RUNS * calls)
    runs = np.repeat(np.arange(RUNS), calls)
    signs = rep_call_signs(_calls(np.full(RUNS * calls, 5), shares, runs))
    true = 9 / 16.36
    held = ((signs["talk_low"] <= true) & (true <= signs["talk_high"])).sum()
    assert held / RUNS >= 0.92
