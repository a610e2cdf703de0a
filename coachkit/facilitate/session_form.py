"""Pure checks of the session form: field names, labels and limits.

:func:`check_draft` turns raw form values into clean ones (or problems naming the
field); :func:`check_final` checks a whole session before it is finished. Nothing
here touches the database; :mod:`coachkit.facilitate.sessions` stores what these accept.
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from coachkit.errors import ValidationError
from coachkit.facilitate.actions import parse_day
from coachkit.model.session_checks import CHECKS, SCORE_FIELDS, SCORERS
from coachkit.model.templates import SESSION_TYPE_KEYS, STYLE_KEYS

TEXT_FIELDS = ("went_well", "to_change", "rep_view")
#: Every field a form can send to :func:`~coachkit.facilitate.sessions.save_draft` /
#: :func:`~coachkit.facilitate.sessions.finish_session`.
FIELDS = (
    "session_type",
    "held_on",
    "duration_minutes",
    "style",
    "focus",
    *TEXT_FIELDS,
    "next_session_on",
    *SCORE_FIELDS,
)
#: What each field is called on the form, for messages.
LABELS = {
    "session_type": "Session type",
    "held_on": "Date",
    "duration_minutes": "Duration",
    "style": "Style",
    "focus": "Focus",
    "went_well": "What went well",
    "to_change": "What to change",
    "rep_view": "Rep's view",
    "next_session_on": "Next session",
    **{
        f"{who}_{part}": f"{part.capitalize()} ({who})"
        for who in SCORERS
        for part in CHECKS
    },
}
DURATION_MINUTES = (5, 480)
TEXT_MAX = 4000
_DURATION_HELP = "type a number of minutes, like 30"
# Required columns: an empty value in a draft keeps the saved one.
_KEEP_WHEN_EMPTY = ("session_type", "held_on", "duration_minutes")


def check_draft(
    fields: Mapping[str, object], *, final: bool = False
) -> tuple[dict[str, object], tuple[ValidationError, ...]]:
    """Split form values into what a draft can save and what is of the wrong kind.

    Empty values are fine: an empty text is saved as ``""``, an empty score, style
    or next session as None; an empty type, date or duration keeps the saved one
    (with ``final``, it comes back as None for :func:`check_final` to refuse).

    Returns
    -------
    tuple
        (clean values by field, problems in form order). Dates become dates,
        numbers ints, ``focus`` a tuple of ids.

    Raises
    ------
    ValueError
        A key is not one of :data:`FIELDS` (a programming error, not the user's).
    """
    unknown = [k for k in fields if k not in FIELDS]
    if unknown:
        raise ValueError(f"not session fields: {', '.join(map(str, unknown))}")
    clean: dict[str, object] = {}
    problems: list[ValidationError] = []
    for name in FIELDS:
        if name not in fields:
            continue
        try:
            value = _read(name, fields[name])
        except ValidationError as exc:
            problems.append(exc)
            continue
        if value is not None or final or name not in _KEEP_WHEN_EMPTY:
            clean[name] = value
    return clean, tuple(problems)


def check_final(values: Mapping[str, Any], today: dt.date) -> None:
    """Check a whole session (clean values of every field) before it is finished.

    Raises
    ------
    ValidationError
        For the first problem in form order, naming the field.
    """

    def fail(name: str, problem: str) -> NoReturn:
        raise ValidationError(LABELS[name], problem)

    if values.get("session_type") not in SESSION_TYPE_KEYS:
        fail("session_type", "pick one")
    held = values.get("held_on")
    if held is None:
        fail("held_on", "pick the day of the session")
    elif held > today:
        fail("held_on", "pick today or an earlier day; write a session up after it")
    low, high = DURATION_MINUTES
    minutes = values.get("duration_minutes")
    if minutes is None:
        fail("duration_minutes", _DURATION_HELP)
    if not low <= minutes <= high:
        fail("duration_minutes", f"type a number of minutes from {low} to {high}")
    if values.get("style") not in STYLE_KEYS:
        fail("style", "pick direct, guide, excite or delegate")
    if not values.get("focus"):
        fail("focus", "pick at least one behaviour you worked on")
    for name in TEXT_FIELDS:
        text = str(values.get(name) or "")
        if name != "rep_view" and not text.strip():
            fail(name, "write a sentence or two")
        if len(text) > TEXT_MAX:
            fail(name, f"keep it to {TEXT_MAX} characters or fewer (now {len(text)})")
    nxt = values.get("next_session_on")
    if nxt is None or (held is not None and nxt <= held):
        fail("next_session_on", "pick a day after the session")
    for name in SCORE_FIELDS:
        if values.get(name) is None and name.startswith("coach_"):
            fail(name, "pick a score from 1 to 5")


# --- reading form values ---


def _read(name: str, raw: object) -> object:
    label = LABELS[name]
    blank = raw is None or (isinstance(raw, str) and not raw.strip())
    if name in TEXT_FIELDS:
        if raw is None:
            return ""
        if not isinstance(raw, str):
            raise ValidationError(label, "type words here")
        return raw
    if blank:
        return () if name == "focus" else None
    if name == "session_type":
        if raw not in SESSION_TYPE_KEYS:
            raise ValidationError(label, "pick one")
        return raw
    if name == "style":
        if raw not in STYLE_KEYS:
            raise ValidationError(label, "pick direct, guide, excite or delegate")
        return raw
    if name in ("held_on", "next_session_on"):
        return parse_day(raw, label, dt.date.today())
    if name == "duration_minutes":
        minutes = _whole(raw, ("minutes", "mins", "min"))
        if minutes is None or minutes < 0:
            raise ValidationError(label, _DURATION_HELP)
        return minutes
    if name == "focus":
        return _focus_ids(raw)
    score = _whole(raw, ())
    if score is None or not 1 <= score <= 5:
        raise ValidationError(label, "pick a score from 1 to 5")
    return score


def _whole(raw: object, units: Sequence[str]) -> int | None:
    """A whole number from an int, a whole float, or text like "30" or "30 min"."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, numbers.Integral):
        return int(raw)
    if isinstance(raw, numbers.Real):
        return int(float(raw)) if float(raw).is_integer() else None
    if isinstance(raw, str):
        text = raw.strip().lower()
        for unit in units:
            if text.endswith(unit):
                text = text[: -len(unit)].strip()
                break
        if not (text.isascii() and text.isdigit()) or len(text) > 18:
            return None  # int("²") and int("9" * 5000) raise ValueError
        return int(text)
    return None


def _focus_ids(raw: object) -> tuple[int, ...]:
    items = [raw] if isinstance(raw, numbers.Integral) else raw
    if isinstance(items, str | bytes) or not isinstance(items, Sequence | set):
        raise ValidationError(LABELS["focus"], "pick behaviours from the list")
    ids: list[int] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, numbers.Integral):
            raise ValidationError(LABELS["focus"], "pick behaviours from the list")
        if int(item) not in ids:
            ids.append(int(item))
    return tuple(ids)
