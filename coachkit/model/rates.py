"""Rates with their uncertainty: a share of tries that worked, never falsely precise.

A rate such as "the share of conversations where the buyer took an action" is always
worked out from two counts. With few tries the share can swing a lot by chance, so
every rate here carries a Wilson score interval (a range that holds the true rate
about 95% of the time) and an ``enough`` flag: below ``min_trials`` tries the screens
say "not enough data" instead of showing a number that looks precise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from coachkit.model.formats import percent

#: Fewer tries than this and a rate is shown as "not enough data".
MIN_TRIALS = 30


def wilson_interval(
    successes: int, trials: int, z: float = 1.96
) -> tuple[float, float]:
    """Return the Wilson score interval for ``successes`` out of ``trials``.

    Parameters
    ----------
    successes
        How many tries worked (0 or more, at most ``trials``).
    trials
        How many tries there were (0 or more).
    z
        The normal quantile; 1.96 gives a 95% interval.

    Returns
    -------
    tuple of float
        ``(low, high)``, both within 0 and 1. With no tries at all the rate could be
        anything: ``(0.0, 1.0)``.

    Raises
    ------
    ValueError
        A count is negative, or there are more successes than tries.
    """
    _check_counts(successes, trials)
    if trials == 0:
        return 0.0, 1.0
    low, high = _wilson(np.array([successes]), np.array([trials]), z)
    return float(low[0]), float(high[0])


@dataclass(frozen=True)
class Rate:
    """A share of tries that worked, with its 95% range.

    Build one with :meth:`Rate.of`.
    """

    successes: int
    trials: int
    low: float
    high: float
    enough: bool

    @classmethod
    def of(cls, successes: int, trials: int, min_trials: int = MIN_TRIALS) -> Rate:
        """Return the rate of ``successes`` out of ``trials``.

        Parameters
        ----------
        successes, trials
            The two counts, e.g. conversations where the buyer acted, and all
            conversations.
        min_trials
            Fewer tries than this and :attr:`enough` is False.

        Raises
        ------
        ValueError
            A count is negative, or there are more successes than tries.
        """
        low, high = wilson_interval(successes, trials)
        return cls(int(successes), int(trials), low, high, trials >= min_trials)

    @property
    def value(self) -> float | None:
        """The observed share, or None when there were no tries."""
        return None if self.trials == 0 else self.successes / self.trials

    def label(self, noun: str = "tries") -> str:
        """Say the rate in words: ``"32% (25–40%)"``.

        With too few tries: ``"not enough data (12 conversations)"``, using ``noun``
        for what was counted.
        """
        if not self.enough or self.value is None:
            return f"not enough data ({self.trials} {_noun(noun, self.trials)})"
        low = percent(self.low).removesuffix("%")
        return f"{percent(self.value)} ({low}–{percent(self.high)})"


def rate_columns(
    frame: pd.DataFrame,
    successes_col: str,
    trials_col: str,
    prefix: str,
    min_trials: int = MIN_TRIALS,
) -> pd.DataFrame:
    """Add a rate and its 95% range to every row of ``frame``.

    Parameters
    ----------
    frame
        Any frame with two count columns; missing counts count as 0.
    successes_col, trials_col
        The columns holding the two counts.
    prefix
        Name of the new columns: ``<prefix>`` (the share, NaN with no tries),
        ``<prefix>_low``, ``<prefix>_high`` and ``<prefix>_enough``.
    min_trials
        Fewer tries than this and ``<prefix>_enough`` is False.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` with the four columns added.

    Raises
    ------
    ValueError
        A count is negative or there are more successes than tries; the message
        names the first such row.
    """
    out = frame.copy()
    k = pd.to_numeric(out[successes_col]).fillna(0).to_numpy(dtype=float)
    n = pd.to_numeric(out[trials_col]).fillna(0).to_numpy(dtype=float)
    bad = (k < 0) | (n < 0) | (k > n)
    if bad.any():
        at = out.index[int(np.flatnonzero(bad)[0])]
        raise ValueError(
            f"row {at}: {successes_col} ({k[bad][0]:g}) must be between 0 and "
            f"{trials_col} ({n[bad][0]:g})"
        )
    low, high = _wilson(k, n, 1.96)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[prefix] = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
    out[f"{prefix}_low"] = low
    out[f"{prefix}_high"] = high
    out[f"{prefix}_enough"] = n >= min_trials
    return out


def _wilson(k: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised Wilson interval; ``(0, 1)`` where there are no tries."""
    k = k.astype(float)
    n = n.astype(float)
    safe = np.where(n > 0, n, 1.0)
    p = k / safe
    z2 = z * z
    denom = 1 + z2 / safe
    centre = (p + z2 / (2 * safe)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / safe + z2 / (4 * safe * safe))
    low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), 0.0)
    high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), 1.0)
    return low, high


def _check_counts(successes: int, trials: int) -> None:
    if trials < 0:
        raise ValueError(f"trials must be 0 or more, not {trials}")
    if successes < 0:
        raise ValueError(f"successes must be 0 or more, not {successes}")
    if successes > trials:
        raise ValueError(
            f"successes ({successes}) cannot be more than trials ({trials})"
        )


def _noun(noun: str, count: int) -> str:
    if count == 1 and noun.endswith("s") and not noun.endswith("ss"):
        return noun[:-1]
    return noun
