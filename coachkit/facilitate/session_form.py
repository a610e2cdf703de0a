"""Pure checks of the session form: field names, labels and limits.

:func:`check_draft` turns raw form values into clean ones (or problems naming the
field); :func:`final_problems` finds everything wrong with a whole session before it
is finished, and :func:`check_final` raises them all at once as
:class:`SessionProblems`, so a form can show each problem next to its field. Nothing
here touches the database; :mod:`coachkit.facilitate.sessions` stores what these accept.
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

from coachkit.errors import ValidationError
from coachkit.facilitate.actions import parse_day
from coachkit.model.formats import day
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
        f"{who}_{part}": f"{part.capitalize()} ({who}'s score)"
        for who in SCORERS
        for part in CHECKS
    },
}
#: A field's name by its label, to find the field a problem is about.
_NAMES = {label: name for name, label in LABELS.items()}
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


class SessionProblems(ValidationError):
    """Everything wrong with a session form, field by field, found at once.

    ``problems`` maps a form field's name (one of :data:`FIELDS`, or
    ``"action <id>"`` for an agreed action) to its :class:`ValidationError`, in form
    order. ``field`` and ``problem`` are the first one's; the message lists them all
    on one line ("Focus: pick at least one ...; Next session: pick a day ...").
    """

    def __init__(self, problems: Mapping[str, ValidationError]) -> None:
        if not problems:
            raise ValueError("SessionProblems needs at least one problem")
        self.problems = dict(problems)
        first = next(iter(self.problems.values()))
        super().__init__(first.field, first.problem)
        self.args = ("; ".join(str(p) for p in self.problems.values()),)

    def __str__(self) -> str:
        return str(self.args[0])


def field_name(problem: ValidationError) -> str | None:
    """The form field a problem is about (``"duration_minutes"``), from its label."""
    return _NAMES.get(problem.field)


def final_problems(
    values: Mapping[str, Any], today: dt.date
) -> dict[str, ValidationError]:
    """Everything wrong with a whole session (clean values of every field).

    Returns
    -------
    dict
        Field name -> the problem, in form order; empty when the session can be
        finished.
    """
    found: dict[str, ValidationError] = {}

    def fail(name: str, problem: str) -> None:
        found.setdefault(name, ValidationError(LABELS[name], problem))

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
    elif not low <= minutes <= high:
        fail("duration_minutes", f"type a number of minutes from {low} to {high}")
    if values.get("style") not in STYLE_KEYS:
        fail("style", "pick Direct, Guide, Excite or Delegate")
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
    return found


def due_problem(
    due_on: dt.date | None, held_on: dt.date, field: str = "Due date"
) -> ValidationError | None:
    """What is wrong with an action's due day for a session on ``held_on``, if any.

    The days in the message are written as every screen writes them
    (:func:`coachkit.model.formats.day`).
    """
    if due_on is None:
        example = day(held_on + dt.timedelta(days=7))
        return ValidationError(field, f"pick a day, like {example}")
    if due_on < held_on:
        return ValidationError(
            field, f"pick a day on or after the session, {day(held_on)}"
        )
    return None


def check_final(values: Mapping[str, Any], today: dt.date) -> None:
    """Check a whole session (clean values of every field) before it is finished.

    Raises
    ------
    SessionProblems
        Every problem, each naming its field (see :func:`final_problems`).
    """
    found = final_problems(values, today)
    if found:
        raise SessionProblems(found)


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
            raise ValidationError(label, "pick Direct, Guide, Excite or Delegate")
        return raw
    if name in ("held_on", "next_session_on"):
        return parse_day(raw, label, dt.date.today())
    if name == "duration_minutes":
        minutes = _whole(raw, ("minutes", "mins", "min"))
        if minutes is None and _too_many_digits(raw):
            low, high = DURATION_MINUTES
            raise ValidationError(
                label, f"type a number of minutes from {low} to {high}"
            )
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


def _too_many_digits(raw: object) -> bool:
    """Text of digits too long to be any number of minutes ("9" * 400)."""
    digits = str(raw).strip().split(" ")[0] if isinstance(raw, str) else ""
    return digits.isascii() and digits.isdigit() and len(digits) > 18


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
