"""What a coach types for a goal or an action, read back as values.

A target (``35%``, ``0.35``, ``1,200``), a due day (a date, or ``2026-07-31``), a
note: each is read here, and a value that cannot be meant is refused with a
:class:`~coachkit.errors.ValidationError` that names the field and says what to type.
:func:`target_text` writes a target back the way it is typed, and
:func:`target_example` gives an example the checks accept.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from coachkit.errors import ValidationError

#: Longest note on what became of a goal or an action (characters).
NOTE_MAX = 500
#: Rates and percents are shares of a whole, stored as fractions (0.3 is 30%).
SHARE_KINDS = ("rate", "percent")
_TARGET_HELP = "type a number, like 35 or 0.3"
_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")


def check_note(note: object, field: str = "Note") -> str:
    """A note on what became of a goal or an action: spaces cut, 500 characters.

    Raises
    ------
    ValidationError
        On ``field`` when the note is too long.
    """
    text = " ".join(str(note or "").split())
    if len(text) > NOTE_MAX:
        raise ValidationError(
            field, f"keep it to {NOTE_MAX} characters or fewer (now {len(text)})"
        )
    return text


def parse_day(raw: object, field: str, example: dt.date) -> dt.date | None:
    """Read a typed day: a date, a datetime, or text like ``2026-06-15``.

    Returns None for an empty value (None or blank text).

    Raises
    ------
    ValidationError
        On ``field``, when the value cannot be read as a day.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise ValidationError(field, f"use the form {example.isoformat()}")


def target_text(value: float | None, kind: str | None) -> str:
    """A target as a coach types it, which :func:`parse_target` reads back.

    Shares as percents (``0.35`` -> ``35%``), counts as bare numbers (``25``).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind in SHARE_KINDS:
        return f"{round(value * 100, 2):g}%"
    return f"{round(float(value), 4):g}"


def target_example(
    baseline: float | None, kind: str | None, higher_is_better: bool = True
) -> str:
    """A target to show as an example: one step better than ``baseline``.

    So the example in the Target box is always one the checks accept: above the
    rep's level when higher is better, below it otherwise, typed as
    :func:`target_text` writes it (``50%`` for a share, ``25`` for a count).
    """
    share = kind in SHARE_KINDS
    if baseline is None or math.isnan(float(baseline)):
        return "35%" if share else "10"
    b = float(baseline)
    if share:  # the next 5 points past 4 points better
        step = (
            math.ceil((b + 0.04) * 20) / 20
            if higher_is_better
            else math.floor((b - 0.04) * 20) / 20
        )
        if kind == "rate":
            step = min(step, 1.0)
        return target_text(max(step, 0.0), kind)
    if higher_is_better:
        step = math.ceil(b + 1) if b < 10 else math.ceil(b * 1.2 / 5) * 5
    else:
        step = math.floor(b - 1) if b < 10 else math.floor(b * 0.8 / 5) * 5
    return target_text(float(max(step, 0)), kind)


def parse_target(raw: str | float, kind: str) -> float:
    """Read a typed target as a number; shares become fractions (``30%`` -> 0.3).

    Raises
    ------
    ValidationError
        On the ``Target`` field, when it is not a number that fits the metric.
    """
    share = kind in SHARE_KINDS
    percent = False
    if isinstance(raw, bool):
        raise ValidationError("Target", _TARGET_HELP)
    if isinstance(raw, int | float):
        try:
            value = float(raw)
        except OverflowError:  # an int too big for a float
            raise ValidationError("Target", _TARGET_HELP) from None
    else:
        text = str(raw).strip().replace(" ", "").lstrip("$")
        if text.endswith("%"):
            text, percent = text[:-1], True
        if _THOUSANDS.fullmatch(text):
            text = text.replace(",", "")
        try:
            value = float(text)
        except ValueError:
            raise ValidationError("Target", _TARGET_HELP) from None
    if not math.isfinite(value):
        raise ValidationError("Target", _TARGET_HELP)
    if value < 0:
        raise ValidationError("Target", "type a number of 0 or more")
    if percent and not share:
        raise ValidationError(
            "Target", "this number is a count, not a share; type it without %"
        )
    if percent or (kind == "rate" and value > 1) or (kind == "percent" and value > 3):
        value = value / 100  # "35" for a share means 35%; "90" for quota means 90%
    if kind == "rate" and value > 1:
        raise ValidationError("Target", "a share cannot be more than 100%")
    return round(value, 4)


def parse_due_date(raw: str | dt.date | None, today: dt.date) -> dt.date:
    """Read a typed due date; it must come after ``today``.

    Raises
    ------
    ValidationError
        On the ``Due date`` field, when it cannot be read or is not after today.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValidationError("Due date", "pick the day the goal is due")
    if isinstance(raw, dt.datetime):
        due = raw.date()
    elif isinstance(raw, dt.date):
        due = raw
    else:
        try:
            due = dt.date.fromisoformat(str(raw or "").strip())
        except ValueError:
            raise ValidationError("Due date", "use the form 2026-07-31") from None
    if due <= today:
        raise ValidationError("Due date", "pick a day after today")
    return due
