"""Numbers, shares and days written for people: the same text on every screen.

Every screen, report and sentence writes its numbers with these functions, so a
share of 0.125 reads the same in a table, a chart label and a printed report.

The rule for percentages
    A share is shown as a percent with ``digits`` decimals (whole percents unless a
    caller asks for more), rounded **half away from zero on the decimal number as
    written**: ``0.125`` -> ``13%``, ``0.145`` -> ``15%``, ``-0.125`` -> ``-13%``.
    This is how a person (and a spreadsheet's ROUND) rounds. Python's own
    ``f"{x:.0%}"`` and ``round()`` round the binary float, halves to even, so
    0.125 read ``12%`` on some screens and ``13%`` on others; that is gone.

The same rule for every number
    :func:`number`, :func:`points` and :func:`percentage_points` (the change
    between two shares, "7 percentage points") round the same way, with a comma between
    thousands (``45,000``). ``sign=True`` puts ``+`` before a positive number; a
    value that rounds to zero never shows a sign (``0.0``, never ``-0.0``).
    ``trim=True`` drops zeros at the end of the decimals (``2.50`` -> ``2.5``,
    ``3.0`` -> ``3``), for sentences and values a person typed.

Missing values
    None, NaN, NaT and infinities show as ``–`` (an en dash).

Days
    :func:`day` writes ``3 March 2026`` (``Tuesday 3 March 2026`` with the weekday)
    and :func:`month` writes ``March 2026``: no leading zero, the month in full.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from decimal import ROUND_HALF_UP, Decimal, localcontext

#: What a missing value shows as.
MISSING = "–"
#: Enough digits to round any float exactly.
_PRECISION = 400


def percent(
    value: object, digits: int = 0, *, sign: bool = False, trim: bool = False
) -> str:
    """A share as a percent: ``percent(0.125)`` gives ``13%``.

    Parameters
    ----------
    value
        A share (0.5 is half); None or NaN shows as ``–``.
    digits
        Decimals to keep: ``percent(0.125, 1)`` gives ``12.5%``.
    sign
        Put ``+`` before a positive share (``+13%``).
    trim
        Drop zeros at the end of the decimals: ``percent(0.3, 1, trim=True)``
        gives ``30%``.
    """
    exact = _exact(value)
    if exact is None:
        return MISSING
    return _text(exact.scaleb(2), digits, sign, trim) + "%"


def points(
    value: object, digits: int = 0, *, sign: bool = False, trim: bool = False
) -> str:
    """A change between two shares in percentage points: ``points(0.125)`` is ``13``.

    The number alone, rounded like :func:`percent`, so a share that moved from 20%
    to 32.5% moved by ``13``. For a sentence or a table cell, use
    :func:`percentage_points`, which spells the unit out.
    """
    exact = _exact(value)
    if exact is None:
        return MISSING
    return _text(exact.scaleb(2), digits, sign, trim)


def percentage_points(
    value: object, digits: int = 0, *, sign: bool = False, trim: bool = False
) -> str:
    """A change between two shares with its unit spelled out.

    ``percentage_points(0.125)`` gives ``13 percentage points``; one point reads
    ``1 percentage point``. A share that moved from 37% to 44% moved by 7
    percentage points, never "7 points" (which reads as a score) nor "7%" (which
    reads as a share of 37%).
    """
    shown = points(value, digits, sign=sign, trim=trim)
    if shown == MISSING:
        return MISSING
    unit = "percentage point" if shown.lstrip("+-") == "1" else "percentage points"
    return f"{shown} {unit}"


def number(
    value: object, digits: int = 1, *, sign: bool = False, trim: bool = False
) -> str:
    """A number for people: ``number(1234.25)`` gives ``1,234.3``.

    Parameters
    ----------
    value
        Any number; None or NaN shows as ``–``.
    digits
        Decimals to keep.
    sign
        Put ``+`` before a positive number (``+1.5``), for changes.
    trim
        Drop zeros at the end of the decimals: ``number(3.0, trim=True)`` is ``3``.
    """
    exact = _exact(value)
    if exact is None:
        return MISSING
    return _text(exact, digits, sign, trim)


def hours(value: object) -> str:
    """Hours in words: ``1 hour``, ``2.5 hours``, ``3 hours``."""
    shown = number(value, 1, trim=True)
    if shown == MISSING:
        return MISSING
    return f"{shown} {'hour' if shown == '1' else 'hours'}"


def day(when: dt.date | None, *, weekday: bool = False) -> str:
    """A day for people: ``3 March 2026``; ``Tuesday 3 March 2026`` with ``weekday``.

    A datetime or a pandas Timestamp shows its day; None or NaT shows as ``–``.
    """
    if when is None or _missing(when):
        return MISSING
    text = f"{when.day} {when:%B %Y}"
    return f"{when:%A} {text}" if weekday else text


def month(when: dt.date | None) -> str:
    """A month for people: ``March 2026``; None or NaT shows as ``–``."""
    if when is None or _missing(when):
        return MISSING
    return f"{when:%B %Y}"


def _exact(value: object) -> Decimal | None:
    """The decimal number as written (0.145, not 0.14499…); None when missing."""
    if _missing(value):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, numbers.Integral):
        return Decimal(int(value))
    as_float = float(value)  # type: ignore[arg-type]
    return Decimal(repr(as_float)) if math.isfinite(as_float) else None


def _missing(value: object) -> bool:
    """None, NaN, NaT (each unequal to itself) and pandas' NA."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:  # pandas.NA: comparing it gives NA, which is neither
        return True


def _text(exact: Decimal, digits: int, sign: bool, trim: bool) -> str:
    with localcontext(prec=_PRECISION):
        rounded = exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    if rounded.is_zero():
        rounded = rounded.copy_abs()
    text = f"{rounded:,.{digits}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"+{text}" if sign and rounded > 0 else text
